/**
 * What the journal and settlement benchmarks share: a TEST device key, records shaped like
 * the engine's, and the floor of perf-baselines.md section 6 (sealed records in a flat
 * length-prefixed file: read + decrypt + parse + sum).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TxnOutcomeRecord, TxnPendingRecord } from '../src/journal/index.js';
import type { DeviceKeyProvider } from '../src/keys/device-key.js';

/** A TEST device key. */
export const deviceKey: DeviceKeyProvider = { description: 'TEST bench key', deviceKey: async () => new Uint8Array(32).fill(0x42) };
export const PAN = '4761739001010010';
export const AT = '2026-11-28T10:00:00.000Z';

export const amountOf = (i: number): number => 1000 + (i % 5000);

export function pendingRecord(i: number, stan: number, batch = 1): TxnPendingRecord {
  return { type: 'txn-pending', at: AT, txnId: `s${i}`, txnType: 'sale', batch, amount: amountOf(i), currency: 'CNY', scheme: i % 3 ? 'unionpay' : 'visa', pan: PAN, maskedPan: '476173******0010', entryMode: 'contactless', aid: 'A000000333010101', tvr: '0000000000', tsi: 'E800', stan, operator: 'op1' };
}

export function outcomeRecord(i: number, batch = 1): TxnOutcomeRecord {
  return { type: 'txn-outcome', at: AT, txnId: `s${i}`, txnType: 'sale', batch, amount: amountOf(i), currency: 'CNY', scheme: i % 3 ? 'unionpay' : 'visa', result: 'approved', authCode: '123456', rrn: String(i).padStart(12, '0'), responseCode: '00', maskedPan: '476173******0010', stan: i % 999999 };
}

/** The floor: `n` sealed outcome records in a flat length-prefixed file, read + decrypt + parse + sum; seconds. */
export function flatFileFloor(n: number): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-bench-flat-'));
  const key = randomBytes(32);
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(Buffer.from(`r!${String(i).padStart(16, '0')}`));
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

/** Peak resident set of this process (VmHWM), MB. */
export function peakRssMb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Math.round(((hwm ? Number(hwm[1]) * 1024 : process.memoryUsage().rss) / 1e6) * 10) / 10;
}
