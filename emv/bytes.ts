/**
 * Byte helpers shared by every emv/ module: hex (uppercase, as the project prints byte
 * strings), packed BCD digits (EMV Book 3 4.3 formats n and cn) and concatenation.
 */
import { EmvError } from './errors.js';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).toUpperCase().padStart(2, '0'));

/** Uppercase hex of `bytes`, no separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]!;
  return s;
}

/** One byte as two uppercase hex digits. */
export function byteHex(b: number): string {
  return HEX[b & 0xff]!;
}

/** Bytes from hex (either case, whitespace ignored); throws EMV_TLV_BAD_INPUT on anything else. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new EmvError('EMV_TLV_BAD_INPUT', `expected hex digits in pairs, got "${clean.length > 40 ? clean.slice(0, 40) + '...' : clean}"`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Digits of a format n value (EMV Book 3 4.3: BCD, right justified, leading zeros).
 * Throws EMV_DATA_BAD_FORMAT when a nibble is not a decimal digit.
 */
export function bcdDigits(bytes: Uint8Array): string {
  const s = toHex(bytes);
  if (!/^[0-9]*$/.test(s)) throw new EmvError('EMV_DATA_BAD_FORMAT', `format n value ${s} has a non-decimal nibble`);
  return s;
}

/** Digits of a format cn value (left justified, trailing F padding removed). */
export function cnDigits(bytes: Uint8Array): string {
  const s = toHex(bytes).replace(/F+$/, '');
  if (!/^[0-9]*$/.test(s)) throw new EmvError('EMV_DATA_BAD_FORMAT', `format cn value ${toHex(bytes)} has a non-decimal nibble before the F padding`);
  return s;
}

/** Integer value of a format n field (amounts are n 12: up to 10^12 - 1, exact in a double). */
export function bcdToNumber(bytes: Uint8Array): number {
  const d = bcdDigits(bytes);
  return d.length === 0 ? 0 : Number(d);
}

/** A non-negative integer as format n of `byteLength` bytes (leading zeros). */
export function numberToBcd(value: number | bigint, byteLength: number): Uint8Array {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < 10 ** Math.min(15, byteLength * 2)) {
    // Fast path (amounts, dates, counters on every transaction): no string round trip.
    const out = new Uint8Array(byteLength);
    let v = value;
    for (let i = byteLength - 1; i >= 0 && v > 0; i--) {
      const lo = v % 10;
      v = (v - lo) / 10;
      const hi = v % 10;
      v = (v - hi) / 10;
      out[i] = (hi << 4) | lo;
    }
    return out;
  }
  const digits = String(value);
  if (!/^[0-9]+$/.test(digits) || digits.length > byteLength * 2) {
    throw new EmvError('EMV_DATA_BAD_FORMAT', `${digits} does not fit format n of ${byteLength} bytes`);
  }
  return digitsToBcd(digits.padStart(byteLength * 2, '0'));
}

/** An even-length digit (or hex) string packed two per byte. */
export function digitsToBcd(digits: string): Uint8Array {
  return fromHex(digits.length % 2 ? digits + 'F' : digits);
}
