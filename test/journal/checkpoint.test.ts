// The sealed checkpoint: open verifies the chain from the last checkpoint (seq + chain MAC +
// state + totals of the batches in use, written in the head's LevelDB batch) and rebuilds the
// same state a full walk does; tampering after it is refused at open exactly as `verify`
// reports it; tampering before it is found by `pos journal verify` (the whole chain); a
// damaged, replayed or unbound checkpoint only costs a full walk.
import { Level } from 'level';
import t, { type Test } from 'tap';
import { JournalCorruptError, JournalHostStore, journalDir, openJournal, recordKey, verifyJournal } from '../../src/journal/index.js';
import { outcome, pending, tempData, testDeviceKey } from './fixtures/journal-fixture.js';

const EVERY = 10;

/** `n` sales in batch 1 with a checkpoint every 10 records; records 1 (batch-open) .. 2n+1, plus STANs. */
async function written(n: number, extra?: (j: Awaited<ReturnType<typeof openJournal>>['journal']) => Promise<void>): Promise<string> {
  const dir = journalDir(tempData());
  const { journal } = await openJournal({ dir, deviceKey: testDeviceKey, checkpointEvery: EVERY });
  await journal.append([{ type: 'batch-open', batch: 1, at: '2026-11-28T08:00:00.000Z' }]);
  const host = new JournalHostStore(journal, { deferStan: true });
  for (let i = 1; i <= n; i++) {
    const stan = await host.nextStan();
    await journal.append([pending(`t${i}`, i * 100, { stan })]);
    await journal.append([outcome(`t${i}`, i * 100, { stan, ...(i % 4 === 0 ? { txnType: 'refund' } : {}) })]);
  }
  await extra?.(journal);
  await journal.close();
  return dir;
}

async function raw(dir: string, fn: (db: Level<string, Buffer>) => Promise<void>): Promise<void> {
  const db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

async function flip(dir: string, key: string, at = 20): Promise<void> {
  await raw(dir, async (db) => {
    const v = (await db.get(key))!;
    v[at] ^= 0x01;
    await db.put(key, v);
  });
}

async function opened(dir: string, every = EVERY) {
  const { journal, state } = await openJournal({ dir, deviceKey: testDeviceKey, checkpointEvery: every });
  const totals = await journal.totals(1);
  const snapshot = { state: { ...state, report: { ...state.report, checkpoint: undefined, records: undefined } }, totals, lastSeq: journal.lastSeq, lastStan: journal.lastStan, openBatchStart: journal.openBatchStart };
  return { journal, snapshot, report: state.report };
}

t.test('open from the checkpoint rebuilds what a full walk rebuilds', async (t) => {
  const dir = await written(20, async (j) => {
    // Unfinished work after the last checkpoint and before it: a pending sale and an owed reversal.
    await j.append([pending('open1', 700, { stan: 99 })]);
    await new JournalHostStore(j).enqueue({ id: 'rev1', kind: 'reversal', message: { mti: '0400', fields: { '3': '000000', '4': '000000000700', '11': '000099' } }, attempts: 0, createdAt: 'now' });
  });
  const fromCp = await opened(dir);
  t.ok(fromCp.report.checkpoint !== undefined && fromCp.report.checkpoint > 1, `verified from checkpoint ${fromCp.report.checkpoint}`);
  t.ok(fromCp.journal.lastSeq - fromCp.report.checkpoint! < EVERY, 'at most a checkpoint interval of records read at open');
  await fromCp.journal.close();
  // A checkpoint interval larger than the journal: the whole chain is walked.
  await raw(dir, (db) => db.del('m!checkpoint'));
  const full = await opened(dir, 1_000_000);
  t.equal(full.report.checkpoint, undefined, 'no checkpoint: the whole chain');
  t.same(fromCp.snapshot, full.snapshot, 'same recovery state, totals, sequence, STAN and open batch');
  t.equal(fromCp.snapshot.state.pending.length, 1);
  t.equal(fromCp.snapshot.state.reversalsOwed.length, 1);
  // 20 sales of i*100, every 4th a refund: sales sum 21000 - 4*... computed from the records, not the implementation.
  let net = 0;
  for (let i = 1; i <= 20; i++) net += i % 4 === 0 ? -i * 100 : i * 100;
  t.equal(full.snapshot.totals.byCurrency.CNY!.net, net);
  await full.journal.close();
});

t.test('the checkpoint keeps working as the journal grows across reopenings', async (t) => {
  const dir = await written(6);
  for (let round = 0; round < 3; round++) {
    const { journal, report } = await opened(dir);
    t.ok(report.checkpoint !== undefined, `round ${round}: from a checkpoint`);
    await journal.append([pending(`r${round}`, 50)]);
    await journal.append([outcome(`r${round}`, 50)]);
    for (let k = 0; k < EVERY; k++) await journal.append([{ type: 'audit', at: 'now', event: { k } }]);
    await journal.close();
  }
  t.equal((await verifyJournal(dir, testDeviceKey)).ok, true);
});

async function refusedLikeVerify(t: Test, dir: string) {
  const report = await verifyJournal(dir, testDeviceKey);
  t.equal(report.ok, false, 'verify finds it');
  const err = await openJournal({ dir, deviceKey: testDeviceKey, checkpointEvery: EVERY }).catch((e: unknown) => e);
  t.ok(err instanceof JournalCorruptError, 'open refuses it');
  if (err instanceof JournalCorruptError) t.same(err.report, report, 'with the full report verify gives');
  return report;
}

t.test('tamper after the checkpoint: refused at open', async (t) => {
  const dir = await written(20);
  const { journal, report } = await opened(dir);
  const last = journal.lastSeq;
  await journal.close();
  t.ok(report.checkpoint! < last);
  await flip(dir, recordKey(last));
  const r = await refusedLikeVerify(t, dir);
  t.match(r.problem, { kind: 'mac', seq: last });
});

t.test('tamper after the checkpoint: newest records truncated, totals edited', async (t) => {
  const dir = await written(20);
  const { journal } = await opened(dir);
  const last = journal.lastSeq;
  await journal.close();
  await raw(dir, (db) => db.del(recordKey(last)));
  t.match((await refusedLikeVerify(t, dir)).problem, { kind: 'truncated', seq: last });
  const dir2 = await written(20);
  await flip(dir2, 't!0000000001', 30);
  t.match((await refusedLikeVerify(t, dir2)).problem, { kind: 'totals', batch: 1 });
});

t.test('tamper before the checkpoint: open does not read it again, `verify` finds it', async (t) => {
  const dir = await written(20);
  await flip(dir, recordKey(3));
  const report = await verifyJournal(dir, testDeviceKey);
  t.match(report, { ok: false, provenThrough: 2, problem: { kind: 'mac', seq: 3 } });
  const { journal, state } = await openJournal({ dir, deviceKey: testDeviceKey, checkpointEvery: EVERY });
  t.ok(state.report.checkpoint! > 3, 'boot verified from the checkpoint');
  t.match(await journal.verify(), { ok: false, problem: { kind: 'mac', seq: 3 } }, 'the journal verify walks the whole chain');
  await journal.close();
});

t.test('deleting the record the checkpoint is bound to, or the checkpoint itself damaged: a full walk', async (t) => {
  const dir = await written(20);
  const { journal, report } = await opened(dir);
  const cp = report.checkpoint!;
  await journal.close();
  await flip(dir, 'm!checkpoint');
  const again = await opened(dir);
  t.equal(again.report.checkpoint, undefined, 'a checkpoint that does not open is ignored');
  t.equal(again.report.ok, true);
  await again.journal.close();
  await raw(dir, (db) => db.del(recordKey(cp)));
  t.match((await refusedLikeVerify(t, dir)).problem, { kind: 'missing', seq: cp });
});

t.test('an older checkpoint put back (replayed) is still bound to the chain: the same state', async (t) => {
  const dir = journalDir(tempData());
  const { journal } = await openJournal({ dir, deviceKey: testDeviceKey, checkpointEvery: EVERY });
  await journal.append([{ type: 'batch-open', batch: 1, at: 'now' }]);
  for (let i = 0; i < 6; i++) await journal.append([pending(`a${i}`, 10), outcome(`a${i}`, 10)]);
  await journal.close();
  let old: Buffer | undefined;
  await raw(dir, async (db) => {
    old = await db.get('m!checkpoint');
  });
  t.ok(old, 'a checkpoint was written');
  const { journal: j2 } = await openJournal({ dir, deviceKey: testDeviceKey, checkpointEvery: EVERY });
  for (let i = 0; i < 6; i++) await j2.append([pending(`b${i}`, 20), outcome(`b${i}`, 20)]);
  await j2.close();
  const now = await opened(dir);
  await now.journal.close();
  await raw(dir, (db) => db.put('m!checkpoint', old!));
  const replayed = await opened(dir);
  t.ok(replayed.report.checkpoint! < now.report.checkpoint!, 'opened from the older checkpoint');
  t.same(replayed.snapshot, now.snapshot);
  t.equal(replayed.snapshot.totals.byCurrency.CNY!.net, 6 * 10 + 6 * 20);
  await replayed.journal.close();
});
