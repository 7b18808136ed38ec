// What the engine rebuilds from the journal when it starts (issue 9 "Recovery at start";
// risk limits "per-card and per-terminal velocity"): the open batch for voids and pick
// lists, the velocity windows, and the last transaction for reprint. It reads the journal
// newest first and stops once it has them, so start-up does not grow with the history of
// settled batches.
import t from 'tap';
import { JournalSettlement } from '../../src/settle/index.js';
import { NO_LIMITS } from '../../src/txn/risk.js';
import { layout, makeRig, MERCHANT, present, startHost } from './fixtures/rig.js';

t.test('after a restart: open batch, per-card velocity across a settled batch, last receipt; older batches not read', async (t) => {
  const host = await startHost();
  t.teardown(() => host.close());
  // At most 2 approvals per card per 60 minutes.
  const risk = { ...NO_LIMITS, card: { maxCount: 2, maxAmount: 0, periodMinutes: 60 } };
  // Batch 1 three hours before the rest: outside the 60-minute window.
  const base = Date.now();
  let offset = 0;
  const clock = (): Date => new Date(base + offset);
  let rig = await makeRig({ port: host.port, risk, clock });
  const dataDir = rig.dataDir;
  const settle = (): Promise<unknown> => new JournalSettlement({ journal: rig.journal, host: rig.host, layout, merchantId: MERCHANT.id, currency: 'CNY', now: clock }).settle({ operator: 'op1', trigger: 'manual' });
  // History: batch 1 with 4 sales on other cards, settled.
  for (const card of ['mastercard-online', 'unionpay-online', 'mastercard-online', 'unionpay-online']) {
    t.equal((await rig.run({ type: 'sale', amount: 100 }, present(card, 'tap'))).result.status, 'approved');
  }
  const lastOfBatch1 = rig.journal.lastSeq;
  await settle();
  const batch2From = rig.journal.openBatchStart!.seq;
  offset = 3 * 3_600_000;
  // Batch 2: one Visa sale, settled; batch 3: a second Visa sale (open).
  t.equal((await rig.run({ type: 'sale', amount: 200 }, present('visa-online', 'tap'))).result.status, 'approved');
  await settle();
  const last = await rig.run({ type: 'sale', amount: 300 }, present('visa-online', 'tap'));
  t.equal(last.result.status, 'approved');
  await rig.close();

  rig = await makeRig({ port: host.port, risk, dataDir, clock });
  t.teardown(() => rig.close());
  // Count what the engine reads at start (a spy around the real journal method).
  let read = 0;
  let oldest = Infinity;
  const newestFirst = rig.journal.recordsNewestFirst.bind(rig.journal);
  rig.journal.recordsNewestFirst = async function* (before?: number) {
    for await (const r of newestFirst(before)) {
      read++;
      oldest = Math.min(oldest, r.seq);
      yield r;
    }
  };
  const open = await rig.engine.openBatch();
  t.same(open.map((s) => s.amount), [300], 'the open batch holds the last sale only');
  t.equal((await rig.engine.find('last'))?.txnId, last.result.txnId, 'reprint last: the newest sale');
  const third = await rig.run({ type: 'sale', amount: 400 }, present('visa-online', 'tap'));
  t.equal(third.result.status, 'refused');
  t.equal(third.result.refusal, 'card-velocity', 'the Visa sale of the settled batch 2 still counts in the 60-minute window');
  let total = 0;
  for await (const _ of rig.journal.records()) total++;
  t.ok(read > 0 && read < total, `start-up read ${read} of ${total} records`);
  // The scan ends at the first outcome older than both the open batch and the window: batch 1's last sale.
  t.equal(oldest, lastOfBatch1, `batch 1 (records before ${batch2From}) was read no further than its last outcome`);
});
