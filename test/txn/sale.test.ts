// Sales end to end on real parts (sim board readers with catalogue virtual cards, the
// acquirer simulator on loopback, the journal in a temp folder): the entry mode of each
// interface (ISO 8583 field 22: 05 chip, 07 contactless, 80 fallback, 90 magstripe), the
// chip-first rule for a swiped chip card (service code 2xx, ISO/IEC 7813; EMV Book 4
// 6.5.5), offline decline (AAC, ARC Z1, Book 4 A6), host decline (field 39), online PIN.
import t, { type Test } from 'tap';
import { makeRig, present, startHost, type Rig } from './fixtures/rig.js';

async function setup(t: Test): Promise<{ rig: Rig; host: Awaited<ReturnType<typeof startHost>> }> {
  const host = await startHost();
  const rig = await makeRig({ port: host.port });
  t.teardown(async () => {
    await rig.close();
    await host.close();
  });
  return { rig, host };
}


t.test('sale by tap, insert and swipe: entry modes 07, 05 and chip first', async (t) => {
  const { rig, host } = await setup(t);
  const tap = await rig.run({ type: 'sale', amount: 1234 }, present('visa-online', 'tap'));
  t.equal(tap.result.status, 'approved', tap.result.reason ?? '');
  t.equal(tap.result.receipt?.entryMode, '07', 'contactless chip: 07');
  t.equal(tap.result.receipt?.maskedPan, '476173******0011', 'first 6, last 4');
  t.ok(tap.events.some((e) => e.kind === 'remove-card'), 'remove card as soon as the kernel is done with it');
  const insert = await rig.run({ type: 'sale', amount: 2000 }, present('unionpay-online', 'insert'));
  t.equal(insert.result.status, 'approved', insert.result.reason ?? '');
  t.equal(insert.result.receipt?.entryMode, '05', 'contact chip: 05');
  t.equal(insert.result.receipt?.scheme, 'unionpay');
  t.equal(insert.result.receipt?.cryptogramType, 'TC', 'approved contact: TC at the second GENERATE AC');
  // A chip card (service code 201) swiped is sent to the chip reader.
  const swipe = await rig.run({ type: 'sale', amount: 3000 }, present('visa-online', 'swipe', 'insert'));
  t.ok(swipe.events.some((e) => e.kind === 'insert-card'), 'swiped chip card: insert it');
  t.equal(swipe.result.status, 'approved', swipe.result.reason ?? '');
  t.equal(swipe.result.receipt?.entryMode, '05', 'read by the chip, not the stripe');
  const fields22 = host.sim.ledger.transactions.map((x) => [x.state, x.amountMinor]);
  t.same(fields22, [['approved', 1234], ['approved', 2000], ['approved', 3000]], 'the host approved each once');
  const totals = await rig.journal.totals();
  t.equal(totals.byCurrency.CNY?.net, 6234, 'the batch holds the three sales');
});

t.test('fallback: chip unusable, then swipe -> entry mode 80; not allowed -> declined', async (t) => {
  const { rig, host } = await setup(t);
  const r = await rig.run({ type: 'sale', amount: 500 }, present('unknown-aid', 'insert', 'swipe'));
  t.ok(r.events.some((e) => e.kind === 'fallback-swipe'), 'fallback offered after the chip failed');
  t.equal(r.result.status, 'approved', r.result.reason ?? '');
  t.equal(r.result.receipt?.entryMode, '80', 'fallback: 80');
  t.equal(host.sim.ledger.transactions.length, 1);
  await rig.close();
  const strict = await makeRig({ port: host.port, fallbackAllowed: false });
  t.teardown(() => strict.close());
  const d = await strict.run({ type: 'sale', amount: 500 }, present('unknown-aid', 'insert'));
  t.equal(d.result.status, 'declined', 'no fallback allowed: declined');
  t.notOk(d.events.some((e) => e.kind === 'fallback-swipe'));
});

t.test('declines: offline by the card (Z1), by the host (51 insufficient funds)', async (t) => {
  const { rig, host } = await setup(t);
  const off = await rig.run({ type: 'sale' }, present('decline-offline', 'tap'));
  t.equal(off.result.status, 'declined');
  t.equal(off.result.responseCode, 'Z1', 'offline decline ARC Z1 (EMV Book 4 A6)');
  t.equal(off.result.receipt?.cryptogramType, 'AAC');
  t.equal(host.sim.ledger.transactions.length, 0, 'nothing went to the host');
  const big = await rig.run({ type: 'sale', amount: 200_000 }, present('unionpay-online', 'insert'));
  t.equal(big.result.status, 'declined');
  t.equal(big.result.responseCode, '51', 'balance 1,000.00 at the simulator: insufficient funds');
  t.equal((await rig.journal.totals()).byCurrency.CNY?.count ?? 0, 0, 'declines move no money');
});

t.test('online PIN: the PIN block reaches the host and verifies; never in the journal', async (t) => {
  const { rig, host } = await setup(t);
  const r = await rig.run({ type: 'sale', amount: 700 }, present('online-pin', 'insert'));
  t.equal(r.result.status, 'approved', r.result.reason ?? '');
  t.equal(r.result.receipt?.cvm, 'online-pin');
  t.equal(host.sim.card('online-pin')?.pinFailures, 0, 'the host deciphered PIN 1234');
  for await (const { record } of rig.journal.records()) {
    const text = JSON.stringify(record);
    t.notMatch(text, /pinBlock|ksn|track/i, `${record.type}: no PIN block, KSN or track`);
    if (record.type !== 'txn-pending' && record.type !== 'txn-outcome') continue;
    t.notOk('expiry' in record, 'no expiry date stored');
  }
});
