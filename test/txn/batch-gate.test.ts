// A transaction and a settlement never overlap on the open batch: a sale takes its batch
// number when it starts and writes it with its outcome, so a settlement that totalled and
// closed the batch in between would leave an approved sale in a batch the host reconciled
// without it (issue 9: every approved sale in exactly one batch, the host's totals equal to
// the journal's).
import t, { type Test } from 'tap';
import { JournalSettlement } from '../../src/settle/index.js';
import { layout, makeRig, MERCHANT, present, startHost, type Rig } from './fixtures/rig.js';

async function setup(t: Test): Promise<{ rig: Rig; host: Awaited<ReturnType<typeof startHost>>; settlement: JournalSettlement }> {
  const host = await startHost();
  const rig = await makeRig({ port: host.port });
  t.teardown(async () => {
    await rig.close();
    await host.close();
  });
  return { rig, host, settlement: new JournalSettlement({ journal: rig.journal, host: rig.host, layout, merchantId: MERCHANT.id, currency: 'CNY' }) };
}

t.test('a settlement asked for while a sale waits for its card is refused; after the sale it closes a batch that holds the sale', async (t) => {
  const { rig, host, settlement } = await setup(t);
  let settleWhileWaiting: Promise<unknown> | undefined;
  const sale = rig.run({ type: 'sale', amount: 1234 }, async (e, r) => {
    if (e.kind !== 'present-card') return;
    // The cashier keyed the amount, the terminal waits for the card: the schedule fires now.
    settleWhileWaiting = settlement.settle({ operator: 'scheduler', trigger: 'schedule' }).then(
      (r) => ({ ok: r }),
      (err: unknown) => ({ err }),
    );
    await settleWhileWaiting;
    await present('visa-online', 'tap')(e, r);
  });
  const { result } = await sale;
  t.equal(result.status, 'approved');
  const refused = (await settleWhileWaiting) as { err?: { code?: string; message: string } };
  t.equal(refused.err?.code, 'SETTLE_PENDING', 'refused while the sale held the batch');
  t.match(refused.err?.message ?? '', /in progress/);
  t.equal(rig.journal.openBatch, 1, 'the batch stayed open');
  t.equal(host.sim.ledger.reconciliations.length, 0, 'no 0500 was sent');

  const settled = await settlement.settle({ operator: 'op1', trigger: 'manual' });
  t.equal(settled.status, 'in-balance');
  t.equal(settled.batch, 1);
  t.equal(settled.totals.byCurrency.CNY?.count, 1, 'the sale is in the batch that was settled');
  t.equal(settled.totals.byCurrency.CNY?.net, 1234);
  t.match(host.sim.ledger.reconciliations[0], { batch: '1', balanced: true });
});

t.test('a transaction started while a settlement closes the batch is refused with batch-closing; the next one goes to the new batch', async (t) => {
  const { rig, settlement } = await setup(t);
  const first = await rig.run({ type: 'sale', amount: 500 }, present('visa-online', 'tap'));
  t.equal(first.result.status, 'approved');
  // settle() takes the batch before its first await: the sale below starts while it runs.
  const settling = settlement.settle({ operator: 'op1', trigger: 'manual' });
  const during = await rig.run({ type: 'sale', amount: 700 }, present('visa-online', 'tap'));
  t.equal(during.result.status, 'refused');
  t.equal(during.result.refusal, 'batch-closing');
  t.ok(during.events.some((e) => e.kind === 'refused' && e.reason === 'batch-closing'), 'the screen says why');
  t.notOk(during.events.some((e) => e.kind === 'present-card'), 'no card was asked for');
  const settled = await settling;
  t.equal(settled.status, 'in-balance');
  t.equal(settled.totals.byCurrency.CNY?.count, 1, 'batch 1 holds the first sale only');
  const after = await rig.run({ type: 'sale', amount: 700 }, present('visa-online', 'tap'));
  t.equal(after.result.status, 'approved');
  t.equal(rig.journal.openBatch, 2);
  t.equal((await rig.journal.totals(2)).byCurrency.CNY?.count, 1, 'the later sale is in batch 2');
});

t.test('the gate itself: a held batch cannot be closed, a closing batch cannot be held, releases are idempotent', async (t) => {
  const { rig } = await setup(t);
  const j = rig.journal;
  const a = j.holdBatch();
  const b = j.holdBatch();
  t.throws(() => j.closeBatchGate(), { code: 'JOURNAL_BATCH_HELD' });
  a();
  a();
  t.throws(() => j.closeBatchGate(), { code: 'JOURNAL_BATCH_HELD' }, 'a release called twice counts once');
  b();
  const close = j.closeBatchGate();
  t.throws(() => j.holdBatch(), { code: 'JOURNAL_BATCH_CLOSING' });
  t.throws(() => j.closeBatchGate(), { code: 'JOURNAL_BATCH_CLOSING' });
  close();
  const c = j.holdBatch();
  c();
});
