// Channel framing (2-byte binary and 4-digit ASCII headers) over real TCP on loopback,
// in-memory loopback channels, and random byte streams.
import t from 'tap';
import net from 'node:net';
import fc from 'fast-check';
import { FrameDecoder, connectChannel, encodeHeader, loopbackChannels, serveChannels, type Channel } from '../../src/host/channel.js';
import { HostError } from '../../src/host/errors.js';

const frames = (ch: Channel): Uint8Array[] => {
  const got: Uint8Array[] = [];
  ch.onFrame((f) => got.push(f));
  return got;
};
const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

t.test('headers: 2-byte big-endian and 4 ASCII digits', async (t) => {
  t.same([...encodeHeader('binary2', 421)], [0x01, 0xa5]);
  t.equal(Buffer.from(encodeHeader('ascii4', 42)).toString('latin1'), '0042');
  t.throws(() => encodeHeader('ascii4', 10000), { code: 'HOST_FRAME' });
});

t.test('the decoder reassembles frames split at any byte', async (t) => {
  for (const kind of ['binary2', 'ascii4'] as const) {
    const msgs = [Buffer.from('0800abc'), Buffer.alloc(300, 7), Buffer.from('x')];
    const stream = Buffer.concat(msgs.flatMap((m) => [Buffer.from(encodeHeader(kind, m.length)), m]));
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder(kind);
      const out = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      t.same(out.map((f) => Buffer.from(f).toString('hex')), msgs.map((m) => m.toString('hex')), `${kind} cut at ${cut}`);
    }
  }
});

t.test('a malformed or oversize header is a framing error', async (t) => {
  t.throws(() => new FrameDecoder('ascii4').push(Buffer.from('00x1abc')), { code: 'HOST_FRAME' });
  t.throws(() => new FrameDecoder('binary2', 100).push(Uint8Array.of(0x01, 0x00)), { code: 'HOST_FRAME' });
  t.throws(() => new FrameDecoder('binary2').push(Uint8Array.of(0, 0)), { code: 'HOST_FRAME' });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('binary2' as const, 'ascii4' as const), (bytes, kind) => {
      try {
        new FrameDecoder(kind).push(bytes);
      } catch (err) {
        if (!(err instanceof HostError)) throw err;
      }
    }),
    { numRuns: 2000 },
  );
});

t.test('TCP channel on loopback: frames both ways, close tells the other side', async (t) => {
  let serverSide: Channel | undefined;
  const server = await serveChannels({ port: 0, header: 'ascii4' }, (ch) => (serverSide = ch));
  const client = await connectChannel({ host: '127.0.0.1', port: server.port, header: 'ascii4' });
  const atClient = frames(client);
  await until(() => serverSide !== undefined);
  const atServer = frames(serverSide!);
  await client.send(Buffer.from('0800 hello'));
  await client.send(Buffer.alloc(5000, 0x41));
  await serverSide!.send(Buffer.from('0810'));
  await until(() => atServer.length === 2 && atClient.length === 1);
  t.equal(Buffer.from(atServer[0]!).toString(), '0800 hello');
  t.equal(atServer[1]!.length, 5000);
  t.equal(Buffer.from(atClient[0]!).toString(), '0810');
  const closed = new Promise<HostError | undefined>((r) => client.onClose(r));
  await serverSide!.close();
  t.equal((await closed)?.code, 'HOST_DISCONNECTED');
  await t.rejects(client.send(Buffer.from('x')), { code: 'HOST_CLOSED' });
  await server.close();
});

t.test('connect refused and connect time limit', async (t) => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  await t.rejects(connectChannel({ host: '127.0.0.1', port, connectTimeoutMs: 2000 }), { code: 'HOST_CONNECT' });
  // A server that accepts TCP but never speaks TLS: the handshake cannot finish in time.
  const mute = net.createServer(() => undefined);
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
  const mutePort = (mute.address() as net.AddressInfo).port;
  const started = Date.now();
  await t.rejects(connectChannel({ host: '127.0.0.1', port: mutePort, connectTimeoutMs: 150, tls: { ca: '' } }), { code: /HOST_CONNECT|HOST_TLS/ });
  t.ok(Date.now() - started < 5000, 'gave up');
  mute.close();
});

t.test('loopback channels deliver in order and report the far end closing', async (t) => {
  const [a, b] = loopbackChannels();
  const atB = frames(b);
  await a.send(Uint8Array.of(1));
  await a.send(Uint8Array.of(2));
  await until(() => atB.length === 2);
  t.same(atB.map((f) => f[0]), [1, 2]);
  const closed = new Promise<HostError | undefined>((r) => b.onClose(r));
  await a.close();
  t.equal((await closed)?.code, 'HOST_DISCONNECTED');
});

t.test('an invalid port: HOST_CONNECT at once, and nothing fires after the connect time limit', async (t) => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => void uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  t.teardown(() => void process.off('uncaughtException', onUncaught));
  for (const tls of [undefined, { ca: '' }]) {
    await t.rejects(connectChannel({ host: '127.0.0.1', port: 70_000, connectTimeoutMs: 20, ...(tls ? { tls } : {}) }), { code: 'HOST_CONNECT' });
  }
  // Past the time limit: the timer of the failed attempt must not run.
  await new Promise((r) => setTimeout(r, 60));
  t.same(uncaught, []);
});
