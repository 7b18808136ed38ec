// HOTP (RFC 4226) and TOTP (RFC 6238): HMAC-SHA-1, 30 s steps, 6 digits, a window of one
// step either side for clock drift. Secrets travel as base32 (RFC 4648 section 6), the
// form authenticator apps read from an otpauth:// URI.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SEC = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (RFC 6238 section 5.2 recommends at most one). */
export const TOTP_WINDOW = 1;
/** 160-bit secrets, the HMAC-SHA-1 key length RFC 4226 section 4 recommends. */
export const TOTP_SECRET_BYTES = 20;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 (case-insensitive, spaces and "=" padding ignored); undefined when not base32. */
export function base32Decode(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = B32.indexOf(ch);
    if (v < 0) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** RFC 4226 section 5.3: HMAC-SHA-1 over the 8-byte counter, dynamic truncation, modulo 10^digits. */
export function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(code % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 section 4: T = floor((unix time - T0) / X), T0 = 0, X = 30 s. */
export function totpStep(unixMs: number, stepSec = TOTP_STEP_SEC): number {
  return Math.floor(unixMs / 1000 / stepSec);
}

export function totp(secret: Uint8Array, unixMs: number, digits = TOTP_DIGITS): string {
  return hotp(secret, totpStep(unixMs), digits);
}

/**
 * Checks a code against the steps around `unixMs`; returns the matching step, or undefined.
 * Steps at or before `lastStep` are refused (a code used once cannot be replayed).
 */
export function verifyTotp(secret: Uint8Array, code: string, unixMs: number, lastStep = -1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const now = totpStep(unixMs);
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (step <= lastStep) continue;
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code))) return step;
  }
  return undefined;
}

export function newTotpSecret(): Uint8Array {
  return Uint8Array.from(randomBytes(TOTP_SECRET_BYTES));
}

/** The otpauth:// URI authenticator apps enrol from (Google Authenticator "Key Uri Format"). */
export function provisioningUri(secret: Uint8Array, account: string, issuer = 'POS terminal'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?secret=${base32Encode(secret)}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_STEP_SEC}`;
}
