/**
 * The transaction engine (src/txn/types.ts Engine): risk limits, card reading with the
 * chip-first rule (card.ts), write-ahead journaling, host authorisation, reversal, advices,
 * recovery and training, for sale, void, refund, pre-authorisation, completion, pre-auth
 * cancel and balance inquiry (DESIGN "The tap/swipe-to-settle path", "Data rules").
 *
 * Write-ahead (src/journal/README.md "Rules the engine relies on"): the pending record (with
 * the STAN, deferred into the same batch) is durable before the request leaves; the outcome
 * is durable before run() returns. A reversal or an advice is journalled in the same batch
 * as the outcome that makes it owed, so a crash cannot leave one without the other; a
 * pending record without an outcome (a crash between the two writes) is reversed once by
 * recover(). PIN block and KSN go into fields 52/62 of the request only; track data and the
 * expiry date never reach a record; the PAN is only in the sealed `pan` field.
 */
import { randomBytes } from 'node:crypto';
import { decodeTlv, encodeTlv } from '../../emv/ber/tlv.js';
import { toHex } from '../../emv/bytes.js';
import type { HostResponse, OdaVerifier, TerminalConfig } from '../../emv/kernel/types.js';
import { HostError } from '../host/errors.js';
import { transmissionDateTime, type HostClient } from '../host/client.js';
import type { Layout } from '../host/iso8583/layout.js';
import { IsoMessage } from '../host/iso8583/message.js';
import { financialRequest, offlineAdvice, type FinancialFields } from '../host/messages.js';
import type { QueuedMessage } from '../host/store.js';
import { toQueuedRecord, type Journal, type JournalRecord, type TxnOutcomeRecord, type TxnPendingRecord, type EntryMode } from '../journal/index.js';
import { createLogger } from '../log.js';
import type { ReceiptData } from '../receipt/types.js';
import { CURRENCIES } from '../config/keys/merchant.js';
import type { Readers } from './acquire.js';
import { readCard, type CardRead, type TraceSource } from './card.js';
import { NO_LIMITS, VelocityBook, amountOverLimit, cardRef, offlineAllowed, velocityWindowMinutes, type RiskLimits } from './risk.js';
import type { Engine, EngineUi, RecoveryReport, RefusalReason, TxnRequest, TxnResult, TxnSummary } from './types.js';

const log = createLogger('pos:txn');

/** The journal steps a crash test stops at (POS_CRASH_AT): before/after the pending write, after the host's answer, after the outcome write. */
export const CRASH_STEPS = ['before-pending', 'after-pending', 'after-response', 'after-outcome'] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

export interface MerchantIdentity {
  readonly id: string;
  readonly name: string;
  readonly address?: string;
  readonly terminalId: string;
}

export interface EngineDeps {
  readonly journal: Journal;
  /** The acquirer link; its HostStore must be a JournalHostStore on `journal` (reversals and advices owed live in the journal). */
  readonly host: HostClient;
  /** Training mode's host (the embedded simulator), with a store of its own. */
  readonly trainingHost?: HostClient;
  readonly layout: Layout;
  readonly readers: Readers;
  /** The EMV terminal configuration (AIDs, CA keys, capabilities). */
  readonly terminal: TerminalConfig;
  readonly risk?: RiskLimits;
  readonly merchant: MerchantIdentity;
  /** Key of the card reference hash (per-card velocity); 32 random bytes of the terminal. */
  readonly cardRefKey: Uint8Array;
  /** Currencies accepted (ISO 4217 alpha -> numeric, exponent); default CNY, USD, EUR. */
  readonly currencies?: Readonly<Record<string, { readonly numeric: string; readonly exponent: number }>>;
  readonly clock?: () => Date;
  readonly random?: (n: number) => Uint8Array;
  /** Magstripe fallback after a chip failure (acquirer rule); default true. */
  readonly fallbackAllowed?: boolean;
  /** Authorisation response time limit; default the host client's. */
  readonly hostTimeoutMs?: number;
  /** Offline data authentication (tests may pass null); default the kernel's. */
  readonly oda?: OdaVerifier | null;
  /** APDU tracing armed from the console for the next N transactions (src/trace TraceStore); absent: never recorded. */
  readonly traces?: TraceSource;
  /** Test-only: called at each journal step (the crash tests SIGKILL the process there). */
  readonly crashAt?: (step: CrashStep) => void;
}

const APPROVED_RC = new Set(['00', '08', '10', '11']);
/** Host errors where the request never left the terminal: no reversal needed. */
const NOT_SENT = new Set(['HOST_CONNECT', 'HOST_TLS', 'HOST_PACK']);
const JOURNAL_ENTRY: Readonly<Record<string, EntryMode>> = { '05': 'chip', '07': 'contactless', '80': 'fallback', '90': 'swipe', '91': 'contactless', '01': 'manual' };
/** EMV Transaction Type (9C), ISO 8583 processing code positions 1-2. */
const EMV_TYPE: Readonly<Record<string, number>> = { sale: 0x00, preauth: 0x00, balance: 0x31 };

const pad2 = (n: number): string => String(n).padStart(2, '0');

function cryptogramType(cid: number | undefined): string | undefined {
  if (cid === undefined) return undefined;
  const t = cid & 0xc0;
  return t === 0x40 ? 'TC' : t === 0x80 ? 'ARQC' : 'AAC';
}

/** ISO 8583 field 54 (additional amounts): 2 account type, 2 amount type, 3 currency, C/D, 12 digits. */
function balanceOf(field54: string): { amount: number; currency: string } | undefined {
  const m = /^\d{4}(\d{3})([CD])(\d{12})/.exec(field54);
  if (!m) return undefined;
  const alpha = Object.entries(CURRENCIES).find(([, c]) => c.numeric === m[1])?.[0] ?? m[1]!;
  return { amount: (m[2] === 'D' ? -1 : 1) * Number(m[3]), currency: alpha };
}

type Outcome = TxnOutcomeRecord;
type Fields = Omit<TxnPendingRecord, 'type' | 'at'>;

class TxnEngine implements Engine {
  private readonly risk: RiskLimits;
  private readonly velocity: VelocityBook;
  private readonly clock: () => Date;
  private readonly random: (n: number) => Uint8Array;
  private readonly currencies: Readonly<Record<string, { readonly numeric: string; readonly exponent: number }>>;
  /**
   * Where the open batch's outcomes are in the journal: txnId -> seq of its latest outcome,
   * and txnId -> the txnIds whose outcomes refer to it. The records are read back when a
   * void, refund or reprint needs them, so memory stays flat as a batch grows and no PAN
   * stays in memory after its transaction.
   */
  private readonly index = new Map<string, number>();
  private readonly referrers = new Map<string, Set<string>>();
  private last: Outcome | undefined;
  private indexBatch: number | undefined;
  private ready: Promise<void> | undefined;
  private sequence = 0;
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: EngineDeps) {
    this.risk = deps.risk ?? NO_LIMITS;
    this.velocity = new VelocityBook(this.risk);
    this.clock = deps.clock ?? (() => new Date());
    this.random = deps.random ?? ((n) => randomBytes(n));
    this.currencies = deps.currencies ?? CURRENCIES;
  }

  // --- start: the index of the open batch and the velocity window, from the journal ---------

  private init(): Promise<void> {
    this.ready ??= (async () => {
      const j = this.deps.journal;
      this.indexBatch = j.openBatch;
      this.sequence = j.lastSeq;
      // Newest first, only as far back as needed: the open batch (its index), the velocity
      // windows (risk limits), and the last transaction (reprint). Start-up does not grow
      // with the journal's history.
      const openFrom = j.openBatchStart?.seq ?? j.lastSeq + 1;
      const windowFrom = this.clock().getTime() - velocityWindowMinutes(this.risk) * 60_000;
      const found: { seq: number; record: Outcome }[] = [];
      for await (const { seq, record } of j.recordsNewestFirst()) {
        if (record.type !== 'txn-outcome') continue;
        if (seq < openFrom && found.length > 0 && Date.parse(record.at) < windowFrom) break;
        found.push({ seq, record });
      }
      for (const { seq, record } of found.reverse()) this.remember(record, seq);
    })();
    return this.ready;
  }

  private remember(r: Outcome, seq: number): void {
    this.last = r;
    if (r.batch === this.indexBatch) {
      this.index.set(r.txnId, seq);
      if (r.originalTxnId !== undefined) {
        const set = this.referrers.get(r.originalTxnId) ?? new Set<string>();
        this.referrers.set(r.originalTxnId, set.add(r.txnId));
      }
    }
    if (r.result === 'approved' && r.training !== true && (r.txnType === 'sale' || r.txnType === 'completion' || r.txnType === 'preauth')) {
      this.velocity.add(Date.parse(r.at), r.amount, r.cardRef);
    }
  }

  private async openBatchNumber(): Promise<number> {
    const j = this.deps.journal;
    if (j.openBatch !== undefined) return j.openBatch;
    const batch = (j.lastClosedBatch ?? 0) + 1;
    await j.append([{ type: 'batch-open', batch, at: this.clock().toISOString() }]);
    return batch;
  }

  private syncIndexBatch(batch: number): void {
    if (this.indexBatch === batch) return;
    this.indexBatch = batch;
    this.index.clear();
    this.referrers.clear();
  }

  /** The outcome record at journal `seq`. */
  private async outcomeAt(seq: number): Promise<Outcome> {
    for await (const { record } of this.deps.journal.records(seq)) {
      if (record.type === 'txn-outcome') return record;
      break;
    }
    throw new Error(`journal record ${seq} is not a transaction outcome`);
  }

  /** The latest outcomes, in the open batch, of the transactions that refer to `txnId`. */
  private async relatedInBatch(txnId: string): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const id of this.referrers.get(txnId) ?? []) out.push(await this.outcomeAt(this.index.get(id)!));
    return out;
  }

  // --- run ----------------------------------------------------------------------------------

  async run(request: TxnRequest, ui: EngineUi): Promise<TxnResult> {
    try {
      await this.init();
      return await this.runInner(request, ui);
    } catch (err) {
      log.error('transaction failed', { type: request.type, error: (err as Error).message });
      const result: TxnResult = { status: 'failed', reason: `terminal fault: ${(err as Error).message}` };
      ui.event({ kind: 'result', result });
      return result;
    }
  }

  private done(ui: EngineUi, result: TxnResult): TxnResult {
    ui.event({ kind: 'result', result });
    return result;
  }

  private async refuse(ui: EngineUi, request: TxnRequest, reason: RefusalReason, extra: { maskedPan?: string; amount?: number } = {}): Promise<TxnResult> {
    ui.event({ kind: 'refused', reason });
    const event: Record<string, unknown> = { kind: 'txn-refused', reason, txnType: request.type, amount: extra.amount ?? request.amount, currency: request.currency, operator: request.operator };
    if (extra.maskedPan) event.maskedPan = extra.maskedPan;
    if (request.training === true) event.training = true;
    await this.deps.journal.append([{ type: 'audit', at: this.clock().toISOString(), event }]);
    return this.done(ui, { status: 'refused', refusal: reason, reason: `refused: ${reason}` });
  }

  private async runInner(request: TxnRequest, ui: EngineUi): Promise<TxnResult> {
    const cur = this.currencies[request.currency];
    if (!cur) return this.refuse(ui, request, 'currency-not-supported');
    if (!Number.isSafeInteger(request.amount) || request.amount < 0) return this.done(ui, { status: 'failed', reason: 'the amount must be whole minor units' });
    if (request.training === true && !this.deps.trainingHost) return this.done(ui, { status: 'failed', reason: 'training mode has no host' });
    // The batch number is taken now and written with the outcome: hold the batch in between.
    let release: () => void;
    try {
      release = this.deps.journal.holdBatch();
    } catch (err) {
      if ((err as { code?: string }).code === 'JOURNAL_BATCH_CLOSING') return this.refuse(ui, request, 'batch-closing');
      throw err;
    }
    try {
      const batch = await this.openBatchNumber();
      this.syncIndexBatch(batch);
      switch (request.type) {
        case 'sale':
        case 'preauth':
        case 'balance':
          return await this.withCard(request, ui, batch, cur.numeric);
        default:
          return await this.byReference(request, ui, batch, cur.numeric);
      }
    } finally {
      release();
    }
  }

  private newTxnId(): string {
    return `${this.clock().getTime().toString(36)}-${Buffer.from(this.random(4)).toString('hex')}`;
  }

  private async withCard(request: TxnRequest, ui: EngineUi, batch: number, currencyNumeric: string): Promise<TxnResult> {
    const amount = request.type === 'balance' ? 0 : request.amount;
    const money = request.type !== 'balance';
    if (money && amountOverLimit(this.risk, amount)) return this.refuse(ui, request, 'amount-over-limit');
    const now = this.clock();
    if (money) {
      const terminal = this.velocity.check(now.getTime(), amount, undefined);
      if (terminal) return this.refuse(ui, request, terminal);
    }
    const owedAdvices = this.deps.journal.queued('advice');
    const offlineOk = request.training !== true && offlineAllowed(this.risk, amount, owedAdvices, now.getTime());
    const read = await readCard({
      readers: this.deps.readers,
      terminal: this.deps.terminal,
      params: {
        amount,
        currency: Number(currencyNumeric),
        currencyExponent: this.currencies[request.currency]!.exponent,
        type: EMV_TYPE[request.type] ?? 0,
        date: `${pad2(now.getFullYear() % 100)}${pad2(now.getMonth() + 1)}${pad2(now.getDate())}`,
        time: `${pad2(now.getHours())}${pad2(now.getMinutes())}${pad2(now.getSeconds())}`,
        unpredictableNumber: this.random(4),
        sequenceCounter: ++this.sequence % 100_000_000,
        // Store-and-forward caps reached: no offline approval (Book 3 10.6: merchant forced online).
        ...(offlineOk && request.type === 'sale' ? {} : { forcedOnline: true }),
      },
      amount,
      currency: request.currency,
      ui,
      fallbackAllowed: this.deps.fallbackAllowed ?? true,
      today: now,
      ...(this.deps.oda === undefined ? {} : { oda: this.deps.oda }),
      ...(this.deps.traces ? { traces: this.deps.traces } : {}),
    });
    if (read.kind === 'cancelled') return this.done(ui, { status: 'cancelled', reason: 'cancelled' });
    if (read.kind === 'declined') {
      ui.event({ kind: 'card-error', message: read.reason });
      return this.done(ui, { status: 'declined', reason: read.reason });
    }
    const card = read.card;
    try {
      const ref = cardRef(this.deps.cardRefKey, card.pan);
      if (money) {
        const v = this.velocity.check(now.getTime(), amount, ref);
        if (v) return await this.refuse(ui, request, v, { maskedPan: card.maskedPan });
      }
      const k = card.kernel;
      const fields: Fields = {
        txnId: this.newTxnId(),
        txnType: request.type,
        batch,
        amount,
        currency: request.currency,
        scheme: card.scheme,
        pan: card.pan,
        maskedPan: card.maskedPan,
        entryMode: JOURNAL_ENTRY[card.posEntryMode] ?? 'chip',
        posEntryMode: card.posEntryMode,
        operator: request.operator,
        cardRef: ref,
        ...(k?.aid ? { aid: toHex(k.aid) } : {}),
        ...(k ? { tvr: toHex(k.tvr), tsi: toHex(k.tsi) } : {}),
        ...(request.training === true ? { training: true } : {}),
      };
      const extra = this.cardExtras(card, k?.cryptogram, k?.cid);
      if (k?.outcome === 'declined') {
        return await this.finish(ui, { ...fields, ...extra, result: 'declined', responseCode: 'Z1', reason: k.reason ?? 'declined by the card' }, 'declined');
      }
      if (k?.outcome === 'approved') {
        if (!offlineOk) return await this.refuse(ui, request, 'offline-cap', { maskedPan: card.maskedPan });
        return await this.offlineApproval(ui, fields, extra, card, currencyNumeric, 'Y1');
      }
      const fin: FinancialFields = {
        kind: request.type,
        pan: card.pan,
        amountMinor: amount,
        currency: currencyNumeric,
        entryMode: `${card.posEntryMode}1`,
        merchantId: this.deps.merchant.id,
        localTime: now,
        ...(card.expiry ? { expiry: card.expiry } : {}),
        ...(card.panSequence ? { panSequence: card.panSequence } : {}),
        ...(card.track2 ? { track2: card.track2 } : {}),
        ...(k?.field55 ? { iccData: k.field55 } : {}),
        ...(card.pin ? { pinBlock: card.pin.pinBlock, ksn: card.pin.ksn } : {}),
      };
      return await this.online(ui, fields, extra, fin, card);
    } finally {
      card.pin?.pinBlock.fill(0);
      if (card.via === 'insert') await this.deps.readers.contact?.powerDown().catch(() => undefined);
    }
  }

  private cardExtras(card: CardRead, cryptogram: Uint8Array | undefined, cid: number | undefined): Partial<Outcome> {
    const k = card.kernel;
    const out: Partial<Outcome> = { cvm: card.cvm };
    if (k?.applicationLabel) out.applicationLabel = k.applicationLabel;
    if (cryptogram) out.cryptogram = toHex(cryptogram);
    const ct = cryptogramType(cid);
    if (ct) out.cryptogramType = ct;
    return out;
  }

  private hostFor(fields: Fields): HostClient {
    return fields.training === true ? this.deps.trainingHost! : this.deps.host;
  }

  /** One journal batch: the outcome and what it makes owed; then the outcome is remembered. */
  private async commit(outcome: Outcome, owed: JournalRecord[] = []): Promise<void> {
    const { last } = await this.deps.journal.append([...owed, outcome]);
    this.remember(outcome, last);
  }

  private async finish(ui: EngineUi, o: Omit<Outcome, 'type' | 'at'>, status: TxnResult['status'], extra: Partial<TxnResult> = {}, owed: JournalRecord[] = []): Promise<TxnResult> {
    const outcome: Outcome = { type: 'txn-outcome', at: this.clock().toISOString(), ...o };
    await this.commit(outcome, owed);
    this.deps.crashAt?.('after-outcome');
    const result: TxnResult = {
      status,
      txnId: outcome.txnId,
      ...(outcome.responseCode ? { responseCode: outcome.responseCode } : {}),
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...extra,
      // A balance inquiry's receipt prints the balance (not journalled: a reprint shows none).
      receipt: extra.balance ? { ...this.receipt(outcome), balance: extra.balance } : this.receipt(outcome),
    };
    return this.done(ui, result);
  }

  private queued(kind: 'reversal' | 'advice', msg: IsoMessage, id: string): { item: QueuedMessage; record: JournalRecord } {
    const item: QueuedMessage = { id, kind, message: msg.toJSON(), attempts: 0, createdAt: this.clock().toISOString() };
    const record: JournalRecord = { type: kind === 'reversal' ? 'reversal-owed' : 'advice-owed', at: item.createdAt, ...toQueuedRecord(item) };
    return { item, record };
  }

  private flushLater(host: HostClient): void {
    const p = host.flush().catch((err: unknown) => log.warn('messages owed to the host stay queued', { error: (err as Error).message }));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /** The reversal of `original`, owed in the same journal batch as `outcome` (training: the training host's own queue). */
  private async reverse(original: IsoMessage, reason: string, outcome: Outcome): Promise<void> {
    if (outcome.training === true) {
      await this.commit(outcome);
      const p = this.deps.trainingHost!.queueReversal(original, reason).catch(() => undefined);
      this.background.add(p);
      void p.finally(() => this.background.delete(p));
      return;
    }
    // A pre-auth cancel is itself a reversal-class message (0400): what is owed is the cancel, repeated as 0401.
    const rev = original.mti === '0400' ? original.clone() : this.deps.host.reversalFor(original, reason);
    if (original.mti !== '0400') rev.set(11, String(this.deps.journal.deferStan(this.clock().toISOString())).padStart(6, '0'));
    const { record } = this.queued('reversal', rev, `${original.text(11)}-${original.text(7)}`);
    await this.commit(outcome, [record]);
    this.flushLater(this.deps.host);
  }

  private async offlineApproval(ui: EngineUi, fields: Fields, extra: Partial<Outcome>, card: CardRead, currencyNumeric: string, arc: 'Y1' | 'Y3'): Promise<TxnResult> {
    const authCode = arc;
    const fin: FinancialFields = {
      kind: 'sale',
      pan: card.pan,
      amountMinor: fields.amount,
      currency: currencyNumeric,
      entryMode: `${card.posEntryMode}1`,
      merchantId: this.deps.merchant.id,
      ...(card.panSequence ? { panSequence: card.panSequence } : {}),
      ...(card.kernel?.field55 ? { iccData: card.kernel.field55 } : {}),
    };
    const at = this.clock();
    const advice = offlineAdvice(this.deps.layout, fin, authCode);
    advice.set(11, String(this.deps.journal.deferStan(at.toISOString())).padStart(6, '0'));
    advice.set(7, transmissionDateTime(at));
    advice.set(41, this.deps.merchant.terminalId);
    const o: Omit<Outcome, 'type' | 'at'> = { ...fields, ...extra, stan: Number(advice.text(11)), transmittedAt: advice.text(7), mti: '0220', result: 'approved', responseCode: arc, authCode, offline: true };
    const { record } = this.queued('advice', advice, `${advice.text(11)}-${advice.text(7)}`);
    const result = await this.finish(ui, o, 'approved', {}, [record]);
    this.flushLater(this.deps.host);
    return result;
  }

  /** Pending (durable) -> request -> answer -> card completion -> outcome (durable). */
  private async online(ui: EngineUi, fields: Fields, extra: Partial<Outcome>, fin: FinancialFields, card: CardRead | undefined): Promise<TxnResult> {
    const j = this.deps.journal;
    const host = this.hostFor(fields);
    const msg = financialRequest(this.deps.layout, fin);
    const at = this.clock();
    msg.set(11, String(j.deferStan(at.toISOString())).padStart(6, '0'));
    msg.set(7, transmissionDateTime(at));
    msg.set(41, this.deps.merchant.terminalId);
    const refs = { stan: Number(msg.text(11)), transmittedAt: msg.text(7), mti: msg.mti };
    const pending: TxnPendingRecord = { type: 'txn-pending', at: at.toISOString(), ...fields, ...refs };
    this.deps.crashAt?.('before-pending');
    await j.append([pending]);
    this.deps.crashAt?.('after-pending');
    ui.event({ kind: 'authorising' });
    let response: IsoMessage;
    try {
      response = await host.request(msg, { reverseOnTimeout: false, ...(this.deps.hostTimeoutMs === undefined ? {} : { timeoutMs: this.deps.hostTimeoutMs }) });
    } catch (err) {
      const code = err instanceof HostError ? err.code : 'HOST_DISCONNECTED';
      ui.event({ kind: 'host-unavailable' });
      const reason = `host unavailable (${code})`;
      if (NOT_SENT.has(code)) {
        const k = card?.kernel;
        if (k?.complete && fields.txnType === 'sale') {
          // Contact card, request never sent: the card decides with the default action codes (Book 3 10.9: Y3/Z3).
          const final = await k.complete({ kind: 'unable-to-go-online' });
          const fx = this.cardExtras(card!, final.cryptogram, final.cid);
          if (final.outcome === 'approved' && offlineAllowed(this.risk, fields.amount, j.queued('advice'), at.getTime())) {
            return this.offlineApproval(ui, { ...fields, tvr: toHex(final.tvr), tsi: toHex(final.tsi) }, fx, card!, fin.currency, 'Y3');
          }
          return this.finish(ui, { ...fields, ...fx, ...refs, result: 'declined', responseCode: 'Z3', reason }, 'declined');
        }
        return this.finish(ui, { ...fields, ...extra, ...refs, result: 'failed', reason }, 'failed');
      }
      // The host may have approved: reversal owed, journalled with the outcome.
      const outcome: Outcome = { type: 'txn-outcome', at: this.clock().toISOString(), ...fields, ...extra, ...refs, result: fields.txnType === 'preauth-cancel' ? 'approved' : 'reversed', reason };
      await this.reverse(msg, code === 'HOST_TIMEOUT' ? '68' : code === 'HOST_MAC' ? '96' : '91', outcome);
      this.deps.crashAt?.('after-outcome');
      const status = fields.txnType === 'preauth-cancel' ? 'approved' : 'failed';
      return this.done(ui, { status, txnId: outcome.txnId, reason, receipt: this.receipt(outcome) });
    }
    this.deps.crashAt?.('after-response');
    const rc = response.text(39);
    const hostRefs = { responseCode: rc, ...(response.text(37) ? { rrn: response.text(37) } : {}), ...(response.text(38) ? { authCode: response.text(38).trim() } : {}) };
    let approved = APPROVED_RC.has(rc);
    let fx = extra;
    let final = { tvr: fields.tvr, tsi: fields.tsi };
    const k = card?.kernel;
    if (k?.complete) {
      // Contact: the host's answer goes back to the card (Book 3 10.9-10.11).
      const answer: HostResponse = { kind: 'response', arc: rc, ...this.issuerData(response), ...(hostRefs.authCode ? { authorisationCode: hostRefs.authCode } : {}) };
      let done;
      try {
        done = await k.complete(answer);
      } catch (err) {
        done = undefined;
        log.warn('card completion failed', { error: (err as Error).message });
      }
      if (done) {
        fx = this.cardExtras(card!, done.cryptogram ?? k.cryptogram, done.cid ?? k.cid);
        final = { tvr: toHex(done.tvr), tsi: toHex(done.tsi) };
      }
      if (approved && done?.outcome !== 'approved') {
        // Host approved, card declined at the second GENERATE AC (or left): reverse the authorisation.
        const outcome: Outcome = { type: 'txn-outcome', at: this.clock().toISOString(), ...fields, ...final, ...fx, ...refs, ...hostRefs, result: 'reversed', reason: `card declined after host approval: ${done?.reason ?? 'card removed'}` };
        await this.reverse(msg, '06', outcome);
        this.deps.crashAt?.('after-outcome');
        return this.done(ui, { status: 'declined', txnId: outcome.txnId, responseCode: rc, reason: outcome.reason!, receipt: this.receipt(outcome) });
      }
      approved = approved && done?.outcome === 'approved';
    }
    const balance = fields.txnType === 'balance' && approved ? balanceOf(response.text(54)) : undefined;
    return this.finish(
      ui,
      { ...fields, ...final, ...fx, ...refs, ...hostRefs, result: approved ? 'approved' : 'declined', ...(approved ? {} : { reason: `declined by the host (${rc})` }) },
      approved ? 'approved' : 'declined',
      balance ? { balance } : {},
    );
  }

  private issuerData(response: IsoMessage): { issuerAuthenticationData?: Uint8Array; scripts?: Uint8Array } {
    const icc = response.bytes(55);
    if (!icc || icc.length === 0) return {};
    try {
      const out: { issuerAuthenticationData?: Uint8Array; scripts?: Uint8Array } = {};
      const scripts: Uint8Array[] = [];
      for (const n of decodeTlv(icc)) {
        if (n.tag === 0x91) out.issuerAuthenticationData = n.value;
        if (n.tag === 0x71 || n.tag === 0x72) scripts.push(encodeTlv({ tag: n.tag, value: n.value }));
      }
      if (scripts.length > 0) out.scripts = Buffer.concat(scripts);
      return out;
    } catch {
      return {};
    }
  }

  // --- void, refund, completion, pre-auth cancel (by reference to the original) --------------

  /** The outcome of `txnId` and every later outcome that refers to it. */
  private async lookup(txnId: string): Promise<{ original: Outcome; related: Outcome[] } | undefined> {
    const inBatch = this.index.get(txnId);
    if (inBatch !== undefined) return { original: await this.outcomeAt(inBatch), related: await this.relatedInBatch(txnId) };
    let original: Outcome | undefined;
    const related: Outcome[] = [];
    for await (const { record } of this.deps.journal.records()) {
      if (record.type !== 'txn-outcome') continue;
      if (record.txnId === txnId) original = record;
      else if (record.originalTxnId === txnId) related.push(record);
    }
    return original && { original, related };
  }

  private async byReference(request: TxnRequest, ui: EngineUi, batch: number, currencyNumeric: string): Promise<TxnResult> {
    const found = request.originalTxnId === undefined ? undefined : await this.lookup(request.originalTxnId);
    if (!found || found.original.pan === undefined) return this.refuse(ui, request, 'original-not-found');
    const { original: o, related } = found;
    const approvedRelated = related.filter((r) => r.result === 'approved');
    const has = (type: string): boolean => approvedRelated.some((r) => r.txnType === type);
    let amount = request.amount;
    if (o.training === true !== (request.training === true) || o.result !== 'approved' || o.currency !== request.currency) return this.refuse(ui, request, 'original-not-voidable');
    switch (request.type) {
      case 'void':
        if (o.batch !== batch) return this.refuse(ui, request, 'original-not-in-batch');
        if ((o.txnType !== 'sale' && o.txnType !== 'completion') || has('void') || has('refund')) return this.refuse(ui, request, 'original-not-voidable');
        amount = o.amount;
        break;
      case 'refund': {
        if ((o.txnType !== 'sale' && o.txnType !== 'completion') || has('void')) return this.refuse(ui, request, 'original-not-voidable');
        const refunded = approvedRelated.filter((r) => r.txnType === 'refund').reduce((s, r) => s + r.amount, 0);
        if (amount <= 0 || refunded + amount > o.amount) return this.refuse(ui, request, 'refund-over-original');
        break;
      }
      case 'completion':
        if (o.txnType !== 'preauth' || has('completion') || has('preauth-cancel')) return this.refuse(ui, request, 'original-not-voidable');
        if (amount <= 0 || amount > o.amount) return this.refuse(ui, request, 'completion-over-preauth');
        break;
      case 'preauth-cancel':
        if (o.txnType !== 'preauth' || has('completion') || has('preauth-cancel')) return this.refuse(ui, request, 'original-not-voidable');
        amount = o.amount;
        break;
      default:
        return this.done(ui, { status: 'failed', reason: `unknown transaction type ${String(request.type)}` });
    }
    if (amountOverLimit(this.risk, amount) && request.type !== 'void' && request.type !== 'preauth-cancel') return this.refuse(ui, request, 'amount-over-limit', { amount });
    const fields: Fields = {
      txnId: this.newTxnId(),
      txnType: request.type,
      batch,
      amount,
      currency: request.currency,
      scheme: o.scheme,
      pan: o.pan!,
      ...(o.maskedPan ? { maskedPan: o.maskedPan } : {}),
      ...(o.entryMode ? { entryMode: o.entryMode } : {}),
      ...(o.posEntryMode ? { posEntryMode: o.posEntryMode } : {}),
      ...(o.aid ? { aid: o.aid } : {}),
      ...(o.cardRef ? { cardRef: o.cardRef } : {}),
      operator: request.operator,
      originalTxnId: o.txnId,
      ...(request.training === true ? { training: true } : {}),
    };
    const extra: Partial<Outcome> = { cvm: 'no-cvm', ...(o.applicationLabel ? { applicationLabel: o.applicationLabel } : {}), ...(o.rrn ? { originalRrn: o.rrn } : {}), ...(o.authCode ? { originalAuthCode: o.authCode } : {}) };
    const fin: FinancialFields = {
      kind: request.type,
      pan: o.pan!,
      amountMinor: amount,
      currency: currencyNumeric,
      entryMode: `${o.posEntryMode ?? '01'}1`,
      merchantId: this.deps.merchant.id,
      localTime: this.clock(),
      original: { mti: o.mti ?? '0200', stan: String(o.stan ?? 0), transmittedAt: o.transmittedAt ?? '0', ...(o.rrn ? { rrn: o.rrn } : {}), ...(o.authCode ? { authCode: o.authCode } : {}) },
    };
    return this.online(ui, fields, extra, fin, undefined);
  }

  // --- receipts and summaries ----------------------------------------------------------------

  private receipt(o: Outcome): ReceiptData {
    const m = this.deps.merchant;
    return {
      merchant: { name: m.name, merchantId: m.id, terminalId: m.terminalId, ...(m.address ? { address: m.address } : {}) },
      at: o.at,
      txnType: o.txnType,
      result: o.result,
      amount: o.amount,
      currency: o.currency,
      maskedPan: o.maskedPan ?? '',
      scheme: o.scheme,
      entryMode: o.posEntryMode ?? '',
      cvm: o.cvm ?? 'no-cvm',
      batch: o.batch,
      txnId: o.txnId,
      ...(o.aid ? { aid: o.aid } : {}),
      ...(o.applicationLabel ? { applicationLabel: o.applicationLabel } : {}),
      ...(o.tvr ? { tvr: o.tvr } : {}),
      ...(o.tsi ? { tsi: o.tsi } : {}),
      ...(o.cryptogram ? { cryptogram: o.cryptogram } : {}),
      ...(o.cryptogramType ? { cryptogramType: o.cryptogramType } : {}),
      ...(o.authCode ? { authCode: o.authCode } : {}),
      ...(o.rrn ? { rrn: o.rrn } : {}),
      ...(o.stan !== undefined ? { stan: o.stan } : {}),
      ...(o.responseCode ? { responseCode: o.responseCode } : {}),
      ...(o.originalTxnId ? { original: { txnId: o.originalTxnId, ...(o.originalRrn ? { rrn: o.originalRrn } : {}), ...(o.originalAuthCode ? { authCode: o.originalAuthCode } : {}) } } : {}),
      ...(o.operator ? { operator: o.operator } : {}),
      ...(o.training === true ? { training: true } : {}),
      ...(o.offline === true ? { offline: true } : {}),
    };
  }

  private summary(o: Outcome, related: readonly Outcome[]): TxnSummary {
    const voided = o.result === 'approved' && related.some((r) => r.originalTxnId === o.txnId && r.result === 'approved' && (r.txnType === 'void' || r.txnType === 'preauth-cancel'));
    const result = voided ? 'voided' : o.result;
    return {
      txnId: o.txnId,
      type: o.txnType,
      result,
      amount: o.amount,
      currency: o.currency,
      ...(o.maskedPan ? { maskedPan: o.maskedPan } : {}),
      at: o.at,
      batch: o.batch,
      training: o.training === true,
      receipt: { ...this.receipt(o), result },
    };
  }

  async find(txnId: string | 'last'): Promise<TxnSummary | undefined> {
    await this.init();
    if (txnId === 'last') return this.last && this.summary(this.last, await this.relatedInBatch(this.last.txnId));
    const found = await this.lookup(txnId);
    return found && this.summary(found.original, found.related);
  }

  async findByTrace(stan: number): Promise<TxnSummary | undefined> {
    await this.init();
    let txnId: string | undefined;
    for await (const { record } of this.deps.journal.records()) if (record.type === 'txn-outcome' && record.stan === stan && record.result === 'approved') txnId = record.txnId;
    return txnId === undefined ? undefined : this.find(txnId);
  }

  async openBatch(): Promise<TxnSummary[]> {
    await this.init();
    const batch = this.deps.journal.openBatch;
    if (batch === undefined) return [];
    this.syncIndexBatch(batch);
    // Read back from the journal (a pick list is rare; the open batch is not kept in memory).
    const latest = new Map<string, Outcome>();
    const from = this.deps.journal.openBatchStart?.seq ?? 1;
    for await (const { record } of this.deps.journal.records(from)) if (record.type === 'txn-outcome' && record.batch === batch) latest.set(record.txnId, record);
    const all = [...latest.values()];
    return all.map((o) => this.summary(o, all)).reverse();
  }

  // --- recovery --------------------------------------------------------------------------------

  /** The request a pending record stood for, rebuilt for its reversal (STAN and time as sent). */
  private rebuild(p: TxnPendingRecord): IsoMessage {
    const cur = this.currencies[p.currency];
    const msg = financialRequest(this.deps.layout, {
      kind: p.txnType,
      pan: p.pan ?? '',
      amountMinor: p.amount,
      currency: cur?.numeric ?? '000',
      entryMode: `${p.posEntryMode ?? '01'}1`,
      merchantId: this.deps.merchant.id,
    });
    if (p.mti) msg.mti = p.mti;
    msg.set(11, String(p.stan ?? 0).padStart(6, '0'));
    msg.set(7, p.transmittedAt ?? transmissionDateTime(new Date(p.at)));
    msg.set(41, this.deps.merchant.terminalId);
    return msg;
  }

  async recover(): Promise<RecoveryReport> {
    await this.init();
    const j = this.deps.journal;
    let reversed = 0;
    for (const p of j.pending()) {
      const msg = this.rebuild(p);
      const { type: _type, ...rest } = p;
      const outcome: Outcome = { ...rest, type: 'txn-outcome', at: this.clock().toISOString(), result: p.txnType === 'preauth-cancel' ? 'approved' : 'reversed', reason: 'unfinished at restart: reversed' };
      if (p.training !== true && j.queuedRecord('reversal', `${msg.text(11)}-${msg.text(7)}`)) await this.commit(outcome);
      else await this.reverse(msg, '68', outcome);
      reversed++;
    }
    const advicesBefore = j.queued('advice').length;
    await this.settle();
    await this.deps.host.flush().catch((err: unknown) => log.warn('messages owed to the host stay queued', { error: (err as Error).message }));
    if (this.deps.trainingHost) await this.deps.trainingHost.flush().catch(() => undefined);
    const advicesOwed = j.queued('advice').length;
    return { reversed, advicesSent: Math.max(0, advicesBefore - advicesOwed), stillOwed: advicesOwed + j.queued('reversal').length };
  }

  /** Waits for the background flushes started by transactions. */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  async close(): Promise<void> {
    await this.settle();
  }
}

/** The engine for `pos run` and the tests; deps are explicit (see {@link EngineDeps}). */
export function createEngine(deps: EngineDeps): Engine & { settle(): Promise<void> } {
  return new TxnEngine(deps);
}

/** The crash-test hook from POS_CRASH_AT (tests only): SIGKILLs the process at that step. */
export function crashHookFromEnv(env: NodeJS.ProcessEnv = process.env): ((step: CrashStep) => void) | undefined {
  const at = env.POS_CRASH_AT;
  if (at === undefined || at === '') return undefined;
  return (step) => {
    if (step === at) process.kill(process.pid, 'SIGKILL');
  };
}
