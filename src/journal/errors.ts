/** Errors of the journal: one table of stable codes. */
export const JOURNAL_ERROR_CODES = {
  JOURNAL_SENSITIVE: 'a record carries data that must never be stored (track data, CVV, PIN, PIN block, a clear PAN outside the pan field)',
  JOURNAL_RECORD: 'a record is not valid (unknown type, missing field, amount not an integer)',
  JOURNAL_CORRUPT: 'the journal failed verification (a record deleted, edited, reordered or truncated, or the files damaged)',
  JOURNAL_KEY: 'the data key cannot be unwrapped with the device key (another device, or a damaged key record)',
  JOURNAL_IO: 'the journal database cannot be opened, read or written (locked by another process, disk error)',
  JOURNAL_CLOSED: 'the journal was closed',
  JOURNAL_BATCH_CLOSING: 'a settlement is closing the open batch: no transaction may start until it ends',
  JOURNAL_BATCH_HELD: 'a transaction holds the open batch: it cannot be closed until that transaction ends',
  JOURNAL_BACKUP: 'a backup archive cannot be written, or one being restored is damaged, incomplete or from another device',
} as const;

export type JournalErrorCode = keyof typeof JOURNAL_ERROR_CODES;

export class JournalError extends Error {
  override readonly name = 'JournalError';
  constructor(
    readonly code: JournalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isJournalError(err: unknown): err is JournalError {
  return err instanceof JournalError;
}
