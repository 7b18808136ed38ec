import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { backupDue, backupJournal, journalDir, latestBackup, openJournal, restoreJournal, verifyJournal } from '../../src/journal/index.js';
import { otherDeviceKey, outcome, pending, tempData, testDeviceKey, TEST_PAN } from './fixtures/journal-fixture.js';

async function journalWith(data: string, n: number): Promise<void> {
  const { journal } = await openJournal({ dir: journalDir(data), deviceKey: testDeviceKey });
  await journal.append([{ type: 'batch-open', batch: 1, at: 'now' }]);
  for (let i = 0; i < n; i++) await journal.append([pending(`t${i}`, 100 + i), outcome(`t${i}`, 100 + i)]);
  await journal.close();
}

const code = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (err: unknown) => (err as { code?: string }).code,
  );

t.test('backup then restore into an empty data folder and over a changed journal', async (t) => {
  const data = tempData();
  const usb = path.join(tempData(), 'usb');
  await journalWith(data, 20);
  let { journal } = await openJournal({ dir: journalDir(data), deviceKey: testDeviceKey });
  const b = await backupJournal(journal, usb, new Date('2026-11-28T10:00:00Z'));
  const before = await journal.totals(1);
  await journal.close();
  t.equal(b.manifest.records, 41);
  t.notOk(readFileSync(b.file).includes(Buffer.from(TEST_PAN, 'ascii')), 'no clear PAN in the archive');
  t.same(await latestBackup(usb), { file: b.file, createdAt: new Date('2026-11-28T10:00:00Z') });

  const fresh = tempData();
  const r1 = await restoreJournal(usb, fresh, testDeviceKey);
  t.equal(r1.report.provenThrough, 41);
  t.equal(r1.replacedTo, undefined);
  ({ journal } = await openJournal({ dir: journalDir(fresh), deviceKey: testDeviceKey }));
  t.same(await journal.totals(1), before, 'totals restored');
  await journal.close();

  await journalWith(data, 1); // more records after the backup
  const r2 = await restoreJournal(b.file, data, testDeviceKey);
  t.ok(r2.replacedTo, 'the replaced journal was moved aside');
  t.ok((await verifyJournal(r2.replacedTo!, testDeviceKey)).ok, 'and is intact');
  t.equal((await verifyJournal(journalDir(data), testDeviceKey)).provenThrough, 41);
});

t.test('a damaged archive, or one of another device, is refused before anything is replaced', async (t) => {
  const data = tempData();
  const usb = path.join(tempData(), 'usb');
  await journalWith(data, 5);
  const { journal } = await openJournal({ dir: journalDir(data), deviceKey: testDeviceKey });
  const b = await backupJournal(journal, usb);
  await journal.close();
  await journalWith(data, 2);
  const current = readdirSync(journalDir(data)).sort();
  const original = readFileSync(b.file);
  for (const at of [10, original.length >> 1, original.length - 5]) {
    const damaged = Buffer.from(original);
    damaged[at] ^= 0x01;
    writeFileSync(b.file, damaged);
    t.equal(await code(restoreJournal(b.file, data, testDeviceKey)), 'JOURNAL_BACKUP', `byte ${at} flipped: refused`);
  }
  writeFileSync(b.file, original.subarray(0, original.length - 100));
  t.equal(await code(restoreJournal(b.file, data, testDeviceKey)), 'JOURNAL_BACKUP', 'truncated: refused');
  writeFileSync(b.file, original);
  t.equal(await code(restoreJournal(b.file, data, otherDeviceKey)), 'JOURNAL_BACKUP', 'another device key: refused');
  t.equal(await code(restoreJournal(path.join(usb, 'none'), data, testDeviceKey)), 'JOURNAL_BACKUP');
  t.same(readdirSync(journalDir(data)).sort(), current, 'the journal was not touched');
  t.same(readdirSync(data).filter((n) => n.startsWith('journal')), ['journal'], 'no temp folder left');
  t.equal((await verifyJournal(journalDir(data), testDeviceKey)).provenThrough, 1 + 10 + 1 + 4, 'the current journal still verifies with every record');
});

t.test('restore refuses while the journal is open', async (t) => {
  const data = tempData();
  const usb = path.join(tempData(), 'usb');
  await journalWith(data, 1);
  const { journal } = await openJournal({ dir: journalDir(data), deviceKey: testDeviceKey });
  await backupJournal(journal, usb);
  t.equal(await code(restoreJournal(usb, data, testDeviceKey)), 'JOURNAL_BACKUP');
  await journal.close();
});

t.test('backupDue: weekly by default', async (t) => {
  const now = new Date('2026-11-28T12:00:00Z');
  t.equal(backupDue(undefined, now), true, 'never backed up');
  t.equal(backupDue(new Date('2026-11-21T12:00:00Z'), now), true, 'exactly 7 days');
  t.equal(backupDue(new Date('2026-11-21T12:00:01Z'), now), false);
  t.equal(backupDue(new Date('2026-11-27T12:00:00Z'), now, 1), true);
  t.equal(backupDue(new Date('invalid'), now), true);
});
