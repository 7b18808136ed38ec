// Fuzzing the files the terminal reads (issue 11): board profiles, the configuration file,
// backup archives (from a USB stick: anyone's bytes), journal records, and TR-31 key blocks
// typed in by a key custodian. Each is read, or refused with its layer's error.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import fc from 'fast-check';
import { defaultBoardsDir, validateProfile } from '../../boards/loader.js';
import { parseJsonText } from '../../boards/json-text.js';
import { BoardError } from '../../boards/errors.js';
import { ConfigStore } from '../../src/config/store.js';
import { ConfigError } from '../../src/config/errors.js';
import { backupJournal, journalDir, openJournal, readArchive } from '../../src/journal/index.js';
import { checkRecord } from '../../src/journal/records.js';
import { JournalError } from '../../src/journal/errors.js';
import { unwrapTr31, wrapTr31 } from '../../src/keys/tr31.js';
import { KeyError } from '../../src/keys/errors.js';
import { outcome, pending, testDeviceKey } from '../journal/fixtures/journal-fixture.js';
import { fuzz, fuzzAsync, mutatedText, mutated } from './harness.js';

const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'pos-fuzz-'));

t.test('board profiles (text as a person edits it)', async (t) => {
  const samples = ['sim.json', 'rpi4-pos.json'].map((f) => readFileSync(path.join(defaultBoardsDir(), f), 'latin1'));
  fuzz(
    t,
    'board profile',
    mutatedText(samples, 200),
    (text) => {
      const parsed = parseJsonText(text);
      if (parsed.ok) validateProfile(parsed.value, 'fuzz.json');
    },
    (err) => err instanceof BoardError,
  );
});

t.test('configuration file', async (t) => {
  const dir = tmp();
  const sample = JSON.stringify({ version: 1, values: { 'merchant.name': 'Corner Cafe', currency: 'CNY', 'settlement.schedule': 'daily', 'settlement.time': '23:30', 'fees.mdrPercent': { unionpay: 0.38, visa: 0.6 } } });
  writeFileSync(path.join(dir, 'config.json'), sample);
  t.equal((await ConfigStore.open(dir)).get('merchant.name'), 'Corner Cafe', 'the sample itself opens');
  await fuzzAsync(
    t,
    'config.json',
    mutatedText([sample], 120),
    async (text) => {
      writeFileSync(path.join(dir, 'config.json'), text, 'latin1');
      await ConfigStore.open(dir);
    },
    (err) => err instanceof ConfigError,
    0.1,
  );
});

t.test('backup archives', async (t) => {
  const data = tmp();
  const usb = tmp();
  const { journal } = await openJournal({ dir: journalDir(data), deviceKey: testDeviceKey });
  await journal.append([{ type: 'batch-open', batch: 1, at: '2026-11-28T10:00:00Z' }]);
  for (let i = 0; i < 3; i++) await journal.append([pending(`t${i}`, 100 + i), outcome(`t${i}`, 100 + i)]);
  const { file } = await backupJournal(journal, usb, new Date('2026-11-28T10:00:00Z'));
  await journal.close();
  const archive = readFileSync(file);
  const target = path.join(usb, 'fuzzed.posjbak');
  t.equal((await readArchive(file, testDeviceKey)).manifest.records, 7, 'the sample archive reads');
  await fuzzAsync(
    t,
    'backup archive',
    mutated([archive], 256),
    async (bytes) => {
      writeFileSync(target, bytes);
      await readArchive(target, testDeviceKey);
    },
    (err) => err instanceof JournalError,
    0.1,
  );
});

t.test('journal records (the guard every record passes)', async (t) => {
  t.doesNotThrow(() => checkRecord(pending('t1', 100)), 'a sample record passes');
  fuzz(
    t,
    'journal record',
    fc.oneof(
      fc.jsonValue(),
      mutatedText([JSON.stringify(pending('t1', 100)), JSON.stringify(outcome('t1', 100))], 40).map((text) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }),
      fc.record({ type: fc.constantFrom('txn-pending', 'txn-outcome', 'audit', 'stan', 'settlement'), at: fc.string(), amount: fc.anything() }, { requiredKeys: ['type'] }),
    ),
    (r) => checkRecord(r),
    (err) => err instanceof JournalError,
  );
});

t.test('TR-31 key blocks', async (t) => {
  const kbpk = Buffer.from('89E88CF7931444F334BD7547FC3F380C', 'hex');
  const block = wrapTr31(kbpk, { version: 'B', keyUsage: 'P0', algorithm: 'T', modeOfUse: 'E', keyVersion: '00', exportability: 'N', optionalBlocks: [], reserved: '00' }, Buffer.from('F039121BEC83D26B169BDCD5B22AAF8F', 'hex'));
  t.equal(Buffer.from(unwrapTr31(kbpk, block).key).toString('hex').toUpperCase(), 'F039121BEC83D26B169BDCD5B22AAF8F', 'the sample block unwraps');
  fuzz(t, 'TR-31 block', mutatedText([block], 120), (b) => unwrapTr31(kbpk, b), (err) => err instanceof KeyError);
});
