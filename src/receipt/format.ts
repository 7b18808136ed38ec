/**
 * A transaction receipt as the printer role's lines (hal/roles/printer.ts): the fields the
 * card schemes require on a chip receipt (product.md 1.5: AID, application label, masked
 * PAN, entry mode, the PIN/signature statement; TVR/TSI/cryptogram recommended), the
 * merchant's and terminal's identity, the host's references, and the markers for copies,
 * reprints, training and offline approval. Never the expiry date (ReceiptData has none).
 */
import type { Receipt, ReceiptLine } from '../../hal/roles/printer.js';
import { maskPan } from '../../emv/track/pan.js';
import { TXN_SIGN } from '../journal/totals.js';
import { ReceiptError } from './errors.js';
import { cut, feed, headline, pair, rule, text, wrap } from './layout.js';
import { messages, responseLine, type ReceiptMessages } from './messages/index.js';
import { formatMoney } from './money.js';
import type { ReceiptCopy, ReceiptData, ReceiptLanguage } from './types.js';

export interface FormatOptions {
  /** A reprint of a receipt printed before: marked REPRINT at the top and DUPLICATE at the copy line. */
  reprint?: boolean;
  /** Characters per line in the normal font (the printer role's `columns`). */
  columns: number;
  /** IANA zone the time is shown in when `at` carries a zone; default the system's. */
  timeZone?: string;
}

/**
 * The PAN as this copy may show it. Merchant copy: first 6 and last 4 at most (PCI DSS 3.3);
 * customer copy: last 4 only (US FACTA, 15 U.S.C. 1681c(g), allows at most the last 5 on
 * the cardholder's receipt). Whatever arrives is masked again: a clear PAN never prints.
 */
export function receiptPan(maskedPan: string, copy: ReceiptCopy): string {
  const compact = maskedPan.replace(/[\s-]/g, '');
  if (!/^[0-9]*[*Xx#]*[0-9]*$/.test(compact) || compact.length < 8 || compact.length > 19) {
    throw new ReceiptError('RECEIPT_DATA', `maskedPan is not a masked PAN (${compact.length} characters)`);
  }
  const masked = /^[0-9]+$/.test(compact) ? maskPan(compact) : compact;
  const n = masked.length;
  const lead = copy === 'customer' || n < 13 ? 0 : 6;
  const keep = (i: number): boolean => (i < lead || i >= n - 4) && /[0-9]/.test(masked[i]!);
  return [...masked].map((ch, i) => (keep(i) ? ch : '*')).join('');
}

/**
 * "2026-11-28 13:45:02": the terminal's local time. A time written without a zone is taken
 * as local already and printed as written; one with a zone (`Z`, `+08:00`, as
 * `Date.toISOString()` gives) is shown in `timeZone` (IANA name; default the system's zone).
 */
export function receiptTime(at: string, timeZone?: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(at);
  const instant = m?.[4] ? new Date(at) : undefined;
  if (!m || (instant && Number.isNaN(instant.getTime()))) throw new ReceiptError('RECEIPT_DATA', `time "${at}" is not ISO 8601`);
  if (!instant) return `${m[1]} ${m[2]}`;
  let parts: Record<string, string>;
  try {
    const f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    parts = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
  } catch (err) {
    throw new ReceiptError('RECEIPT_DATA', `time zone "${timeZone}" is not an IANA time zone`, { cause: err });
  }
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

const pad6 = (n: number): string => String(n).padStart(6, '0');

function isApproved(data: ReceiptData): boolean {
  return data.result === 'approved';
}

/** The amount with its sign: money going back to the cardholder (refund, void) prints negative. */
export function signedAmount(data: Pick<ReceiptData, 'amount' | 'txnType'>): number {
  return TXN_SIGN[data.txnType] === -1 ? -Math.abs(data.amount) : Math.abs(data.amount);
}

/** The amount; for a balance inquiry the balance instead, when the host returned one (a balance inquiry moves no money). */
function amountLine(data: ReceiptData, m: ReceiptMessages, columns: number): ReceiptLine[] {
  const big = { bold: true, doubleHeight: true };
  if (data.txnType !== 'balance') return pair(m.amount, formatMoney(signedAmount(data), data.currency), columns, big);
  return data.balance ? pair(m.balance, formatMoney(data.balance.amount, data.balance.currency), columns, big) : [];
}

function trainingBanner(m: ReceiptMessages, columns: number): ReceiptLine[] {
  return [rule(columns, '*'), text(m.training, { align: 'center', bold: true, doubleHeight: true }), rule(columns, '*')];
}

function cvmLines(data: ReceiptData, copy: ReceiptCopy, m: ReceiptMessages, columns: number): ReceiptLine[] {
  // The statement belongs to a transaction that went through; a decline verified nobody's payment.
  if (!isApproved(data)) return [];
  if (data.cvm !== 'signature') return [text(m.cvm[data.cvm], { align: 'center', bold: true })];
  // The cardholder signs the merchant's copy; the customer's copy carries no signature line.
  if (copy === 'customer') return [];
  return [text(m.signature), feed(2), text(m.signatureLine), ...wrap(m.signatureAgreement, columns)];
}

export function formatReceipt(data: ReceiptData, copy: ReceiptCopy, lang: ReceiptLanguage, options: FormatOptions): Receipt {
  const m = messages(lang);
  const cols = options.columns;
  const kv = (label: string, value: string | undefined): ReceiptLine[] => (value === undefined || value === '' ? [] : pair(label, value, cols));
  const entry = m.entryMode[data.entryMode as keyof ReceiptMessages['entryMode']] ?? data.entryMode;
  const lines: ReceiptLine[] = [];

  if (data.training) lines.push(...trainingBanner(m, cols));
  if (options.reprint) lines.push(text(m.reprint, { align: 'center', bold: true }));
  lines.push(...wrap(data.merchant.name, cols, { align: 'center', bold: true, doubleHeight: true }));
  if (data.merchant.address) lines.push(...wrap(data.merchant.address, cols, { align: 'center' }));
  lines.push(
    ...kv(m.merchantId, data.merchant.merchantId),
    ...kv(m.terminalId, data.merchant.terminalId),
    ...kv(m.dateTime, receiptTime(data.at, options.timeZone)),
    ...kv(m.operator, data.operator),
    rule(cols),
    headline(m.txnType[data.txnType], cols),
    // No card line when no card was read (a void or refund by reference).
    ...kv(m.card, data.maskedPan === '' ? undefined : receiptPan(data.maskedPan, copy)),
    ...kv(m.cardType, m.scheme[data.scheme] ?? data.scheme.toUpperCase()),
    ...kv(m.appLabel, data.applicationLabel),
    ...kv(m.aid, data.aid),
    ...kv(m.entry, entry),
    ...kv(m.tvr, data.tvr),
    ...kv(m.tsi, data.tsi),
    ...kv(data.cryptogramType ?? m.cryptogram, data.cryptogram),
    ...kv(m.authCode, data.authCode),
    ...kv(m.rrn, data.rrn),
    ...kv(m.stan, data.stan === undefined ? undefined : pad6(data.stan)),
    ...kv(m.batch, pad6(data.batch)),
    ...kv(m.txnNo, data.txnId),
    ...kv(m.originalTxn, data.original?.txnId),
    ...kv(m.originalRrn, data.original?.rrn),
    ...kv(m.originalAuth, data.original?.authCode),
    rule(cols),
    ...amountLine(data, m, cols),
    rule(cols),
    headline(m.result[data.result], cols),
  );
  if (data.responseCode && (!isApproved(data) || data.responseCode !== '00')) lines.push(text(responseLine(data.responseCode, lang), { align: 'center' }));
  if (data.offline) lines.push(text(m.offline, { align: 'center', bold: true }));
  lines.push(...cvmLines(data, copy, m, cols), feed(1), text(m.copy[copy], { align: 'center', bold: true }));
  if (options.reprint) lines.push(text(m.duplicate, { align: 'center', bold: true }));
  if (data.training) lines.push(...trainingBanner(m, cols));
  lines.push(feed(2), cut());
  return { lines };
}
