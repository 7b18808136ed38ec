/**
 * CMAC (NIST SP 800-38B; ISO/IEC 9797-1 MAC algorithm 5) over AES or TDES.
 */
import { blockSize, encryptCbc, encryptEcb, type BlockAlgorithm } from './block-cipher.js';
import { wipe, xorInto } from './bytes.js';
import { EmvCryptoError } from './errors.js';

/** SP 800-38B 6.1: doubling in GF(2^b) with R128 = 0x87, R64 = 0x1B. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(block.length);
  for (let i = 0; i < block.length; i++) out[i] = ((block[i]! << 1) | (i + 1 < block.length ? block[i + 1]! >> 7 : 0)) & 0xff;
  if (block[0]! & 0x80) out[block.length - 1]! ^= block.length === 16 ? 0x87 : 0x1b;
  return out;
}

/** The two CMAC subkeys K1 and K2 (SP 800-38B 6.1). */
export function cmacSubkeys(alg: BlockAlgorithm, key: Uint8Array): { k1: Uint8Array; k2: Uint8Array } {
  const l = encryptEcb(alg, key, new Uint8Array(blockSize(alg)));
  const k1 = double(l);
  const k2 = double(k1);
  wipe(l);
  return { k1, k2 };
}

/**
 * CMAC of `data` under `key` (AES 16/24/32 bytes; TDES 16/24 bytes), truncated to
 * `length` bytes (default: the full block, 16 for AES, 8 for TDES). SP 800-38B 6.2.
 */
export function cmac(alg: BlockAlgorithm, key: Uint8Array, data: Uint8Array, length?: number): Uint8Array {
  const bs = blockSize(alg);
  const len = length ?? bs;
  if (!Number.isInteger(len) || len < 1 || len > bs) throw new EmvCryptoError('EMV_CRYPTO_BAD_ARGUMENT', `CMAC length must be 1..${bs}, got ${len}`);
  if (alg === 'tdes' && key.length === 8) throw new EmvCryptoError('EMV_CRYPTO_KEY_LENGTH', 'TDES CMAC needs a 16- or 24-byte key');
  const { k1, k2 } = cmacSubkeys(alg, key);
  const blocks = data.length === 0 ? 1 : Math.ceil(data.length / bs);
  const m = new Uint8Array(blocks * bs);
  m.set(data);
  const last = m.subarray((blocks - 1) * bs);
  if (data.length > 0 && data.length % bs === 0) {
    xorInto(last, k1);
  } else {
    m[data.length] = 0x80;
    xorInto(last, k2);
  }
  const c = encryptCbc(alg, key, m);
  const mac = c.slice(c.length - bs, c.length - bs + len);
  wipe(k1, k2, m, c);
  return mac;
}
