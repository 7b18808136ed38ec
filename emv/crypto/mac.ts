/**
 * ISO/IEC 9797-1:2011 MAC algorithms 1 and 3 with padding methods 1 and 2.
 * Algorithm 3 with padding method 1 and a double-length key is the ANSI X9.19 retail MAC.
 */
import { decryptEcb, encryptCbc, encryptEcb, type BlockAlgorithm } from './block-cipher.js';
import { wipe } from './bytes.js';
import { EmvCryptoError } from './errors.js';

export type PaddingMethod = 1 | 2;

/**
 * ISO/IEC 9797-1 6.3. Method 1: zero bits up to a whole block (an empty string becomes
 * one zero block). Method 2: a single 1 bit (0x80), then zeros up to a whole block.
 */
export function pad(data: Uint8Array, method: PaddingMethod, blockSize = 8): Uint8Array {
  if (method !== 1 && method !== 2) throw new EmvCryptoError('EMV_CRYPTO_BAD_ARGUMENT', `padding method must be 1 or 2, got ${String(method)}`);
  const minimum = method === 2 ? data.length + 1 : Math.max(data.length, 1);
  const out = new Uint8Array(Math.ceil(minimum / blockSize) * blockSize);
  out.set(data);
  if (method === 2) out[data.length] = 0x80;
  return out;
}

/** Removes padding method 2 (last 0x80 followed only by zeros); throws when absent. */
export function unpad2(data: Uint8Array): Uint8Array {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80) throw new EmvCryptoError('EMV_CRYPTO_BAD_ARGUMENT', 'no ISO/IEC 9797-1 padding method 2 found');
  return data.slice(0, i);
}

function checkLength(length: number, max: number): void {
  if (!Number.isInteger(length) || length < 4 || length > max) {
    throw new EmvCryptoError('EMV_CRYPTO_BAD_ARGUMENT', `MAC length must be 4..${max} bytes, got ${length}`);
  }
}

/**
 * MAC algorithm 1 (CBC-MAC, ISO/IEC 9797-1 7.2): the block cipher over the padded data
 * in CBC mode with a zero IV; the MAC is the leftmost `length` bytes of the last block.
 * TDES keys: 8 bytes (single DES, the ANSI X9.9 MAC), 16 or 24; AES: 16/24/32.
 */
export function macAlgorithm1(key: Uint8Array, data: Uint8Array, padding: PaddingMethod = 1, length?: number, alg: BlockAlgorithm = 'tdes'): Uint8Array {
  const bs = alg === 'aes' ? 16 : 8;
  const len = length ?? bs;
  checkLength(len, bs);
  const padded = pad(data, padding, bs);
  const c = encryptCbc(alg, key, padded);
  const mac = c.slice(c.length - bs, c.length - bs + len);
  wipe(c, padded);
  return mac;
}

/**
 * MAC algorithm 3 (ISO/IEC 9797-1 7.4, the retail MAC): single DES CBC under K over the
 * padded data, then the last block deciphered under K' and enciphered under K again.
 * The key is K‖K' (16 bytes). With padding method 1 this is ANSI X9.19.
 */
export function macAlgorithm3(key: Uint8Array, data: Uint8Array, padding: PaddingMethod = 1, length = 8): Uint8Array {
  if (key.length !== 16) throw new EmvCryptoError('EMV_CRYPTO_KEY_LENGTH', `MAC algorithm 3 needs a 16-byte key K||K', got ${key.length}`);
  checkLength(length, 8);
  const k = key.subarray(0, 8);
  const kPrime = key.subarray(8, 16);
  const padded = pad(data, padding, 8);
  const c = encryptCbc('tdes', k, padded);
  const h = c.slice(c.length - 8);
  // Output transformation 3: G = e_K(d_K'(H_q)).
  const g = encryptEcb('tdes', k, decryptEcb('tdes', kPrime, h));
  wipe(c, padded, h);
  return g.slice(0, length);
}

/** ANSI X9.19 retail MAC: algorithm 3, padding method 1 unless told otherwise. */
export function x919Mac(key: Uint8Array, data: Uint8Array, padding: PaddingMethod = 1, length = 8): Uint8Array {
  return macAlgorithm3(key, data, padding, length);
}

