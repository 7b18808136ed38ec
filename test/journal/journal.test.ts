import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Level } from 'level';
import t, { type Test } from 'tap';
import {
  JournalCorruptError,
  JournalHostStore,
  journalAuditSink,
  journalDir,
  openJournal,
  recordKey,
  verifyJournal,
  type VerifyReport,
} from '../../src/journal/index.js';
import { otherDeviceKey, outcome, pending, tempData, testDeviceKey, TEST_PAN } from './fixtures/journal-fixture.js';

const code = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

/** A journal of `n` sales (pending + outcome each) in batch 1: records 1 (batch-open) .. 2n+1. */
async function written(n: number): Promise<string> {
  const dir = journalDir(tempData());
  const { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
  await journal.append([{ type: 'batch-open', batch: 1, at: 'now' }]);
  for (let i = 1; i <= n; i++) {
    await journal.append([pending(`t${i}`, i * 100)]);
    await journal.append([outcome(`t${i}`, i * 100)]);
  }
  await journal.close();
  return dir;
}

async function raw<T>(dir: string, fn: (db: Level<string, Buffer>) => Promise<T>): Promise<T> {
  const db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** verifyJournal's report, and that openJournal refuses the journal with the same report. */
async function detected(t: Test, dir: string): Promise<VerifyReport> {
  const report = await verifyJournal(dir, testDeviceKey);
  t.equal(report.ok, false, 'verify reports a problem');
  const err = await openJournal({ dir, deviceKey: testDeviceKey }).catch((e: unknown) => e);
  t.ok(err instanceof JournalCorruptError, 'openJournal refuses it (never a silent reset)');
  if (err instanceof JournalCorruptError) t.same(err.report.problem, report.problem);
  return report;
}

t.test('append, reopen: state, totals and chain survive; recovery lists unfinished work', async (t) => {
  const dir = journalDir(tempData());
  let { journal, state } = await openJournal({ dir, deviceKey: testDeviceKey });
  t.equal(state.lastSeq, 0);
  t.ok(state.report.ok);
  await journal.append([{ type: 'batch-open', batch: 7, at: 'now' }]);
  await journal.append([pending('a', 1000, { batch: 7 })]);
  await journal.append([outcome('a', 1000, { batch: 7 })]);
  await journal.append([pending('b', 250, { batch: 7, scheme: 'visa' })]);
  const host = new JournalHostStore(journal);
  t.equal(await host.nextStan(), 1);
  t.equal(await host.nextStan(), 2);
  await host.enqueue({ id: 'r1', kind: 'reversal', message: { mti: '0400', fields: { '2': TEST_PAN, '4': '000000000250', '11': '000002', '35': `${TEST_PAN}=2512`, '52': '0123456789ABCDEF', '55': '9F2608AABBCCDDEEFF0011' } }, attempts: 0, createdAt: 'now' });
  await host.enqueue({ id: 'r1', kind: 'reversal', message: { mti: '0400', fields: {} }, attempts: 0, createdAt: 'now' });
  await host.enqueue({ id: 'a1', kind: 'advice', message: { mti: '0220', fields: { '11': '000003' } }, attempts: 0, createdAt: 'now' });
  await host.update({ id: 'a1', kind: 'advice', message: { mti: '0220', fields: { '11': '000003' } }, attempts: 2, createdAt: 'now' });
  await journalAuditSink(journal).record({ event: 'login', user: 'supervisor' });
  await journal.close();

  ({ journal, state } = await openJournal({ dir, deviceKey: testDeviceKey }));
  t.same(state.pending.map((p) => p.txnId), ['b'], 'the pending sale without an outcome is listed for reversal');
  t.equal(state.pending[0]!.pan, TEST_PAN, 'its PAN is available (sealed in the record) for the reversal');
  t.equal(state.lastStan, 2);
  t.equal(state.openBatch, 7);
  t.equal(state.reversalsOwed.length, 1, 'a message queued twice with one id is kept once');
  t.same(state.reversalsOwed[0]!.message.fields, { '2': TEST_PAN, '4': '000000000250', '11': '000002', '55': '9F2608AABBCCDDEEFF0011' }, 'track 2 (35) and the PIN block (52) were never stored');
  t.equal(state.advicesOwed[0]!.attempts, 2, 'update recorded');
  const host2 = new JournalHostStore(journal);
  t.equal(await host2.nextStan(), 3, 'the STAN counter continues after a restart');
  await host2.dequeue('reversal', 'r1');
  t.same(await host2.queued('reversal'), []);
  const totals = await journal.totals(7, { unionpay: 0.38 });
  t.same(totals.byCurrency.CNY!.byType.sale, { count: 1, amount: 1000 }, 'the pending one is not in the totals');
  t.equal(totals.byCurrency.CNY!.fee, 4, '0.38 % of 1000 = 3.8 -> 4');
  t.ok((await journal.verify()).ok);
  await journal.close();
  t.equal(await code(journal.append([outcome('b', 250)])), 'JOURNAL_CLOSED');
});

t.test('a record with sensitive data is refused and nothing is written', async (t) => {
  const dir = journalDir(tempData());
  const { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
  t.equal(await code(Promise.resolve().then(() => journal.append([pending('a', 1), { ...pending('b', 1), cvv: '123' } as never]))), 'JOURNAL_SENSITIVE');
  t.equal(journal.lastSeq, 0);
  await journal.close();
});

t.test('another device key cannot open the journal', async (t) => {
  const dir = await written(1);
  t.equal(await code(openJournal({ dir, deviceKey: otherDeviceKey })), 'JOURNAL_KEY');
  t.equal((await verifyJournal(dir, otherDeviceKey)).problem?.kind, 'key');
});

t.test('tamper: a deleted record', async (t) => {
  const dir = await written(5);
  await raw(dir, (db) => db.del(recordKey(4)));
  const r = await detected(t, dir);
  t.equal(r.problem?.kind, 'missing');
  t.equal(r.problem?.seq, 4);
  t.equal(r.provenThrough, 3, 'records 1-3 are still proven');
  t.equal(r.authenticAfter, 7, 'records 5-11 still open under the data key');
});

t.test('tamper: one byte of a value edited', async (t) => {
  const dir = await written(5);
  await raw(dir, async (db) => {
    const v = (await db.get(recordKey(6)))!;
    v[20] ^= 0x01;
    await db.put(recordKey(6), v);
  });
  const r = await detected(t, dir);
  t.equal(r.problem?.kind, 'mac');
  t.equal(r.problem?.seq, 6);
  t.equal(r.provenThrough, 5);
});

t.test('tamper: two records swapped', async (t) => {
  const dir = await written(5);
  await raw(dir, async (db) => {
    const a = (await db.get(recordKey(3)))!;
    const b = (await db.get(recordKey(8)))!;
    await db.batch([
      { type: 'put', key: recordKey(3), value: b },
      { type: 'put', key: recordKey(8), value: a },
    ]);
  });
  const r = await detected(t, dir);
  t.equal(r.problem?.seq, 3);
  t.equal(r.provenThrough, 2);
});

t.test('tamper: the newest records truncated', async (t) => {
  const dir = await written(5);
  await raw(dir, (db) => db.batch([9, 10, 11].map((s) => ({ type: 'del' as const, key: recordKey(s) }))));
  const r = await detected(t, dir);
  t.equal(r.problem?.kind, 'truncated');
  t.equal(r.problem?.seq, 9);
  t.equal(r.headSeq, 11);
  t.equal(r.provenThrough, 8);
});

t.test('tamper: the running totals edited (a record re-sealed elsewhere cannot pass)', async (t) => {
  const dir = await written(3);
  await raw(dir, async (db) => {
    const v = (await db.get('t!0000000001'))!;
    v[v.length - 1] ^= 0x80;
    await db.put('t!0000000001', v);
  });
  const r = await detected(t, dir);
  t.equal(r.problem?.kind, 'totals');
  t.equal(r.problem?.batch, 1);
});

t.test('tamper: raw damage to the LevelDB files is reported, never a crash', async (t) => {
  const dir = await written(40);
  // Reopening moves the write-ahead log into a table (.ldb); write a few more to have a .log too.
  const { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
  await journal.append([pending('x', 1), outcome('x', 1)]);
  await journal.close();
  const files = readdirSync(dir).filter((f) => f.endsWith('.ldb') || f.endsWith('.log'));
  t.ok(files.some((f) => f.endsWith('.ldb')), 'a table file exists');
  for (const f of files) {
    const p = path.join(dir, f);
    const b = readFileSync(p);
    const mid = b.length >> 1;
    for (let i = mid; i < Math.min(b.length, mid + 64); i++) b[i] ^= 0x55;
    writeFileSync(p, b);
  }
  const report = await verifyJournal(dir, testDeviceKey).catch((err: unknown) => err);
  t.notOk(report instanceof Error, 'verify gives a report, not an exception');
  t.equal((report as VerifyReport).ok, false);
  t.ok((report as VerifyReport).problem?.message, (report as VerifyReport).problem?.message ?? '');
  const opened = await openJournal({ dir, deviceKey: testDeviceKey }).catch((e: unknown) => e);
  t.ok(opened instanceof Error && (opened as { code?: string }).code === 'JOURNAL_CORRUPT', 'open refuses with JOURNAL_CORRUPT');
});

t.test('data folder scan: no PAN, track or PIN block in clear, raw or through level', async (t) => {
  const data = tempData();
  const dir = journalDir(data);
  const { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
  const track2 = `${TEST_PAN}=25122011234567890`;
  await journal.append([{ type: 'batch-open', batch: 1, at: 'now' }]);
  for (let i = 0; i < 50; i++) await journal.append([pending(`t${i}`, 100), outcome(`t${i}`, 100)]);
  const host = new JournalHostStore(journal);
  await host.enqueue({ id: 'r', kind: 'reversal', message: { mti: '0400', fields: { '2': TEST_PAN, '35': track2, '52': '041234FFFFFFFFFF' } }, attempts: 0, createdAt: 'now' });
  t.equal(await code(journal.append([{ ...pending('bad', 1), track2 } as never])), 'JOURNAL_SENSITIVE');
  t.equal(await code(journal.append([{ ...pending('bad', 1), pinBlock: '041234FFFFFFFFFF' } as never])), 'JOURNAL_SENSITIVE');
  t.equal(await code(journal.append([{ type: 'audit', at: 'now', event: { note: track2 } }])), 'JOURNAL_SENSITIVE');
  await journal.close();

  const needles = [Buffer.from(TEST_PAN, 'ascii'), Buffer.from(TEST_PAN, 'hex'), Buffer.from('25122011234567890', 'ascii'), Buffer.from('041234FFFFFFFFFF', 'ascii'), Buffer.from('041234FFFFFFFFFF', 'hex'), Buffer.from('476173******0010', 'ascii')];
  const hits: string[] = [];
  const look = (where: string, b: Buffer): void => {
    for (const n of needles) if (b.includes(n)) hits.push(`${where}: ${n.toString('hex')}`);
  };
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else look(p, readFileSync(p));
    }
  };
  walk(data);
  let entries = 0;
  await raw(dir, async (db) => {
    for await (const [k, v] of db.iterator()) {
      entries++;
      look(`key ${k}`, Buffer.from(k, 'utf8'));
      look(`value of ${k}`, v);
    }
  });
  t.ok(entries > 100, `${entries} entries read back through level`);
  t.same(hits, [], 'nothing sensitive in clear (not even the masked PAN: every value is sealed)');
});

t.test('deferStan: the STAN goes into the next append, two durable writes per sale', async (t) => {
  const dir = journalDir(tempData());
  let { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
  const host = new JournalHostStore(journal, { deferStan: true });
  t.equal(await host.nextStan(), 1);
  const seqs = await journal.append([pending('a', 1, { stan: 1 })]);
  t.same(seqs, { first: 2, last: 2 }, 'the STAN record took sequence 1, in the same batch');
  t.equal(await host.nextStan(), 2, 'not yet written');
  await journal.close();
  ({ journal } = await openJournal({ dir, deviceKey: testDeviceKey }));
  t.equal(journal.lastStan, 1, 'a STAN never written with a record was never sent: it may be used again');
  t.equal(await new JournalHostStore(journal).nextStan(), 2);
  await journal.close();
});

t.test('deferStan while an append is in flight: that STAN is written with the next append and never issued twice', async (t) => {
  const dir = journalDir(tempData());
  let { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
  const s1 = journal.deferStan('now');
  let done = false;
  const inFlight = journal.append([pending('a', 100, { stan: s1 })]).then(() => (done = true));
  // The append has taken what was carried and waits for its durable write (the engine's
  // background reversal flush and the next transaction's STAN meet like this).
  await new Promise((r) => setImmediate(r));
  t.notOk(done, 'the first append is still being written');
  const s2 = journal.deferStan('now');
  await inFlight;
  const s3 = journal.deferStan('now');
  t.same([s1, s2, s3], [1, 2, 3], 'each STAN once');
  await journal.append([pending('b', 200, { stan: s2 })]);
  await journal.close();
  ({ journal } = await openJournal({ dir, deviceKey: testDeviceKey }));
  const stans: number[] = [];
  for await (const { record } of journal.records()) if (record.type === 'stan') stans.push(record.stan);
  t.same(stans, [1, 2, 3], 'every STAN issued before an append is durable with it');
  t.equal(journal.lastStan, 3);
  await journal.close();
});

t.test('batch close and settlement: Z report totals stay with their batch, the next batch starts empty', async (t) => {
  const dir = journalDir(tempData());
  let { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
  await journal.append([{ type: 'batch-open', batch: 1, at: 'now' }, pending('a', 700), outcome('a', 700)]);
  await journal.append([{ type: 'settlement', batch: 1, responseCode: '00', inBalance: true, at: 'now' }, { type: 'batch-close', batch: 1, at: 'now' }, { type: 'batch-open', batch: 2, at: 'now' }]);
  await journal.append([pending('b', 300, { batch: 2 }), outcome('b', 300, { batch: 2, training: true })]);
  await journal.close();
  ({ journal } = await openJournal({ dir, deviceKey: testDeviceKey }));
  t.equal(journal.lastClosedBatch, 1);
  t.equal(journal.openBatch, 2);
  t.equal((await journal.totals(1)).byCurrency.CNY!.net, 700);
  t.same((await journal.totals()).byCurrency, {}, 'training records stay out of the totals');
  await journal.close();
});
