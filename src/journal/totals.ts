/**
 * Batch totals: count and amount per currency, scheme and transaction type, kept as running
 * rows updated in the same LevelDB batch as the records they count (so settlement reads
 * them instead of rescanning), and the merchant fee per configured MDR.
 */
import type { JournalRecord, TxnType } from './records.js';

/** How an approved transaction type moves the merchant's money: +1 in, -1 out, 0 not at all. */
export const TXN_SIGN: Readonly<Record<TxnType, 1 | -1 | 0>> = {
  sale: 1,
  completion: 1,
  refund: -1,
  void: -1,
  preauth: 0,
  'preauth-cancel': 0,
  balance: 0,
};

/** One running row: `${currency}|${scheme}|${txnType}` -> count and amount (minor units, positive). */
export interface TotalsRow {
  count: number;
  amount: number;
}

/** What the journal stores per batch (sealed, key `t!<batch>`). */
export interface BatchTotalsState {
  batch: number;
  rows: Record<string, TotalsRow>;
}

/** Adds one record to the rows when it counts: an approved, non-training transaction outcome. */
export function addToTotals(state: BatchTotalsState, record: JournalRecord): boolean {
  if (record.type !== 'txn-outcome' || record.result !== 'approved' || record.training === true) return false;
  const key = `${record.currency}|${record.scheme}|${record.txnType}`;
  const row = (state.rows[key] ??= { count: 0, amount: 0 });
  row.count++;
  row.amount += record.amount;
  return true;
}

export interface AmountCount {
  count: number;
  /** Sum of the amounts, minor units. */
  amount: number;
}

export interface SchemeTotals {
  /** Transactions that move money (sales, completions, refunds, voids). */
  count: number;
  /** Net amount: sales and completions minus refunds and voids, minor units. */
  net: number;
  byType: Record<string, AmountCount>;
  /** MDR in percent, when configured for the scheme. */
  mdrPercent?: number;
  /** The merchant fee on `net`, minor units (see {@link mdrFee}). */
  fee?: number;
}

export interface CurrencyTotals {
  count: number;
  net: number;
  byType: Record<string, AmountCount>;
  byScheme: Record<string, SchemeTotals>;
  /** Sum of the schemes' fees, minor units (when any rate is configured). */
  fee?: number;
}

/** The totals of one batch, as the X and Z reports show them. */
export interface BatchTotals {
  batch: number;
  byCurrency: Record<string, CurrencyTotals>;
}

/**
 * The merchant fee of `amount` minor units at `percent` (up to 4 decimals): exact integer
 * arithmetic on the rate in millionths, rounded half away from zero to a whole minor unit.
 * A negative net (more refunds than sales) gives a negative fee.
 */
export function mdrFee(amount: number, percent: number): number {
  const millionths = BigInt(Math.round(percent * 10_000));
  const product = BigInt(amount) * millionths;
  const abs = product < 0n ? -product : product;
  const rounded = (abs + 500_000n) / 1_000_000n;
  return Number(product < 0n ? -rounded : rounded);
}

/** Turns the running rows of a batch into the report's shape, with fees from the configured rates. */
export function summarise(state: BatchTotalsState, mdrPercent: Readonly<Record<string, number>> = {}): BatchTotals {
  const byCurrency: Record<string, CurrencyTotals> = {};
  for (const [key, row] of Object.entries(state.rows).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [currency, scheme, type] = key.split('|') as [string, string, TxnType];
    const sign = TXN_SIGN[type] ?? 0;
    const cur = (byCurrency[currency] ??= { count: 0, net: 0, byType: {}, byScheme: {} });
    const sch = (cur.byScheme[scheme] ??= { count: 0, net: 0, byType: {} });
    for (const t of [cur.byType, sch.byType]) {
      const c = (t[type] ??= { count: 0, amount: 0 });
      c.count += row.count;
      c.amount += row.amount;
    }
    if (sign !== 0) {
      cur.count += row.count;
      sch.count += row.count;
      cur.net += sign * row.amount;
      sch.net += sign * row.amount;
    }
  }
  for (const cur of Object.values(byCurrency)) {
    for (const [scheme, sch] of Object.entries(cur.byScheme)) {
      const rate = mdrPercent[scheme];
      if (rate === undefined) continue;
      sch.mdrPercent = rate;
      sch.fee = mdrFee(sch.net, rate);
      cur.fee = (cur.fee ?? 0) + sch.fee;
    }
  }
  return { batch: state.batch, byCurrency };
}

export function sameRows(a: Record<string, TotalsRow>, b: Record<string, TotalsRow>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length) return false;
  return ka.every((k, i) => k === kb[i] && a[k]!.count === b[k]!.count && a[k]!.amount === b[k]!.amount);
}
