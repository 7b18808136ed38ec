/**
 * The one error type of the EMV layer. Every parser, builder and transport helper in emv/
 * throws {@link EmvError} with a code from {@link EMV_ERROR_CODES}, so callers branch on
 * `code`, never on message text. Card-side outcomes (a declined GENERATE AC, a status word
 * the kernel must act on) are results, not errors; only malformed data and transport faults
 * throw.
 *
 * Add new codes to the one table below, with their meaning; keep the `EMV_` prefix.
 */

/** Every code the EMV layer can raise, with its meaning. This table is the authority. */
export const EMV_ERROR_CODES = {
  // BER-TLV (ISO/IEC 8825-1 as used by EMV Book 3 Annex B)
  EMV_TLV_TAG_TRUNCATED: 'a multi-byte tag runs past the end of the data (or of its template)',
  EMV_TLV_BAD_TAG: 'a tag is not a valid BER tag (00 where a tag is expected in strict mode, or malformed number)',
  EMV_TLV_TAG_TOO_LONG: 'a tag longer than 4 bytes (EMV tags are 1-3 bytes)',
  EMV_TLV_LENGTH_TRUNCATED: 'a length field is missing or runs past the end of the data (or of its template)',
  EMV_TLV_INDEFINITE_LENGTH: 'the indefinite length form 80 is not allowed in EMV (Book 3 Annex B)',
  EMV_TLV_LENGTH_TOO_LONG: 'a long-form length of more than 4 length bytes, or a reserved length byte',
  EMV_TLV_VALUE_TRUNCATED: 'a value runs past the end of the data (or of its enclosing template)',
  EMV_TLV_TRAILING_BYTES: 'bytes left over after the object(s) that were expected',
  EMV_TLV_NOT_CONSTRUCTED: 'children were given for a primitive tag (bit 6 of the first tag byte clear)',
  EMV_TLV_BAD_INPUT: 'input to the encoder is not a well-formed TLV tree (bad JSON shape, hex or value)',
  // Data elements and DOLs (EMV Book 3 5.4, Annex A)
  EMV_DOL_MALFORMED: 'a data object list entry is truncated or has a bad tag',
  EMV_DATA_BAD_FORMAT: 'a data element does not match its format (n, cn, an, ans, b) or length rule',
  // APDUs and transport (ISO/IEC 7816-4, EMV Book 1 9-11)
  EMV_APDU_BAD_COMMAND: 'a command APDU is malformed (too short, Lc disagrees with the data, bad case)',
  EMV_APDU_BAD_ARGUMENT: 'an argument to an APDU builder is out of range (SFI, record, data length, tag)',
  EMV_APDU_TOO_SHORT: 'a response APDU shorter than its two status bytes',
  EMV_T0_TOO_MANY_ROUNDS: 'the card kept answering 61xx/6Cxx past the iteration cap (T=0 helper)',
  EMV_ATR_MALFORMED: 'an Answer To Reset that breaks ISO/IEC 7816-3 8.2 (TS, length, interface bytes, TCK)',
  // ISO/IEC 7813 tracks and PANs
  EMV_TRACK_SENTINEL: 'a start or end sentinel is missing, misplaced or of the wrong track',
  EMV_TRACK_CHARACTER: 'a character not allowed in that track or field',
  EMV_TRACK_LENGTH: 'a track or field is too long or too short for ISO/IEC 7813',
  EMV_TRACK_FORMAT: 'the field layout is wrong (format code, separators, missing field)',
  EMV_TRACK_LRC: 'the longitudinal redundancy check character does not match',
  EMV_TRACK_BAD_EXPIRY: 'an expiry date that is not YYMM with month 01-12',
  EMV_TRACK_BAD_PAN: 'a PAN that is not 8-19 decimal digits',
  // Kernel (emv/kernel): card errors are outcomes, never these
  EMV_KERNEL_TRANSPORT: 'the reader failed to exchange an APDU with the card (card removed, link fault); the cause is attached',
  EMV_KERNEL_CONFIG: 'the terminal configuration or transaction parameters are invalid (bad length, no AIDs, bad date)',
  EMV_KERNEL_STATE: 'a kernel function was called out of order (e.g. completing a transaction twice)',
  // Virtual cards (emv/cards/, the simulator's card side)
  EMV_CARD_REMOVED: 'the virtual card left the field (or was pulled from the contact reader) at its configured step',
  EMV_CARD_UNKNOWN: 'no test card with that name in the catalogue',
  // APDU traces (emv/trace/)
  EMV_TRACE_MALFORMED: 'an APDU trace line is not a command, response or comment, has bad hex, or a response has no command (offset: the line number)',
} as const;

export type EmvErrorCode = keyof typeof EMV_ERROR_CODES;

export class EmvError extends Error {
  override readonly name = 'EmvError';
  readonly code: EmvErrorCode;
  /** Byte (or character) offset in the input the error refers to, when there is one. */
  readonly offset: number | undefined;

  constructor(code: EmvErrorCode, message: string, options?: { offset?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options?.offset;
  }
}

export function isEmvError(err: unknown, code?: EmvErrorCode): err is EmvError {
  return err instanceof EmvError && (code === undefined || err.code === code);
}
