// The acquirer simulator against the real host client and against hand-built frames:
// approvals and every decline code, PIN checked under DUKPT, the MAC, reversals applied
// exactly once, duplicates and late answers, reconciliation, and the ledger file.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loopbackChannels } from '../../src/host/channel.js';
import { HostClient } from '../../src/host/client.js';
import { loadLayout } from '../../src/host/iso8583/layout.js';
import { IsoMessage } from '../../src/host/iso8583/message.js';
import { pack, unpack } from '../../src/host/iso8583/packager.js';
import { financialRequest, offlineAdvice, reconciliation } from '../../src/host/messages.js';
import { MemoryHostStore } from '../../src/host/store.js';
import { AcquirerSimulator, type SimCard } from '../../src/host/simulator/simulator.js';
import type { LedgerJson } from '../../src/host/simulator/ledger.js';
import { x919Mac } from '../../emv/crypto/mac.js';
import { DukptTdesTerminal, deriveIpek } from '../../src/keys/dukpt-tdes.js';
import { encipherPinTdesDukpt } from '../../src/keys/dukpt-pin.js';
import { PinBuffer } from '../../src/keys/pin-block.js';

const layout = loadLayout('binary');
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
// TEST keys: the ANSI X9.24-1 Annex A BDK and KSN; a fixed test MAC key.
const TEST_BDK = hex('0123456789ABCDEFFEDCBA9876543210');
const TEST_KSN = hex('FFFF9876543210E00000');
const TEST_MAC_KEY = hex('0123456789ABCDEFFEDCBA9876543210');

const cards: SimCard[] = [
  { name: 'visa-approve', pan: '4761739001010010', expiry: '3012', balanceMinor: 100_000, currency: '156' },
  { name: 'mc-pin', pan: '5413330089020011', expiry: '3012', pin: '1234', requiresPin: true, balanceMinor: 50_000, currency: '156' },
  { name: 'cup-expired', pan: '6212345678901232', expiry: '2001', balanceMinor: 50_000, currency: '156' },
  { name: 'visa-limits', pan: '4761739001010028', expiry: '3012', balanceMinor: 10_000, currency: '156', limitMinor: 5_000, maxApprovals: 1 },
];

function rig(options: { mac?: boolean; ledgerFile?: string } = {}) {
  const sim = new AcquirerSimulator({ layout, cards, bdk: TEST_BDK, ...(options.mac ? { mac: { fixedKey: TEST_MAC_KEY } } : {}), ...(options.ledgerFile ? { ledgerFile: options.ledgerFile } : {}) });
  const store = new MemoryHostStore();
  const mac = options.mac
    ? { generate: (d: Uint8Array) => x919Mac(TEST_MAC_KEY, d), verify: (d: Uint8Array, m: Uint8Array) => Buffer.from(x919Mac(TEST_MAC_KEY, d)).equals(Buffer.from(m)) }
    : undefined;
  const client = new HostClient({
    layout,
    store,
    terminalId: 'TERM0001',
    timeouts: { '01': 300, '02': 300, '04': 300, '05': 300, '08': 300 },
    backoff: { initialMs: 10, maxMs: 20, attempts: 2 },
    ...(mac ? { mac } : {}),
    connect: async () => {
      const [a, b] = loopbackChannels();
      sim.attach(b);
      return a;
    },
  });
  return { sim, client, store };
}

const sale = (pan: string, amount: number, extra: Partial<Parameters<typeof financialRequest>[1]> = {}): IsoMessage =>
  financialRequest(layout, { kind: 'sale', pan, expiry: '3012', amountMinor: amount, currency: '156', entryMode: '071', merchantId: 'MERCHANT0000001', ...extra });

t.test('approve, with RRN and auth code; the balance moves once', async (t) => {
  const { sim, client } = rig();
  const res = await client.request(sale('4761739001010010', 1234));
  t.equal(res.text(39), '00');
  t.match(res.text(37), /^\d{12}$/);
  t.match(res.text(38), /^\d{6}$/);
  t.notOk(res.has(2), 'the answer does not echo the PAN');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 1234);
  await client.close();
});

t.test('declines: 14 unknown card, 54 expired, 51 funds, 61 limit, 65 count, 12 currency', async (t) => {
  const { sim, client } = rig();
  t.equal((await client.request(sale('4000000000000002', 100))).text(39), '14');
  t.equal((await client.request(sale('6212345678901232', 100, { expiry: '2001' }))).text(39), '54');
  t.equal((await client.request(sale('4761739001010028', 6_000))).text(39), '61');
  t.equal((await client.request(sale('4761739001010028', 4_000))).text(39), '00');
  t.equal((await client.request(sale('4761739001010028', 100))).text(39), '65');
  t.equal((await client.request(sale('4761739001010010', 200_000))).text(39), '51');
  t.equal((await client.request(sale('4761739001010010', 100, { currency: '840' }))).text(39), '12');
  t.equal(sim.card('visa-limits')!.balanceMinor, 6_000, 'only the approved one moved money');
  await client.close();
});

t.test('online PIN: deciphered under DUKPT; wrong PIN 55, third wrong 75, missing 55', async (t) => {
  const { sim, client } = rig();
  const terminal = DukptTdesTerminal.load(deriveIpek(TEST_BDK, TEST_KSN), TEST_KSN);
  const withPin = (pin: string): IsoMessage => {
    const p = PinBuffer.fromString(pin);
    const { ksn, pinBlock } = encipherPinTdesDukpt(terminal, p, '5413330089020011');
    p.wipe();
    return sale('5413330089020011', 500, { pinBlock, ksn });
  };
  t.equal((await client.request(sale('5413330089020011', 500))).text(39), '55', 'PIN required, none sent');
  t.equal((await client.request(withPin('1234'))).text(39), '00');
  t.equal((await client.request(withPin('9999'))).text(39), '55');
  t.equal((await client.request(withPin('9999'))).text(39), '55');
  t.equal((await client.request(withPin('9999'))).text(39), '75', 'tries exhausted');
  t.equal((await client.request(withPin('1234'))).text(39), '75', 'stays blocked');
  t.equal(sim.card('mc-pin')!.pinFailures, 3);
  await client.close();
});

t.test('a dropped answer: the terminal reverses exactly once; the ledger agrees', async (t) => {
  const { sim, client, store } = rig();
  sim.inject('drop', 1, { mti: '0200' });
  await t.rejects(client.request(sale('4761739001010010', 700)), { code: 'HOST_TIMEOUT' });
  t.same(await store.queued('reversal'), []);
  const book = sim.card('visa-approve')!;
  t.equal(book.balanceMinor, 100_000, 'money back');
  t.equal(book.reversals, 1);
  t.equal(sim.ledger.transactions.filter((x) => x.state === 'reversed').length, 1);
  // A repeat reversal (0401) of the same transaction changes nothing.
  const rev = client.reversalFor(sim.ledger.transactions[0] ? sale('4761739001010010', 700).set(11, sim.ledger.transactions[0].stan).set(7, sim.ledger.transactions[0].transmittedAt).set(41, 'TERM0001') : sale('4761739001010010', 700));
  rev.mti = '0401';
  t.equal((await client.request(rev, { reverseOnTimeout: false })).text(39), '00');
  t.equal(sim.card('visa-approve')!.reversals, 1, 'still one reversal');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000);
  await client.close();
});

t.test('a delayed answer arriving after the reversal does not resurrect the sale', async (t) => {
  const { sim, client } = rig();
  sim.inject('delay', 1, { mti: '0200', ms: 600 });
  await t.rejects(client.request(sale('4761739001010010', 900)), { code: 'HOST_TIMEOUT' });
  await new Promise((r) => setTimeout(r, 700));
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000);
  t.equal(sim.card('visa-approve')!.reversals, 1);
  await client.close();
});

t.test('duplicated and garbled answers', async (t) => {
  const { sim, client } = rig();
  sim.inject('duplicate', 1);
  t.equal((await client.request(sale('4761739001010010', 100))).text(39), '00');
  t.equal((await client.request(sale('4761739001010010', 100))).text(39), '00', 'the duplicate of the first answer was not taken for the second');
  sim.inject('garble', 1, { mti: '0200' });
  await t.rejects(client.request(sale('4761739001010010', 100)), { code: 'HOST_TIMEOUT' }, 'a garbled answer is no answer');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 200, 'the garbled one was reversed');
  sim.inject('disconnect', 1, { mti: '0200' });
  await t.rejects(client.request(sale('4761739001010010', 100)), { code: /HOST_TIMEOUT|HOST_DISCONNECTED/ });
  await client.flush();
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 200, 'the disconnected one was reversed after reconnecting');
  await client.close();
});

t.test('the same request sent twice is answered the same and booked once', async (t) => {
  const { sim } = rig();
  const req = sale('4761739001010010', 250).set(11, '000777').set(7, '1128101010').set(41, 'TERM0001');
  const a = sim.handle(req)!;
  const b = sim.handle(req)!;
  t.equal(a.text(39), '00');
  t.same(b.toJSON(), a.toJSON());
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 250);
});

t.test('an advice is booked even beyond the balance, limit and count: the card approved it offline (ISO 8583 0220 is a notification)', async (t) => {
  const { sim } = rig();
  t.equal(sim.handle(sale('4761739001010028', 4_000).set(41, 'TERM0001'))!.text(39), '00', 'the one approval the card allows');
  const advice = offlineAdvice(layout, { kind: 'sale', pan: '4761739001010028', amountMinor: 9_000, currency: '156', entryMode: '051', merchantId: 'M' }, 'Y1').set(11, '000007').set(7, '1128150227').set(41, 'TERM0001');
  t.equal(sim.handle(advice)!.text(39), '00');
  t.equal(sim.ledger.transactions.at(-1)!.state, 'advised');
  t.equal(sim.card('visa-limits')!.balanceMinor, 10_000 - 4_000 - 9_000, 'debited below zero');
});

t.test('a repeat advice (0221 after an unanswered 0220: same STAN, new transmission time) is booked once', async (t) => {
  const { sim } = rig();
  const advice = offlineAdvice(layout, { kind: 'sale', pan: '4761739001010010', amountMinor: 1880, currency: '156', entryMode: '051', merchantId: 'M' }, 'Y1').set(11, '000003').set(7, '1128150227').set(41, 'TERM0001');
  t.equal(sim.handle(advice)!.text(39), '00');
  const repeat = advice.clone().set(7, '1128150258');
  repeat.mti = '0221';
  t.equal(sim.handle(repeat)!.text(39), '00');
  t.equal(sim.ledger.transactions.length, 1, 'one ledger entry');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 1880, 'debited once');
});

t.test('reversing a void restores the sale; reversing a completion restores the hold (a reversal cancels its original)', async (t) => {
  const { sim, client } = rig();
  const s = await client.request(sale('4761739001010010', 1000));
  const first = sim.ledger.transactions.at(-1)!;
  const voidReq = financialRequest(layout, { kind: 'void', pan: '4761739001010010', amountMinor: 1000, currency: '156', entryMode: '071', merchantId: 'M', original: { mti: '0200', stan: first.stan, transmittedAt: first.transmittedAt, rrn: s.text(37) } });
  t.equal((await client.request(voidReq)).text(39), '00');
  const voided = sim.ledger.transactions.at(-1)!;
  t.equal((await client.request(client.reversalFor(voidReq, '68'), { reverseOnTimeout: false })).text(39), '00');
  t.equal(voided.state, 'reversed', 'the void is reversed');
  t.equal(first.state, 'approved', 'the sale stands again');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 1000, 'the sale is debited again');
  const rep = client.reversalFor(voidReq, '68');
  rep.mti = '0401';
  t.equal((await client.request(rep, { reverseOnTimeout: false })).text(39), '00');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 1000, 'a repeat reversal changes nothing');

  await client.request(financialRequest(layout, { kind: 'preauth', pan: '4761739001010010', amountMinor: 5000, currency: '156', entryMode: '071', merchantId: 'M' }));
  const held = sim.ledger.transactions.at(-1)!;
  const completion = financialRequest(layout, { kind: 'completion', pan: '4761739001010010', amountMinor: 4500, currency: '156', entryMode: '071', merchantId: 'M', original: { mti: '0100', stan: held.stan, transmittedAt: held.transmittedAt } });
  t.equal((await client.request(completion)).text(39), '00');
  t.equal(held.state, 'captured');
  t.equal((await client.request(client.reversalFor(completion, '68'), { reverseOnTimeout: false })).text(39), '00');
  t.equal(held.state, 'held', 'the hold is back: it can be completed or cancelled again');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000 - 1000, 'the completion is credited back');
  await client.close();
});

t.test('MAC: verified on requests, sent on answers; a bad MAC is refused', async (t) => {
  const { sim, client } = rig({ mac: true });
  t.equal((await client.request(sale('4761739001010010', 100))).text(39), '00');
  const req = sale('4761739001010010', 100).set(11, '000900').set(7, '1128101010').set(41, 'TERM0001');
  req.set(64, new Uint8Array(8));
  t.equal(sim.handle(req, pack(layout, req))!.text(39), 'A0');
  await client.close();
});

t.test('void, refund, pre-authorisation and completion move the books as a host does', async (t) => {
  const { sim, client } = rig();
  const s = await client.request(sale('4761739001010010', 1000));
  const first = sim.ledger.transactions.at(-1)!;
  const voidReq = financialRequest(layout, { kind: 'void', pan: '4761739001010010', amountMinor: 1000, currency: '156', entryMode: '071', merchantId: 'M', original: { mti: '0200', stan: first.stan, transmittedAt: first.transmittedAt, rrn: s.text(37) } });
  t.equal((await client.request(voidReq)).text(39), '00');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000);
  t.equal((await client.request(financialRequest(layout, { kind: 'refund', pan: '4761739001010010', amountMinor: 300, currency: '156', entryMode: '071', merchantId: 'M' }))).text(39), '00');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_300);
  const auth = await client.request(financialRequest(layout, { kind: 'preauth', pan: '4761739001010010', amountMinor: 5000, currency: '156', entryMode: '071', merchantId: 'M' }));
  t.equal(auth.text(39), '00');
  const held = sim.ledger.transactions.at(-1)!;
  t.equal(held.state, 'held');
  const completion = financialRequest(layout, { kind: 'completion', pan: '4761739001010010', amountMinor: 4500, currency: '156', entryMode: '071', merchantId: 'M', original: { mti: '0100', stan: held.stan, transmittedAt: held.transmittedAt } });
  t.equal((await client.request(completion)).text(39), '00');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_300 - 4500);
  t.equal(held.state, 'captured');
  await client.close();
});

t.test('0500 reconciliation: balanced 00, out of balance 95', async (t) => {
  const { client } = rig();
  await client.request(sale('4761739001010010', 1000));
  await client.request(sale('4761739001010010', 2000));
  const totals = { batchNumber: 1, currency: '156', creditCount: 0, creditAmountMinor: 0, creditReversalCount: 0, creditReversalAmountMinor: 0, debitCount: 2, debitAmountMinor: 3000, debitReversalCount: 0, debitReversalAmountMinor: 0 };
  t.equal((await client.request(reconciliation(totals, 'MERCHANT0000001'))).text(39), '00');
  t.equal((await client.request(reconciliation({ ...totals, debitAmountMinor: 2999 }, 'MERCHANT0000001'))).text(39), '95');
  await client.close();
});

t.test('the ledger file is rewritten after every change and holds no PAN', async (t) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ledger-')), 'ledger.json');
  const { client } = rig({ ledgerFile: file });
  await client.request(sale('4761739001010010', 1500));
  await new Promise((r) => setTimeout(r, 50));
  const text = readFileSync(file, 'utf8');
  const ledger = JSON.parse(text) as LedgerJson;
  t.equal(ledger.cards['visa-approve']!.balanceMinor, 100_000 - 1500);
  t.equal(ledger.cards['visa-approve']!.maskedPan, '476173******0010');
  t.equal(ledger.transactions.at(-1)!.state, 'approved');
  t.notMatch(text, /4761739001010010/);
  await client.close();
});

t.test('golden frame in, golden frame out (binary layout, hand-built)', async (t) => {
  const { sim } = rig();
  // 0800 echo: MTI 0800, bitmap bits 7 11 41 + secondary 70 (see iso8583.test.ts for the derivation).
  const frame = hex('0800' + '8220000000800000' + '0400000000000000' + '1128104530' + '000001' + '5445524D30303031' + '0301');
  const res = sim.handle(unpack(layout, frame))!;
  // 0810 with 7, 11, 39 "00", 41 and 70 echoed: bits 1 7 11 39 41 -> 82 20 00 00 02 80 00 00,
  // secondary bit 70 -> 04 00 .. 00; field 70 IFB_NUMERIC(3) "301" -> 03 01.
  t.equal(
    Buffer.from(pack(layout, res)).toString('hex').toUpperCase(),
    '0810' + '8220000002800000' + '0400000000000000' + '1128104530' + '000001' + '3030' + '5445524D30303031' + '0301',
  );
});

t.test('91 issuer inoperative and 96 system malfunction, on command; nothing booked', async (t) => {
  const { sim, client } = rig();
  sim.inject('respond', 1, { rc: '91' });
  t.equal((await client.request(sale('4761739001010010', 100))).text(39), '91');
  sim.inject('respond', 1, { rc: '96' });
  t.equal((await client.request(sale('4761739001010010', 100))).text(39), '96');
  t.equal(sim.card('visa-approve')!.balanceMinor, 100_000);
  t.equal(sim.ledger.transactions.length, 0);
  await client.close();
});

t.test('key exchange: a new session MAC key under the TEST KEK, KCV checked, used from then on', async (t) => {
  const { SessionMac } = await import('../../src/host/session-mac.js');
  const { networkManagement } = await import('../../src/host/messages.js');
  const TEST_KEK = hex('89ABCDEF0123456701234567FEDCBA98');
  const sim = new AcquirerSimulator({ layout, cards, mac: { fixedKey: TEST_MAC_KEY, kek: TEST_KEK } });
  const mac = new SessionMac(Uint8Array.from(TEST_MAC_KEY));
  const client = new HostClient({
    layout, store: new MemoryHostStore(), terminalId: 'TERM0001', mac, timeouts: { '02': 500, '08': 500 },
    connect: async () => {
      const [a, b] = loopbackChannels();
      sim.attach(b);
      return a;
    },
  });
  const res = await client.request(networkManagement('key-change'));
  t.equal(res.text(39), '00');
  t.match(res.text(48), /^[0-9A-F]{38}$/);
  const { kcv } = mac.applyKeyExchange(res, TEST_KEK);
  t.match(kcv, /^[0-9A-F]{6}$/);
  t.equal((await client.request(sale('4761739001010010', 100))).text(39), '00', 'MACs under the new key verify both ways');
  const stale = new SessionMac(Uint8Array.from(TEST_MAC_KEY));
  const req = sale('4761739001010010', 100).set(11, '000555').set(7, '1128101010').set(41, 'TERM0001');
  req.set(64, new Uint8Array(8));
  const draft = pack(layout, req);
  req.set(64, stale.generate(draft.subarray(0, draft.length - 8)));
  t.equal(sim.handle(req, pack(layout, req))!.text(39), 'A0', 'the old key no longer verifies');
  const tampered = res.clone().set(48, res.text(48).slice(0, 32) + '000000');
  t.throws(() => new SessionMac(new Uint8Array(16)).applyKeyExchange(tampered, TEST_KEK), { code: 'HOST_MAC' }, 'a KCV mismatch is refused');
  await client.close();
});
