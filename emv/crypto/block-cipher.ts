/**
 * Block-cipher helpers over node:crypto: DES (8-byte key), TDES two- and three-key
 * (16/24-byte keys), AES-128/192/256; ECB and CBC, always without padding.
 *
 * Single DES runs as des-ede-ecb/cbc with the key K‖K: EDE with equal keys is single DES,
 * and it avoids the OpenSSL legacy provider that plain des-ecb needs on OpenSSL 3
 * (shared/reference/perf-baselines.md, "Cipher availability").
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { wipe } from './bytes.js';
import { EmvCryptoError } from './errors.js';

export type BlockAlgorithm = 'tdes' | 'aes';
export type CipherMode = 'ecb' | 'cbc';

export const DES_BLOCK = 8;
export const AES_BLOCK = 16;

export function blockSize(alg: BlockAlgorithm): number {
  return alg === 'aes' ? AES_BLOCK : DES_BLOCK;
}

// Scratch for the K‖K key of single DES: createCipheriv copies the key into its context, so
// one buffer, filled and wiped within a synchronous call, saves an allocation per block.
const KK = Buffer.alloc(16);

const NAMES = {
  ecb: { 16: 'des-ede-ecb', 24: 'des-ede3-ecb', aes16: 'aes-128-ecb', aes24: 'aes-192-ecb', aes32: 'aes-256-ecb' },
  cbc: { 16: 'des-ede-cbc', 24: 'des-ede3-cbc', aes16: 'aes-128-cbc', aes24: 'aes-192-cbc', aes32: 'aes-256-cbc' },
} as const;

function cipherName(alg: BlockAlgorithm, mode: CipherMode, key: Uint8Array): string {
  if (alg === 'aes') {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new EmvCryptoError('EMV_CRYPTO_KEY_LENGTH', `AES key must be 16, 24 or 32 bytes, got ${key.length}`);
    }
    return NAMES[mode][`aes${key.length}`];
  }
  if (key.length !== 8 && key.length !== 16 && key.length !== 24) {
    throw new EmvCryptoError('EMV_CRYPTO_KEY_LENGTH', `DES/TDES key must be 8, 16 or 24 bytes, got ${key.length}`);
  }
  return NAMES[mode][key.length === 24 ? 24 : 16];
}

function run(alg: BlockAlgorithm, mode: CipherMode, decrypt: boolean, key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  const bs = alg === 'aes' ? AES_BLOCK : DES_BLOCK;
  if (data.length % bs !== 0) {
    throw new EmvCryptoError('EMV_CRYPTO_DATA_LENGTH', `${alg.toUpperCase()} ${mode.toUpperCase()} data must be a multiple of ${bs} bytes, got ${data.length}`);
  }
  let ivBuf: Uint8Array | null = null;
  if (mode === 'cbc') {
    if (iv !== undefined && iv.length !== bs) throw new EmvCryptoError('EMV_CRYPTO_IV_LENGTH', `IV must be ${bs} bytes, got ${iv.length}`);
    ivBuf = iv ?? new Uint8Array(bs);
  }
  const name = cipherName(alg, mode, key);
  const single = key.length === 8;
  if (single) {
    KK.set(key, 0);
    KK.set(key, 8);
  }
  try {
    // node:crypto takes Uint8Array keys and data as they are: no Buffer views to allocate.
    const c: Cipher | Decipher = decrypt ? createDecipheriv(name, single ? KK : key, ivBuf) : createCipheriv(name, single ? KK : key, ivBuf);
    c.setAutoPadding(false);
    const out = c.update(data);
    // ECB/CBC without padding emit everything from update(). final() is still called: it
    // frees the OpenSSL context at once (cleansing the key schedule) instead of at the next GC.
    const fin = c.final();
    // A plain Uint8Array view, never the Buffer: Buffer#slice shares memory, Uint8Array#slice copies.
    return fin.length === 0 ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength) : Uint8Array.from(Buffer.concat([out, fin]));
  } finally {
    if (single) wipe(KK);
  }
}

/** ECB encryption (TDES: 8-byte key = single DES, 16 = two-key, 24 = three-key). */
export function encryptEcb(alg: BlockAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(alg, 'ecb', false, key, data);
}

export function decryptEcb(alg: BlockAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(alg, 'ecb', true, key, data);
}

/** CBC encryption; the IV defaults to a zero block. */
export function encryptCbc(alg: BlockAlgorithm, key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  return run(alg, 'cbc', false, key, data, iv);
}

export function decryptCbc(alg: BlockAlgorithm, key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  return run(alg, 'cbc', true, key, data, iv);
}

// Named shorthands for the common cases.
export const tdesEncryptEcb = (key: Uint8Array, data: Uint8Array): Uint8Array => encryptEcb('tdes', key, data);
export const tdesDecryptEcb = (key: Uint8Array, data: Uint8Array): Uint8Array => decryptEcb('tdes', key, data);
export const tdesEncryptCbc = (key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array => encryptCbc('tdes', key, data, iv);
export const tdesDecryptCbc = (key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array => decryptCbc('tdes', key, data, iv);
export const aesEncryptEcb = (key: Uint8Array, data: Uint8Array): Uint8Array => encryptEcb('aes', key, data);
export const aesDecryptEcb = (key: Uint8Array, data: Uint8Array): Uint8Array => decryptEcb('aes', key, data);
export const aesEncryptCbc = (key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array => encryptCbc('aes', key, data, iv);
export const aesDecryptCbc = (key: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array => decryptCbc('aes', key, data, iv);

/** Single DES (8-byte key), run as EDE with K‖K. */
export function desEncryptEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 8) throw new EmvCryptoError('EMV_CRYPTO_KEY_LENGTH', `DES key must be 8 bytes, got ${key.length}`);
  return run('tdes', 'ecb', false, key, data);
}

export function desDecryptEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 8) throw new EmvCryptoError('EMV_CRYPTO_KEY_LENGTH', `DES key must be 8 bytes, got ${key.length}`);
  return run('tdes', 'ecb', true, key, data);
}
