/**
 * Settlement as the batch grows (1k, 10k, 100k approved sales): each size in a fresh
 * process that opens the journal (from its checkpoint) and settles with the acquirer
 * simulator over loopback TCP (0500 in balance, batch close), with its time and peak RSS,
 * next to the floor measured in the same run: reading and decrypting the same number of
 * records from a flat file (perf-baselines.md section 6). Goal: at most 1.2x the floor, and
 * memory flat as the batch grows (running totals, no rescan). The out-of-balance path (one
 * 0320 round trip per transaction) is shown for 1k and 10k.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectChannel } from '../src/host/channel.js';
import { HostClient } from '../src/host/client.js';
import { loadLayout } from '../src/host/iso8583/layout.js';
import { AcquirerSimulator } from '../src/host/simulator/simulator.js';
import { JournalHostStore, journalDir, openJournal } from '../src/journal/index.js';
import { JournalSettlement } from '../src/settle/settlement.js';
import type { Benchmark, BenchFigure } from './harness.js';
import { amountOf, AT, deviceKey, flatFileFloor, outcomeRecord, PAN, peakRssMb } from './journal-data.js';

const TERMINAL = 'BENCH001';
const layout = loadLayout('binary');

interface ChildResult {
  openS: number;
  settleS: number;
  status: string;
  uploaded: number;
  rssPeakMb: number;
  count: number;
}

/** Writes a batch of `n` approved sales (bulk, not durable per record: setup only) and leaves it open. */
async function writeBatch(dir: string, n: number, withPan = false): Promise<number> {
  const { journal } = await openJournal({ dir, deviceKey });
  const batch = journal.openBatch ?? 1;
  if (journal.openBatch === undefined) await journal.append([{ type: 'batch-open', batch, at: AT }]);
  for (let done = 0; done < n; done += 1000) {
    await journal.append(
      // The batch upload needs the PAN (sealed in the record; the engine's pending record carries it).
      Array.from({ length: Math.min(1000, n - done) }, (_, k) => ({ ...outcomeRecord(done + k, batch), ...(withPan ? { pan: PAN } : {}) })),
      { sync: false },
    );
  }
  await journal.close();
  return batch;
}

/** The simulator's side of the same batch: it approved these sales (so the 0500 balances), or not (upload). */
function seedLedger(sim: AcquirerSimulator, n: number): void {
  for (let i = 0; i < n; i++) {
    sim.ledger.transactions.push({ stan: String(i % 999999).padStart(6, '0'), terminalId: TERMINAL, mti: '0200', processing: '000000', rrn: String(i).padStart(12, '0'), authCode: '123456', card: 'bench', amountMinor: amountOf(i), currency: '156', responseCode: '00', state: 'approved', transmittedAt: '1128100000', at: AT });
  }
}

function runChild(dir: string, port: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`settle child exited ${code}`);
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

const bench: Benchmark = {
  name: 'settle',
  async run() {
    const figures: BenchFigure[] = [];
    const base = mkdtempSync(path.join(os.tmpdir(), 'pos-bench-settle-'));
    const sim = new AcquirerSimulator({ layout, cards: [] });
    const server = await sim.listen(0);
    try {
      const dir = journalDir(base);
      const rss: number[] = [];
      for (const size of [1000, 10_000, 100_000]) {
        await writeBatch(dir, size);
        seedLedger(sim, size);
        const m = await runChild(dir, server.port);
        const floor = flatFileFloor(size);
        rss.push(m.rssPeakMb);
        const n = size.toLocaleString('en');
        figures.push({
          name: `settle a ${n}-sale batch in balance (0500 over TCP + batch close; ${m.status}, ${m.count} counted, peak RSS ${m.rssPeakMb} MB)`,
          value: m.settleS,
          unit: 's',
          baseline: { name: `read + decrypt ${n} records from a flat file`, value: floor },
          goal: 'ratio <= 1.2',
          met: m.settleS / floor <= 1.2 && m.status === 'in-balance' && m.count === size,
          chart: { panel: 'settlement time against batch size', x: n },
        });
        figures.push({ name: `settlement peak RSS, ${n}-sale batch`, value: m.rssPeakMb, unit: 'MB', chart: { panel: 'settlement peak memory against batch size', x: n } });
        figures.push({
          name: `journal open from its checkpoint, then settle, ${n}-sale batch (a terminal started to settle)`,
          value: m.openS + m.settleS,
          unit: 's',
          baseline: { name: `read + decrypt ${n} records from a flat file`, value: floor },
          goal: 'ratio <= 1.2',
          met: (m.openS + m.settleS) / floor <= 1.2,
          chart: { panel: 'journal open + settlement against batch size', x: n },
        });
      }
      figures.push({
        name: `peak RSS growth from the 1k to the 100k batch (${rss.join(' / ')} MB)`,
        value: rss[2]! - rss[0]!,
        unit: 'MB',
        goal: '<= 10 (flat)',
        met: rss[2]! - rss[0]! <= 10,
      });
      // Out of balance: the simulator has not seen these sales, the batch is uploaded one 0320 at a time.
      for (const size of [1000, 10_000]) {
        await writeBatch(dir, size, true);
        const m = await runChild(dir, server.port);
        const floor = flatFileFloor(size);
        figures.push({
          name: `settle a ${size.toLocaleString('en')}-sale batch out of balance (95, ${m.uploaded} x 0320, second 0500; ${m.status}; peak RSS ${m.rssPeakMb} MB)`,
          value: m.settleS,
          unit: 's',
          baseline: { name: `read + decrypt ${size.toLocaleString('en')} records from a flat file`, value: floor },
        });
      }
    } finally {
      await server.close();
      rmSync(base, { recursive: true, force: true });
    }
    return figures;
  },
};

export default bench;

/** Child: opens the journal, settles over TCP with the parent's simulator; prints times and the peak RSS. */
async function child(dir: string, port: number): Promise<void> {
  const t0 = performance.now();
  const { journal } = await openJournal({ dir, deviceKey });
  const openS = (performance.now() - t0) / 1000;
  const client = new HostClient({ layout, store: new JournalHostStore(journal), terminalId: TERMINAL, connect: () => connectChannel({ host: '127.0.0.1', port }) });
  const settlement = new JournalSettlement({ journal, host: client, layout, merchantId: 'BENCHMERCHANT01', currency: 'CNY', mdrPercent: () => ({ unionpay: 0.38, visa: 0.6 }) });
  const t1 = performance.now();
  const result = await settlement.settle({ operator: 'bench', trigger: 'manual' });
  const settleS = (performance.now() - t1) / 1000;
  await client.close();
  await journal.close();
  const out: ChildResult = { openS, settleS, status: result.status, uploaded: result.uploaded, rssPeakMb: peakRssMb(), count: result.totals.byCurrency.CNY?.count ?? 0 };
  process.stdout.write(JSON.stringify(out) + '\n');
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
