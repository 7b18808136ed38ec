// The serial contract (test/conformance/serial.ts) on LinuxSerialLink at both ends of a real
// pseudo-terminal pair made by socat, plus what only the Linux backend has to get right.
import t from 'tap';
import { LinuxSerialOpener } from '../../hal/linux/serial.js';
import type { HalError } from '../../hal/errors.js';
import type { SerialLink } from '../../hal/serial.js';
import { serialConformance } from '../conformance/serial.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';

const opener = new LinuxSerialOpener();

async function linkedPair(): Promise<{ pty: PtyPair<SerialLink>; a: SerialLink; b: SerialLink; cleanup: () => Promise<void> }> {
  const pty = await openPtyPair((path) => opener.open(path, { baudRate: 115200 }));
  const [a, b] = pty.ends;
  return { pty, a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()]), await pty.kill()) };
}

serialConformance(t, { name: 'linux (socat pty pair)', factory: linkedPair });

t.test('linux serial: bytes arriving before the first listener are kept for it', async (t) => {
  const { a, b, cleanup } = await linkedPair();
  await a.write(Buffer.from('early'));
  await a.drain();
  await new Promise((r) => setTimeout(r, 100));
  const got: Buffer[] = [];
  const arrived = new Promise<void>((resolve) =>
    b.onData((c) => {
      got.push(Buffer.from(c));
      if (Buffer.concat(got).length >= 5) resolve();
    }),
  );
  await arrived;
  t.equal(Buffer.concat(got).toString(), 'early');
  await cleanup();
});

t.test('linux serial: when socat dies, both ends close with HAL_DISCONNECTED, listener or not', async (t) => {
  const { pty, a, b, cleanup } = await linkedPair();
  a.onData(() => undefined);
  const closedA = new Promise<HalError | undefined>((resolve) => a.onClose(resolve));
  const closedB = new Promise<HalError | undefined>((resolve) => b.onClose(resolve));
  await pty.kill();
  t.equal((await closedA)?.code, 'HAL_DISCONNECTED');
  t.equal((await closedB)?.code, 'HAL_DISCONNECTED', 'an end with no data listener is told too');
  await t.rejects(b.write(Uint8Array.of(1)), { code: 'HAL_CLOSED' });
  await cleanup();
});

t.test('linux serial: open errors are HAL codes', async (t) => {
  await t.rejects(opener.open('/dev/pts/does-not-exist', { baudRate: 9600 }), { code: 'HAL_NOT_FOUND' });
  await t.rejects(opener.open('/dev/null', { baudRate: 0 }), { code: 'HAL_INVALID_ARGUMENT' });
  await t.rejects(opener.open('/dev/null', { baudRate: 9600, dataBits: 6 as 7 }), { code: 'HAL_INVALID_ARGUMENT' });
  const pty = await openPtyPair((path) => opener.open(path, { baudRate: 9600 }));
  // serialport locks the tty (lock: true): a second open is refused with EAGAIN.
  await t.rejects(opener.open(pty.paths[0], { baudRate: 9600 }), { code: 'HAL_BUSY' });
  await Promise.all(pty.ends.map((e) => e.close()));
  await pty.kill();
});

t.test('linux serial: an aborted write rejects with HAL_ABORTED and the link goes on', async (t) => {
  const { a, b, cleanup } = await linkedPair();
  const ac = new AbortController();
  ac.abort();
  await t.rejects(a.write(Uint8Array.of(1), { signal: ac.signal }), { code: 'HAL_ABORTED' });
  const got = new Promise<Buffer>((resolve) => b.onData((c) => resolve(Buffer.from(c))));
  await a.write(Uint8Array.of(0x42));
  t.same([...(await got)], [0x42]);
  await cleanup();
});
