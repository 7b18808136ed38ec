// The vpcd card server against vpcd's side of the protocol, played here by a TCP server
// written from vsmartcard's description of it (vpcd.c / the virtualsmartcard docs): every
// message is a 2-byte big-endian length and that many bytes; from vpcd, one byte is a
// control message (00 power off, 01 power on, 02 reset, 04 get ATR, answered with the
// ATR), anything longer a C-APDU answered with the R-APDU. No pcscd needed.
import t from 'tap';
import net from 'node:net';
import { VpcdCard, VpcdCardServer } from '../../hal/sim/vpcd.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { ATR_T1, recipes, scriptedCard } from './cards.js';

/** vpcd's end of one slot: accepts the card's connection and talks to it frame by frame. */
async function fakeVpcd(): Promise<{ port: number; card: Promise<VpcdPeer>; close(): Promise<void> }> {
  let accept!: (peer: VpcdPeer) => void;
  const card = new Promise<VpcdPeer>((resolve) => (accept = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    accept(new VpcdPeer(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    card,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

class VpcdPeer {
  private buffer = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiting: ((f: Buffer | undefined) => void) | undefined;
  closed = false;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      while (this.buffer.length >= 2 && this.buffer.length >= 2 + this.buffer.readUInt16BE(0)) {
        const n = this.buffer.readUInt16BE(0);
        this.push(this.buffer.subarray(2, 2 + n));
        this.buffer = this.buffer.subarray(2 + n);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.(undefined);
    });
  }

  private push(f: Buffer): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(f);
    } else this.frames.push(f);
  }

  /** Sends one message and resolves with the card's next frame (undefined: the card left). */
  ask(hex: string): Promise<string | undefined> {
    const data = fromHex(hex);
    const frame = Buffer.alloc(2 + data.length);
    frame.writeUInt16BE(data.length, 0);
    frame.set(data, 2);
    this.socket.write(frame);
    return this.next();
  }

  send(hex: string): void {
    void this.ask(hex);
  }

  next(): Promise<string | undefined> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(toHex(f));
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiting = (x) => resolve(x && toHex(x))));
  }
}

const GET_DATA_ATC = '80CA9F3600';

t.test('in-process card: ATR on request, APDUs answered in order, removal closes the connection', async (t) => {
  const vpcd = await fakeVpcd();
  t.teardown(() => vpcd.close());
  const card = scriptedCard({ atr: ATR_T1 });
  const served = await VpcdCard.insert(card, { port: vpcd.port });
  const peer = await vpcd.card;
  peer.send('01'); // power on: no answer
  t.equal(await peer.ask('04'), toHex(ATR_T1), 'get ATR (04) is answered with the ATR');
  t.equal(await peer.ask(GET_DATA_ATC), '9F360200079000');
  t.equal(card.resets, 1, 'power on reset the card');
  t.strictSame(served.exchanges.map((e) => toHex(e.capdu)), [GET_DATA_ATC]);
  await served.remove();
  t.equal(await peer.next(), undefined, 'vpcd sees the connection close: the card is out');
  t.notOk(served.inserted);
});

t.test('a mute card answers get ATR with a byte that is no TS', async (t) => {
  const vpcd = await fakeVpcd();
  t.teardown(() => vpcd.close());
  const served = await VpcdCard.insert(scriptedCard({ atr: new Uint8Array(0) }), { port: vpcd.port });
  t.teardown(() => served.remove());
  t.equal(await (await vpcd.card).ask('04'), '00', 'ISO/IEC 7816-3 8.1: TS is 3B or 3F; 00 is neither');
});

t.test('a card that throws mid-APDU leaves without answering', async (t) => {
  const vpcd = await fakeVpcd();
  t.teardown(() => vpcd.close());
  await VpcdCard.insert(scriptedCard({ stopAt: '80CA' }), { port: vpcd.port });
  t.equal(await (await vpcd.card).ask(GET_DATA_ATC), undefined);
});

t.test('stopAt: the card holds the chosen command until resumed, or is pulled out on it', async (t) => {
  const vpcd = await fakeVpcd();
  t.teardown(() => vpcd.close());
  const served = await VpcdCard.insert(scriptedCard(), { port: vpcd.port, stopAt: 1 });
  const peer = await vpcd.card;
  const stops: string[] = [];
  served.onStop((i, c) => stops.push(`${i} ${toHex(c)}`));
  t.equal(await peer.ask(GET_DATA_ATC), '9F360200079000', 'command 0 is answered');
  const pending = peer.ask('00B2020C00');
  await new Promise((r) => setTimeout(r, 50));
  t.strictSame(stops, ['1 00B2020C00'], 'command 1 stops the card');
  served.resume();
  t.equal(await pending, '6A83', 'answered once resumed');

  const vpcd2 = await fakeVpcd();
  t.teardown(() => vpcd2.close());
  const pulled = await VpcdCard.insert(scriptedCard(), { port: vpcd2.port, stopAt: 0 });
  const peer2 = await vpcd2.card;
  const held = peer2.ask(GET_DATA_ATC);
  await new Promise<void>((resolve) => pulled.onStop(() => resolve()));
  await pulled.remove();
  t.equal(await held, undefined, 'pulled out mid-APDU: vpcd never gets an answer');
  t.strictSame(pulled.exchanges, []);
});

t.test('connection: refused is HAL_NOT_FOUND; retryForMs waits for vpcd to listen', async (t) => {
  const vpcd = await fakeVpcd();
  const port = vpcd.port;
  await vpcd.close();
  await t.rejects(VpcdCard.insert(scriptedCard(), { port }), { code: 'HAL_NOT_FOUND', message: /is pcscd with vsmartcard-vpcd running/ });
  // Listen on that port a moment later: the retrying card gets in.
  const late = net.createServer((s) => s.destroy());
  setTimeout(() => late.listen(port, '127.0.0.1'), 300);
  t.teardown(() => new Promise<void>((r) => late.close(() => r())));
  const served = await VpcdCard.insert(scriptedCard(), { port, retryForMs: 5000 });
  await served.out;
  t.notOk(served.inserted, 'connected, then vpcd closed it');
});

t.test('the card server thread: cards built from recipes, stop/resume/remove, exchanges, close', async (t) => {
  const server = await VpcdCardServer.start();
  t.teardown(() => server.close());
  const vpcd = await fakeVpcd();
  t.teardown(() => vpcd.close());
  const served = await server.insert(recipes.catalogue('visa-online', 'T=0'), { port: vpcd.port, stopAt: 1 });
  const peer = await vpcd.card;
  t.equal(await peer.ask('04'), '3B6500009C11010103', 'the T=0 basic ATR, from the thread');
  // SELECT PSE over T=0: case 4, so 61xx (EMV Book 1 Annex A).
  const sw = (await peer.ask('00A404000E315041592E5359532E444446303100'))!;
  t.match(sw, /^61[0-9A-F]{2}$/);
  const getResponse = peer.ask('00C00000' + sw.slice(2));
  const stop = await served.stopped();
  t.equal(toHex(stop.capdu), '00C00000' + sw.slice(2), 'GET RESPONSE with Le = xx');
  t.equal(stop.index, 1);
  await served.resume();
  t.match(await getResponse, /^6F/, 'the FCI after resume');
  const log = await served.exchanges();
  t.equal(log.length, 2);
  t.equal(toHex(log[0]!.capdu), '00A404000E315041592E5359532E444446303100');
  await served.remove();
  t.notOk(served.inserted);
  t.equal(await peer.next(), undefined);
  t.equal((await served.exchanges()).length, 2, 'the exchanges outlive the card');
  await t.rejects(server.insert({ module: recipes.scripted().module, factory: 'nope' }, { port: vpcd.port }), { code: 'HAL_INVALID_ARGUMENT', message: /exports no function "nope"/ });
  await server.close();
  await t.rejects(server.insert(recipes.scripted(), { port: vpcd.port }), { code: 'HAL_CLOSED' });
});
