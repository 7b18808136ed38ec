/**
 * Status words (ISO/IEC 7816-4 5.6, EMV Book 1 9.4.4 and Book 3 6.3.5) with their
 * meanings. Exact entries first, then the ranges with a variable SW2 (61xx, 6Cxx, 63Cx).
 */

export const SW = {
  OK: 0x9000,
  WARNING_NV_UNCHANGED: 0x6200,
  SELECTED_FILE_INVALIDATED: 0x6283,
  AUTHENTICATION_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  COMMAND_INCOMPATIBLE: 0x6981,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_METHOD_BLOCKED: 0x6983,
  REFERENCE_DATA_INVALIDATED: 0x6984,
  CONDITIONS_OF_USE_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED_NO_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  NOT_ENOUGH_MEMORY: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

const EXACT: ReadonlyMap<number, string> = new Map([
  [0x9000, 'normal processing: command completed'],
  [0x6200, 'warning: no information given, non-volatile memory unchanged'],
  [0x6281, 'warning: part of returned data may be corrupted'],
  [0x6282, 'warning: end of file or record reached before reading Le bytes'],
  [0x6283, 'warning: selected file invalidated (application blocked, Book 1 12.4)'],
  [0x6284, 'warning: FCI not formatted according to ISO 7816-4'],
  [0x6300, 'warning: authentication failed (e.g. EXTERNAL AUTHENTICATE)'],
  [0x6381, 'warning: file filled up by the last write'],
  [0x6400, 'execution error: state of non-volatile memory unchanged'],
  [0x6500, 'execution error: state of non-volatile memory changed'],
  [0x6581, 'execution error: memory failure'],
  [0x6700, 'checking error: wrong length (Lc or Le)'],
  [0x6800, 'checking error: function in CLA not supported'],
  [0x6881, 'checking error: logical channel not supported'],
  [0x6882, 'checking error: secure messaging not supported'],
  [0x6900, 'checking error: command not allowed'],
  [0x6981, 'command not allowed: command incompatible with file structure'],
  [0x6982, 'command not allowed: security status not satisfied'],
  [0x6983, 'command not allowed: authentication method blocked (PIN try limit exceeded)'],
  [0x6984, 'command not allowed: referenced data invalidated'],
  [0x6985, 'command not allowed: conditions of use not satisfied'],
  [0x6986, 'command not allowed: no current EF'],
  [0x6987, 'command not allowed: expected secure messaging data objects missing'],
  [0x6988, 'command not allowed: secure messaging data objects incorrect'],
  [0x6a80, 'wrong parameters: incorrect data in the command data field'],
  [0x6a81, 'wrong parameters: function not supported (card or application blocked)'],
  [0x6a82, 'wrong parameters: file or application not found'],
  [0x6a83, 'wrong parameters: record not found'],
  [0x6a84, 'wrong parameters: not enough memory space in the file'],
  [0x6a85, 'wrong parameters: Lc inconsistent with TLV structure'],
  [0x6a86, 'wrong parameters: incorrect P1 or P2'],
  [0x6a87, 'wrong parameters: Lc inconsistent with P1-P2'],
  [0x6a88, 'wrong parameters: referenced data (data object) not found'],
  [0x6b00, 'wrong parameters P1-P2'],
  [0x6d00, 'instruction code not supported or invalid'],
  [0x6e00, 'class not supported'],
  [0x6f00, 'no precise diagnosis'],
  [0x9408, 'selected file type does not match command (proprietary)'],
]);

/** The meaning of a status word, for people and logs. */
export function statusWordMeaning(sw: number): string {
  const exact = EXACT.get(sw);
  if (exact !== undefined) return exact;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return `normal processing: ${sw2 === 0 ? 256 : sw2} more bytes available (send GET RESPONSE)`;
  if (sw1 === 0x6c) return `checking error: wrong Le, resend with Le = ${sw2 === 0 ? 256 : sw2}`;
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return `warning: counter is ${sw2 & 0x0f} (e.g. PIN tries left)`;
  if (sw1 === 0x62) return 'warning: non-volatile memory unchanged';
  if (sw1 === 0x63) return 'warning: non-volatile memory changed';
  if (sw1 === 0x64) return 'execution error: non-volatile memory unchanged';
  if (sw1 === 0x65) return 'execution error: non-volatile memory changed';
  if (sw1 === 0x66) return 'security-related issue';
  if (sw1 === 0x67) return 'checking error: wrong length';
  if (sw1 === 0x68) return 'checking error: functions in CLA not supported';
  if (sw1 === 0x69) return 'checking error: command not allowed';
  if (sw1 === 0x6a) return 'checking error: wrong parameters P1-P2';
  if (sw1 === 0x90 || sw1 === 0x91 || (sw1 >= 0x92 && sw1 <= 0x9f)) return 'application-specific status';
  return 'unknown status word';
}

/** True when the two bytes could be a status word (SW1 is 6x, except 60, or 9x; ISO/IEC 7816-4 5.6). */
export function isStatusWord(sw: number): boolean {
  const sw1 = sw >> 8;
  return (sw1 >= 0x61 && sw1 <= 0x6f) || (sw1 >= 0x90 && sw1 <= 0x9f);
}

/** 9000, or a 62xx/63xx warning, which Book 3 6.3.5 treats as successful processing. */
export function isSuccess(sw: number): boolean {
  const sw1 = sw >> 8;
  return sw === 0x9000 || sw1 === 0x62 || sw1 === 0x63;
}
