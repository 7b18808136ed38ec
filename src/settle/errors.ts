/** Errors of settlement: one table of stable codes. */
export const SETTLE_ERROR_CODES = {
  SETTLE_PENDING: 'a transaction is still pending in the journal (finish or reverse it first)',
  SETTLE_BUSY: 'a settlement is already running',
  SETTLE_CURRENCY: 'the batch holds a currency without an ISO 4217 numeric code',
  SETTLE_CONFIG: 'the configuration lacks what settlement needs (merchant ID, terminal ID, host address)',
} as const;

export type SettleErrorCode = keyof typeof SETTLE_ERROR_CODES;

export class SettleError extends Error {
  override readonly name = 'SettleError';
  constructor(
    readonly code: SettleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSettleError(err: unknown): err is SettleError {
  return err instanceof SettleError;
}
