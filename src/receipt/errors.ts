/** Errors of the receipt layer: one table of stable codes. */
export const RECEIPT_ERROR_CODES = {
  RECEIPT_DATA: 'the receipt or report data cannot be printed as given (amount not an integer, currency not ISO 4217, a PAN that is neither masked nor a PAN, a time that is not ISO 8601)',
  RECEIPT_RENDER: 'the printed receipt cannot be written as text and PNG (output folder not writable)',
} as const;

export type ReceiptErrorCode = keyof typeof RECEIPT_ERROR_CODES;

export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
  constructor(
    readonly code: ReceiptErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isReceiptError(err: unknown): err is ReceiptError {
  return err instanceof ReceiptError;
}
