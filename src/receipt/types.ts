/**
 * What a transaction receipt prints, as data: the engine fills it from the kernel outcome,
 * the host's answer and the journal; `src/receipt/` formats it (English or Chinese, GB18030 on
 * the printer) into the printer role's `Receipt`. Fields the card schemes require on a chip
 * receipt: AID, application label, masked PAN, entry mode, the PIN/signature statement, auth
 * code, RRN, TVR/TSI and cryptogram. Never the expiry date, never the full PAN.
 */
import type { TxnType, TxnResult as JournalResult } from '../journal/records.js';

export type ReceiptLanguage = 'en' | 'zh';

/** How the cardholder was verified, for the statement line. */
export type ReceiptCvm = 'online-pin' | 'offline-pin' | 'signature' | 'cdcvm' | 'no-cvm';

export interface ReceiptData {
  readonly merchant: { readonly name: string; readonly address?: string; readonly merchantId: string; readonly terminalId: string };
  /** ISO 8601 local time of the transaction. */
  readonly at: string;
  readonly txnType: TxnType;
  /** The journal result: approved, declined, reversed, voided ... */
  readonly result: JournalResult;
  /** Minor units of `currency`. */
  readonly amount: number;
  /** ISO 4217 alpha. */
  readonly currency: string;
  /** First 6 and last 4 digits, the rest masked (emv/track maskPan). */
  readonly maskedPan: string;
  /** visa, mastercard, unionpay ... */
  readonly scheme: string;
  /** ISO 8583 field 22 positions 1-2: 05 chip, 07 contactless, 80 fallback, 90 stripe, 91 contactless stripe. */
  readonly entryMode: string;
  readonly aid?: string;
  readonly applicationLabel?: string;
  /** Uppercase hex. */
  readonly tvr?: string;
  readonly tsi?: string;
  readonly cryptogram?: string;
  /** "ARQC", "TC", "AAC". */
  readonly cryptogramType?: string;
  readonly cvm: ReceiptCvm;
  readonly authCode?: string;
  readonly rrn?: string;
  readonly stan?: number;
  readonly batch: number;
  readonly txnId: string;
  /** ISO 8583 field 39 (declines print it with its text). */
  readonly responseCode?: string;
  /** Void, refund, completion: the original's reference. */
  readonly original?: { readonly txnId: string; readonly rrn?: string; readonly authCode?: string };
  readonly operator?: string;
  /** Training transaction: printed large at top and bottom, not money. */
  readonly training?: boolean;
  /** Approved offline (an advice follows). */
  readonly offline?: boolean;
  /** Balance inquiry: the available balance the host returned (ISO 8583 field 54), minor units of its currency. Printed instead of the amount. */
  readonly balance?: { readonly amount: number; readonly currency: string };
}

/** Which copy is printed. */
export type ReceiptCopy = 'merchant' | 'customer';
