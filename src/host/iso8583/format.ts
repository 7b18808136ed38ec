/**
 * Field formats as small composable strategies (after jPOS's ISOFieldPackager classes,
 * whose names say the wire format: IFA_ = ASCII, IFB_ = binary/BCD, IFE_ = EBCDIC,
 * LL/LLL = a 2/3-digit length prefix). A format is plain data; `compileField` turns it
 * into a packer/unpacker pair once per layout so the hot path runs no lookups.
 */
import { HostError } from '../errors.js';

/** What a field holds: n digits; z track-2 digits ("=" separator); an/ans text; b bytes; amount C/D + digits. */
export type FieldContent = 'n' | 'z' | 'an' | 'ans' | 'b' | 'amount';
/** How the length prefix is written: ASCII digits, packed BCD, a binary integer, EBCDIC digits. */
export type LengthEncoding = 'ascii' | 'bcd' | 'binary' | 'ebcdic';
/** How the data is written: ASCII, packed BCD, raw bytes, bytes as ASCII hex, EBCDIC (cp037). */
export type DataEncoding = 'ascii' | 'bcd' | 'binary' | 'hex' | 'ebcdic';

export interface FieldFormat {
  content: FieldContent;
  /** Fixed length, or the maximum of a variable field, in digits, characters or bytes. */
  length: number;
  /** 0 = fixed length; otherwise the number of digits of the length prefix (LL = 2, LLL = 3). */
  lengthDigits: 0 | 1 | 2 | 3 | 4;
  lengthEncoding: LengthEncoding;
  dataEncoding: DataEncoding;
  /** Numeric padding: left (zeros before, the usual) or right (odd BCD digit count padded after). */
  padLeft: boolean;
  /** The jPOS class this format corresponds to, when it was described by one. */
  jposClass?: string;
}

export interface FieldDef extends FieldFormat {
  id: number;
  name: string;
}

/** A field value: text for n/z/an/ans/amount, bytes for b. */
export type FieldValue = string | Uint8Array;

/** A growable output buffer shared by one pack call. */
export class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 2048) {
    this.buf = Buffer.allocUnsafe(size);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

export interface FieldCodec {
  readonly def: FieldDef;
  pack(value: FieldValue, w: Writer): void;
  /** Returns the value and the offset after the field. */
  unpack(buf: Buffer, offset: number): [FieldValue, number];
}

// EBCDIC code page 037 for the printable ASCII range (IFE_ fields).
const ASCII_TO_EBCDIC = new Uint8Array(256).fill(0x6f); // '?'
const EBCDIC_TO_ASCII = new Uint8Array(256).fill(0x3f);
(() => {
  const ebc = [
    0x40, 0x5a, 0x7f, 0x7b, 0x5b, 0x6c, 0x50, 0x7d, 0x4d, 0x5d, 0x5c, 0x4e, 0x6b, 0x60, 0x4b, 0x61, // 20-2F
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0x7a, 0x5e, 0x4c, 0x7e, 0x6e, 0x6f, // 30-3F
    0x7c, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, // 40-4F
    0xd7, 0xd8, 0xd9, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xba, 0xe0, 0xbb, 0xb0, 0x6d, // 50-5F
    0x79, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, // 60-6F
    0x97, 0x98, 0x99, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xc0, 0x4f, 0xd0, 0xa1, // 70-7E
  ];
  ebc.forEach((e, i) => {
    ASCII_TO_EBCDIC[0x20 + i] = e;
    EBCDIC_TO_ASCII[e] = 0x20 + i;
  });
})();

const DIGITS = /^[0-9]*$/;
const TRACK2 = /^[0-9=D]*$/;
const AN = /^[A-Za-z0-9 ]*$/;
const ANS = /^[\x20-\x7e]*$/;

function unpackError(def: FieldDef, offset: number, what: string): HostError {
  return new HostError('HOST_UNPACK', `field ${def.id} (${def.name}) at offset ${offset}: ${what}`, def.id, offset);
}

function packError(def: FieldDef, what: string): HostError {
  return new HostError('HOST_PACK', `field ${def.id} (${def.name}): ${what}`, def.id);
}

/** Bytes the data of `units` logical units occupies on the wire. */
function dataBytes(f: FieldFormat, units: number): number {
  switch (f.dataEncoding) {
    case 'bcd':
      return f.content === 'amount' ? 1 + Math.ceil((units - 1) / 2) : Math.ceil(units / 2);
    case 'hex':
      return units * 2;
    default:
      return units;
  }
}

function prefixBytes(f: FieldFormat): number {
  if (f.lengthDigits === 0) return 0;
  if (f.lengthEncoding === 'bcd') return Math.ceil(f.lengthDigits / 2);
  if (f.lengthEncoding === 'binary') return Math.ceil(f.lengthDigits / 2);
  return f.lengthDigits;
}

function writePrefix(f: FieldFormat, n: number, w: Writer): void {
  const b = w.buf;
  switch (f.lengthEncoding) {
    case 'ascii':
    case 'ebcdic': {
      const s = String(n).padStart(f.lengthDigits, '0');
      for (let i = 0; i < s.length; i++) b[w.pos++] = f.lengthEncoding === 'ascii' ? s.charCodeAt(i) : ASCII_TO_EBCDIC[s.charCodeAt(i)]!;
      return;
    }
    case 'bcd': {
      const s = String(n).padStart(prefixBytes(f) * 2, '0');
      for (let i = 0; i < s.length; i += 2) b[w.pos++] = ((s.charCodeAt(i) - 48) << 4) | (s.charCodeAt(i + 1) - 48);
      return;
    }
    case 'binary': {
      const bytes = prefixBytes(f);
      for (let i = bytes - 1; i >= 0; i--) b[w.pos++] = (n >> (8 * i)) & 0xff;
      return;
    }
  }
}

function readPrefix(f: FieldDef, buf: Uint8Array, offset: number): number {
  const bytes = prefixBytes(f);
  if (offset + bytes > buf.length) throw unpackError(f, offset, `truncated length prefix (needs ${bytes} bytes, ${buf.length - offset} left)`);
  let n = 0;
  for (let i = 0; i < bytes; i++) {
    const c = buf[offset + i]!;
    switch (f.lengthEncoding) {
      case 'ascii':
        if (c < 0x30 || c > 0x39) throw unpackError(f, offset + i, `length prefix byte 0x${c.toString(16)} is not an ASCII digit`);
        n = n * 10 + (c - 0x30);
        break;
      case 'ebcdic':
        if (c < 0xf0 || c > 0xf9) throw unpackError(f, offset + i, `length prefix byte 0x${c.toString(16)} is not an EBCDIC digit`);
        n = n * 10 + (c - 0xf0);
        break;
      case 'bcd': {
        const hi = c >> 4;
        const lo = c & 0x0f;
        if (hi > 9 || lo > 9) throw unpackError(f, offset + i, `length prefix byte 0x${c.toString(16)} is not BCD`);
        n = n * 100 + hi * 10 + lo;
        break;
      }
      case 'binary':
        n = n * 256 + c;
        break;
    }
  }
  return n;
}

function checkText(def: FieldDef, s: string): void {
  const ok =
    def.content === 'n' ? DIGITS.test(s) : def.content === 'z' ? TRACK2.test(s) : def.content === 'an' ? AN.test(s) : def.content === 'amount' ? /^[CD][0-9]*$/.test(s) : ANS.test(s);
  if (!ok) throw packError(def, `value has characters not allowed in a${def.content === 'an' ? 'n' : ''} ${def.content} field`);
}

export function compileField(def: FieldDef): FieldCodec {
  const fixed = def.lengthDigits === 0;
  const numeric = def.content === 'n' || def.content === 'z';
  const maxPrefix = fixed ? 0 : 10 ** def.lengthDigits - 1;
  if (!fixed && def.length > maxPrefix && def.lengthEncoding !== 'binary') {
    throw new HostError('HOST_LAYOUT', `field ${def.id}: maximum length ${def.length} does not fit a ${def.lengthDigits}-digit prefix`, def.id);
  }

  const pack = (value: FieldValue, w: Writer): void => {
    if (def.content === 'b') {
      if (!(value instanceof Uint8Array)) throw packError(def, 'expects bytes');
      const n = value.length;
      if (fixed ? n !== def.length : n > def.length) throw packError(def, `${n} bytes, expected ${fixed ? 'exactly' : 'at most'} ${def.length}`);
      w.ensure(prefixBytes(def) + dataBytes(def, n));
      if (!fixed) writePrefix(def, n, w);
      if (def.dataEncoding === 'hex') w.pos += w.buf.write(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex').toUpperCase(), w.pos, 'latin1');
      else {
        w.buf.set(value, w.pos);
        w.pos += n;
      }
      return;
    }
    if (typeof value !== 'string') throw packError(def, 'expects text');
    checkText(def, value);
    let s = value;
    if (s.length > def.length) throw packError(def, `${s.length} characters, at most ${def.length}`);
    if (fixed && s.length < def.length) {
      if (numeric) s = s.padStart(def.length, '0');
      else if (def.content === 'amount') s = s[0] + s.slice(1).padStart(def.length - 1, '0');
      else s = s.padEnd(def.length, ' ');
    }
    const units = s.length;
    w.ensure(prefixBytes(def) + dataBytes(def, units) + 1);
    if (!fixed) writePrefix(def, units, w);
    const b = w.buf;
    switch (def.dataEncoding) {
      case 'ascii':
      case 'hex':
        w.pos += b.write(s, w.pos, 'latin1');
        return;
      case 'ebcdic':
        for (let i = 0; i < s.length; i++) b[w.pos++] = ASCII_TO_EBCDIC[s.charCodeAt(i)]!;
        return;
      case 'bcd': {
        let digits = s;
        if (def.content === 'amount') {
          b[w.pos++] = s.charCodeAt(0);
          digits = s.slice(1);
        }
        if (digits.length % 2) digits = def.padLeft ? '0' + digits : digits + '0';
        for (let i = 0; i < digits.length; i += 2) {
          b[w.pos++] = (nibble(digits.charCodeAt(i)) << 4) | nibble(digits.charCodeAt(i + 1));
        }
        return;
      }
      case 'binary':
        throw packError(def, 'text content cannot use binary encoding');
    }
  };

  const unpack = (buf: Buffer, offset: number): [FieldValue, number] => {
    let pos = offset;
    let units = def.length;
    if (!fixed) {
      units = readPrefix(def, buf, pos);
      pos += prefixBytes(def);
      if (units > def.length) throw unpackError(def, offset, `length ${units} exceeds the maximum ${def.length}`);
    }
    const size = dataBytes(def, units);
    if (pos + size > buf.length) throw unpackError(def, pos, `truncated: needs ${size} bytes, ${buf.length - pos} left`);
    const end = pos + size;
    if (def.content === 'b') {
      if (def.dataEncoding === 'hex') {
        const text = buf.toString('latin1', pos, end);
        if (!/^[0-9A-Fa-f]*$/.test(text)) throw unpackError(def, pos, 'not hex digits');
        return [Uint8Array.from(Buffer.from(text, 'hex')), end];
      }
      return [buf.subarray(pos, end), end];
    }
    let s: string;
    switch (def.dataEncoding) {
      case 'ascii':
      case 'hex':
        checkBytes(def, buf, pos, end);
        s = buf.toString('latin1', pos, end);
        return [s, end];
      case 'ebcdic': {
        let out = '';
        for (let i = pos; i < end; i++) out += String.fromCharCode(EBCDIC_TO_ASCII[buf[i]!]!);
        s = out;
        break;
      }
      case 'bcd': {
        let out = '';
        let p = pos;
        if (def.content === 'amount') out = String.fromCharCode(buf[p++]!);
        const digitsWanted = def.content === 'amount' ? units - 1 : units;
        const pad = (size - (p - pos)) * 2 - digitsWanted;
        for (let i = 0; i < (size - (p - pos)) * 2; i++) {
          const byte = buf[p + (i >> 1)]!;
          const d = i & 1 ? byte & 0x0f : byte >> 4;
          const isPad = pad === 1 && (def.padLeft ? i === 0 : i === (size - (p - pos)) * 2 - 1);
          if (isPad) continue;
          out += digitChar(def, d, p + (i >> 1));
        }
        s = out;
        break;
      }
      default:
        throw unpackError(def, pos, 'text content cannot use binary encoding');
    }
    const valid =
      def.content === 'n' ? DIGITS.test(s) : def.content === 'z' ? TRACK2.test(s) : def.content === 'amount' ? /^[CD][0-9]*$/.test(s) : def.content === 'an' ? ANS.test(s) : ANS.test(s);
    if (!valid) throw unpackError(def, pos, `not a valid ${def.content} value`);
    return [s, end];
  };

  function digitChar(d: FieldDef, v: number, at: number): string {
    if (v <= 9) return String.fromCharCode(48 + v);
    if (d.content === 'z' && v === 0x0d) return '=';
    throw unpackError(d, at, `nibble 0x${v.toString(16)} is not a decimal digit`);
  }

  return { def, pack, unpack };
}

/** Validates ASCII field bytes in place (cheaper than a regex over a decoded string). */
function checkBytes(def: FieldDef, buf: Buffer, pos: number, end: number): void {
  const content = def.content;
  for (let i = pos; i < end; i++) {
    const c = buf[i]!;
    const ok =
      content === 'n'
        ? c >= 48 && c <= 57
        : content === 'z'
          ? (c >= 48 && c <= 57) || c === 61 || c === 68
          : content === 'amount' && i === pos
            ? c === 67 || c === 68
            : content === 'amount'
              ? c >= 48 && c <= 57
              : c >= 0x20 && c <= 0x7e;
    if (!ok) throw unpackError(def, i, `byte 0x${c.toString(16)} is not allowed in a ${content} field`);
  }
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c === 61 || c === 68) return 0x0d; // "=" or "D": the track 2 field separator
  return 0;
}
