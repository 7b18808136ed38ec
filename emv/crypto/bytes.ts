/**
 * Byte helpers shared by the crypto primitives: hex in and out (uppercase out), XOR,
 * concatenation, constant-time comparison and wiping.
 */
import { timingSafeEqual } from 'node:crypto';
import { EmvCryptoError } from './errors.js';

/** Parses hex (spaces allowed); throws EMV_CRYPTO_HEX on odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new EmvCryptoError('EMV_CRYPTO_HEX', `expected hex digits in pairs (${clean.length} characters given)`);
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Uppercase hex, the project's form for byte strings a person or JSON sees. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** a XOR b; both must have the same length. */
export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new EmvCryptoError('EMV_CRYPTO_BAD_ARGUMENT', `xor of ${a.length} and ${b.length} bytes`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** XORs b into a in place (a.length >= b.length) and returns a. */
export function xorInto(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < b.length; i++) a[i]! ^= b[i]!;
  return a;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time equality (false on length mismatch), for MAC and KCV checks. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Overwrites secrets with zeros; call in `finally` after a key or PIN buffer is used. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

/** A node Buffer view of the same memory (no copy), for node:crypto calls. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
