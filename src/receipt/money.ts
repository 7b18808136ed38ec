/**
 * Amounts as receipts print them: integer minor units shown with the currency's ISO 4217
 * minor-unit exponent, never through floating point.
 */
import { ReceiptError } from './errors.js';

// ISO 4217 (list one, 2024): every active currency has exponent 2 except these.
const EXPONENT_NOT_2: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

let known: ReadonlySet<string> | undefined;

/** The minor-unit exponent of an ISO 4217 alpha code; RECEIPT_DATA for a code that is not one. */
export function currencyExponent(currency: string): number {
  known ??= new Set(Intl.supportedValuesOf('currency'));
  if (!/^[A-Z]{3}$/.test(currency) || !known.has(currency)) throw new ReceiptError('RECEIPT_DATA', `currency "${currency}" is not an ISO 4217 alpha code`);
  return EXPONENT_NOT_2[currency] ?? 2;
}

/** "1234.56" for 123456 minor units of a 2-decimal currency; "-" in front of a negative amount. */
export function formatMinor(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new ReceiptError('RECEIPT_DATA', `amount ${amount} is not an integer number of minor units`);
  const exponent = currencyExponent(currency);
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const sign = amount < 0 ? '-' : '';
  return exponent === 0 ? sign + whole : `${sign}${whole}.${digits.slice(-exponent)}`;
}

/** "CNY 88.00". The ISO code rather than a sign: ¥ is a four-byte GB18030 code many printers garble (product.md 3.1). */
export function formatMoney(amount: number, currency: string): string {
  return `${currency} ${formatMinor(amount, currency)}`;
}
