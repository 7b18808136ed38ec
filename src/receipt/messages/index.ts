/**
 * The words receipts and reports print, in English and Chinese (the catalogs have the same
 * keys: the type makes a missing word a compile error). Chinese receipts follow the
 * elements of JR/T 0001-2001 §8 (POS终端凭证要素) and print in GB18030.
 */
import type { TxnType, TxnResult } from '../../journal/records.js';
import type { SettleStatus } from '../../settle/types.js';
import type { ReceiptCvm, ReceiptLanguage } from '../types.js';
import { describeResponse, RESPONSE_CODES } from '../../host/response-codes.js';
import { en } from './en.js';
import { zh } from './zh.js';

export interface ReceiptMessages {
  readonly training: string;
  readonly reprint: string;
  readonly duplicate: string;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly dateTime: string;
  readonly operator: string;
  readonly card: string;
  readonly cardType: string;
  readonly appLabel: string;
  readonly aid: string;
  readonly entry: string;
  readonly tvr: string;
  readonly tsi: string;
  /** The cryptogram's label when its type is not known. */
  readonly cryptogram: string;
  readonly authCode: string;
  readonly rrn: string;
  readonly stan: string;
  readonly batch: string;
  readonly txnNo: string;
  readonly originalTxn: string;
  readonly originalRrn: string;
  readonly originalAuth: string;
  readonly amount: string;
  readonly balance: string;
  readonly responseCode: string;
  readonly offline: string;
  readonly signature: string;
  readonly signatureLine: string;
  readonly signatureAgreement: string;
  readonly copy: Readonly<Record<'merchant' | 'customer', string>>;
  readonly txnType: Readonly<Record<TxnType, string>>;
  readonly result: Readonly<Record<TxnResult, string>>;
  readonly cvm: Readonly<Record<ReceiptCvm, string>>;
  /** ISO 8583 field 22 positions 1-2. */
  readonly entryMode: Readonly<Record<'01' | '05' | '07' | '80' | '90' | '91', string>>;
  readonly scheme: Readonly<Record<string, string>>;
  /** ISO 8583 field 39 texts (the English ones come from the host link's table). */
  readonly responseText: Readonly<Record<string, string>>;
  // Reports
  readonly xReport: string;
  readonly zReport: string;
  readonly xNote: string;
  readonly zClosed: string;
  readonly zOpen: string;
  readonly noTransactions: string;
  readonly count: string;
  readonly net: string;
  readonly fee: string;
  readonly total: string;
  readonly uploaded: string;
  readonly settleStatus: Readonly<Record<SettleStatus, string>>;
}

const CATALOGS: Readonly<Record<ReceiptLanguage, ReceiptMessages>> = { en, zh };

export function messages(lang: ReceiptLanguage): ReceiptMessages {
  return CATALOGS[lang];
}

/** "51 INSUFFICIENT FUNDS" / "51 余额不足"; an unknown code prints with its number only. */
export function responseLine(code: string, lang: ReceiptLanguage): string {
  const m = messages(lang);
  const words = m.responseText[code] ?? (lang === 'en' && RESPONSE_CODES[code] ? describeResponse(code).meaning.toUpperCase() : undefined);
  return words ? `${code} ${words}` : `${m.responseCode} ${code}`;
}
