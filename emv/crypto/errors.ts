/**
 * The error type of the payment-crypto primitives (`emv/crypto/`). Callers branch on
 * `code`, never on message text. Messages never contain key or PIN material.
 */

/** Every code the crypto primitives can raise, with its meaning. This table is the authority. */
export const EMV_CRYPTO_ERROR_CODES = {
  EMV_CRYPTO_KEY_LENGTH: 'the key has a length the algorithm does not accept (DES 8, TDES 16/24, AES 16/24/32 bytes)',
  EMV_CRYPTO_DATA_LENGTH: 'the data is not a whole number of cipher blocks (ECB/CBC without padding) or is empty where data is required',
  EMV_CRYPTO_IV_LENGTH: 'the initial vector is not exactly one cipher block',
  EMV_CRYPTO_BAD_ARGUMENT: 'an argument is outside what the algorithm defines (padding method, MAC length, algorithm name)',
  EMV_CRYPTO_HEX: 'a hex string has an odd number of digits or a non-hex character',
} as const;

export type EmvCryptoErrorCode = keyof typeof EMV_CRYPTO_ERROR_CODES;

export class EmvCryptoError extends Error {
  override readonly name = 'EmvCryptoError';
  readonly code: EmvCryptoErrorCode;

  constructor(code: EmvCryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isEmvCryptoError(err: unknown, code?: EmvCryptoErrorCode): err is EmvCryptoError {
  return err instanceof EmvCryptoError && (code === undefined || err.code === code);
}
