/**
 * The error type of the key layer (`src/keys/`: DUKPT, PIN blocks, TR-31, key store).
 * Messages never carry key, PIN or PIN-block material; a PAN is never put in a message.
 */

/** Every code the key layer can raise, with its meaning. This table is the authority. */
export const KEY_ERROR_CODES = {
  KEY_BAD_LENGTH: 'a key, KSN, initial key ID or PIN block has the wrong length for the algorithm',
  KEY_BAD_ARGUMENT: 'an argument is outside what the standard defines (format, usage, fill digits, option)',
  KEY_KSN_INVALID: 'the KSN counter is not a valid DUKPT transaction counter (zero, or too many one bits)',
  KEY_DUKPT_EXHAUSTED: 'the DUKPT transaction counter has run out: the device needs a new initial key',
  KEY_DUKPT_STATE: 'the DUKPT state is not loaded, or a future key register it needs is empty or corrupt',
  KEY_PIN_INVALID: 'the PIN is not 4 to 12 decimal digits',
  KEY_PAN_INVALID: 'the PAN is not 1 to 19 decimal digits (13 or more where the format needs 12 digits)',
  KEY_PIN_BLOCK_INVALID: 'a deciphered PIN block does not follow its ISO 9564-1 format (control field, length, digits, fill)',
  KEY_TR31_HEADER: 'the TR-31 key block header is malformed (field, length, optional block)',
  KEY_TR31_UNSUPPORTED: 'the TR-31 key block version or algorithm is not supported (only B and D)',
  KEY_TR31_MAC: 'the TR-31 key block MAC does not verify: wrong key block protection key or altered block',
  KEY_TR31_PAYLOAD: 'the deciphered TR-31 payload is inconsistent (key length field)',
  KEY_KCV_MISMATCH: 'a key or key component does not match the key check value it was declared with',
  KEY_COMPONENTS: 'key components are unusable: fewer than 2 or more than 3, lengths differ, or the same custodian twice',
  KEY_STORE_NOT_FOUND: 'no key of that name is in the key store',
  KEY_STORE_EXISTS: 'a key of that name already exists (delete it first or ask for replacement)',
  KEY_STORE_NAME: 'the key name is not allowed (letters, digits, dot, dash, underscore; 1 to 64 characters)',
  KEY_STORE_TAMPERED: 'a stored key record fails authentication: edited, truncated, or under another device key',
  KEY_STORE_IO: 'the key store backend could not read or write its data',
  KEY_DEVICE_KEY: 'the device key is missing, has the wrong size, or its file is readable by others',
  KEY_USAGE: 'the key exists but its usage does not allow this operation',
  KEY_CAPK_FORMAT: 'a CA public key record is malformed (RID, index, modulus, exponent, expiry or checksum field)',
  KEY_CAPK_CHECKSUM: 'a CA public key does not match its SHA-1 checksum (EMV Book 2 11.2.2): mistyped or altered',
  KEY_CAPK_EXPIRED: 'a CA public key is past its expiry date and is not used',
} as const;

export type KeyErrorCode = keyof typeof KEY_ERROR_CODES;

export class KeyError extends Error {
  override readonly name = 'KeyError';
  readonly code: KeyErrorCode;

  constructor(code: KeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isKeyError(err: unknown, code?: KeyErrorCode): err is KeyError {
  return err instanceof KeyError && (code === undefined || err.code === code);
}
