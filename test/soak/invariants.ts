// The soak's invariants (issue 11; issue 9 "Crash test" and "A scan of the data folder"),
// each checked from two independent books: the terminal's journal and the acquirer
// simulator's ledger, matched by STAN and transmission time (the ISO 8583 reversal key,
// fields 11 and 7) and by RRN (field 37).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { luhnValid } from '../../emv/track/pan.js';
import { TEST_CARDS } from '../../emv/cards/catalogue.js';
import { checkRecord, journalDir, verifyJournal, describeReport, type Journal, type TxnOutcomeRecord } from '../../src/journal/index.js';
import type { Ledger, LedgerTxn } from '../../src/host/simulator/ledger.js';
import { isoTotals, type SettleResult } from '../../src/settle/index.js';
import type { DeviceKeyProvider } from '../../src/keys/device-key.js';

export interface Invariant {
  name: string;
  ok: boolean;
  /** What was counted, or the first violations. */
  detail: string;
}

export interface InvariantInput {
  journal: Journal;
  ledger: Ledger;
  /** Reversals that changed the state of an original at the host, by `${stan}|${transmittedAt}`. */
  effectiveReversals: ReadonlyMap<string, number>;
  settle: SettleResult | { error: string };
  printFaults: readonly string[];
}

/** Money-moving types, as the 0500 counts them (src/settle/settlement.ts isoTotals). */
const MONEY = new Set(['sale', 'completion', 'refund', 'void']);
/** Ledger states of a transaction the host still counts as done (not reversed, released or declined). */
const STANDING = new Set(['approved', 'advised', 'held', 'refunded', 'captured', 'voided']);
/** Ledger money classes by processing code (ISO 8583 field 3 positions 1-2). */
const CLASS: Readonly<Record<string, 'debit' | 'debitReversal' | 'credit'>> = { '00': 'debit', '02': 'debitReversal', '20': 'credit' };

const keyOf = (stan: number | string | undefined, transmittedAt: string | undefined): string => `${String(stan ?? '').padStart(6, '0')}|${transmittedAt ?? ''}`;
// An advice (0220/0221) is sent with the time of each transmission in field 7 (src/host/client.ts
// sendQueued): the terminal's STAN alone names it.
const adviceKey = (stan: number | string | undefined): string => keyOf(stan, 'advice');
const outcomeKey = (o: TxnOutcomeRecord): string => (o.offline === true ? adviceKey(o.stan) : keyOf(o.stan, o.transmittedAt));
const ledgerKey = (x: LedgerTxn): string => (x.mti.startsWith('022') ? adviceKey(x.stan) : keyOf(x.stan, x.transmittedAt));

function verdict(name: string, problems: string[], counted: string): Invariant {
  const more = problems.length > 5 ? ` (+${problems.length - 5} more)` : '';
  return { name, ok: problems.length === 0, detail: problems.length === 0 ? counted : problems.slice(0, 5).join('; ') + more };
}

function ledgerMoney(x: LedgerTxn): boolean {
  return x.mti.startsWith('02') && CLASS[x.processing.slice(0, 2)] !== undefined && (x.state === 'approved' || x.state === 'advised' || x.state === 'refunded' || x.state === 'voided');
}

export async function checkInvariants(i: InvariantInput): Promise<Invariant[]> {
  const out: Invariant[] = [];
  const outcomes: TxnOutcomeRecord[] = [];
  const recordProblems: string[] = [];
  for await (const { seq, record } of i.journal.records()) {
    try {
      checkRecord(record);
    } catch (err) {
      recordProblems.push(`record ${seq}: ${(err as Error).message}`);
    }
    if (record.type === 'txn-outcome' && record.training !== true) outcomes.push(record);
  }
  const byKey = new Map<string, TxnOutcomeRecord[]>();
  for (const o of outcomes) if (o.stan !== undefined) byKey.set(outcomeKey(o), [...(byKey.get(outcomeKey(o)) ?? []), o]);
  const ledgerByKey = new Map<string, LedgerTxn>();
  for (const x of i.ledger.transactions) if (!x.mti.startsWith('04')) ledgerByKey.set(ledgerKey(x), x);
  const batch = 'batch' in i.settle ? i.settle.batch : undefined;

  // 1. Every approved sale in exactly one batch.
  {
    const p: string[] = [];
    if ('error' in i.settle) p.push(`settlement failed: ${i.settle.error}`);
    else if (i.settle.status !== 'in-balance' && i.settle.status !== 'empty') p.push(`settlement: ${i.settle.status} (${i.settle.responseCode ?? '-'}), not in balance at the first 0500`);
    const approved = outcomes.filter((o) => o.result === 'approved' && MONEY.has(o.txnType));
    for (const o of approved) {
      const k = outcomeKey(o);
      const n = byKey.get(k)!.filter((x) => x.result === 'approved').length;
      if (n !== 1) p.push(`${o.txnType} ${o.txnId} (STAN ${k}) approved ${n} times in the journal`);
      if (o.batch !== batch) p.push(`${o.txnType} ${o.txnId} in batch ${o.batch}, settled batch ${String(batch)}`);
      const x = ledgerByKey.get(k);
      if (!x) p.push(`${o.txnType} ${o.txnId} (STAN ${k}) approved in the journal, unknown to the host`);
      else {
        if (!ledgerMoney(x)) p.push(`${o.txnType} ${o.txnId} (STAN ${k}) approved in the journal, ${x.state} at the host`);
        if (x.settledInBatch !== String(batch)) p.push(`${o.txnType} ${o.txnId} (STAN ${k}) settled at the host in batch ${x.settledInBatch ?? 'none'}`);
        if (o.rrn !== undefined && o.rrn !== x.rrn) p.push(`${o.txnType} ${o.txnId}: RRN ${o.rrn} in the journal, ${x.rrn} at the host`);
      }
    }
    const booked = new Map<string, number>();
    for (const x of i.ledger.transactions.filter(ledgerMoney)) {
      const k = ledgerKey(x);
      booked.set(k, (booked.get(k) ?? 0) + 1);
      if (booked.get(k) === 2) p.push(`host booked STAN ${k} more than once`);
      if (!(byKey.get(k) ?? []).some((o) => o.result === 'approved')) p.push(`host ${x.state} ${x.mti}/${x.processing} STAN ${k} RRN ${x.rrn}: not approved in the journal`);
      if (x.settledInBatch === undefined) p.push(`host ${x.state} STAN ${k} RRN ${x.rrn}: in no batch`);
    }
    out.push(verdict('every approved sale in exactly one batch', p, `${approved.length} approved money transactions, each once in batch ${String(batch)} at both ends`));
  }

  // 2. Every unfinished authorisation reversed exactly once.
  {
    const p: string[] = [];
    const cancelled = new Set(outcomes.filter((o) => o.txnType === 'preauth-cancel').map((o) => o.originalTxnId));
    const reversedOutcomes = outcomes.filter((o) => o.result === 'reversed');
    for (const o of reversedOutcomes) {
      const x = ledgerByKey.get(outcomeKey(o));
      if (x && STANDING.has(x.state)) p.push(`${o.txnType} ${o.txnId} reversed in the journal, ${x.state} at the host`);
    }
    let applied = 0;
    for (const x of i.ledger.transactions) {
      if (x.state !== 'reversed' && x.state !== 'released') continue;
      const k = keyOf(x.stan, x.transmittedAt);
      const n = i.effectiveReversals.get(k) ?? 0;
      // A void releases a hold without a reversal; every other reversed/released state came from one 0400/0401.
      const byVoid = x.state === 'released' && n === 0;
      if (!byVoid) {
        applied++;
        if (n !== 1) p.push(`STAN ${k}: reversed ${n} times at the host`);
      }
      const standing = (byKey.get(ledgerKey(x)) ?? []).filter((o) => o.result === 'approved' && !(o.txnType === 'preauth' && cancelled.has(o.txnId)));
      if (standing.length > 0 && !byVoid) p.push(`${standing[0]!.txnType} ${standing[0]!.txnId} approved in the journal, reversed at the host`);
    }
    const owed = i.journal.queued('reversal').length;
    if (owed > 0) p.push(`${owed} reversal(s) still owed in the journal after the last recovery and flush`);
    if (i.journal.pending().length > 0) p.push(`${i.journal.pending().length} pending record(s) without an outcome`);
    out.push(verdict('every unfinished authorisation reversed exactly once', p, `${reversedOutcomes.length} reversed in the journal, ${applied} reversals (and pre-auth cancels) applied at the host, each once; none owed`));
  }

  // 3. The simulator's ledger equals the journal's totals (the settled batch, per currency, in 0500 classes).
  {
    const p: string[] = [];
    if (batch === undefined) p.push('no settled batch');
    else {
      const state = await i.journal.batchTotals(batch);
      const currencies = new Set(Object.keys(state.rows).map((k) => k.split('|')[0]!));
      const summary: string[] = [];
      for (const cur of currencies) {
        const j = isoTotals(state, cur);
        const h = { debitCount: 0, debitAmountMinor: 0, debitReversalCount: 0, debitReversalAmountMinor: 0, creditCount: 0, creditAmountMinor: 0 };
        for (const x of i.ledger.transactions) {
          const cls = CLASS[x.processing.slice(0, 2)];
          // Unsettled ones too: after a failed settlement this still shows where the books differ.
          if ((x.settledInBatch !== undefined && x.settledInBatch !== String(batch)) || x.currency !== j.currency || !ledgerMoney(x) || cls === undefined) continue;
          h[`${cls}Count`]++;
          h[`${cls}AmountMinor`] += x.amountMinor;
        }
        for (const [k, v] of Object.entries(h)) if (j[k as keyof typeof h] !== v) p.push(`${cur} ${k}: journal ${j[k as keyof typeof h]}, host ${v}`);
        summary.push(`${cur}: ${j.debitCount} debits ${j.debitAmountMinor}, ${j.debitReversalCount} voids ${j.debitReversalAmountMinor}, ${j.creditCount} refunds ${j.creditAmountMinor}`);
      }
      out.push(verdict("simulator ledger totals == journal totals", p, summary.join('; ') || 'empty batch'));
    }
    if (batch === undefined) out.push(verdict("simulator ledger totals == journal totals", p, ''));
  }
  out.push(verdict('every record passes the data rules (checkRecord)', recordProblems, 'all records'));
  out.push(verdict('receipts: paper out then refill prints each receipt once', [...i.printFaults], 'no print fault'));
  return out;
}

// --- at rest ------------------------------------------------------------------------------

/**
 * Clear PANs: runs of 13-19 digits standing alone that pass Luhn (ISO/IEC 7812-1 Annex B),
 * first digit 1-9 (MII 0 is not issued to card schemes; the journal's zero-padded record
 * keys are such runs). Also every catalogue PAN in ASCII and packed BCD (ISO 8583 binary
 * field 2), the track 2 separator pattern PAN=YYMM, and the exact PIN blocks (field 52)
 * and tracks 2 (field 35) the host received during the run.
 */
function sensitiveIn(bytes: Buffer, where: string, secrets: readonly Buffer[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) if (bytes.includes(secret)) found.push(`${where}: a PIN block or track 2 the host received`);
  for (const text of [bytes.toString('latin1'), bytes.toString('utf16le')]) {
    for (const m of text.matchAll(/(?<!\d)[1-9]\d{12,18}(?!\d)/g)) if (luhnValid(m[0])) found.push(`${where}: Luhn-valid digit run ${m[0].slice(0, 6)}...`);
    if (/\d{13,19}[=D]\d{4}/.test(text)) found.push(`${where}: track 2 pattern`);
  }
  for (const c of TEST_CARDS) {
    const bcd = Buffer.from(c.pan.length % 2 === 0 ? c.pan : c.pan + 'F', 'hex');
    if (bytes.includes(Buffer.from(c.pan, 'latin1')) || bytes.includes(bcd)) found.push(`${where}: PAN of ${c.name}`);
  }
  return found;
}

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

/** After the journal is closed: the chain verifies, and nothing sensitive in the raw files or through `level`. */
checkInvariants.atRest = async function atRest(dataDir: string, deviceKey: DeviceKeyProvider, secrets: readonly Buffer[] = []): Promise<Invariant[]> {
  const report = await verifyJournal(journalDir(dataDir), deviceKey);
  const out: Invariant[] = [verdict('journal chain intact (verifyJournal)', report.ok ? [] : [describeReport(report)], describeReport(report))];
  const p: string[] = [];
  let nFiles = 0;
  for await (const f of files(dataDir)) {
    nFiles++;
    p.push(...sensitiveIn(await readFile(f), path.relative(dataDir, f), secrets));
  }
  // LevelDB compresses its tables (Snappy): a raw scan alone can miss clear data.
  const db = new Level<string, Buffer>(journalDir(dataDir), { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  let entries = 0;
  try {
    for await (const [k, v] of db.iterator()) {
      entries++;
      p.push(...sensitiveIn(Buffer.from(k, 'utf8'), `key ${k}`, secrets), ...sensitiveIn(v, `value of ${k}`, secrets));
    }
  } finally {
    await db.close();
  }
  out.push(verdict('nothing sensitive at rest (raw files and every key/value through level)', p, `${nFiles} files, ${entries} keys and values: no clear PAN, track data, or any of the ${secrets.length} PIN blocks and tracks the host received`));
  return out;
};
