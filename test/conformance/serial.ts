/** Serial contract conformance (hal/serial.ts): run on sim pairs and on real pseudo-terminal pairs. */
import type { Test } from 'tap';
import type { SerialLink } from '../../hal/serial.js';
import type { HalError } from '../../hal/errors.js';

export interface SerialPair {
  a: SerialLink;
  b: SerialLink;
  cleanup(): Promise<void>;
}

export interface SerialSuiteOptions {
  name: string;
  factory: () => Promise<SerialPair>;
}

function collect(link: SerialLink): { bytes: () => Buffer; until: (n: number, ms?: number) => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  let waiter: (() => void) | undefined;
  link.onData((c) => {
    chunks.push(Buffer.from(c));
    waiter?.();
  });
  const bytes = (): Buffer => Buffer.concat(chunks);
  return {
    bytes,
    until: (n, ms = 3000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${bytes().length} of ${n} bytes arrived`)), ms);
        const check = (): void => {
          if (bytes().length >= n) {
            clearTimeout(timer);
            waiter = undefined;
            resolve(bytes());
          }
        };
        waiter = check;
        check();
      }),
  };
}

export function serialConformance(t: Test, { name, factory }: SerialSuiteOptions): void {
  t.test(`${name}: serial contract`, async (t) => {
    t.test('bytes arrive complete and in order, both ways', async (t) => {
      const { a, b, cleanup } = await factory();
      const atB = collect(b);
      const atA = collect(a);
      const big = Buffer.alloc(20_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      await a.write(Uint8Array.of(1, 2, 3));
      await a.write(big);
      await a.drain();
      await b.write(Buffer.from('pong'));
      t.same([...(await atB.until(3 + big.length))], [1, 2, 3, ...big]);
      t.equal((await atA.until(4)).toString(), 'pong');
      await cleanup();
    });

    t.test('closing one end tells the other (HAL_DISCONNECTED)', async (t) => {
      const { a, b, cleanup } = await factory();
      collect(b);
      const closed = new Promise<HalError | undefined>((resolve) => b.onClose(resolve));
      await a.close();
      const err = await closed;
      t.equal(err?.code, 'HAL_DISCONNECTED');
      t.equal(b.isOpen, false);
      await cleanup();
    });

    t.test('after close: writes reject with HAL_CLOSED and nothing is delivered', async (t) => {
      const { a, b, cleanup } = await factory();
      const atB = collect(b);
      let closeEvents = 0;
      b.onClose(() => closeEvents++);
      await b.close();
      await t.rejects(b.write(Uint8Array.of(1)), { code: 'HAL_CLOSED' });
      await a.write(Uint8Array.of(9)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      t.equal(atB.bytes().length, 0);
      t.equal(closeEvents, 0, 'an explicit close fires no close listener');
      await cleanup();
    });
  });
}
