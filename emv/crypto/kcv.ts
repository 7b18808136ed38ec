/**
 * Key check values and DES key parity.
 * TDES: the leftmost 3 bytes of the key enciphering 8 zero bytes (ANSI X9.24-1).
 * AES: the leftmost 5 bytes of AES-CMAC over 16 zero bytes (ANSI X9.24-3-2017).
 */
import { encryptEcb, type BlockAlgorithm } from './block-cipher.js';
import { cmac } from './cmac.js';
import { EmvCryptoError } from './errors.js';

export const TDES_KCV_LENGTH = 3;
export const AES_KCV_LENGTH = 5;

/** The KCV of `key`; `length` truncates further (TR-31 and some HSMs show 3 bytes for AES too). */
export function keyCheckValue(key: Uint8Array, alg: BlockAlgorithm = 'tdes', length?: number): Uint8Array {
  if (alg === 'aes') {
    const len = length ?? AES_KCV_LENGTH;
    if (len < 1 || len > 16) throw new EmvCryptoError('EMV_CRYPTO_BAD_ARGUMENT', `KCV length must be 1..16, got ${len}`);
    return cmac('aes', key, new Uint8Array(16), len);
  }
  const len = length ?? TDES_KCV_LENGTH;
  if (len < 1 || len > 8) throw new EmvCryptoError('EMV_CRYPTO_BAD_ARGUMENT', `KCV length must be 1..8, got ${len}`);
  return encryptEcb('tdes', key, new Uint8Array(8)).slice(0, len);
}

/** The algorithm a key of this length belongs to when nothing else says (16 bytes is ambiguous: TDES). */
export function guessAlgorithm(key: Uint8Array): BlockAlgorithm {
  return key.length === 32 ? 'aes' : 'tdes';
}

function oddParityByte(b: number): number {
  let ones = 0;
  for (let v = b >> 1; v; v >>= 1) ones += v & 1;
  // The low bit of each DES key byte is the parity bit (FIPS 46-3): make the count odd.
  return (b & 0xfe) | (ones % 2 === 0 ? 1 : 0);
}

/** A copy of a DES/TDES key with every byte set to odd parity. */
export function withOddParity(key: Uint8Array): Uint8Array {
  return key.map(oddParityByte);
}

/** True when every byte of the DES/TDES key has odd parity. */
export function hasOddParity(key: Uint8Array): boolean {
  return key.every((b) => oddParityByte(b) === b);
}
