/**
 * ISO 9564-1:2017 PIN blocks, formats 0, 1 and 3 (8 bytes, enciphered with TDES) and 4
 * (16 bytes, enciphered with AES together with the PAN block), built straight from keypad
 * digits. The clear PIN lives only in a {@link PinBuffer}; every clear block built here is
 * wiped (fill(0)) before the function returns. Nothing here logs or keeps a PIN.
 */
import { randomFillSync } from 'node:crypto';
import { decryptEcb, encryptEcb } from '../../emv/crypto/block-cipher.js';
import { wipe, xor, xorInto } from '../../emv/crypto/bytes.js';
import { KeyError } from './errors.js';

export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 12;

export type PinBlockFormat = 0 | 1 | 3 | 4;
export const PIN_BLOCK_FORMATS: readonly PinBlockFormat[] = [0, 1, 3, 4];

/**
 * The PIN as the keypad delivers it: one digit at a time into a fixed 12-byte buffer.
 * Call {@link PinBuffer.wipe} once the block is built (the encipher functions can do it).
 */
export class PinBuffer {
  private readonly digits = new Uint8Array(PIN_MAX_LENGTH);
  private count = 0;

  /** For tools and tests that start from text; the keypad path uses push(). */
  static fromString(pin: string): PinBuffer {
    const b = new PinBuffer();
    if (!/^[0-9]{4,12}$/.test(pin)) throw new KeyError('KEY_PIN_INVALID', `PIN must be ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH} decimal digits`);
    for (let i = 0; i < pin.length; i++) b.push(pin.charCodeAt(i) - 48);
    return b;
  }

  /** Appends one digit 0-9; a 13th digit is refused (KEY_PIN_INVALID). */
  push(digit: number): void {
    if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new KeyError('KEY_PIN_INVALID', 'a PIN digit must be 0-9');
    if (this.count >= PIN_MAX_LENGTH) throw new KeyError('KEY_PIN_INVALID', `a PIN has at most ${PIN_MAX_LENGTH} digits`);
    this.digits[this.count++] = digit;
  }

  /** Removes the last digit (the keypad's correction key). */
  backspace(): void {
    if (this.count > 0) this.digits[--this.count] = 0;
  }

  get length(): number {
    return this.count;
  }

  /** True when the length is 4..12 (ISO 9564-1). */
  get complete(): boolean {
    return this.count >= PIN_MIN_LENGTH;
  }

  /** Zeros every digit and empties the buffer. */
  wipe(): void {
    this.digits.fill(0);
    this.count = 0;
  }

  /** Runs `fn` on a view of the digits (no copy). Package use: PIN block code and the PIN pad. */
  withDigits<T>(fn: (digits: Uint8Array) => T): T {
    return fn(this.digits.subarray(0, this.count));
  }

  /** The digits as text, for the `pos tools pinblock decode` calculator and test assertions only. */
  reveal(): string {
    return this.withDigits((d) => Array.from(d, (x) => String(x)).join(''));
  }
}

// Random fill comes from a CSPRNG pool refilled 512 bytes at a time: one randomFillSync per
// call cost about a tenth of a format 4 PIN block. Bytes are zeroed as they are taken.
const POOL = new Uint8Array(512);
let poolPos = POOL.length;

function randomByte(): number {
  if (poolPos >= POOL.length) {
    randomFillSync(POOL);
    poolPos = 0;
  }
  const b = POOL[poolPos]!;
  POOL[poolPos++] = 0;
  return b;
}

/** A uniformly random nibble in [lo, 15] (rejection sampling, no modulo bias). */
function randomNibble(lo: number): number {
  const span = 16 - lo;
  const limit = 256 - (256 % span);
  for (;;) {
    const b = randomByte();
    if (b < limit) return lo + (b % span);
  }
}

function checkPan(pan: string, min = 1): void {
  if (!/^[0-9]+$/.test(pan) || pan.length < min || pan.length > 19) {
    throw new KeyError('KEY_PAN_INVALID', `PAN must be ${min} to 19 decimal digits`);
  }
}

function setNibble(block: Uint8Array, index: number, value: number): void {
  const i = index >> 1;
  block[i] = index & 1 ? (block[i]! & 0xf0) | value : (block[i]! & 0x0f) | (value << 4);
}

function getNibble(block: Uint8Array, index: number): number {
  return index & 1 ? block[index >> 1]! & 0x0f : block[index >> 1]! >> 4;
}

/** Parses fill digits given as hex nibbles (odd count allowed). */
export function parseFillNibbles(fill: string): Uint8Array {
  if (!/^[0-9A-Fa-f]*$/.test(fill)) throw new KeyError('KEY_BAD_ARGUMENT', 'fill must be hex digits');
  return Uint8Array.from(fill, (c) => parseInt(c, 16));
}

/** ISO 9564-1 9.3.1: PAN block for formats 0 and 3: 0000 ‖ the 12 rightmost PAN digits excluding the check digit. */
export function panBlock03(pan: string): Uint8Array {
  checkPan(pan, 2);
  const out = new Uint8Array(8);
  const end = pan.length - 1; // the check digit is left out
  for (let k = 0; k < 12; k++) {
    const i = end - 12 + k;
    if (i >= 0) setNibble(out, 4 + k, pan.charCodeAt(i) - 48);
  }
  return out;
}

/** ISO 9564-1 9.4.2: format 4 PAN block: M (PAN length - 12, 0 when shorter) ‖ PAN (left-padded to 12) ‖ zeros, 16 bytes. */
export function panBlock4(pan: string): Uint8Array {
  checkPan(pan);
  const out = new Uint8Array(16);
  setNibble(out, 0, Math.max(pan.length - 12, 0));
  const start = 1 + Math.max(12 - pan.length, 0); // a short PAN is padded left with zeros to 12 digits
  for (let i = 0; i < pan.length; i++) setNibble(out, start + i, pan.charCodeAt(i) - 48);
  return out;
}

/** The PIN digits into nibbles 2.. of a block, straight from the buffer. */
function putDigits(pin: PinBuffer, block: Uint8Array): void {
  pin.withDigits((d) => {
    for (let i = 0; i < d.length; i++) setNibble(block, 2 + i, d[i]!);
  });
}

function checkFill(format: PinBlockFormat, fill: Uint8Array, needed: number): void {
  if (fill.length !== needed) throw new KeyError('KEY_BAD_ARGUMENT', `format ${format} needs ${needed} fill digits, got ${fill.length}`);
  if (format === 3 && fill.some((n) => n < 0xa || n > 0xf)) throw new KeyError('KEY_BAD_ARGUMENT', 'format 3 fill digits must be A-F');
  if (fill.some((n) => n < 0 || n > 0xf)) throw new KeyError('KEY_BAD_ARGUMENT', 'fill digits must be nibbles');
}

function checkPin(pin: PinBuffer): void {
  if (!pin.complete) throw new KeyError('KEY_PIN_INVALID', `PIN must be ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH} digits`);
}

/**
 * The clear ISO 9564-1 PIN block (formats 0, 1, 3: 8 bytes) or the plain-text PIN field
 * (format 4: 16 bytes). `fill`: formats 1 and 3, the 14 - PIN length fill nibbles (random
 * when absent; format 3 A-F); format 4, the 8 random bytes (16 nibbles). The caller wipes the result.
 */
export function encodePinBlock(format: PinBlockFormat, pin: PinBuffer, pan?: string, fill?: Uint8Array): Uint8Array {
  checkPin(pin);
  if (format === 4) return encodePinField4(pin, fill);
  if (format !== 0 && format !== 1 && format !== 3) throw new KeyError('KEY_BAD_ARGUMENT', `unsupported PIN block format ${String(format)}`);
  if (format !== 1 && pan === undefined) throw new KeyError('KEY_PAN_INVALID', `format ${format} needs the PAN`);
  const n = pin.length;
  const fillCount = 14 - n;
  if (format === 0 && fill !== undefined) throw new KeyError('KEY_BAD_ARGUMENT', 'format 0 has no free fill digits (always F)');
  if (fill !== undefined) checkFill(format, fill, fillCount);
  const block = new Uint8Array(8);
  setNibble(block, 0, format);
  setNibble(block, 1, n);
  putDigits(pin, block);
  for (let i = 0; i < fillCount; i++) {
    const f = fill?.[i] ?? (format === 0 ? 0xf : randomNibble(format === 3 ? 0xa : 0));
    setNibble(block, 2 + n + i, f);
  }
  if (format !== 1) {
    const pb = panBlock03(pan!);
    xorInto(block, pb);
  }
  return block;
}

function encodePinField4(pin: PinBuffer, random?: Uint8Array): Uint8Array {
  if (random !== undefined) {
    if (random.length === 16) random = Uint8Array.from({ length: 8 }, (_, i) => (random![2 * i]! << 4) | random![2 * i + 1]!);
    else if (random.length !== 8) throw new KeyError('KEY_BAD_ARGUMENT', 'format 4 fill is the 8 random bytes (16 hex digits)');
  }
  const field = new Uint8Array(16);
  setNibble(field, 0, 4);
  setNibble(field, 1, pin.length);
  putDigits(pin, field);
  for (let i = 2 + pin.length; i < 16; i++) setNibble(field, i, 0xa);
  if (random) field.set(random, 8);
  else for (let i = 8; i < 16; i++) field[i] = randomByte();
  return field;
}

/**
 * Enciphers a PIN block straight from the PIN buffer: TDES-ECB for formats 0, 1, 3 (key 16
 * or 24 bytes); for format 4 AES (ISO 9564-1 9.4.3: block A = E(K, PIN field), B = A ⊕ PAN
 * block, enciphered block = E(K, B)). Clear intermediates are wiped; `wipePin` also wipes the PIN buffer.
 */
export function encipherPinBlock(format: PinBlockFormat, pin: PinBuffer, pan: string | undefined, key: Uint8Array, fill?: Uint8Array, wipePin = false): Uint8Array {
  let clear: Uint8Array | undefined;
  try {
    clear = encodePinBlock(format, pin, pan, fill);
    if (format !== 4) return encryptEcb('tdes', key, clear);
    if (pan === undefined) throw new KeyError('KEY_PAN_INVALID', 'format 4 needs the PAN');
    const a = encryptEcb('aes', key, clear);
    xorInto(a, panBlock4(pan));
    const out = encryptEcb('aes', key, a);
    wipe(a);
    return out;
  } finally {
    wipe(clear);
    if (wipePin) pin.wipe();
  }
}

/**
 * Decodes a clear PIN block (formats 0, 1, 3) or plain PIN field (format 4) back into a
 * PinBuffer, checking every field ISO 9564-1 defines. For the acquirer simulator and tools.
 */
export function decodePinBlock(format: PinBlockFormat, block: Uint8Array, pan?: string): PinBuffer {
  const expected = format === 4 ? 16 : 8;
  if (block.length !== expected) throw new KeyError('KEY_BAD_LENGTH', `format ${format} PIN block must be ${expected} bytes, got ${block.length}`);
  if (format !== 1 && format !== 4 && pan === undefined) throw new KeyError('KEY_PAN_INVALID', `format ${format} needs the PAN`);
  const field = format === 0 || format === 3 ? xor(block, panBlock03(pan!)) : Uint8Array.from(block);
  const out = new PinBuffer();
  try {
    if (getNibble(field, 0) !== format) throw new KeyError('KEY_PIN_BLOCK_INVALID', `control field is not ${format}: wrong key, PAN or format`);
    const n = getNibble(field, 1);
    if (n < PIN_MIN_LENGTH || n > PIN_MAX_LENGTH) throw new KeyError('KEY_PIN_BLOCK_INVALID', 'PIN length field out of range 4..12');
    for (let i = 0; i < n; i++) {
      const d = getNibble(field, 2 + i);
      if (d > 9) throw new KeyError('KEY_PIN_BLOCK_INVALID', 'PIN digit out of range 0-9');
      out.push(d);
    }
    // Fill nibbles run to the end of the first 8 bytes in every format (format 4: random bytes follow).
    for (let i = 2 + n; i < 16; i++) {
      const f = getNibble(field, i);
      const ok = format === 0 ? f === 0xf : format === 3 ? f >= 0xa : format === 4 ? f === 0xa : true;
      if (!ok) throw new KeyError('KEY_PIN_BLOCK_INVALID', `fill digit not allowed in format ${format}`);
    }
    return out;
  } catch (err) {
    out.wipe();
    throw err;
  } finally {
    wipe(field);
  }
}

/** Deciphers and decodes an enciphered PIN block (the acquirer side). */
export function decipherPinBlock(format: PinBlockFormat, block: Uint8Array, pan: string | undefined, key: Uint8Array): PinBuffer {
  let clear: Uint8Array | undefined;
  try {
    if (format !== 4) {
      if (block.length !== 8) throw new KeyError('KEY_BAD_LENGTH', `format ${format} PIN block must be 8 bytes, got ${block.length}`);
      clear = decryptEcb('tdes', key, block);
    } else {
      if (block.length !== 16) throw new KeyError('KEY_BAD_LENGTH', `format 4 PIN block must be 16 bytes, got ${block.length}`);
      if (pan === undefined) throw new KeyError('KEY_PAN_INVALID', 'format 4 needs the PAN');
      const b = decryptEcb('aes', key, block);
      xorInto(b, panBlock4(pan));
      clear = decryptEcb('aes', key, b);
      wipe(b);
    }
    return decodePinBlock(format, clear, pan);
  } finally {
    wipe(clear);
  }
}
