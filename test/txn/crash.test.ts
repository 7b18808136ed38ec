// Crash safety of the engine (issue 9 "Crash test"): a child process runs a sale, void,
// refund or completion and SIGKILLs itself at every journal step (before and after the
// pending write, between the host's answer and its journal record, after the outcome
// write); the next start recovers. Then: every approved transaction is in the batch
// exactly once, every unfinished authorisation was reversed exactly once at the host, and
// the simulator's ledger agrees with the journal's batch totals.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { JournalRecord } from '../../src/journal/index.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const OPS = ['sale', 'void', 'refund', 'completion'] as const;

function runChild(child: string, args: string[], crashAt: string): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { env: { ...process.env, NODE_OPTIONS: '', POS_CRASH_AT: crashAt } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ lines: out.split('\n').filter(Boolean), killed: signal === 'SIGKILL' });
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

// Sixteen child processes and a transpilation take a minute or more on a shared machine.
t.setTimeout(300_000);

t.test('SIGKILL at every journal step of sale, void, refund, completion', async (t) => {
  // Loaded after the time limit is extended: the terminal's module graph is large.
  const [{ CRASH_STEPS }, { makeRig, startHost, tempDir }, { transpileTree }] = await Promise.all([import('../../src/txn/engine.js'), import('./fixtures/rig.js'), import('./fixtures/transpile.js')]);
  const child = await transpileTree(repo, tempDir(), 'test/txn/fixtures/crash-child.ts');
  const host = await startHost();
  t.teardown(() => host.close());
  const dataDir = tempDir();
  const runs: { op: string; step: string; amount: number; killed: boolean }[] = [];
  let amount = 100;
  for (const op of OPS) {
    for (const step of CRASH_STEPS) {
      amount++;
      const { killed } = await runChild(child, [dataDir, String(host.port), op, String(amount)], step);
      t.ok(killed, `${op}: killed at ${step}`);
      runs.push({ op, step, amount, killed });
    }
  }
  // The next start: recovery resolves what the last kill left.
  const rig = await makeRig({ port: host.port, dataDir });
  t.teardown(() => rig.close());
  const report = await rig.engine.recover();
  t.equal(report.stillOwed, 0, 'nothing owed to the host after recovery');
  t.same(rig.journal.pending(), [], 'no pending transaction left');

  const records: JournalRecord[] = [];
  for await (const { record } of rig.journal.records()) records.push(record);
  const outcomes = records.filter((r) => r.type === 'txn-outcome');
  const pendings = records.filter((r) => r.type === 'txn-pending');
  const perTxn = new Map<string, number>();
  for (const o of outcomes) perTxn.set(o.txnId, (perTxn.get(o.txnId) ?? 0) + 1);
  t.same([...perTxn.entries()].filter(([, n]) => n !== 1), [], 'one outcome per transaction, never two');
  t.same(pendings.map((p) => p.txnId).filter((id) => !perTxn.has(id)), [], 'every pending record has its outcome');

  const ledger = host.sim.ledger;
  for (const r of runs) {
    const mine = outcomes.filter((o) => o.amount === r.amount && o.txnType === r.op);
    const kind = r.op === 'refund' ? '20' : r.op === 'void' ? '02' : '00';
    const atHost = ledger.transactions.filter((x) => x.amountMinor === r.amount && x.mti.startsWith('02') && x.processing.startsWith(kind));
    const label = `${r.op} killed at ${r.step}`;
    if (r.step === 'before-pending') {
      t.equal(mine.length, 0, `${label}: nothing journalled`);
      t.equal(atHost.length, 0, `${label}: nothing sent`);
    } else if (r.step === 'after-pending') {
      t.same(mine.map((o) => o.result), ['reversed'], `${label}: resolved as reversed`);
      t.equal(atHost.length, 0, `${label}: the request never left`);
    } else if (r.step === 'after-response') {
      t.same(mine.map((o) => o.result), ['reversed'], `${label}: the host's approval was reversed`);
      t.same(atHost.map((x) => x.state), ['reversed'], `${label}: reversed at the host`);
    } else {
      t.same(mine.map((o) => o.result), ['approved'], `${label}: approved once`);
      t.same(atHost.map((x) => x.state), [r.op === 'void' ? 'voided' : r.op === 'refund' ? 'refunded' : 'approved'], `${label}: done at the host`);
    }
  }
  // Every authorisation the host approved but the terminal did not finish is reversed exactly once.
  const reversals = [...ledger.cards.values()].reduce((s, c) => s + c.reversals, 0);
  t.equal(reversals, OPS.length, 'one effective reversal per kill between the host answer and the outcome');

  // The ledger agrees with the batch: sales and completions minus refunds, voided sales out.
  let hostNet = 0;
  for (const x of ledger.transactions) {
    if (!x.mti.startsWith('02')) continue;
    if (x.state === 'approved' && x.processing.startsWith('00')) hostNet += x.amountMinor;
    if (x.state === 'refunded') hostNet -= x.amountMinor;
  }
  const totals = await rig.journal.totals();
  t.equal(totals.byCurrency.CNY?.net, hostNet, "the journal's batch net equals the simulator's");
  t.equal(host.sim.card('unionpay-online')?.balanceMinor, 100_000 - hostNet, "the card's balance at the host agrees");
});
