// The journal's `pos` commands, run as the real CLI in a child process.
import path from 'node:path';
import { Level } from 'level';
import t from 'tap';
import { ConfigStore } from '../../src/config/store.js';
import { journalDir, openJournal, recordKey } from '../../src/journal/index.js';
import { FileDeviceKeyProvider } from '../../src/keys/device-key.js';
import { runPos as pos, tsHook } from '../cli/fixtures/spawn-cli.js';
import { outcome, pending, tempData } from './fixtures/journal-fixture.js';


// Child processes with the TypeScript hook take seconds each on a shared machine.
t.setTimeout(180_000);

t.test('pos report, journal verify, backup and restore', { skip: tsHook === undefined ? "needs tap's TypeScript hook" : false }, async (t) => {
  const data = tempData();
  const { journal } = await openJournal({ dir: journalDir(data), deviceKey: new FileDeviceKeyProvider({ dataDir: data }) });
  await journal.append([{ type: 'batch-open', batch: 3, at: 'now' }]);
  await journal.append([pending('a', 10000, { batch: 3 }), outcome('a', 10000, { batch: 3 })]);
  await journal.append([pending('b', 2550, { batch: 3, scheme: 'visa' }), outcome('b', 2550, { batch: 3, scheme: 'visa' })]);
  await journal.append([outcome('c', 1000, { batch: 3, txnType: 'refund' })]);
  await journal.close();
  const config = await ConfigStore.open(data);
  await config.set('fees.mdrPercent', { unionpay: 0.38, visa: 0.6 }, { by: 'test' });

  const x = await pos(['report', 'x', '--data', data, '--json']);
  t.equal(x.code, 0, x.err);
  const report = JSON.parse(x.out) as { report: string; batch: number; byCurrency: Record<string, { net: number; fee: number; byScheme: Record<string, { net: number; fee: number }> }> };
  t.equal(report.batch, 3);
  // unionpay: 10000 - 1000 = 9000, 0.38 % = 34.2 -> 34; visa: 2550, 0.6 % = 15.3 -> 15.
  t.equal(report.byCurrency.CNY!.net, 11550);
  t.equal(report.byCurrency.CNY!.byScheme.unionpay!.fee, 34);
  t.equal(report.byCurrency.CNY!.byScheme.visa!.fee, 15);
  t.equal(report.byCurrency.CNY!.fee, 49);
  const z = await pos(['report', 'z', '--data', data]);
  t.equal(z.code, 1, 'no closed batch yet');
  t.match(z.err, /no closed batch/);
  t.notMatch(z.err, /\n\s+at /, 'no stack trace');

  const usb = path.join(tempData(), 'usb');
  const b = await pos(['backup', '--data', data, '--to', usb, '--json']);
  t.equal(b.code, 0, b.err);
  t.equal((JSON.parse(b.out) as { manifest: { records: number } }).manifest.records, 6);
  t.notMatch(b.out, /wrapped/i, 'the wrapped key is not printed');

  const ok = await pos(['journal', 'verify', '--data', data, '--json']);
  t.equal(ok.code, 0, ok.err);
  t.equal((JSON.parse(ok.out) as { ok: boolean }).ok, true);

  const db = new Level<string, Buffer>(journalDir(data), { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.del(recordKey(2));
  await db.close();
  const bad = await pos(['journal', 'verify', '--data', data, '--json']);
  t.equal(bad.code, 1);
  const r = JSON.parse(bad.out) as { ok: boolean; problem: { kind: string; seq: number }; provenThrough: number };
  t.same([r.ok, r.problem.kind, r.problem.seq, r.provenThrough], [false, 'missing', 2, 1]);
  const refused = await pos(['report', 'x', '--data', data]);
  t.equal(refused.code, 1, 'a damaged journal is refused, not reset');
  t.match(refused.err, /JOURNAL_CORRUPT/);

  const restored = await pos(['restore', '--from', usb, '--data', data, '--json']);
  t.equal(restored.code, 0, restored.err);
  t.ok((JSON.parse(restored.out) as { replacedTo: string }).replacedTo, 'the damaged journal was kept aside');
  const again = await pos(['journal', 'verify', '--data', data]);
  t.equal(again.code, 0, again.err);
  t.match(again.out, /journal ok: 6 records/);
});
