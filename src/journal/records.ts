/**
 * The journal's record types as typed data, and the guard that keeps data which must never
 * be stored (DESIGN "Data rules": track data, CVV, PIN, PIN block; a PAN only encrypted)
 * out of every record. Records are sealed whole with AES-256-GCM, so the `pan` field is
 * stored encrypted; the guard still refuses a clear PAN anywhere else so that it cannot
 * reach a key, a totals record, a log line or a report by accident.
 */
import { luhnValid } from '../../emv/track/pan.js';
import type { QueuedMessage } from '../host/store.js';
import { JournalError } from './errors.js';

export type TxnType = 'sale' | 'refund' | 'void' | 'preauth' | 'completion' | 'preauth-cancel' | 'balance';
export type TxnResult = 'approved' | 'declined' | 'reversed' | 'voided' | 'refunded' | 'failed' | 'cancelled';
export type EntryMode = 'contactless' | 'chip' | 'swipe' | 'fallback' | 'manual';

/** Fields every record has. */
export interface RecordBase {
  /** ISO 8601 time the record was made. */
  at: string;
  /** Training mode: kept out of settlement and totals. */
  training?: boolean;
}

/** What the terminal knows about a transaction before it asks the host. */
export interface TxnFields {
  /** The engine's id of the transaction (unique in the journal). */
  txnId: string;
  txnType: TxnType;
  batch: number;
  /** Integer minor units of `currency` (ISO 4217 exponent). */
  amount: number;
  /** ISO 4217 alpha code. */
  currency: string;
  /** Card scheme in lower case (unionpay, visa, mastercard, ...). */
  scheme: string;
  /** The full PAN: only here, sealed with the record. */
  pan?: string;
  /** First 6 and last 4 (emv/track/pan.ts maskPan). */
  maskedPan?: string;
  entryMode?: EntryMode;
  /** AID, uppercase hex. */
  aid?: string;
  tvr?: string;
  tsi?: string;
  stan?: number;
  operator?: string;
  /** The original transaction of a void, refund or completion. */
  originalTxnId?: string;
  /** ISO 8583 field 22 positions 1-2 (05 chip, 07 contactless, 80 fallback, 90 stripe, 91 contactless stripe). */
  posEntryMode?: string;
  /** The request's MTI and transmission date and time (field 7, MMDDhhmmss): a reversal or void names the original by them. */
  mti?: string;
  transmittedAt?: string;
  /** Keyed hash of the PAN (never the PAN): per-card velocity. */
  cardRef?: string;
}

export type TxnPendingRecord = RecordBase & TxnFields & { type: 'txn-pending' };

export type TxnOutcomeRecord = RecordBase &
  TxnFields & {
    type: 'txn-outcome';
    result: TxnResult;
    authCode?: string;
    rrn?: string;
    /** ISO 8583 field 39. */
    responseCode?: string;
    /** Approved offline, an advice is owed. */
    offline?: boolean;
    /** What a reprint needs besides the fields above (never the expiry, track data or PIN). */
    applicationLabel?: string;
    /** Uppercase hex, and its type: ARQC, TC, AAC. */
    cryptogram?: string;
    cryptogramType?: string;
    cvm?: 'online-pin' | 'offline-pin' | 'signature' | 'cdcvm' | 'no-cvm';
    /** The original's RRN and auth code (void, refund, completion, pre-auth cancel). */
    originalRrn?: string;
    originalAuthCode?: string;
    /** Why, in words (never card data): a decline's or failure's reason. */
    reason?: string;
  };

/**
 * A message owed to the host (the host link's queue). The ISO 8583 fields are kept in `iso`
 * except field 2 (moved to `pan`) and 55 (moved to `icc`); fields 35, 45 and 52 (track
 * data, PIN block) are never stored.
 */
export interface QueuedRecordFields {
  item: Omit<QueuedMessage, 'message'> & { mti: string };
  iso: Record<string, string>;
  pan?: string;
  /** ISO 8583 field 55, uppercase hex (ICC data may hold the PAN in tag 5A: sealed like `pan`). */
  icc?: string;
}

export type ReversalOwedRecord = RecordBase & QueuedRecordFields & { type: 'reversal-owed' };
export type AdviceOwedRecord = RecordBase & QueuedRecordFields & { type: 'advice-owed' };
export type QueueUpdateRecord = RecordBase & QueuedRecordFields & { type: 'queue-update' };
export type ReversalDoneRecord = RecordBase & { type: 'reversal-done'; id: string };
export type AdviceSentRecord = RecordBase & { type: 'advice-sent'; id: string };
/** The host link's System Trace Audit Number, recorded before it is used. */
export type StanRecord = RecordBase & { type: 'stan'; stan: number };
export type BatchOpenRecord = RecordBase & { type: 'batch-open'; batch: number };
export type BatchCloseRecord = RecordBase & { type: 'batch-close'; batch: number };
/** An audit event (the console's AuditSink, or {@link JournalAuditSink}). */
export type AuditJournalRecord = RecordBase & { type: 'audit'; event: Record<string, unknown> };
/** The result of a 0500 reconciliation. */
export type SettlementRecord = RecordBase & {
  type: 'settlement';
  batch: number;
  /** ISO 8583 field 39 of the 0510. */
  responseCode: string;
  inBalance: boolean;
  /** 0 for the first 0500, 1 for the one after a batch upload. */
  attempt?: number;
  /** ISO 4217 alpha code of the totals reconciled (one 0500 per currency). */
  currency?: string;
  /** Transactions sent in the batch upload before this 0500. */
  uploaded?: number;
  trigger?: 'manual' | 'schedule';
  operator?: string;
};

export type JournalRecord =
  | TxnPendingRecord
  | TxnOutcomeRecord
  | ReversalOwedRecord
  | ReversalDoneRecord
  | AdviceOwedRecord
  | AdviceSentRecord
  | QueueUpdateRecord
  | StanRecord
  | BatchOpenRecord
  | BatchCloseRecord
  | AuditJournalRecord
  | SettlementRecord;

export type RecordType = JournalRecord['type'];

const TYPES: ReadonlySet<string> = new Set<RecordType>([
  'txn-pending',
  'txn-outcome',
  'reversal-owed',
  'reversal-done',
  'advice-owed',
  'advice-sent',
  'queue-update',
  'stan',
  'batch-open',
  'batch-close',
  'audit',
  'settlement',
]);

/**
 * Field names that must never be stored: track data (ISO 8583 fields 35/36/45, EMV tag 57
 * track 2 equivalent), card verification values, PINs and PIN blocks (field 52), and the
 * EMV PAN tag 5A in clear.
 */
const FORBIDDEN_NAME = /^(track\d?|track\d?data|trackdata|magstripe|cvv\d?|cvc\d?|cvv2|cvc2|cav2|icvv|pin|pinblock|pin_block|pin-block|clearpin|pvv|57|5a|35|36|45|52)$/i;
/** Names that contain one of these words are refused as well (e.g. `track2Equivalent`, `encryptedPinBlock`). */
const FORBIDDEN_PART = /(track|cvv|cvc|pinblock|pin_block|pin-block)/i;
/** Fields sealed with the record that may carry the PAN. */
const PAN_FIELDS: ReadonlySet<string> = new Set(['pan', 'icc']);
/**
 * Byte strings the engine stores as uppercase hex, by their exact length in hex digits:
 * the application cryptogram (9F26, b8, EMV Book 3 Annex A). Any 8 bytes are a valid
 * cryptogram, so about one in 2,000 ARQCs reads as 16 decimal digits and one in ten of
 * those passes Luhn: the digit-run check would refuse a host-approved sale's outcome.
 * These fields are checked for their shape instead (a PAN is not 16 hex digits of a field
 * filled from the card's 9F26).
 */
const HEX_FIELDS: ReadonlyMap<string, number> = new Map([['cryptogram', 16]]);
/** ISO 8583 fields that carry card data: never in `iso` (2 goes to `pan`, 55 to `icc`, the rest is never stored). */
const ISO_CARD_FIELDS: ReadonlySet<string> = new Set(['2', '35', '36', '45', '52', '55']);

// A PAN is 13-19 digits standing alone (track data puts a separator after it); longer
// digit strings (ISO 8583 field 90, dates) are not card numbers.
const DIGIT_RUN = /(?<!\d)\d{13,19}(?!\d)/g;

/** True when `text` holds a run of 13-19 digits, not part of a longer run, that passes Luhn. */
export function containsClearPan(text: string): boolean {
  for (const m of text.matchAll(DIGIT_RUN)) if (luhnValid(m[0])) return true;
  return false;
}

function scan(value: unknown, path: string, depth: number): void {
  if (depth > 16) throw new JournalError('JOURNAL_RECORD', `${path}: nested too deeply`);
  if (typeof value === 'string') {
    // Fewer than 13 characters cannot hold a PAN (the common case: skip the regular expression).
    if (value.length >= 13 && containsClearPan(value)) throw new JournalError('JOURNAL_SENSITIVE', `${path}: holds a card number in clear (only the field "pan" may)`);
    return;
  }
  if (typeof value === 'number' && Math.abs(value) >= 1e12 && Number.isInteger(value) && containsClearPan(String(value))) {
    throw new JournalError('JOURNAL_SENSITIVE', `${path}: holds a card number in clear (only the field "pan" may)`);
  }
  if (value === null || typeof value !== 'object') return;
  if (value instanceof Uint8Array) throw new JournalError('JOURNAL_RECORD', `${path}: bytes must be stored as uppercase hex`);
  for (const [k, v] of Object.entries(value)) {
    const where = path ? `${path}.${k}` : k;
    if (FORBIDDEN_NAME.test(k) || FORBIDDEN_PART.test(k)) throw new JournalError('JOURNAL_SENSITIVE', `${where}: a field named like track data, CVV, PIN or PIN block is never stored`);
    if (k === 'iso' && depth === 0) {
      // Positional ISO 8583 data: card data can only be in the fields refused here.
      if (typeof v !== 'object' || v === null) throw new JournalError('JOURNAL_RECORD', 'iso: expected an object of field -> text');
      for (const [id, text] of Object.entries(v)) {
        if (ISO_CARD_FIELDS.has(id)) throw new JournalError('JOURNAL_SENSITIVE', `iso.${id}: ISO 8583 field ${id} carries card data and is never stored here`);
        if (typeof text !== 'string') throw new JournalError('JOURNAL_RECORD', `iso.${id}: expected text`);
      }
      continue;
    }
    const hexLength = depth === 0 ? HEX_FIELDS.get(k) : undefined;
    if (hexLength !== undefined && v !== undefined) {
      if (typeof v !== 'string' || v.length !== hexLength || !/^[0-9A-F]+$/.test(v)) throw new JournalError('JOURNAL_RECORD', `${where}: expected ${hexLength / 2} bytes as uppercase hex`);
      continue;
    }
    if (PAN_FIELDS.has(k) && depth === 0) {
      if (v !== undefined && typeof v !== 'string') throw new JournalError('JOURNAL_RECORD', `${where}: expected a string`);
      continue;
    }
    scan(v, where, depth + 1);
  }
}

function needInteger(r: Record<string, unknown>, field: string, type: string): void {
  if (!Number.isSafeInteger(r[field])) throw new JournalError('JOURNAL_RECORD', `${type}: ${field} must be an integer (minor units, sequence or batch number), got ${JSON.stringify(r[field])}`);
}

function needString(r: Record<string, unknown>, field: string, type: string): void {
  if (typeof r[field] !== 'string' || r[field] === '') throw new JournalError('JOURNAL_RECORD', `${type}: ${field} must be a non-empty string`);
}

/**
 * Checks a record before it is sealed: a known type, its required fields, integer money,
 * and nothing that must never be stored. Throws JOURNAL_RECORD or JOURNAL_SENSITIVE.
 */
export function checkRecord(record: unknown): asserts record is JournalRecord {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new JournalError('JOURNAL_RECORD', 'a record must be an object');
  const r = record as Record<string, unknown>;
  const type = r.type;
  if (typeof type !== 'string' || !TYPES.has(type)) throw new JournalError('JOURNAL_RECORD', `unknown record type ${JSON.stringify(type)}`);
  needString(r, 'at', type);
  scan(r, '', 0);
  switch (type as RecordType) {
    case 'txn-pending':
    case 'txn-outcome':
      for (const f of ['txnId', 'txnType', 'currency', 'scheme']) needString(r, f, type);
      for (const f of ['amount', 'batch']) needInteger(r, f, type);
      if ((r.amount as number) < 0) throw new JournalError('JOURNAL_RECORD', `${type}: amount must not be negative`);
      if (r.pan !== undefined && !/^\d{8,19}$/.test(r.pan as string)) throw new JournalError('JOURNAL_RECORD', `${type}: pan must be 8-19 digits`);
      if (type === 'txn-outcome') needString(r, 'result', type);
      break;
    case 'reversal-owed':
    case 'advice-owed':
    case 'queue-update':
      if (typeof r.item !== 'object' || r.item === null) throw new JournalError('JOURNAL_RECORD', `${type}: item missing`);
      needString(r.item as Record<string, unknown>, 'id', type);
      break;
    case 'reversal-done':
    case 'advice-sent':
      needString(r, 'id', type);
      break;
    case 'stan':
      needInteger(r, 'stan', type);
      break;
    case 'batch-open':
    case 'batch-close':
      needInteger(r, 'batch', type);
      break;
    case 'audit':
      if (typeof r.event !== 'object' || r.event === null) throw new JournalError('JOURNAL_RECORD', 'audit: event must be an object');
      break;
    case 'settlement':
      needInteger(r, 'batch', type);
      needString(r, 'responseCode', type);
      break;
  }
}
