// The soak campaign (issue 11 "Reliability"): the acquirer simulator runs here, in the parent,
// on loopback; a terminal child process (soak-child.ts) runs a seeded stream of every
// transaction type on the sim board with its real journal in one data folder, while this
// process injects seeded host faults and SIGKILLs the child at seeded moments, then starts
// it again on the same folder (recovery first). At the end the batch is settled and the
// invariants are checked (invariants.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSimulator } from '../../src/board/acquirer.js';
import type { Fault } from '../../src/host/simulator/simulator.js';
import type { IsoMessage } from '../../src/host/iso8583/message.js';
import { JournalSettlement, type SettleResult } from '../../src/settle/index.js';
import { layout, makeRig, MERCHANT, tempDir, testDeviceKey } from '../txn/fixtures/rig.js';
import { checkInvariants, type Invariant } from './invariants.js';
import { rng, STREAM } from './prng.js';

const CHILD = fileURLToPath(new URL('./soak-child.ts', import.meta.url));
/** Longer than the child's host time limit (soak-child.ts CHILD_HOST_TIMEOUT_MS): a host timeout. */
const LATE_MS = 700;

export interface SoakOptions {
  seed: number;
  txns: number;
  /** Probability that a transaction's start is followed by a SIGKILL of the terminal (at a random moment within 400 ms). */
  killRate?: number;
  /** No new SIGKILL is planned once this many happened (a child already started may still crash at one journal step); default unbounded. */
  maxKills?: number;
  /** Probability that a host fault is injected at a transaction's start. */
  faultRate?: number;
  dataDir?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** The node arguments that load TypeScript (tap's import hook). */
  tsHook: string;
}

export interface SoakReport {
  seed: number;
  dataDir: string;
  txns: number;
  spawns: number;
  kills: { parent: number; atStep: number };
  faults: Record<string, number>;
  statuses: Record<string, number>;
  recovered: number;
  printFaults: string[];
  settle: SettleResult | { error: string };
  invariants: Invariant[];
  ok: boolean;
}

interface ChildRun {
  /** The last transaction index the child started (or from - 1). */
  lastStarted: number;
  killed: boolean;
}

const FAULTS: readonly { fault: Fault; options?: { ms?: number; rc?: string } }[] = [
  { fault: 'delay', options: { ms: LATE_MS } },
  { fault: 'drop' },
  { fault: 'duplicate' },
  { fault: 'garble' },
  { fault: 'disconnect' },
  { fault: 'respond', options: { rc: '96' } },
];

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => undefined);
  const dataDir = o.dataDir ?? tempDir();
  const sim = createSimulator({ layout });
  // Reversals that changed something at the host, per original (terminal|STAN|time): "exactly once" is counted here.
  const effectiveReversals = new Map<string, number>();
  // What must never be at rest, as the host received it: PIN blocks (52) and track 2 (35).
  const secrets = new Set<string>();
  const handle = sim.handle.bind(sim);
  sim.handle = (req: IsoMessage, frame?: Uint8Array) => {
    const pinBlock = req.bytes(52);
    if (pinBlock && pinBlock.length > 0) secrets.add(Buffer.from(pinBlock).toString('hex'));
    const track2 = req.text(35);
    if (track2) secrets.add(Buffer.from(track2, 'latin1').toString('hex'));
    if (!req.mti.startsWith('04')) return handle(req, frame);
    const f90 = req.text(90);
    const orig = sim.ledger.findOriginal(req.text(41).trimEnd(), f90 ? f90.slice(4, 10) : req.text(11), f90 ? f90.slice(10, 20) : undefined);
    const before = orig?.state;
    const res = handle(req, frame);
    if (orig && orig.state !== before) {
      const key = `${orig.stan}|${orig.transmittedAt}`;
      effectiveReversals.set(key, (effectiveReversals.get(key) ?? 0) + 1);
    }
    return res;
  };
  const server = await sim.listen(0);
  const faults: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const printFaults: string[] = [];
  const kills = { parent: 0, atStep: 0 };
  let spawns = 0;
  let recovered = 0;
  const faultRate = o.faultRate ?? 0.25;
  const killsLeft = (): number => (o.maxKills ?? Infinity) - kills.parent - kills.atStep;
  const killRate = o.killRate ?? 0.03;

  const runChild = (from: number, count: number, chaos: boolean): Promise<ChildRun> =>
    new Promise((resolve, reject) => {
      const spawnNo = spawns++;
      // No crash at a journal step once the kill budget is spent ('-' disables them in the child).
      const p = spawn(process.execPath, [o.tsHook, CHILD, dataDir, String(server.port), String(o.seed), String(from), String(count), killsLeft() > 0 ? String(spawnNo) : '-'], {
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run: ChildRun = { lastStarted: from - 1, killed: false };
      let buffered = '';
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
      p.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const [what, a, b] = line.split(' ');
          if (what === 'ready') recovered += (JSON.parse(line.slice(6)) as { reversed: number }).reversed;
          else if (what === 'done') statuses[b!] = (statuses[b!] ?? 0) + 1;
          else if (what === 'print-fault') printFaults.push(line);
          else if (what === 'start' && chaos) {
            const i = Number(a);
            run.lastStarted = i;
            const f = rng(o.seed, STREAM.fault, i, spawnNo);
            if (f.chance(faultRate)) {
              const pick = f.pick(FAULTS);
              sim.inject(pick.fault, 1, pick.options ?? {});
              faults[pick.fault] = (faults[pick.fault] ?? 0) + 1;
            }
            const k = rng(o.seed, STREAM.kill, i, spawnNo);
            if (k.chance(killRate) && killsLeft() > 0) {
              setTimeout(() => {
                if (p.exitCode === null && p.signalCode === null && p.kill('SIGKILL')) {
                  run.killed = true;
                  kills.parent++;
                }
              }, k.int(0, 400));
            }
          }
          if (what === 'start') run.lastStarted = Number(a);
        }
      });
      p.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') {
          if (!run.killed) kills.atStep++;
          run.killed = true;
          resolve(run);
        } else if (code === 0) resolve(run);
        else reject(new Error(`terminal child exited ${String(code ?? signal)} (seed ${o.seed}): ${err}`));
      });
    });

  let next = 0;
  while (next < o.txns) {
    const run = await runChild(next, o.txns - next, true);
    next = run.killed ? run.lastStarted + 1 : o.txns;
    log(`soak: ${next}/${o.txns} transactions, ${spawns} terminal starts, ${kills.parent + kills.atStep} kills`);
  }
  // The end of the fault campaign: the terminal starts once more (here, in-process: no kill can
  // come now), recovers, delivers what it owes, and settles.
  sim.clearFaults();
  const rig = await makeRig({ port: server.port, dataDir });
  let settle: SettleResult | { error: string };
  try {
    recovered += (await rig.engine.recover()).reversed;
    await rig.host.flush();
    settle = await new JournalSettlement({ journal: rig.journal, host: rig.host, layout, merchantId: MERCHANT.id, currency: 'CNY' }).settle({ operator: 'soak', trigger: 'manual' });
  } catch (err) {
    settle = { error: (err as Error).message };
  }
  const invariants = await checkInvariants({ journal: rig.journal, ledger: sim.ledger, effectiveReversals, settle, printFaults });
  await rig.close();
  invariants.push(...(await checkInvariants.atRest(dataDir, testDeviceKey, [...secrets].map((h) => Buffer.from(h, 'hex')))));
  await server.close();
  return { seed: o.seed, dataDir, txns: o.txns, spawns, kills, faults, statuses, recovered, printFaults, settle, invariants, ok: invariants.every((x) => x.ok) };
}

export function printReport(r: SoakReport, out: (line: string) => void): void {
  out(`soak seed ${r.seed}: ${r.txns} transactions, ${r.spawns} terminal starts, ${r.kills.parent} SIGKILLs at random moments + ${r.kills.atStep} at journal steps, ${r.recovered} reversed at restart`);
  out(`  outcomes: ${JSON.stringify(r.statuses)}`);
  out(`  host faults injected: ${JSON.stringify(r.faults)}`);
  out(`  settlement: ${'error' in r.settle ? r.settle.error : `${r.settle.status} batch ${r.settle.batch} (${r.settle.uploaded} uploaded)`}`);
  for (const i of r.invariants) out(`  ${i.ok ? 'ok  ' : 'FAIL'} ${i.name}: ${i.detail}`);
  out(r.ok ? `soak passed (seed ${r.seed})` : `soak FAILED: replay with POS_SOAK_SEED=${r.seed} POS_SOAK_TXNS=${r.txns} (data folder ${r.dataDir})`);
}
