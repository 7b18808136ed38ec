// The host client against a scripted acquirer on the other end of a channel: matching by
// MTI + STAN + terminal ID, duplicates and late answers dropped, reversal exactly once on
// timeout (queued durably first), repeats as 0401, advices in order, MACs, restart.
import t from 'tap';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loopbackChannels, type Channel } from '../../src/host/channel.js';
import { HostClient, type MacProvider } from '../../src/host/client.js';
import { loadLayout } from '../../src/host/iso8583/layout.js';
import { IsoMessage, responseMti } from '../../src/host/iso8583/message.js';
import { pack, unpack } from '../../src/host/iso8583/packager.js';
import { LevelHostStore, MemoryHostStore, type HostStore } from '../../src/host/store.js';

const layout = loadLayout('binary');

type Behaviour = (req: IsoMessage, reply: (m: IsoMessage, times?: number) => void) => void;

/** A scripted acquirer: records what it receives, answers as `behaviour` says. */
function acquirer(behaviour: Behaviour) {
  const received: IsoMessage[] = [];
  let side: Channel | undefined;
  const connect = async (): Promise<Channel> => {
    const [client, server] = loopbackChannels();
    side = server;
    server.onFrame((f) => {
      const req = unpack(layout, f);
      received.push(req);
      behaviour(req, (m, times = 1) => {
        for (let i = 0; i < times; i++) void server.send(pack(layout, m));
      });
    });
    return client;
  };
  return { received, connect, drop: () => side?.close() };
}

const answer = (req: IsoMessage, rc: string, extra: Record<number, string> = {}): IsoMessage =>
  new IsoMessage(responseMti(req.mti), { 11: req.text(11), 41: req.text(41), 39: rc, ...extra });

const sale = (): IsoMessage => new IsoMessage('0200', { 2: '4761739001010119', 3: '000000', 4: '000000001000', 49: '156' });

function client(connect: () => Promise<Channel>, store: HostStore = new MemoryHostStore(), mac?: MacProvider): HostClient {
  return new HostClient({ layout, connect, store, terminalId: 'TERM0001', timeouts: { '02': 150, '04': 150, '02x': 0 }, backoff: { initialMs: 10, maxMs: 20, attempts: 2 }, ...(mac ? { mac } : {}) });
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('a request gets its own response, STAN and terminal ID assigned', async (t) => {
  const host = acquirer((req, reply) => reply(answer(req, '00', { 38: 'A1B2C3', 37: '000000000042' })));
  const c = client(host.connect);
  const r1 = await c.request(sale());
  const r2 = await c.request(sale());
  t.equal(r1.text(39), '00');
  t.equal(r1.text(38), 'A1B2C3');
  t.equal(host.received[0]!.text(11), '000001');
  t.equal(host.received[1]!.text(11), '000002');
  t.equal(host.received[0]!.text(41), 'TERM0001');
  t.match(host.received[0]!.text(7), /^\d{10}$/);
  t.equal(r2.text(11), '000002');
  await c.close();
});

t.test('responses are matched by MTI + STAN + TID even when they arrive out of order', async (t) => {
  const pending: IsoMessage[] = [];
  let release: ((m: IsoMessage) => void) | undefined;
  const host = acquirer((req, reply) => {
    pending.push(req);
    release = reply;
    if (pending.length === 2) {
      reply(answer(pending[1]!, '05'));
      reply(answer(pending[0]!, '00'));
    }
  });
  const c = client(host.connect);
  const [a, b] = await Promise.all([c.request(sale()), c.request(sale())]);
  t.equal(a.text(39), '00');
  t.equal(b.text(39), '05');
  void release;
  await c.close();
});

t.test('a duplicated response is applied once; an unmatched one is dropped', async (t) => {
  const host = acquirer((req, reply) => {
    reply(new IsoMessage('0210', { 11: '999999', 41: 'TERM0001', 39: '00' }));
    reply(answer(req, '51'), 2);
  });
  const c = client(host.connect);
  const r = await c.request(sale());
  t.equal(r.text(39), '51');
  await wait(20);
  const r2 = c.request(sale());
  t.equal((await r2).text(39), '51', 'the duplicate of the first answer did not satisfy the second request');
  await c.close();
});

t.test('no answer in time: HOST_TIMEOUT, one reversal (0400, then 0401 repeats), late answer ignored', async (t) => {
  let reversals = 0;
  let late: ((m: IsoMessage) => void) | undefined;
  let lateReq: IsoMessage | undefined;
  let firstReversalDropped = false;
  const host = acquirer((req, reply) => {
    if (req.mti === '0200') {
      lateReq = req;
      late = reply;
      return; // silent: the terminal must reverse
    }
    if (req.mti === '0400' && !firstReversalDropped) {
      firstReversalDropped = true; // the first reversal is lost too: it must be repeated as 0401
      return;
    }
    reversals++;
    reply(answer(req, '00'));
  });
  const store = new MemoryHostStore();
  const c = client(host.connect, store);
  await t.rejects(c.request(sale()), { code: 'HOST_TIMEOUT' });
  t.same((await store.queued('reversal')).length, 1, 'the reversal stays owed while unanswered');
  await c.flush();
  const revs = host.received.filter((m) => m.mti.startsWith('040'));
  t.same(revs.map((m) => m.mti), ['0400', '0401']);
  t.equal(revs[0]!.text(11), revs[1]!.text(11), 'a repeat keeps the STAN');
  t.equal(revs[0]!.text(90).slice(0, 10), `0200${lateReq!.text(11)}`, 'field 90: original MTI and STAN');
  t.equal(revs[0]!.text(4), '000000001000');
  t.equal(reversals, 1);
  t.same(await store.queued('reversal'), [], 'acknowledged: no longer owed');
  late!(answer(lateReq!, '00'));
  await wait(30);
  await c.flush();
  t.equal(host.received.filter((m) => m.mti.startsWith('040')).length, 2, 'the late approval did not resurrect anything');
  await c.close();
});

t.test('owed reversals survive a restart (LevelDB store) and are sent before new work', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hoststore-'));
  let online = false;
  const host = acquirer((req, reply) => {
    if (online) reply(answer(req, '00'));
  });
  const store1 = await LevelHostStore.open(dir);
  const c1 = client(host.connect, store1);
  await t.rejects(c1.request(sale()), { code: 'HOST_TIMEOUT' });
  await c1.close();
  await store1.close();
  online = true;
  const store2 = await LevelHostStore.open(dir);
  t.equal((await store2.queued('reversal')).length, 1, 'still owed after reopening');
  const stanBefore = await store2.nextStan();
  t.ok(stanBefore > 1, 'the STAN counter survived');
  const c2 = client(host.connect, store2);
  await c2.flush();
  t.equal((await store2.queued('reversal')).length, 0);
  t.equal(host.received.filter((m) => m.mti.startsWith('040')).length, 2, 'one unanswered 0400 before the restart, one 0401 after');
  await c2.close();
  await store2.close();
});

t.test('advices go in order and leave the queue only when acknowledged', async (t) => {
  const host = acquirer((req, reply) => reply(answer(req, '00')));
  const store = new MemoryHostStore();
  const c = client(host.connect, store);
  await c.queueAdvice(new IsoMessage('0220', { 4: '000000000100', 49: '156' }), 'a1');
  await c.queueAdvice(new IsoMessage('0220', { 4: '000000000200', 49: '156' }), 'a2');
  t.same(host.received.map((m) => m.text(4)), ['000000000100', '000000000200']);
  t.same(await store.queued('advice'), []);
  await c.close();
});

t.test('an advice answered 96 (system malfunction: not processed) stays queued and is repeated as 0221', async (t) => {
  let first = true;
  const host = acquirer((req, reply) => {
    reply(answer(req, first ? '96' : '00'));
    first = false;
  });
  const store = new MemoryHostStore();
  const c = client(host.connect, store);
  await c.queueAdvice(new IsoMessage('0220', { 4: '000000000100', 49: '156' }), 'a1');
  t.equal((await store.queued('advice')).length, 1, 'not processed: still owed');
  await c.flush();
  t.same(host.received.map((m) => m.mti), ['0220', '0221']);
  t.same(await store.queued('advice'), [], 'acknowledged with 00: delivered');
  await c.close();
});

t.test('MAC: generated over the message before field 64/128, checked on responses', async (t) => {
  const key = Buffer.from('test-mac-key-not-secret');
  const mac: MacProvider = {
    generate: (d) => createHmac('sha256', key).update(d).digest().subarray(0, 8),
    verify: (d, m) => Buffer.compare(createHmac('sha256', key).update(d).digest().subarray(0, 8), Buffer.from(m)) === 0,
  };
  let tamper = false;
  const host = acquirer((req, reply) => {
    // The acquirer checks the MAC the terminal sent.
    const frame = pack(layout, req);
    const macField = req.has(128) ? 128 : 64;
    const ok = mac.verify(frame.subarray(0, frame.length - 8), req.bytes(macField)!);
    const res = answer(req, ok ? '00' : 'A0');
    const draft = pack(layout, res.set(64, new Uint8Array(8)));
    res.set(64, Uint8Array.from(mac.generate(draft.subarray(0, draft.length - 8)) as Uint8Array));
    if (tamper) res.set(39, '05');
    reply(res);
  });
  const c = client(host.connect, new MemoryHostStore(), mac);
  t.equal((await c.request(sale())).text(39), '00', 'the acquirer verified our MAC');
  tamper = true;
  await t.rejects(c.request(sale()), { code: 'HOST_MAC' });
  const reversal = host.received.find((m) => m.mti === '0400');
  t.ok(reversal?.has(128), 'the reversal (field 90 needs a secondary bitmap) carries its MAC in field 128');
  await c.close();
});

t.test('the host unreachable: a clear error after the backoff attempts', async (t) => {
  const c = client(async () => {
    throw new Error('ECONNREFUSED');
  });
  await t.rejects(c.request(new IsoMessage('0800', { 70: '301' })), { code: 'HOST_CONNECT' });
  await c.close();
});
