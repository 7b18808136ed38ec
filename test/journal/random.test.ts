// Random damage: an archive with random bytes changed, cut or replaced, and journal values
// replaced by random bytes, give a typed refusal or report; never another error.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Level } from 'level';
import t from 'tap';
import { backupJournal, checkRecord, journalDir, openJournal, readArchive, recordKey, verifyJournal } from '../../src/journal/index.js';
import { outcome, pending, tempData, testDeviceKey } from './fixtures/journal-fixture.js';

t.test('random damage to an archive is refused with JOURNAL_BACKUP', async (t) => {
  const data = tempData();
  const { journal } = await openJournal({ dir: journalDir(data), deviceKey: testDeviceKey });
  await journal.append([{ type: 'batch-open', batch: 1, at: 'now' }, pending('a', 5), outcome('a', 5)]);
  const { file } = await backupJournal(journal, path.join(data, 'usb'));
  await journal.close();
  const original = readFileSync(file);
  const target = path.join(data, 'damaged.posjbak');
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(original.length - 1), xor: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat(original.length - 1), xor: fc.constant(0) }),
        fc.record({ kind: fc.constant('random' as const), at: fc.nat(600), xor: fc.constant(0) }),
      ),
      async ({ kind, at, xor }) => {
        const b = kind === 'flip' ? Buffer.from(original) : kind === 'cut' ? original.subarray(0, at) : Buffer.from(Array.from({ length: at }, (_, i) => (i * 131 + at) & 0xff));
        if (kind === 'flip') b[at] ^= xor;
        writeFileSync(target, b);
        const err = await readArchive(target, testDeviceKey).then(
          () => undefined,
          (e: unknown) => e,
        );
        return (err as { code?: string } | undefined)?.code === 'JOURNAL_BACKUP';
      },
    ),
    { numRuns: 150 },
  );
  t.pass('every damaged archive refused');
});

t.test('random values in place of records give a report, never an exception', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ maxLength: 200 }), async (seq, bytes) => {
      const dir = journalDir(tempData());
      const { journal } = await openJournal({ dir, deviceKey: testDeviceKey });
      await journal.append([{ type: 'batch-open', batch: 1, at: 'now' }, pending('a', 5), outcome('a', 5)]);
      await journal.close();
      const db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
      await db.put(recordKey(seq), Buffer.from(bytes));
      await db.close();
      const report = await verifyJournal(dir, testDeviceKey);
      return !report.ok && report.problem?.seq === seq && report.provenThrough === seq - 1;
    }),
    { numRuns: 25 },
  );
  t.pass('each replaced record reported with its sequence number');
});

t.test('the guard never throws anything but a JournalError on random objects', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      try {
        checkRecord(typeof v === 'object' && v !== null && !Array.isArray(v) ? { type: 'audit', at: 'x', event: v } : v);
      } catch (err) {
        return (err as { name?: string }).name === 'JournalError';
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});
