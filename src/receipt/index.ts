/** Receipts and X/Z reports: formatting (EN/ZH), printing on the Printer role, rendering what was printed. */
export type { ReceiptCopy, ReceiptCvm, ReceiptData, ReceiptLanguage } from './types.js';
export { formatReceipt, receiptPan, receiptTime, signedAmount, type FormatOptions } from './format.js';
export { formatReport, type ReportMeta, type ReportOptions } from './report.js';
export { ReceiptPrinter, type ReceiptPrinterOptions, type ReceiptPrintOptions, type ReceiptPrintResult } from './printer.js';
export { renderPrinted, type RenderPrintedOptions, type RenderedReceipt } from './render.js';
export { messages, responseLine, type ReceiptMessages } from './messages/index.js';
export { currencyExponent, formatMinor, formatMoney } from './money.js';
export { ReceiptError, isReceiptError, RECEIPT_ERROR_CODES, type ReceiptErrorCode } from './errors.js';
