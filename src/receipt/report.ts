/**
 * The X report (the open batch's running totals, nothing reset) and the Z report (the batch
 * closed by settlement, with its outcome), product.md 1.6: per currency and card scheme the
 * count and amount of each transaction type, the net, the merchant fee (MDR) per scheme,
 * and the currency's totals over all schemes. Amounts of different currencies are never added.
 */
import type { Receipt, ReceiptLine } from '../../hal/roles/printer.js';
import type { TxnType } from '../journal/records.js';
import { TXN_SIGN, type AmountCount, type BatchTotals } from '../journal/totals.js';
import type { SettleResult } from '../settle/types.js';
import { cut, feed, headline, pair, row, rule, text, wrap } from './layout.js';
import { messages, responseLine, type ReceiptMessages } from './messages/index.js';
import { formatMinor } from './money.js';
import { receiptTime } from './format.js';
import type { ReceiptData, ReceiptLanguage } from './types.js';

export interface ReportMeta {
  readonly merchant: ReceiptData['merchant'];
  /** ISO 8601 local time the report is printed. */
  readonly at: string;
  readonly operator?: string;
  /** Z report: the settlement that closed (or failed to close) the batch. */
  readonly settle?: SettleResult;
  readonly training?: boolean;
}

export interface ReportOptions {
  /** Characters per line in the normal font (the printer role's `columns`); default 32. */
  columns?: number;
  /** IANA zone for the time (see receiptTime); default the system's. */
  timeZone?: string;
}

const TYPE_ORDER: readonly TxnType[] = ['sale', 'completion', 'refund', 'void', 'preauth', 'preauth-cancel', 'balance'];

function typeRows(byType: Readonly<Record<string, AmountCount>>, currency: string, m: ReceiptMessages, columns: number): ReceiptLine[] {
  const widths = [Math.max(12, Math.floor(columns / 2)), 6];
  return TYPE_ORDER.filter((t) => byType[t]).map((t) => {
    const { count, amount } = byType[t]!;
    // Money going back to cardholders prints negative, as on the receipts.
    return row([` ${m.txnType[t]}`, String(count), formatMinor(TXN_SIGN[t] === -1 ? -amount : amount, currency)], widths, columns);
  });
}

function netAndFee(count: number, net: number, fee: number | undefined, mdrPercent: number | undefined, currency: string, m: ReceiptMessages, columns: number): ReceiptLine[] {
  const widths = [Math.max(12, Math.floor(columns / 2)), 6];
  const lines = [row([` ${m.net}`, String(count), formatMinor(net, currency)], widths, columns, { bold: true })];
  if (fee !== undefined) lines.push(row([` ${m.fee}${mdrPercent === undefined ? '' : ` ${mdrPercent}%`}`, '', formatMinor(fee, currency)], widths, columns));
  return lines;
}

function settleLines(settle: SettleResult, m: ReceiptMessages, lang: ReceiptLanguage): ReceiptLine[] {
  const closed = settle.status === 'in-balance' || settle.status === 'balanced-after-upload' || settle.status === 'empty';
  const lines = [text(closed ? m.zClosed : m.zOpen, { align: 'center', bold: true, doubleHeight: true }), text(m.settleStatus[settle.status], { align: 'center', bold: true })];
  if (settle.responseCode && settle.responseCode !== '00') lines.push(text(responseLine(settle.responseCode, lang), { align: 'center' }));
  if (settle.uploaded > 0) lines.push(text(`${m.uploaded} ${settle.uploaded}`, { align: 'center' }));
  return lines;
}

export function formatReport(kind: 'x' | 'z', totals: BatchTotals, meta: ReportMeta, lang: ReceiptLanguage, options: ReportOptions = {}): Receipt {
  const m = messages(lang);
  const cols = options.columns ?? 32;
  const lines: ReceiptLine[] = [];
  const banner = (): ReceiptLine[] => (meta.training ? [text(m.training, { align: 'center', bold: true, doubleHeight: true })] : []);
  lines.push(
    ...banner(),
    headline(kind === 'x' ? m.xReport : m.zReport, cols),
    ...wrap(meta.merchant.name, cols, { align: 'center', bold: true }),
    ...pair(m.merchantId, meta.merchant.merchantId, cols),
    ...pair(m.terminalId, meta.merchant.terminalId, cols),
    ...pair(m.dateTime, receiptTime(meta.at, options.timeZone), cols),
    ...(meta.operator ? pair(m.operator, meta.operator, cols) : []),
    ...pair(m.batch, String(totals.batch).padStart(6, '0'), cols),
  );
  if (kind === 'x') lines.push(text(m.xNote, { align: 'center' }));
  else if (meta.settle) lines.push(...settleLines(meta.settle, m, lang));
  else lines.push(text(m.zClosed, { align: 'center', bold: true, doubleHeight: true }));
  lines.push(rule(cols, '='));

  const currencies = Object.keys(totals.byCurrency).sort();
  if (currencies.length === 0) lines.push(text(m.noTransactions, { align: 'center' }));
  for (const currency of currencies) {
    const cur = totals.byCurrency[currency]!;
    lines.push(text(currency, { align: 'center', bold: true, doubleHeight: true }));
    for (const scheme of Object.keys(cur.byScheme).sort()) {
      const sch = cur.byScheme[scheme]!;
      lines.push(text(m.scheme[scheme] ?? scheme.toUpperCase(), { bold: true }), ...typeRows(sch.byType, currency, m, cols), ...netAndFee(sch.count, sch.net, sch.fee, sch.mdrPercent, currency, m, cols));
    }
    lines.push(
      rule(cols),
      text(`${m.total} ${currency}`, { bold: true }),
      ...typeRows(cur.byType, currency, m, cols),
      ...netAndFee(cur.count, cur.net, cur.fee, undefined, currency, m, cols),
      rule(cols, '='),
    );
  }
  lines.push(...banner(), feed(2), cut());
  return { lines };
}
