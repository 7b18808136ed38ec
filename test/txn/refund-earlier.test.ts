// A refund of a sale from a batch already settled (the customer comes back another day):
// the engine finds the original by the trace number (STAN, ISO 8583 field 11) on its receipt
// in any batch of the journal, refunds it in the open batch, and still caps refunds at the
// original amount across batches (issue 9: "partial refunds up to the original amount").
import t from 'tap';
import { JournalSettlement } from '../../src/settle/index.js';
import { layout, makeRig, MERCHANT, present, startHost } from './fixtures/rig.js';

t.test('sale in batch 1, settled; refunded in batch 2 by its trace number, twice partially, then over the original refused', async (t) => {
  const host = await startHost();
  const rig = await makeRig({ port: host.port });
  t.teardown(async () => {
    await rig.close();
    await host.close();
  });
  const settlement = new JournalSettlement({ journal: rig.journal, host: rig.host, layout, merchantId: MERCHANT.id, currency: 'CNY' });
  const s = await rig.run({ type: 'sale', amount: 5000 }, present('visa-online', 'tap'));
  t.equal(s.result.status, 'approved');
  const stan = s.result.receipt!.stan!;
  t.ok(Number.isInteger(stan) && stan > 0, 'the receipt carries the trace number');
  t.equal((await settlement.settle({ operator: 'op1', trigger: 'manual' })).status, 'in-balance');
  t.same(await rig.engine.openBatch(), [], 'the open batch no longer lists the sale');

  const found = await rig.engine.findByTrace(stan);
  t.equal(found?.txnId, s.result.txnId, 'found by its trace number in the settled batch');
  t.equal(found?.batch, 1);
  t.equal(found?.amount, 5000);
  t.equal(await rig.engine.findByTrace(stan + 500), undefined, 'an unknown trace number finds nothing');

  const r1 = await rig.run({ type: 'refund', amount: 3000, originalTxnId: found!.txnId }, present('visa-online', 'tap'));
  t.equal(r1.result.status, 'approved', r1.result.reason ?? '');
  const r2 = await rig.run({ type: 'refund', amount: 2000, originalTxnId: found!.txnId }, present('visa-online', 'tap'));
  t.equal(r2.result.status, 'approved', r2.result.reason ?? '');
  const r3 = await rig.run({ type: 'refund', amount: 1, originalTxnId: found!.txnId }, present('visa-online', 'tap'));
  t.not(r3.result.status, 'approved', 'a third refund would exceed the original: refused');
  t.equal(rig.journal.openBatch, 2);
  const totals = await rig.journal.totals(2);
  t.equal(totals.byCurrency.CNY?.net, -5000, 'batch 2 holds the two refunds');
  t.equal(host.sim.card('visa-online')?.balanceMinor, 100_000, "the card's balance at the host is whole again");
});
