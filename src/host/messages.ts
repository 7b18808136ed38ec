/**
 * The terminal's messages as ISO 8583:1987 field sets (one place that says which field
 * carries what; the engine fills these from a transaction). Conventions:
 *  - 3 processing code: 00 goods/services, 02 void, 20 refund, 31 balance inquiry
 *  - 22 POS entry mode: 051 chip, 071 contactless chip, 901/911 stripe, 801 fallback, 012 keyed
 *    (the last digit 1 = terminal can accept PIN)
 *  - 25 POS condition: 00 normal, 06 pre-authorisation request / completion
 *  - 52 PIN block (binary 8), 53 not used; 62 the DUKPT KSN as hex (LLLCHAR, private use)
 *  - 55 ICC data (TLV), 90 original data elements for reversals and completions
 *  - 70 network management: 001 sign-on, 002 sign-off, 101 key change, 301 echo
 */
import type { Layout } from './iso8583/layout.js';
import { IsoMessage } from './iso8583/message.js';

export type TxnKind = 'sale' | 'void' | 'refund' | 'preauth' | 'preauth-cancel' | 'completion' | 'balance';

export interface FinancialFields {
  kind: TxnKind;
  /** Primary account number (travels to the host; never stored in clear by the terminal). */
  pan: string;
  /** YYMM. */
  expiry?: string;
  amountMinor: number;
  /** ISO 4217 numeric, e.g. "156". */
  currency: string;
  entryMode: string;
  panSequence?: string;
  /** Track 2 (or equivalent data) for the request only. */
  track2?: string;
  iccData?: Uint8Array;
  pinBlock?: Uint8Array;
  ksn?: Uint8Array;
  merchantId: string;
  /** Card acceptor name/location (field 43), 40 characters. */
  acceptor?: string;
  /** For void, completion and pre-auth cancel: the original's STAN, RRN, auth code and transmission time. */
  original?: { mti: string; stan: string; rrn?: string; authCode?: string; transmittedAt: string };
  localTime?: Date;
}

const PROCESSING: Record<TxnKind, string> = {
  sale: '000000',
  void: '020000',
  refund: '200000',
  preauth: '000000',
  'preauth-cancel': '000000',
  completion: '000000',
  balance: '310000',
};

export function mtiFor(kind: TxnKind): string {
  return kind === 'preauth' || kind === 'balance' ? '0100' : kind === 'preauth-cancel' ? '0400' : '0200';
}

const p2 = (n: number): string => String(n).padStart(2, '0');

export function financialRequest(layout: Layout, f: FinancialFields): IsoMessage {
  const m = new IsoMessage(mtiFor(f.kind));
  const t = f.localTime ?? new Date();
  m.set(2, f.pan);
  m.set(3, PROCESSING[f.kind]);
  m.set(4, String(f.amountMinor).padStart(12, '0'));
  m.set(12, `${p2(t.getHours())}${p2(t.getMinutes())}${p2(t.getSeconds())}`);
  m.set(13, `${p2(t.getMonth() + 1)}${p2(t.getDate())}`);
  if (f.expiry) m.set(14, f.expiry);
  m.set(22, f.entryMode);
  if (f.panSequence) m.set(23, f.panSequence.padStart(3, '0'));
  m.set(25, f.kind === 'preauth' || f.kind === 'completion' || f.kind === 'preauth-cancel' ? '06' : '00');
  if (f.track2) m.set(35, f.track2.replace(/D/g, '='));
  if (f.original?.rrn) m.set(37, f.original.rrn);
  if (f.original?.authCode) m.set(38, f.original.authCode);
  m.set(42, f.merchantId.padEnd(15).slice(0, 15));
  if (f.acceptor) m.set(43, f.acceptor.padEnd(40).slice(0, 40));
  m.set(49, f.currency);
  if (f.pinBlock) m.set(52, f.pinBlock);
  if (f.iccData) m.setBytes(layout, 55, f.iccData);
  if (f.ksn) m.set(62, Buffer.from(f.ksn).toString('hex').toUpperCase());
  if (f.original) m.set(90, `${f.original.mti}${f.original.stan.padStart(6, '0')}${f.original.transmittedAt.padStart(10, '0')}${'0'.repeat(22)}`);
  return m;
}

/** The advice (0220) of a transaction approved offline (store and forward). */
export function offlineAdvice(layout: Layout, f: FinancialFields, authCode: string): IsoMessage {
  const m = financialRequest(layout, { ...f, kind: 'sale' });
  m.mti = '0220';
  m.unset(52).unset(62);
  m.set(38, authCode.padEnd(6).slice(0, 6));
  m.set(39, '00');
  return m;
}

export type NetworkFunction = 'sign-on' | 'sign-off' | 'echo' | 'key-change';
const NMIC: Record<NetworkFunction, string> = { 'sign-on': '001', 'sign-off': '002', 'key-change': '101', echo: '301' };

export function networkManagement(fn: NetworkFunction): IsoMessage {
  return new IsoMessage('0800', { 70: NMIC[fn] });
}

export interface BatchTotals {
  batchNumber: number;
  currency: string;
  creditCount: number;
  creditAmountMinor: number;
  creditReversalCount: number;
  creditReversalAmountMinor: number;
  debitCount: number;
  debitAmountMinor: number;
  debitReversalCount: number;
  debitReversalAmountMinor: number;
}

/**
 * Reconciliation (0500): counts in 74-77 (credits, credit reversals, debits, debit
 * reversals), amounts in 86-89, net settlement in 97 (C = in the merchant's favour).
 * Sales are debits to the cardholder; refunds are credits.
 */
export function reconciliation(t: BatchTotals, merchantId: string): IsoMessage {
  const n10 = (n: number): string => String(n).padStart(10, '0');
  const n16 = (n: number): string => String(n).padStart(16, '0');
  const net = t.debitAmountMinor - t.debitReversalAmountMinor - (t.creditAmountMinor - t.creditReversalAmountMinor);
  return new IsoMessage('0500', {
    42: merchantId.padEnd(15).slice(0, 15),
    49: t.currency,
    60: String(t.batchNumber).padStart(6, '0'),
    74: n10(t.creditCount),
    75: n10(t.creditReversalCount),
    76: n10(t.debitCount),
    77: n10(t.debitReversalCount),
    86: n16(t.creditAmountMinor),
    87: n16(t.creditReversalAmountMinor),
    88: n16(t.debitAmountMinor),
    89: n16(t.debitReversalAmountMinor),
    97: `${net >= 0 ? 'C' : 'D'}${n16(Math.abs(net))}`,
  });
}

export function readTotals(m: IsoMessage): Omit<BatchTotals, 'batchNumber'> & { batchNumber: number } {
  const n = (id: number): number => Number(m.text(id) || '0');
  return {
    batchNumber: n(60),
    currency: m.text(49),
    creditCount: n(74),
    creditReversalCount: n(75),
    debitCount: n(76),
    debitReversalCount: n(77),
    creditAmountMinor: n(86),
    creditReversalAmountMinor: n(87),
    debitAmountMinor: n(88),
    debitReversalAmountMinor: n(89),
  };
}

/** One transaction of a batch upload (0320), sent when the host reports the totals out of balance. */
export function batchUploadItem(layout: Layout, f: FinancialFields, approved: { stan: string; rrn: string; authCode: string }): IsoMessage {
  const m = financialRequest(layout, f);
  m.mti = '0320';
  m.unset(35).unset(52).unset(62);
  m.set(11, approved.stan);
  m.set(37, approved.rrn);
  m.set(38, approved.authCode.padEnd(6).slice(0, 6));
  return m;
}
