/**
 * The append-only journal on LevelDB (`level`). Keys: `r!<16-digit seq>` records,
 * `t!<10-digit batch>` running totals, `m!head` (last sequence number and chain MAC),
 * `m!datakey` (the data key wrapped under the device key). Every value but the wrapped key
 * is sealed with AES-256-GCM, its key as associated data; each record carries
 * HMAC-SHA256(predecessor's MAC | key | sealed body), so a deleted, edited, swapped or
 * truncated record is found when the journal opens and by {@link Journal.verify}.
 *
 * Write-ahead: {@link Journal.append} writes its records, the totals they change and the
 * head in ONE LevelDB batch with `sync: true` (one fdatasync, perf-baselines.md section 1)
 * and resolves only then. Losing the newest records together with the head (a torn
 * write the disk lied about) is found against anchors outside the journal, not here.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Level } from 'level';
import type { DeviceKeyProvider } from '../keys/device-key.js';
import type { QueuedMessage, QueueKind } from '../host/store.js';
import { chainMac, deriveKeys, genesisMac, MAC, newDataKey, open, sameMac, seal, sealInto, unwrapDataKey, type JournalKeys } from './crypto.js';
import { JournalError } from './errors.js';
import { checkRecord, type JournalRecord, type QueuedRecordFields, type TxnPendingRecord } from './records.js';
import { addToTotals, sameRows, summarise, type BatchTotals, type BatchTotalsState } from './totals.js';

type Db = Level<string, Buffer>;

const VERSION = 1;
const DATA_KEY = 'm!datakey';
const HEAD = 'm!head';
const CHECKPOINT = 'm!checkpoint';
/** Records between two checkpoints (boot verifies at most about this many). */
export const CHECKPOINT_EVERY = 1000;
export const JOURNAL_FOLDER = 'journal';

export const recordKey = (seq: number): string => `r!${String(seq).padStart(16, '0')}`;
export const totalsKey = (batch: number): string => `t!${String(batch).padStart(10, '0')}`;
const RECORD_KEY = /^r!(\d{16})$/;

/** The journal folder of a data folder. */
export function journalDir(dataDir: string): string {
  return path.join(dataDir, JOURNAL_FOLDER);
}

/** What went wrong first, where. */
export type VerifyProblemKind = 'missing' | 'mac' | 'decrypt' | 'format' | 'truncated' | 'head' | 'totals' | 'damaged' | 'key';

export interface VerifyReport {
  ok: boolean;
  /** Records present (readable keys `r!...`). */
  records: number;
  /** Records 1..provenThrough verify, each with its predecessor: these are proven complete and in order. */
  provenThrough: number;
  /** The sequence number the head record says was written last (absent when the head is missing or unreadable). */
  headSeq?: number;
  /** The first problem. */
  problem?: { kind: VerifyProblemKind; seq?: number; batch?: number; message: string };
  /** Records after the first problem that still open under the data key: authentic, but their order and completeness are unproven. */
  authenticAfter: number;
  /**
   * Set when this verification started after a sealed checkpoint (at open): the records up
   * to it were verified when the checkpoint was written and are not read again here
   * (`pos journal verify` always walks the whole chain).
   */
  checkpoint?: number;
}

/** What the engine needs at start: what to finish with the host. */
export interface RecoveryState {
  /** Pending transactions without an outcome, oldest first: the engine reverses each (journalled, exactly once). */
  pending: TxnPendingRecord[];
  reversalsOwed: QueuedMessage[];
  advicesOwed: QueuedMessage[];
  openBatch: number | undefined;
  lastClosedBatch: number | undefined;
  lastStan: number;
  lastSeq: number;
  report: VerifyReport;
}

export interface OpenJournalOptions {
  /** The journal folder (see {@link journalDir}). */
  dir: string;
  deviceKey: DeviceKeyProvider;
  /** Make a new journal when the folder holds none (default true). */
  create?: boolean;
  /** Records between sealed checkpoints (default {@link CHECKPOINT_EVERY}); open verifies from the last one. */
  checkpointEvery?: number;
}

export interface AppendOptions {
  /** Durable when the promise resolves (one fdatasync). Default true; false only for bulk loads in benchmarks and tests. */
  sync?: boolean;
}

/** {@link ScanState} as stored in a checkpoint (sealed). */
interface ScanStateJson {
  pending: TxnPendingRecord[];
  queues: Record<QueueKind, [string, QueuedRecordFields][]>;
  openBatch?: number;
  openBatchAt?: string;
  openBatchSeq?: number;
  lastClosedBatch?: number;
  lastStan: number;
}

/** The checkpoint: the chain MAC at `seq`, the state and the running totals of the batches in use there. */
interface CheckpointJson {
  seq: number;
  mac: string;
  state: ScanStateJson;
  totals: BatchTotalsState[];
}

/** The state a scan of the records rebuilds. */
class ScanState {
  readonly pending = new Map<string, TxnPendingRecord>();
  readonly queues: Record<QueueKind, Map<string, QueuedRecordFields>> = { reversal: new Map(), advice: new Map() };
  openBatch: number | undefined;
  /** When the open batch was opened (its batch-open record's time) and that record's sequence number. */
  openBatchAt: string | undefined;
  openBatchSeq: number | undefined;
  lastClosedBatch: number | undefined;
  lastStan = 0;

  toJSON(): ScanStateJson {
    const out: ScanStateJson = { pending: [...this.pending.values()], queues: { reversal: [...this.queues.reversal], advice: [...this.queues.advice] }, lastStan: this.lastStan };
    if (this.openBatch !== undefined) out.openBatch = this.openBatch;
    if (this.openBatchAt !== undefined) out.openBatchAt = this.openBatchAt;
    if (this.openBatchSeq !== undefined) out.openBatchSeq = this.openBatchSeq;
    if (this.lastClosedBatch !== undefined) out.lastClosedBatch = this.lastClosedBatch;
    return structuredClone(out);
  }

  static fromJSON(j: ScanStateJson): ScanState {
    const s = new ScanState();
    for (const p of j.pending) s.pending.set(p.txnId, p);
    for (const kind of ['reversal', 'advice'] as const) for (const [id, q] of j.queues[kind]) s.queues[kind].set(id, q);
    s.openBatch = j.openBatch;
    s.openBatchAt = j.openBatchAt;
    s.openBatchSeq = j.openBatchSeq;
    s.lastClosedBatch = j.lastClosedBatch;
    s.lastStan = j.lastStan;
    return s;
  }

  apply(r: JournalRecord, seq: number): void {
    switch (r.type) {
      case 'txn-pending':
        this.pending.set(r.txnId, r);
        break;
      case 'txn-outcome':
        this.pending.delete(r.txnId);
        break;
      case 'reversal-owed':
      case 'advice-owed': {
        const q = this.queues[r.type === 'reversal-owed' ? 'reversal' : 'advice'];
        if (!q.has(r.item.id)) q.set(r.item.id, { item: r.item, iso: r.iso, pan: r.pan, icc: r.icc });
        break;
      }
      case 'queue-update': {
        const q = this.queues[r.item.kind];
        if (q.has(r.item.id)) q.set(r.item.id, { item: r.item, iso: r.iso, pan: r.pan, icc: r.icc });
        break;
      }
      case 'reversal-done':
        this.queues.reversal.delete(r.id);
        break;
      case 'advice-sent':
        this.queues.advice.delete(r.id);
        break;
      case 'stan':
        this.lastStan = r.stan;
        break;
      case 'batch-open':
        this.openBatch = r.batch;
        this.openBatchAt = r.at;
        this.openBatchSeq = seq;
        break;
      case 'batch-close':
        if (this.openBatch === r.batch) {
          this.openBatch = undefined;
          this.openBatchAt = undefined;
          this.openBatchSeq = undefined;
        }
        this.lastClosedBatch = r.batch;
        break;
      default:
        break;
    }
  }
}

/** Back to the host link's form: field 2 and 55 where they belong. */
export function toQueuedMessage(q: QueuedRecordFields): QueuedMessage {
  const fields: Record<string, string> = { ...q.iso };
  if (q.pan !== undefined) fields['2'] = q.pan;
  if (q.icc !== undefined) fields['55'] = q.icc;
  const { mti, ...rest } = q.item;
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => Number(a) - Number(b)));
  return { ...rest, message: { mti, fields: sorted } };
}

async function openDb(dir: string, create: boolean): Promise<Db> {
  const { Level } = await import('level');
  if (create) await mkdir(dir, { recursive: true, mode: 0o700 });
  const db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  try {
    await db.open({ createIfMissing: create, errorIfExists: false });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.message ?? (err as Error).message;
    if (cause?.code === 'LEVEL_CORRUPTION') throw new JournalError('JOURNAL_CORRUPT', `the journal database in ${dir} is damaged: ${why}`, { cause: err });
    if (cause?.code === 'LEVEL_LOCKED') throw new JournalError('JOURNAL_IO', `the journal in ${dir} is in use by another process`, { cause: err });
    throw new JournalError('JOURNAL_IO', `cannot open the journal in ${dir}: ${why}`, { cause: err });
  }
  return db;
}

async function getOrUndefined(db: Db, key: string): Promise<Buffer | undefined> {
  const v = await db.get(key);
  return v ?? undefined;
}

/** Reads the keys of the journal: the data key unwrapped with the device key. */
async function loadKeys(db: Db, deviceKey: DeviceKeyProvider, create: boolean): Promise<JournalKeys> {
  const stored = await getOrUndefined(db, DATA_KEY);
  const dk = await deviceKey.deviceKey();
  try {
    if (stored !== undefined) {
      const { dataKey, journalId } = unwrapDataKey(stored.toString('utf8'), dk);
      return deriveKeys(dataKey, journalId);
    }
    let any = false;
    for await (const k of db.keys({ limit: 1 })) any = k !== undefined;
    if (any) throw new JournalError('JOURNAL_KEY', 'the journal holds records but its data key record is missing');
    if (!create) throw new JournalError('JOURNAL_IO', 'there is no journal here');
    const { dataKey, wrapped } = newDataKey(dk);
    await db.put(DATA_KEY, Buffer.from(JSON.stringify(wrapped), 'utf8'), { sync: true });
    return deriveKeys(dataKey, wrapped.journalId);
  } finally {
    dk.fill(0);
  }
}

function sealJson(keys: JournalKeys, key: string, value: unknown): Buffer {
  return seal(keys.enc, key, Buffer.from(JSON.stringify(value), 'utf8'));
}

function openJson<T>(keys: JournalKeys, key: string, value: Buffer | undefined): T | undefined {
  if (value === undefined) return undefined;
  const plain = open(keys.enc, key, value);
  if (plain === undefined) return undefined;
  try {
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Opens one record value: the chain MAC first (it covers the sealed bytes), then the seal. */
function openRecord(keys: JournalKeys, key: string, value: Buffer, prev: Buffer | undefined): { mac: Buffer; record?: JournalRecord; problem?: VerifyProblemKind } {
  if (value.length < 1 + 12 + 16 + MAC || value[0] !== VERSION) return { mac: Buffer.alloc(0), problem: 'format' };
  const body = value.subarray(1, value.length - MAC);
  const mac = value.subarray(value.length - MAC);
  if (prev !== undefined && !sameMac(chainMac(keys.mac, prev, key, body), mac)) return { mac, problem: 'mac' };
  const plain = open(keys.enc, key, body);
  if (plain === undefined) return { mac, problem: 'decrypt' };
  try {
    return { mac, record: JSON.parse(plain.toString('utf8')) as JournalRecord };
  } catch {
    return { mac, problem: 'format' };
  }
}

const PROBLEM_TEXT: Record<string, string> = {
  mac: 'does not match the chain (edited, replaced by another record, or moved)',
  decrypt: 'does not open under the data key (edited or written under another key)',
  format: 'is not a journal record (damaged)',
};

interface ScanResult {
  report: VerifyReport;
  state: ScanState;
  lastMac: Buffer;
  totals: Map<number, BatchTotalsState>;
}

/** A record after a checkpoint counts in a batch the checkpoint holds no totals for: only a full scan can check it. */
class NeedFullScan extends Error {}

/**
 * Walks the chain once: verifies it, rebuilds the state and recomputes the totals. From
 * record 1, or (at open) from a checkpoint on: then only the records after it are read, and
 * only the totals of the batches the checkpoint holds (the batches in use) are checked.
 */
async function scanChain(db: Db, keys: JournalKeys, from?: CheckpointJson): Promise<ScanResult> {
  const state = from ? ScanState.fromJSON(from.state) : new ScanState();
  const totals = new Map<number, BatchTotalsState>((from?.totals ?? []).map((t) => [t.batch, structuredClone(t)]));
  const report: VerifyReport = { ok: false, records: from?.seq ?? 0, provenThrough: from?.seq ?? 0, authenticAfter: 0, ...(from ? { checkpoint: from.seq } : {}) };
  let prev = from ? Buffer.from(from.mac, 'hex') : genesisMac(keys);
  let expected = (from?.seq ?? 0) + 1;
  const fail = (problem: VerifyReport['problem']): void => {
    report.problem ??= problem;
  };
  try {
    for await (const [key, value] of db.iterator({ gte: recordKey(expected), lt: 'r"' })) {
      report.records++;
      const m = RECORD_KEY.exec(key);
      if (report.problem !== undefined) {
        if (m && openRecord(keys, key, value, undefined).record) report.authenticAfter++;
        continue;
      }
      if (!m) {
        fail({ kind: 'format', seq: expected, message: `a key "${key.slice(0, 24)}" that is not a record key follows record ${expected - 1}` });
        continue;
      }
      const seq = Number(m[1]);
      if (seq !== expected) {
        fail({ kind: seq > expected ? 'missing' : 'format', seq: expected, message: seq > expected ? `record ${expected} is missing (deleted); the next one present is ${seq}` : `record ${seq} appears out of order` });
        if (openRecord(keys, key, value, undefined).record) report.authenticAfter++;
        continue;
      }
      const opened = openRecord(keys, key, value, prev);
      if (opened.record === undefined) {
        fail({ kind: opened.problem ?? 'format', seq, message: `record ${seq} ${PROBLEM_TEXT[opened.problem ?? 'format']}` });
        continue;
      }
      state.apply(opened.record, seq);
      if (opened.record.type === 'txn-outcome') {
        const b = opened.record.batch;
        if (from && !totals.has(b) && addToTotals({ batch: b, rows: {} }, opened.record)) throw new NeedFullScan();
        const t = totals.get(b) ?? { batch: b, rows: {} };
        // Only a record that counts makes a totals row (as append does): a batch of declines or training has none.
        if (addToTotals(t, opened.record)) totals.set(b, t);
      }
      prev = opened.mac;
      report.provenThrough = seq;
      expected++;
    }
    const head = openJson<{ seq: number; mac: string }>(keys, HEAD, await getOrUndefined(db, HEAD));
    if (head !== undefined) report.headSeq = head.seq;
    if (report.problem === undefined) {
      if (head === undefined) {
        if (report.provenThrough > 0) fail({ kind: 'head', message: 'the head record (last sequence number written) is missing or damaged' });
      } else if (head.seq > report.provenThrough) {
        fail({ kind: 'truncated', seq: report.provenThrough + 1, message: `records ${report.provenThrough + 1} to ${head.seq} are missing (the newest records were removed)` });
      } else if (head.seq !== report.provenThrough || head.mac !== prev.toString('hex')) {
        fail({ kind: 'head', message: `the head record says ${head.seq} but the chain ends at ${report.provenThrough}` });
      }
    }
    if (report.problem === undefined && from) {
      for (const [batch, computed] of totals) {
        const stored = openJson<BatchTotalsState>(keys, totalsKey(batch), await getOrUndefined(db, totalsKey(batch)));
        if ((stored === undefined && Object.keys(computed.rows).length > 0) || (stored !== undefined && (stored.batch !== batch || !sameRows(stored.rows, computed.rows)))) {
          fail({ kind: 'totals', batch, message: `the running totals of batch ${batch} do not match its records` });
          break;
        }
      }
    } else if (report.problem === undefined) {
      const seen = new Set<number>();
      for await (const [key, value] of db.iterator({ gte: 't!', lt: 't"' })) {
        const stored = openJson<BatchTotalsState>(keys, key, value);
        const batch = Number(key.slice(2));
        seen.add(batch);
        const computed = totals.get(batch) ?? { batch, rows: {} };
        if (stored === undefined || stored.batch !== batch || !sameRows(stored.rows, computed.rows)) {
          fail({ kind: 'totals', batch, message: `the running totals of batch ${batch} do not match its records` });
          break;
        }
      }
      for (const batch of totals.keys()) if (!seen.has(batch)) fail({ kind: 'totals', batch, message: `the running totals of batch ${batch} are missing` });
    }
  } catch (err) {
    if (err instanceof JournalError || err instanceof NeedFullScan) throw err;
    fail({ kind: 'damaged', seq: expected, message: `the database could not be read past record ${expected - 1}: ${(err as Error).message}` });
  }
  report.ok = report.problem === undefined;
  return { report, state, lastMac: prev, totals };
}

/**
 * The checkpoint, when it opens and is bound to the chain: record `seq` is present and its
 * chain MAC is the one the checkpoint holds. Anything else: undefined (open then walks the
 * whole chain, which finds what is wrong).
 */
async function loadCheckpoint(db: Db, keys: JournalKeys): Promise<CheckpointJson | undefined> {
  const cp = openJson<CheckpointJson>(keys, CHECKPOINT, await getOrUndefined(db, CHECKPOINT));
  if (cp === undefined || !Number.isSafeInteger(cp.seq) || cp.seq < 1 || typeof cp.mac !== 'string') return undefined;
  const rec = await getOrUndefined(db, recordKey(cp.seq));
  if (rec === undefined || rec.length < MAC || !sameMac(rec.subarray(rec.length - MAC), Buffer.from(cp.mac, 'hex'))) return undefined;
  return cp;
}

/** At open: from the checkpoint when there is a good one, else (or when that finds anything wrong) the whole chain, so a failure reports exactly what `verify` reports. */
async function scanForOpen(db: Db, keys: JournalKeys): Promise<ScanResult> {
  const cp = await loadCheckpoint(db, keys);
  if (cp !== undefined) {
    try {
      const scan = await scanChain(db, keys, cp);
      if (scan.report.ok) return scan;
    } catch (err) {
      if (!(err instanceof NeedFullScan)) throw err;
    }
  }
  return scanChain(db, keys);
}

/** One line for people: "ok, N records" or what is wrong and what is still proven. */
export function describeReport(r: VerifyReport): string {
  if (r.ok) return `journal ok: ${r.records} records, chain verified through ${r.provenThrough}`;
  const lines = [`journal FAILED verification: ${r.problem?.message ?? 'unknown problem'}`];
  lines.push(r.provenThrough > 0 ? `records 1 to ${r.provenThrough} are proven complete and in order` : 'no record can be proven');
  if (r.authenticAfter > 0) lines.push(`${r.authenticAfter} later record(s) still open under the data key (authentic, order and completeness unproven)`);
  if (r.headSeq !== undefined) lines.push(`the head record says ${r.headSeq} records were written`);
  return lines.join('\n');
}

/**
 * Verifies the journal in `dir` without opening it for writing and without changing it.
 * A damaged journal gives a report (ok false), never an exception; a missing journal, a
 * lock held by another process or a device key that does not fit throws JournalError.
 */
export async function verifyJournal(dir: string, deviceKey: DeviceKeyProvider): Promise<VerifyReport> {
  let db: Db;
  try {
    db = await openDb(dir, false);
  } catch (err) {
    if (err instanceof JournalError && err.code === 'JOURNAL_CORRUPT') {
      return { ok: false, records: 0, provenThrough: 0, authenticAfter: 0, problem: { kind: 'damaged', message: err.message } };
    }
    throw err;
  }
  try {
    const keys = await loadKeys(db, deviceKey, false);
    return (await scanChain(db, keys)).report;
  } catch (err) {
    if (err instanceof JournalError && err.code === 'JOURNAL_KEY') return { ok: false, records: 0, provenThrough: 0, authenticAfter: 0, problem: { kind: 'key', message: err.message } };
    throw err;
  } finally {
    await db.close();
  }
}

/** The journal, open for appending. One per data folder (LevelDB holds a lock). */
export class Journal {
  #seq: number;
  #lastMac: Buffer;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** STAN records written with the next append (see {@link Journal.deferStan}). */
  #carry: JournalRecord[] = [];
  readonly #totals = new Map<number, BatchTotalsState>();
  /** The last checkpoint's sequence number, and the batches whose totals changed since (the next checkpoint holds them). */
  #checkpointSeq: number;
  #inUse: Set<number>;
  /** Transactions holding the open batch, and whether a settlement is closing it (see {@link Journal.holdBatch}). */
  #batchHolds = 0;
  #batchClosing = false;

  private constructor(
    readonly dir: string,
    private readonly db: Db,
    private readonly keys: JournalKeys,
    private readonly state: ScanState,
    scan: ScanResult,
    private readonly checkpointEvery: number,
  ) {
    this.#seq = scan.report.provenThrough;
    this.#lastMac = scan.lastMac;
    this.#checkpointSeq = scan.report.checkpoint ?? 0;
    this.#inUse = new Set(scan.totals.keys());
  }

  /** @internal used by {@link openJournal}. */
  static create(dir: string, db: Db, keys: JournalKeys, scan: ScanResult, checkpointEvery = CHECKPOINT_EVERY): Journal {
    return new Journal(dir, db, keys, scan.state, scan, checkpointEvery);
  }

  get journalId(): string {
    return this.keys.journalId;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  get lastStan(): number {
    return this.state.lastStan;
  }

  get openBatch(): number | undefined {
    return this.state.openBatch;
  }

  get lastClosedBatch(): number | undefined {
    return this.state.lastClosedBatch;
  }

  /** The open batch's batch-open record: its time and sequence number (a batch upload reads the records from there). */
  get openBatchStart(): { at: string; seq: number } | undefined {
    const { openBatchAt: at, openBatchSeq: seq } = this.state;
    return at !== undefined && seq !== undefined ? { at, seq } : undefined;
  }

  /** Pending transactions without an outcome, oldest first. */
  pending(): TxnPendingRecord[] {
    return [...this.state.pending.values()].map((r) => structuredClone(r));
  }

  /** The sealed form of a queued message, or undefined. */
  queuedRecord(kind: QueueKind, id: string): QueuedRecordFields | undefined {
    const q = this.state.queues[kind].get(id);
    return q && structuredClone(q);
  }

  /** Messages owed to the host, oldest first, as the host link gives them. */
  queued(kind: QueueKind): QueuedMessage[] {
    return [...this.state.queues[kind].values()].map(toQueuedMessage);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new JournalError('JOURNAL_CLOSED', 'the journal is closed');
      return fn();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #loadTotals(batch: number): Promise<BatchTotalsState> {
    const cached = this.#totals.get(batch);
    if (cached) return cached;
    const key = totalsKey(batch);
    const raw = await getOrUndefined(this.db, key);
    const stored = openJson<BatchTotalsState>(this.keys, key, raw);
    if (raw !== undefined && stored === undefined) throw new JournalError('JOURNAL_CORRUPT', `the running totals of batch ${batch} do not open`);
    const state = stored ?? { batch, rows: {} };
    this.#totals.set(batch, state);
    return state;
  }

  /**
   * Appends records in one LevelDB batch together with the totals they change and the new
   * head; with `sync` (the default) it resolves only once the batch is on disk (one
   * fdatasync). Resolves the sequence numbers given. Records are checked first
   * (JOURNAL_RECORD, JOURNAL_SENSITIVE): nothing is written when one fails.
   */
  append(records: readonly JournalRecord[], options: AppendOptions = {}): Promise<{ first: number; last: number }> {
    try {
      for (const r of records) checkRecord(r);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.#serial(() => this.#write(records, options));
  }

  /**
   * Appends what `make` returns, computed inside the write queue so that it sees every
   * earlier append (the STAN counter, "already queued" checks). Nothing is written when
   * it returns no record.
   */
  appendComputed<T>(make: (journal: Journal) => { records: JournalRecord[]; result: T }, options: AppendOptions = {}): Promise<T> {
    return this.#serial(async () => {
      const { records, result } = make(this);
      for (const r of records) checkRecord(r);
      if (records.length > 0) await this.#write(records, options);
      return result;
    });
  }

  /**
   * A transaction holds the open batch from the moment it takes the batch number until its
   * outcome is written, so that a settlement cannot total and close the batch under it (the
   * transaction's records would name a batch the host already reconciled without them).
   * Returns the release. Throws JOURNAL_BATCH_CLOSING while a settlement is closing the batch.
   * In memory only: after a restart nothing holds the batch, and a transaction that was in
   * flight is a pending record, which settlement refuses on its own.
   */
  holdBatch(): () => void {
    if (this.#batchClosing) throw new JournalError('JOURNAL_BATCH_CLOSING', 'the batch is being settled: try again when settlement has finished');
    this.#batchHolds++;
    let held = true;
    return () => {
      if (held) this.#batchHolds--;
      held = false;
    };
  }

  /**
   * Settlement takes the open batch for itself from before it reads the totals until the
   * batch is closed (or the settlement gives up). Returns the release. Throws
   * JOURNAL_BATCH_HELD while a transaction holds the batch, and JOURNAL_BATCH_CLOSING when
   * another settlement already closes it.
   */
  closeBatchGate(): () => void {
    if (this.#batchClosing) throw new JournalError('JOURNAL_BATCH_CLOSING', 'another settlement is already closing the batch');
    if (this.#batchHolds > 0) throw new JournalError('JOURNAL_BATCH_HELD', `${this.#batchHolds} transaction(s) in progress: settle when they have finished`);
    this.#batchClosing = true;
    let held = true;
    return () => {
      if (held) this.#batchClosing = false;
      held = false;
    };
  }

  /**
   * The next STAN (1..999999, wrapping), recorded in the same LevelDB batch as the next
   * append instead of a write of its own: the engine appends the pending record before
   * the request leaves, so a STAN is durable before it is ever sent, and a sale costs two
   * durable writes (pending, outcome) instead of three. A STAN lost in a crash before
   * that append was never sent, so using it again is harmless.
   */
  deferStan(at: string): number {
    const stan = (this.state.lastStan % 999999) + 1;
    const record: JournalRecord = { type: 'stan', stan, at };
    checkRecord(record);
    this.#carry.push(record);
    this.state.apply(record, this.#seq);
    return stan;
  }

  async #write(given: readonly JournalRecord[], options: AppendOptions): Promise<{ first: number; last: number }> {
    if (given.length === 0) return { first: this.#seq + 1, last: this.#seq };
    // A copy: deferStan may push more while this write waits, for the next append to carry.
    const carried = [...this.#carry];
    const records = [...carried, ...given];
    const ops: { type: 'put'; key: string; value: Buffer }[] = [];
    let seq = this.#seq;
    let prev = this.#lastMac;
    const touched = new Map<number, BatchTotalsState>();
    for (const r of records) {
      seq++;
      const key = recordKey(seq);
      // One buffer: version | nonce | ciphertext | tag | chain MAC.
      const value = sealInto(this.keys.enc, key, Buffer.from(JSON.stringify(r), 'utf8'), 1, MAC);
      value[0] = VERSION;
      const body = value.subarray(1, value.length - MAC);
      prev = chainMac(this.keys.mac, prev, key, body);
      prev.copy(value, value.length - MAC);
      ops.push({ type: 'put', key, value });
      if (r.type === 'txn-outcome') {
        const t = touched.get(r.batch) ?? structuredClone(await this.#loadTotals(r.batch));
        if (addToTotals(t, r)) touched.set(r.batch, t);
      }
    }
    for (const t of touched.values()) ops.push({ type: 'put', key: totalsKey(t.batch), value: sealJson(this.keys, totalsKey(t.batch), t) });
    ops.push({ type: 'put', key: HEAD, value: sealJson(this.keys, HEAD, { seq, mac: prev.toString('hex') }) });
    const checkpoint = seq - this.#checkpointSeq >= this.checkpointEvery;
    if (checkpoint) ops.push({ type: 'put', key: CHECKPOINT, value: sealJson(this.keys, CHECKPOINT, await this.#checkpoint(records, touched, seq, prev)) });
    try {
      await this.db.batch(ops, { sync: options.sync ?? true });
    } catch (err) {
      throw new JournalError('JOURNAL_IO', `journal write failed: ${(err as Error).message}`, { cause: err });
    }
    this.#carry = this.#carry.slice(carried.length);
    const first = this.#seq + 1 + carried.length;
    this.#seq = seq;
    this.#lastMac = prev;
    for (const t of touched.values()) this.#totals.set(t.batch, t);
    if (checkpoint) {
      this.#checkpointSeq = seq;
      this.#inUse = new Set();
    } else {
      for (const b of touched.keys()) this.#inUse.add(b);
    }
    // The carried STAN records were applied when issued: applied again, a STAN issued while this
    // write waited would be taken back and issued twice.
    records.forEach((r, i) => i >= carried.length && this.state.apply(r, this.#seq - records.length + 1 + i));
    return { first, last: seq };
  }

  /**
   * The checkpoint written with the head of the append ending at `seq`: the chain MAC there,
   * the state after these records, and the totals of the batches in use (the open batch and
   * every batch changed since the last checkpoint), so open can verify from here on.
   */
  async #checkpoint(records: readonly JournalRecord[], touched: ReadonlyMap<number, BatchTotalsState>, seq: number, mac: Buffer): Promise<CheckpointJson> {
    const after = ScanState.fromJSON(this.state.toJSON());
    records.forEach((r, i) => after.apply(r, seq - records.length + 1 + i));
    const batches = new Set([...this.#inUse, ...touched.keys()]);
    if (after.openBatch !== undefined) batches.add(after.openBatch);
    const totals: BatchTotalsState[] = [];
    for (const b of [...batches].sort((x, y) => x - y)) totals.push(touched.get(b) ?? (await this.#loadTotals(b)));
    return { seq, mac: mac.toString('hex'), state: after.toJSON(), totals };
  }

  /** The running rows of a batch (default: the open batch, else the last closed one). */
  async batchTotals(batch?: number): Promise<BatchTotalsState> {
    const b = batch ?? this.state.openBatch ?? this.state.lastClosedBatch ?? 0;
    return this.#serial(async () => structuredClone(await this.#loadTotals(b)));
  }

  /**
   * Settlement totals of a batch: count and amount per currency, scheme and transaction
   * type, with the merchant fee per configured MDR. Reads the running totals record: no
   * rescan, memory independent of the batch size.
   */
  async totals(batch?: number, mdrPercent: Readonly<Record<string, number>> = {}): Promise<BatchTotals> {
    return summarise(await this.batchTotals(batch), mdrPercent);
  }

  /** Verifies the whole chain now (waits for appends in flight). */
  verify(): Promise<VerifyReport> {
    return this.#serial(async () => (await scanChain(this.db, this.keys)).report);
  }

  /** The records from `from` (default 1), in order, opened (for the console's journal view and a batch upload). */
  async *records(from = 1): AsyncGenerator<{ seq: number; record: JournalRecord }> {
    for await (const [key, value] of this.db.iterator({ gte: recordKey(from), lt: 'r"' })) {
      const opened = openRecord(this.keys, key, value, undefined);
      if (opened.record === undefined) throw new JournalError('JOURNAL_CORRUPT', `record ${key.slice(2)} ${PROBLEM_TEXT[opened.problem ?? 'format']}`);
      yield { seq: Number(key.slice(2)), record: opened.record };
    }
  }

  /** The records before `before` (default: all), newest first, opened: a scan that stops once it reaches what it needs. */
  async *recordsNewestFirst(before = Number.MAX_SAFE_INTEGER): AsyncGenerator<{ seq: number; record: JournalRecord }> {
    for await (const [key, value] of this.db.iterator({ gte: recordKey(1), lt: before >= 1e16 ? 'r"' : recordKey(before), reverse: true })) {
      const opened = openRecord(this.keys, key, value, undefined);
      if (opened.record === undefined) throw new JournalError('JOURNAL_CORRUPT', `record ${key.slice(2)} ${PROBLEM_TEXT[opened.problem ?? 'format']}`);
      yield { seq: Number(key.slice(2)), record: opened.record };
    }
  }

  /** Every key and value as stored (sealed), from one snapshot, for a backup. */
  async *rawEntries(): AsyncGenerator<[string, Buffer]> {
    yield* this.db.iterator();
  }

  /** @internal the keys for the backup archive. */
  get backupKeys(): { enc: Buffer; mac: Buffer; journalId: string } {
    return { enc: this.keys.backupEnc, mac: this.keys.backupMac, journalId: this.keys.journalId };
  }

  async close(): Promise<void> {
    await this.#serial(async () => {
      this.#closed = true;
      await this.db.close();
    }).catch((err: unknown) => {
      if (!(err instanceof JournalError && err.code === 'JOURNAL_CLOSED')) throw err;
    });
  }
}

/** A journal that failed verification at open: the report says what is still proven. */
export class JournalCorruptError extends JournalError {
  constructor(readonly report: VerifyReport) {
    super('JOURNAL_CORRUPT', describeReport(report));
  }
}

/**
 * Opens (or makes) the journal and verifies the whole chain. Resolves the journal and the
 * recovery state; a journal that fails verification is closed again and rejected with
 * {@link JournalCorruptError} (its report says what is still proven): never reset.
 */
export async function openJournal(options: OpenJournalOptions): Promise<{ journal: Journal; state: RecoveryState }> {
  const create = options.create ?? true;
  const db = await openDb(options.dir, create);
  try {
    const keys = await loadKeys(db, options.deviceKey, create);
    const scan = await scanForOpen(db, keys);
    if (!scan.report.ok) throw new JournalCorruptError(scan.report);
    const journal = Journal.create(options.dir, db, keys, scan, options.checkpointEvery ?? CHECKPOINT_EVERY);
    return {
      journal,
      state: {
        pending: journal.pending(),
        reversalsOwed: journal.queued('reversal'),
        advicesOwed: journal.queued('advice'),
        openBatch: scan.state.openBatch,
        lastClosedBatch: scan.state.lastClosedBatch,
        lastStan: scan.state.lastStan,
        lastSeq: scan.report.provenThrough,
        report: scan.report,
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** True when a folder looks like a LevelDB journal (has a CURRENT file). */
export async function journalExists(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).includes('CURRENT');
  } catch {
    return false;
  }
}
