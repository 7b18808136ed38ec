/**
 * Authorisation round trip on loopback: the host client sends a 0200 with ICC data over
 * TCP (127.0.0.1) to the acquirer simulator, next to the floor measured in the same run:
 * a bare TCP echo of a frame of the same size with the same framing. p50 and p99 of each.
 */
import net from 'node:net';
import { loadLayout } from '../src/host/iso8583/layout.js';
import { HostClient } from '../src/host/client.js';
import { connectChannel, encodeHeader } from '../src/host/channel.js';
import { financialRequest } from '../src/host/messages.js';
import { MemoryHostStore } from '../src/host/store.js';
import { AcquirerSimulator } from '../src/host/simulator/simulator.js';
import { pack } from '../src/host/iso8583/packager.js';
import { percentile, type Benchmark } from './harness.js';

const layout = loadLayout('binary');
const PAN = '4761739001010010';
const N = 2000;

async function echoFloor(frameSize: number): Promise<number[]> {
  const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const frame = Buffer.concat([Buffer.from(encodeHeader('binary2', frameSize)), Buffer.alloc(frameSize, 0x30)]);
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (d: Buffer): void => {
        got += d.length;
        if (got >= frame.length) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.write(frame);
    });
    times.push(performance.now() - t0);
  }
  socket.destroy();
  server.close();
  return times;
}

const bench: Benchmark = {
  name: 'host',
  async run() {
    const sim = new AcquirerSimulator({ layout, cards: [{ name: 'bench', pan: PAN, expiry: '3012', balanceMinor: Number.MAX_SAFE_INTEGER, currency: '156' }] });
    const server = await sim.listen(0);
    const client = new HostClient({ layout, store: new MemoryHostStore(), terminalId: 'BENCH001', connect: () => connectChannel({ host: '127.0.0.1', port: server.port }) });
    const icc = Uint8Array.from(Buffer.from('9F2608C2A3F1B8A4D6E7F89F2701809F360200129505000000800082025C009F1A0201569A032511289C01005F2A0201569F02060000000123459F370412345678', 'hex'));
    const request = (): ReturnType<typeof financialRequest> => financialRequest(layout, { kind: 'sale', pan: PAN, expiry: '3012', amountMinor: 1, currency: '156', entryMode: '071', merchantId: 'BENCH', iccData: icc });
    for (let i = 0; i < 200; i++) await client.request(request());
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const res = await client.request(request());
      times.push(performance.now() - t0);
      if (res.text(39) !== '00') throw new Error(`unexpected answer ${res.text(39)}`);
    }
    await client.close();
    await server.close();
    const floor = await echoFloor(pack(layout, request().set(11, '000001').set(7, '1128000000').set(41, 'BENCH001')).length);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    return [
      { name: 'authorisation round trip (client + simulator, TCP loopback) p50', value: p50, unit: 'ms', baseline: { name: 'TCP echo of the same frame p50', value: percentile(floor, 50) } },
      { name: 'authorisation round trip p99', value: p99, unit: 'ms', baseline: { name: 'TCP echo p99', value: percentile(floor, 99) } },
    ];
  },
};

export default bench;
