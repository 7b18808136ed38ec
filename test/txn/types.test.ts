// Every transaction type approved and declined on real parts (sim board readers, the
// acquirer simulator on loopback, the journal): void (same batch, reversal-style 0200 with
// processing code 02 and the original's data elements in field 90, ISO 8583:1987), partial
// refunds up to the original, pre-authorisation and its completion (condition code 06) or
// cancel (0400), balance inquiry (processing code 31, balance in field 54). Host declines
// are the simulator answering a response code other than 00 (ISO 8583 field 39).
import t, { type Test } from 'tap';
import { testCard } from '../../emv/cards/catalogue.js';
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

const net = async (rig: Rig): Promise<number> => (await rig.journal.totals()).byCurrency.CNY?.net ?? 0;

t.test('void: approved once, same batch only, not twice; host decline', async (t) => {
  const { rig, host } = await setup(t);
  const sale = await rig.run({ type: 'sale', amount: 1500 }, present('visa-online', 'tap'));
  t.equal(sale.result.status, 'approved');
  const id = sale.result.txnId!;
  host.sim.inject('respond', 1, { rc: '05' });
  const refused = await rig.run({ type: 'void', originalTxnId: id });
  t.equal(refused.result.status, 'declined', 'the host declined the void (05)');
  t.equal(refused.result.responseCode, '05');
  t.equal(await net(rig), 1500, 'a declined void leaves the sale in the batch');
  const v = await rig.run({ type: 'void', originalTxnId: id });
  t.equal(v.result.status, 'approved', v.result.reason ?? '');
  t.equal(v.result.receipt?.amount, 1500, "a void carries the original's amount");
  t.equal(v.result.receipt?.original?.txnId, id);
  t.equal(await net(rig), 0, 'sale and void cancel out in the batch');
  t.equal(host.sim.ledger.transactions.find((x) => x.processing === '000000')?.state, 'voided', 'voided at the host');
  t.equal(host.sim.card('visa-online')?.balanceMinor, 100_000, 'the card is whole again');
  t.equal((await rig.engine.find(id))?.result, 'voided', 'find() shows the sale voided');
  const again = await rig.run({ type: 'void', originalTxnId: id });
  t.equal(again.result.status, 'refused');
  t.equal(again.result.refusal, 'original-not-voidable', 'a voided sale cannot be voided again');
  const missing = await rig.run({ type: 'void', originalTxnId: 'nope' });
  t.equal(missing.result.refusal, 'original-not-found');
  // Another batch: close this one, the old sale is out of reach of a void.
  const sale2 = await rig.run({ type: 'sale', amount: 800 }, present('visa-online', 'tap'));
  await rig.journal.append([{ type: 'batch-close', batch: 1, at: new Date().toISOString() }]);
  const late = await rig.run({ type: 'void', originalTxnId: sale2.result.txnId! });
  t.equal(late.result.refusal, 'original-not-in-batch', 'void only in the same open batch');
});

t.test('refund: partial refunds add up to the original at most; host decline', async (t) => {
  const { rig, host } = await setup(t);
  const sale = await rig.run({ type: 'sale', amount: 5000 }, present('unionpay-online', 'insert'));
  t.equal(sale.result.status, 'approved', sale.result.reason ?? '');
  const id = sale.result.txnId!;
  const r1 = await rig.run({ type: 'refund', amount: 2000, originalTxnId: id });
  t.equal(r1.result.status, 'approved', r1.result.reason ?? '');
  const r2 = await rig.run({ type: 'refund', amount: 3000, originalTxnId: id });
  t.equal(r2.result.status, 'approved');
  const r3 = await rig.run({ type: 'refund', amount: 1, originalTxnId: id });
  t.equal(r3.result.refusal, 'refund-over-original', 'cumulative refunds stop at the original amount');
  t.equal(await net(rig), 0, '5000 - 2000 - 3000');
  t.equal(host.sim.card('unionpay-online')?.balanceMinor, 100_000, 'refunded at the host');
  const sale2 = await rig.run({ type: 'sale', amount: 900 }, present('unionpay-online', 'insert'));
  host.sim.inject('respond', 1, { rc: '12' });
  const d = await rig.run({ type: 'refund', amount: 900, originalTxnId: sale2.result.txnId! });
  t.equal(d.result.status, 'declined');
  t.equal(d.result.responseCode, '12');
  const void2 = await rig.run({ type: 'void', originalTxnId: sale2.result.txnId! });
  t.equal(void2.result.status, 'approved', 'a declined refund does not stop a void');
});

t.test('pre-authorisation, completion up to the hold, cancel; declines', async (t) => {
  const { rig, host } = await setup(t);
  const pa = await rig.run({ type: 'preauth', amount: 6000 }, present('mastercard-online', 'insert'));
  t.equal(pa.result.status, 'approved', pa.result.reason ?? '');
  t.equal(host.sim.ledger.transactions[0]?.state, 'held', 'a hold at the host (0100)');
  t.equal(await net(rig), 0, 'a pre-authorisation moves no money');
  const over = await rig.run({ type: 'completion', amount: 6001, originalTxnId: pa.result.txnId! });
  t.equal(over.result.refusal, 'completion-over-preauth');
  const c = await rig.run({ type: 'completion', amount: 5500, originalTxnId: pa.result.txnId! });
  t.equal(c.result.status, 'approved', c.result.reason ?? '');
  t.equal(await net(rig), 5500, 'the completion is the money');
  t.equal(host.sim.ledger.transactions[0]?.state, 'captured');
  const again = await rig.run({ type: 'completion', amount: 100, originalTxnId: pa.result.txnId! });
  t.equal(again.result.refusal, 'original-not-voidable', 'one completion per pre-authorisation');
  const pa2 = await rig.run({ type: 'preauth', amount: 3000 }, present('mastercard-online', 'insert'));
  const cancel = await rig.run({ type: 'preauth-cancel', originalTxnId: pa2.result.txnId! });
  t.equal(cancel.result.status, 'approved', cancel.result.reason ?? '');
  t.equal(host.sim.ledger.transactions.find((x) => x.amountMinor === 3000)?.state, 'released', 'the hold is released');
  const late = await rig.run({ type: 'completion', amount: 3000, originalTxnId: pa2.result.txnId! });
  t.equal(late.result.refusal, 'original-not-voidable', 'no completion after a cancel');
  host.sim.inject('respond', 1, { rc: '05' });
  const pad = await rig.run({ type: 'preauth', amount: 100 }, present('mastercard-online', 'insert'));
  t.equal(pad.result.status, 'declined', 'pre-authorisation declined by the host');
  const pa3 = await rig.run({ type: 'preauth', amount: 400 }, present('mastercard-online', 'insert'));
  host.sim.inject('respond', 1, { rc: '05' });
  const cd = await rig.run({ type: 'completion', amount: 400, originalTxnId: pa3.result.txnId! });
  t.equal(cd.result.status, 'declined', 'completion declined by the host');
  host.sim.inject('respond', 1, { rc: '05' });
  const xd = await rig.run({ type: 'preauth-cancel', originalTxnId: pa3.result.txnId! });
  t.equal(xd.result.status, 'declined', 'cancel declined by the host');
});

t.test('balance inquiry: approved with the balance of field 54; declined', async (t) => {
  const { rig, host } = await setup(t);
  const b = await rig.run({ type: 'balance', amount: 0 }, present('unionpay-online', 'insert'));
  t.equal(b.result.status, 'approved', b.result.reason ?? '');
  t.same(b.result.balance, { amount: 100_000, currency: 'CNY' }, 'the 1,000.00 the simulator holds on the card');
  t.same(b.result.receipt?.balance, { amount: 100_000, currency: 'CNY' }, 'the receipt prints the balance');
  t.equal(await net(rig), 0);
  host.sim.inject('respond', 1, { rc: '05' });
  const d = await rig.run({ type: 'balance', amount: 0 }, present('unionpay-online', 'insert'));
  t.equal(d.result.status, 'declined');
});

t.test('openBatch() and find(): newest first, reprint data without card data', async (t) => {
  const { rig } = await setup(t);
  const a = await rig.run({ type: 'sale', amount: 100 }, present('visa-online', 'tap'));
  const b = await rig.run({ type: 'sale', amount: 200 }, present('mastercard-online', 'insert'));
  const list = await rig.engine.openBatch();
  t.same(list.map((s) => s.txnId), [b.result.txnId, a.result.txnId], 'newest first');
  const last = await rig.engine.find('last');
  t.equal(last?.txnId, b.result.txnId);
  t.same(last?.receipt, b.result.receipt, 'the reprint is the receipt that was printed');
  t.equal(last?.receipt.applicationLabel, 'MASTERCARD');
  const text = JSON.stringify(list);
  for (const name of ['visa-online', 'mastercard-online']) t.notOk(text.includes(testCard(name).pan), `no full PAN of ${name} in the summaries`);
});
