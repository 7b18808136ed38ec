/**
 * Settlement on the journal and the host link: owed reversals and advices first, then one
 * 0500 per currency with the batch totals from the journal's running totals (no rescan),
 * a batch upload (0320) and a second 0500 when the host answers 95, and the batch closed
 * (batch-close + batch-open of the next number in one durable append) once every currency
 * balanced. The host out of reach leaves the batch open.
 */
import { CURRENCIES } from '../config/keys/merchant.js';
import { HostError } from '../host/errors.js';
import type { IsoMessage } from '../host/iso8583/message.js';
import type { Layout } from '../host/iso8583/layout.js';
import { batchUploadItem, reconciliation, type BatchTotals as IsoBatchTotals, type FinancialFields } from '../host/messages.js';
import type { Journal } from '../journal/journal.js';
import type { EntryMode, JournalRecord, TxnOutcomeRecord } from '../journal/records.js';
import { summarise, TXN_SIGN, type BatchTotals, type BatchTotalsState } from '../journal/totals.js';
import { createLogger } from '../log.js';
import { SettleError } from './errors.js';
import type { SettleResult, Settlement } from './types.js';

const log = createLogger('pos:settle');

/** What settlement needs of the host link (src/host/client.ts HostClient). */
export interface SettlementHost {
  request(msg: IsoMessage, options?: { reverseOnTimeout?: boolean }): Promise<IsoMessage>;
  flush(): Promise<void>;
}

export interface JournalSettlementOptions {
  journal: Journal;
  host: SettlementHost;
  layout: Layout;
  /** Card acceptor ID (field 42). */
  merchantId: string;
  /** ISO 4217 alpha code of the 0500 of an empty batch (the terminal's currency). */
  currency: string;
  /** Merchant discount rate per scheme in percent (config fees.mdrPercent), read at each report. */
  mdrPercent?: () => Readonly<Record<string, number>>;
  now?: () => Date;
}

// ISO 8583 field 22, as src/host/messages.ts documents it.
const ENTRY_MODE: Readonly<Record<EntryMode, string>> = { contactless: '071', chip: '051', swipe: '901', fallback: '801', manual: '012' };

function numericCurrency(alpha: string): string {
  const c = (CURRENCIES as Readonly<Record<string, { numeric: string } | undefined>>)[alpha];
  if (c === undefined) throw new SettleError('SETTLE_CURRENCY', `currency ${alpha} has no ISO 4217 numeric code here`);
  return c.numeric;
}

/**
 * The 0500 totals of one currency from the running rows: sales and completions are debits
 * (76/88), voids debit reversals (77/89), refunds credits (74/86); pre-authorisations and
 * balance inquiries move no money and are not sent.
 */
export function isoTotals(state: BatchTotalsState, currency: string): IsoBatchTotals {
  const t: IsoBatchTotals = { batchNumber: state.batch, currency: numericCurrency(currency), creditCount: 0, creditAmountMinor: 0, creditReversalCount: 0, creditReversalAmountMinor: 0, debitCount: 0, debitAmountMinor: 0, debitReversalCount: 0, debitReversalAmountMinor: 0 };
  for (const [key, row] of Object.entries(state.rows)) {
    const [cur, , type] = key.split('|');
    if (cur !== currency) continue;
    if (type === 'sale' || type === 'completion') {
      t.debitCount += row.count;
      t.debitAmountMinor += row.amount;
    } else if (type === 'void') {
      t.debitReversalCount += row.count;
      t.debitReversalAmountMinor += row.amount;
    } else if (type === 'refund') {
      t.creditCount += row.count;
      t.creditAmountMinor += row.amount;
    }
  }
  return t;
}

/** Currencies with a money-moving row, sorted. */
function batchCurrencies(state: BatchTotalsState): string[] {
  const out = new Set<string>();
  for (const key of Object.keys(state.rows)) {
    const [cur, , type] = key.split('|');
    if (cur !== undefined && TXN_SIGN[type as keyof typeof TXN_SIGN] !== 0) out.add(cur);
  }
  return [...out].sort();
}

class HostDown extends Error {}

function validDate(text: string): Date | undefined {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export class JournalSettlement implements Settlement {
  #running = false;

  constructor(private readonly options: JournalSettlementOptions) {}

  #now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  #rates(): Readonly<Record<string, number>> {
    return this.options.mdrPercent?.() ?? {};
  }

  async report(kind: 'x' | 'z'): Promise<BatchTotals | undefined> {
    const j = this.options.journal;
    if (kind === 'z') return j.lastClosedBatch === undefined ? undefined : j.totals(j.lastClosedBatch, this.#rates());
    return j.totals(j.openBatch ?? (j.lastClosedBatch ?? 0) + 1, this.#rates());
  }

  async settle(options: { readonly operator: string; readonly trigger: 'manual' | 'schedule' }): Promise<SettleResult> {
    if (this.#running) throw new SettleError('SETTLE_BUSY', 'a settlement is already running');
    let release: () => void;
    try {
      release = this.options.journal.closeBatchGate();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'JOURNAL_BATCH_HELD') throw new SettleError('SETTLE_PENDING', (err as Error).message);
      if (code === 'JOURNAL_BATCH_CLOSING') throw new SettleError('SETTLE_BUSY', 'a settlement is already running');
      throw err;
    }
    this.#running = true;
    try {
      return await this.#settle(options);
    } finally {
      this.#running = false;
      release();
    }
  }

  async #settle(options: { readonly operator: string; readonly trigger: 'manual' | 'schedule' }): Promise<SettleResult> {
    const j = this.options.journal;
    const pending = j.pending();
    if (pending.length > 0) throw new SettleError('SETTLE_PENDING', `${pending.length} transaction(s) pending in the journal: finish or reverse them before settling`);
    const batch = j.openBatch ?? (j.lastClosedBatch ?? 0) + 1;
    const state = await j.batchTotals(batch);
    const totals = summarise(state, this.#rates());
    let uploaded = 0;
    let responseCode: string | undefined;
    const result = (status: SettleResult['status']): SettleResult => ({ status, batch, ...(responseCode !== undefined ? { responseCode } : {}), uploaded, totals });
    try {
      await this.#hostCall(() => this.options.host.flush());
      // A reversal or advice the host did not acknowledge would put its totals and ours apart.
      if (j.queued('reversal').length > 0 || j.queued('advice').length > 0) throw new HostDown('messages owed to the host are still queued');
      const currencies = batchCurrencies(state);
      let status: SettleResult['status'] = currencies.length === 0 ? 'empty' : 'in-balance';
      for (const currency of currencies.length > 0 ? currencies : [this.options.currency]) {
        const iso = isoTotals(state, currency);
        responseCode = await this.#reconcile(iso, currency, 0, 0, options);
        if (responseCode === '00') continue;
        if (responseCode !== '95') return result('refused');
        const sent = await this.#upload(batch, currency);
        uploaded += sent;
        responseCode = await this.#reconcile(iso, currency, 1, sent, options);
        if (responseCode !== '00') return result('refused');
        status = 'balanced-after-upload';
      }
      await j.appendComputed((jj) => {
        if (jj.openBatch !== undefined && jj.openBatch !== batch) throw new SettleError('SETTLE_BUSY', `batch ${batch} is no longer the open batch`);
        const at = this.#now().toISOString();
        const records: JournalRecord[] = [
          { type: 'batch-close', batch, at },
          { type: 'batch-open', batch: batch + 1, at },
        ];
        return { records, result: undefined };
      });
      log.info('batch settled', { batch, status, uploaded });
      return result(status);
    } catch (err) {
      if (!(err instanceof HostDown)) throw err;
      log.warn('settlement: host unavailable, the batch stays open', { batch, error: err.message });
      return result('host-unavailable');
    }
  }

  /** Runs a host call; connection failures and timeouts become HostDown (the batch stays open). */
  async #hostCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof HostError) throw new HostDown(`${err.code}: ${err.message}`);
      throw err;
    }
  }

  /** One 0500 and its journal record; resolves field 39 of the 0510. */
  async #reconcile(iso: IsoBatchTotals, currency: string, attempt: number, uploaded: number, options: { operator: string; trigger: 'manual' | 'schedule' }): Promise<string> {
    const msg = reconciliation(iso, this.options.merchantId);
    const res = await this.#hostCall(() => this.options.host.request(msg, { reverseOnTimeout: false }));
    const rc = res.text(39);
    await this.options.journal.append([
      { type: 'settlement', batch: iso.batchNumber, responseCode: rc, inBalance: rc === '00', attempt, currency, uploaded, trigger: options.trigger, operator: options.operator, at: this.#now().toISOString() },
    ]);
    return rc;
  }

  /**
   * 0320 for every approved, non-training, money-moving transaction of the batch in
   * `currency`, read from the batch-open record on (pending records give the PAN and entry
   * mode; only transactions still in flight are held in memory).
   */
  async #upload(batch: number, currency: string): Promise<number> {
    const j = this.options.journal;
    const start = j.openBatch === batch ? j.openBatchStart : undefined;
    if (start === undefined) return 0;
    const numeric = numericCurrency(currency);
    const cards = new Map<string, { pan?: string; entryMode?: EntryMode; stan?: number }>();
    let sent = 0;
    for await (const { record: r } of j.records(start.seq)) {
      if (r.type === 'txn-pending') {
        cards.set(r.txnId, { ...(r.pan !== undefined ? { pan: r.pan } : {}), ...(r.entryMode !== undefined ? { entryMode: r.entryMode } : {}), ...(r.stan !== undefined ? { stan: r.stan } : {}) });
        continue;
      }
      if (r.type !== 'txn-outcome') continue;
      const card = cards.get(r.txnId);
      cards.delete(r.txnId);
      if (!this.#uploads(r, batch, currency)) continue;
      const pan = r.pan ?? card?.pan;
      if (pan === undefined) {
        log.warn('batch upload: no PAN for a transaction, not uploaded', { txnId: r.txnId });
        continue;
      }
      const fields: FinancialFields = { kind: r.txnType, pan, amountMinor: r.amount, currency: numeric, entryMode: ENTRY_MODE[r.entryMode ?? card?.entryMode ?? 'chip'], merchantId: this.options.merchantId, localTime: validDate(r.at) ?? this.#now() };
      const stan = String(r.stan ?? card?.stan ?? 0).padStart(6, '0');
      const msg = batchUploadItem(this.options.layout, fields, { stan, rrn: r.rrn ?? ''.padStart(12, '0'), authCode: r.authCode ?? '' });
      await this.#hostCall(() => this.options.host.request(msg, { reverseOnTimeout: false }));
      sent++;
    }
    return sent;
  }

  #uploads(r: TxnOutcomeRecord, batch: number, currency: string): boolean {
    return r.result === 'approved' && r.training !== true && r.batch === batch && r.currency === currency && TXN_SIGN[r.txnType] !== 0;
  }
}
