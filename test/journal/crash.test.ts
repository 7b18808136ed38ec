// Crash safety: a child appends in a loop and is SIGKILLed at random moments, many times;
// after each kill every append it had confirmed is in the journal exactly once, the chain
// verifies and the running totals equal the sum of the records.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { journalDir, openJournal, summarise, addToTotals, type BatchTotalsState, type JournalRecord } from '../../src/journal/index.js';
import { tempData, testDeviceKey } from './fixtures/journal-fixture.js';

const tsHook = process.execArgv.find((a) => a.includes('@tapjs/typescript'));
const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const ROUNDS = 8;

/** Runs the child until it confirmed `lines` appends (plus a random few ms), then SIGKILLs it. Resolves the confirmed lines. */
function runAndKill(dir: string, lines: number, extraMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [tsHook!, child, dir], { env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', NODE_OPTIONS: '' } });
    let out = '';
    let err = '';
    let killing = false;
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killing && out.split('\n').filter((l) => l.startsWith('ok ')).length >= lines) {
        killing = true;
        setTimeout(() => p.kill('SIGKILL'), extraMs);
      }
    });
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${err}`));
      // Only complete lines count: a line cut by the kill was not confirmed.
      else resolve(out.split('\n').slice(0, -1).filter((l) => l.startsWith('ok ')));
    });
  });
}

// Child processes with the TypeScript hook take seconds each on a shared machine.
t.setTimeout(180_000);

t.test('SIGKILL at random moments: confirmed appends are there exactly once', { skip: tsHook === undefined ? "needs tap's TypeScript hook" : false }, async (t) => {
  const dir = journalDir(tempData());
  const confirmed: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    confirmed.push(...(await runAndKill(dir, 1 + Math.floor(Math.random() * 40), Math.floor(Math.random() * 15))));
  }
  const { journal, state } = await openJournal({ dir, deviceKey: testDeviceKey });
  t.ok(state.report.ok, 'the chain verifies after every kill');
  const seen = new Map<string, number>();
  const recomputed: BatchTotalsState = { batch: 1, rows: {} };
  const records: JournalRecord[] = [];
  for await (const { record } of journal.records()) records.push(record);
  for (const r of records) {
    if (r.type !== 'txn-pending' && r.type !== 'txn-outcome') continue;
    const key = `${r.txnId} ${r.type === 'txn-pending' ? 'pending' : 'outcome'} ${r.amount}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    addToTotals(recomputed, r);
  }
  t.ok(confirmed.length >= ROUNDS, `${confirmed.length} confirmed appends over ${ROUNDS} kills`);
  const missing = confirmed.filter((c) => seen.get(c.slice(3)) !== 1);
  t.same(missing, [], 'every confirmed append is in the journal exactly once');
  t.same([...seen.entries()].filter(([, n]) => n !== 1), [], 'no record twice');
  t.ok(state.pending.length <= ROUNDS, 'at most one unfinished sale per kill is left for reversal');
  for (const p of state.pending) t.notOk(seen.has(`${p.txnId} outcome ${p.amount}`), `pending ${p.txnId} has no outcome`);
  t.same(await journal.totals(1), summarise(recomputed), 'the running totals equal the sum of the records');
  await journal.close();
});
