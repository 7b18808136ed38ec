// Settlement against the acquirer simulator on a loopback TCP port with a real journal:
// ISO 8583 reconciliation (0500/0510: 00 in balance, 95 out of balance), the batch upload
// (0320) and the second 0500, owed reversals sent first, training and pending transactions,
// an empty batch, the host out of reach.
import t from 'tap';
import { JournalHostStore, type JournalRecord } from '../../src/journal/index.js';
import { financialRequest } from '../../src/host/messages.js';
import { HostClient } from '../../src/host/client.js';
import { connectChannel } from '../../src/host/channel.js';
import { JournalSettlement } from '../../src/settle/index.js';
import { CARD, layout, MERCHANT, rig, TERMINAL } from './fixtures/rig.js';

async function settlementRecords(r: Awaited<ReturnType<typeof rig>>): Promise<Extract<JournalRecord, { type: 'settlement' }>[]> {
  const out: Extract<JournalRecord, { type: 'settlement' }>[] = [];
  for await (const { record } of r.journal.records()) if (record.type === 'settlement') out.push(record);
  return out;
}

t.test('in balance: one 0500 answered 00, the batch closed and the next one opened', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  const s1 = await r.txn('sale', 10_000);
  await r.txn('sale', 2_550);
  await r.txn('refund', 1_000);
  await r.txn('void', 10_000, { original: s1 });
  const result = await r.settlement.settle({ operator: 'op1', trigger: 'manual' });
  t.equal(result.status, 'in-balance');
  t.equal(result.responseCode, '00');
  t.equal(result.batch, 1);
  t.equal(result.uploaded, 0);
  // Sales 10000 + 2550, refund 1000, void 10000: net 1550 (sale/completion minus refund/void).
  t.equal(result.totals.byCurrency.CNY!.net, 1550);
  t.equal(result.totals.byCurrency.CNY!.count, 4);
  // 0.6 % of 1550 = 9.3 -> 9 (rounded half away from zero).
  t.equal(result.totals.byCurrency.CNY!.byScheme.visa!.fee, 9);
  t.equal(r.journal.openBatch, 2, 'the next batch is open');
  t.equal(r.journal.lastClosedBatch, 1);
  t.same((await r.settlement.report('z'))?.byCurrency.CNY?.net, 1550, 'Z report: the closed batch');
  t.same((await r.settlement.report('x'))?.byCurrency, {}, 'X report: the new batch is empty');
  const recs = await settlementRecords(r);
  t.equal(recs.length, 1);
  t.match(recs[0], { batch: 1, responseCode: '00', inBalance: true, attempt: 0, currency: 'CNY', trigger: 'manual', operator: 'op1' });
  const rec = r.sim.ledger.reconciliations;
  t.equal(rec.length, 1);
  t.match(rec[0], { terminalId: TERMINAL, batch: '1', currency: '156', balanced: true });
  t.ok(r.sim.ledger.transactions.filter((x) => x.responseCode === '00').every((x) => x.settledInBatch === '1'), 'the host settled every approved transaction in batch 1');
});

t.test('the close is one durable append: batch-close then batch-open, adjacent', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.txn('sale', 500);
  const before = r.journal.lastSeq;
  await r.settlement.settle({ operator: 'op1', trigger: 'manual' });
  const tail: JournalRecord[] = [];
  for await (const { record } of r.journal.records(before + 1)) tail.push(record);
  // The 0500's STAN is journalled before it is sent.
  t.same(tail.map((x) => x.type), ['stan', 'settlement', 'batch-close', 'batch-open']);
});

t.test('out of balance: 95, batch upload of every approved non-training transaction, second 0500 answered 00', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.txn('sale', 1_000);
  await r.txn('sale', 2_000);
  await r.txn('sale', 300, { training: true });
  // A sale the host approved but whose journal records were lost (the newest records gone with the head):
  // the host's reconciliation is the anchor that finds it.
  const lost = financialRequest(layout, { kind: 'sale', pan: CARD.pan, expiry: CARD.expiry, amountMinor: 700, currency: '156', entryMode: '071', merchantId: MERCHANT });
  t.equal((await r.client.request(lost)).text(39), '00');
  const result = await r.settlement.settle({ operator: 'op1', trigger: 'manual' });
  t.equal(result.status, 'balanced-after-upload');
  t.equal(result.responseCode, '00');
  t.equal(result.uploaded, 2, 'two approved sales uploaded; the training sale is not');
  t.equal(result.totals.byCurrency.CNY!.net, 3000);
  const recs = await settlementRecords(r);
  t.match(recs, [
    { responseCode: '95', inBalance: false, attempt: 0 },
    { responseCode: '00', inBalance: true, attempt: 1, uploaded: 2 },
  ]);
  t.equal(r.journal.lastClosedBatch, 1);
  const [first, second] = r.sim.ledger.reconciliations;
  t.match(first, { balanced: false });
  // unknownUploads 0: every 0320 carried an RRN the host issued (original STAN/RRN/auth code from the journal).
  t.match(second, { balanced: true, uploaded: 2, unknownUploads: 0, notUploaded: 1 });
});

t.test('host refuses (field 39 not 00/95): refused, the batch stays open', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.txn('sale', 1_000);
  r.sim.inject('respond', 1, { mti: '0500', rc: '30' });
  const result = await r.settlement.settle({ operator: 'op1', trigger: 'manual' });
  t.equal(result.status, 'refused');
  t.equal(result.responseCode, '30');
  t.equal(r.journal.openBatch, 1);
  t.equal(r.journal.lastClosedBatch, undefined);
});

t.test('empty batch: a 0500 of zeros, closed at the host and here', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  const result = await r.settlement.settle({ operator: 'op1', trigger: 'manual' });
  t.equal(result.status, 'empty');
  t.equal(result.responseCode, '00');
  t.same(result.totals.byCurrency, {});
  t.equal(r.journal.openBatch, 2);
  t.match(r.sim.ledger.reconciliations, [{ balanced: true, currency: '156' }]);
});

t.test('a pending transaction refuses settlement; nothing goes to the host', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.journal.append([{ type: 'txn-pending', at: new Date().toISOString(), txnId: 'p1', txnType: 'sale', batch: 1, amount: 100, currency: 'CNY', scheme: 'visa' }]);
  await t.rejects(r.settlement.settle({ operator: 'op1', trigger: 'manual' }), { name: 'SettleError', code: 'SETTLE_PENDING' });
  t.equal(r.sim.ledger.reconciliations.length, 0);
  t.equal(r.journal.openBatch, 1);
});

t.test('owed reversals are sent before the 0500', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.txn('sale', 1_000);
  // A sale the host approved but whose answer never arrived: the engine journals it as reversed
  // and the host link owes a reversal (queued durably, host unreachable at the time).
  const req = financialRequest(layout, { kind: 'sale', pan: CARD.pan, expiry: CARD.expiry, amountMinor: 4_000, currency: '156', entryMode: '071', merchantId: MERCHANT });
  await r.client.request(req);
  const store = new JournalHostStore(r.journal);
  const rev = r.client.reversalFor(req, '68');
  rev.set(11, String(await store.nextStan()).padStart(6, '0'));
  await store.enqueue({ id: 'lost-answer', kind: 'reversal', message: rev.toJSON(), attempts: 0, createdAt: new Date().toISOString() });
  t.equal(r.journal.queued('reversal').length, 1);
  const result = await r.settlement.settle({ operator: 'op1', trigger: 'manual' });
  t.equal(result.status, 'in-balance', 'the reversal reached the host before the totals');
  t.equal(r.journal.queued('reversal').length, 0);
  t.equal(r.sim.ledger.transactions.find((x) => x.amountMinor === 4_000)?.state, 'reversed');
});

t.test('host unreachable: host-unavailable, the batch stays open, a later settle closes it', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.txn('sale', 1_000);
  await r.stopHost();
  const down = await r.settlement.settle({ operator: 'op1', trigger: 'schedule' });
  t.equal(down.status, 'host-unavailable');
  t.equal(down.batch, 1);
  t.equal(r.journal.openBatch, 1);
  t.equal((await settlementRecords(r)).length, 0);
  t.equal(down.totals.byCurrency.CNY!.net, 1000, 'the open batch totals');
  // The host is back (same ledger, new port).
  const server = await r.sim.listen(0);
  t.teardown(() => server.close());
  const client = new HostClient({ layout, store: new JournalHostStore(r.journal), terminalId: TERMINAL, timeouts: { '05': 2000 }, connect: () => connectChannel({ host: '127.0.0.1', port: server.port }) });
  t.teardown(() => client.close());
  const again = await new JournalSettlement({ journal: r.journal, host: client, layout, merchantId: MERCHANT, currency: 'CNY' }).settle({ operator: 'op1', trigger: 'schedule' });
  t.equal(again.status, 'in-balance');
  t.equal(r.journal.openBatch, 2);
});

t.test('0500 totals from the running rows: sales and completions are debits, voids debit reversals, refunds credits (ISO 8583 fields 74-77, 86-89)', async (t) => {
  const { isoTotals } = await import('../../src/settle/settlement.js');
  const state = {
    batch: 12,
    rows: {
      'CNY|visa|sale': { count: 3, amount: 3000 },
      'CNY|unionpay|sale': { count: 1, amount: 500 },
      'CNY|visa|completion': { count: 1, amount: 800 },
      'CNY|visa|void': { count: 1, amount: 1000 },
      'CNY|visa|refund': { count: 2, amount: 700 },
      'CNY|visa|preauth': { count: 4, amount: 9000 },
      'CNY|visa|balance': { count: 1, amount: 0 },
      'USD|visa|sale': { count: 1, amount: 99 },
    },
  };
  t.same(isoTotals(state, 'CNY'), {
    batchNumber: 12,
    currency: '156',
    debitCount: 5,
    debitAmountMinor: 4300,
    debitReversalCount: 1,
    debitReversalAmountMinor: 1000,
    creditCount: 2,
    creditAmountMinor: 700,
    creditReversalCount: 0,
    creditReversalAmountMinor: 0,
  });
  t.match(isoTotals(state, 'USD'), { currency: '840', debitCount: 1, debitAmountMinor: 99 });
  t.throws(() => isoTotals({ batch: 1, rows: {} }, 'XXX'), { code: 'SETTLE_CURRENCY' });
});
