/**
 * ISO/IEC 7813 financial track data, as the stripe reader frames it (hardware.md 8.1) and
 * as the chip carries it (Track 2 Equivalent Data, tag 57, EMV Book 3 Annex A).
 *
 * Track 1: `%B<PAN up to 19>^<NAME 2-26>^<YYMM><service code><discretionary>?[LRC]`, at
 * most 79 characters including sentinels and LRC, characters 20-5F hex.
 * Track 2: `;<PAN up to 19>=<YYMM><service code><discretionary>?[LRC]`, at most 40
 * characters, digits and the separator only.
 * Sentinels may be absent (readers that strip them); when the start sentinel is present
 * the end sentinel must be too, optionally followed by the LRC character, which is checked.
 */
import { EmvError } from '../errors.js';
import { toHex } from '../bytes.js';
import { luhnValid } from './pan.js';
import { isChipCard } from './service-code.js';

export interface TrackData {
  readonly source: 'track1' | 'track2' | 'track2-equivalent';
  /** Full PAN: mask it with maskPan() before anyone sees it. */
  readonly pan: string;
  /** Cardholder name as on track 1 ("SURNAME/GIVEN"), trimmed; undefined for track 2. */
  readonly name: string | undefined;
  /** Expiry as the card holds it: YYMM. */
  readonly expiry: string;
  readonly serviceCode: string;
  /** Discretionary data (may hold PVV/CVV: never log it). */
  readonly discretionary: string;
  readonly luhnValid: boolean;
  /** Service code starts with 2 or 6: the chip must be used when the terminal has a reader. */
  readonly chipCapable: boolean;
}

const T1_MAX = 79;
const T2_MAX = 40;

/** LRC character of a track 1 string from start through end sentinel (6-bit XOR, hardware.md 8.1). */
export function track1Lrc(framed: string): string {
  let x = 0;
  for (let i = 0; i < framed.length; i++) x ^= (framed.charCodeAt(i) - 0x20) & 0x3f;
  return String.fromCharCode(x + 0x20);
}

/** LRC character of a track 2 string from start through end sentinel (4-bit XOR). */
export function track2Lrc(framed: string): string {
  let x = 0;
  for (let i = 0; i < framed.length; i++) x ^= (framed.charCodeAt(i) - 0x30) & 0x0f;
  return String.fromCharCode(x + 0x30);
}

/** Strips sentinels and checks the LRC when present; returns the data between the sentinels. */
function unframe(text: string, start: string, max: number, lrc: (s: string) => string, track: string): string {
  if (text.length === 0) throw new EmvError('EMV_TRACK_LENGTH', `${track} is empty`);
  if (text[0] !== start) {
    if (text.includes('?') || text.includes(start)) throw new EmvError('EMV_TRACK_SENTINEL', `${track}: a sentinel inside the data but no start sentinel "${start}" at offset 0`, { offset: Math.max(text.indexOf('?'), text.indexOf(start)) });
    if (text.length > max - 3) throw new EmvError('EMV_TRACK_LENGTH', `${track} data of ${text.length} characters (at most ${max - 3})`);
    return text;
  }
  const end = text.indexOf('?');
  if (end < 0) throw new EmvError('EMV_TRACK_SENTINEL', `${track}: start sentinel "${start}" without end sentinel "?"`, { offset: text.length });
  if (text.length > end + 2) throw new EmvError('EMV_TRACK_SENTINEL', `${track}: ${text.length - end - 1} characters after the end sentinel (at most the LRC)`, { offset: end + 1 });
  if (text.length > max) throw new EmvError('EMV_TRACK_LENGTH', `${track} of ${text.length} characters (at most ${max} with sentinels and LRC)`);
  const framed = text.slice(0, end + 1);
  if (text.length === end + 2) {
    const expected = lrc(framed);
    if (text[end + 1] !== expected) throw new EmvError('EMV_TRACK_LRC', `${track}: LRC "${text[end + 1]}" does not match the computed "${expected}"`, { offset: end + 1 });
  }
  return text.slice(1, end);
}

// MagTek, ID TECH and others send "E" in place of a track they could not read (hardware.md 8.2).
function readError(data: string, track: string): void {
  if (data === 'E') throw new EmvError('EMV_TRACK_FORMAT', `${track}: the reader reported a read error ("E"): swipe again`);
}

function checkPan(pan: string, offset: number, track: string): void {
  if (!/^[0-9]{8,19}$/.test(pan)) throw new EmvError('EMV_TRACK_BAD_PAN', `${track}: PAN field of ${pan.length} characters is not 8-19 digits`, { offset });
}

/** Checks YYMM with month 01-12; throws EMV_TRACK_BAD_EXPIRY. */
export function checkExpiry(yymm: string): void {
  const month = Number(yymm.slice(2));
  if (!/^[0-9]{4}$/.test(yymm) || month < 1 || month > 12) throw new EmvError('EMV_TRACK_BAD_EXPIRY', `expiry "${yymm}" is not YYMM with month 01-12`);
}

function tail(rest: string, offset: number, source: TrackData['source'], pan: string, name: string | undefined): TrackData {
  if (rest.length < 7) throw new EmvError('EMV_TRACK_FORMAT', `${source}: expiry YYMM and service code need 7 digits after the PAN, found "${rest.length}" characters`, { offset });
  const expiry = rest.slice(0, 4);
  const serviceCode = rest.slice(4, 7);
  if (!/^[0-9]{7}$/.test(rest.slice(0, 7))) throw new EmvError('EMV_TRACK_CHARACTER', `${source}: expiry and service code must be digits`, { offset });
  checkExpiry(expiry);
  return { source, pan, name, expiry, serviceCode, discretionary: rest.slice(7), luhnValid: luhnValid(pan), chipCapable: isChipCard(serviceCode) };
}

/** Parses track 1 (format code B). */
export function parseTrack1(text: string): TrackData {
  const data = unframe(text, '%', T1_MAX, track1Lrc, 'track 1');
  const base = text[0] === '%' ? 1 : 0;
  readError(data, 'track 1');
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c < 0x20 || c > 0x5f || c === 0x25 || c === 0x3f) throw new EmvError('EMV_TRACK_CHARACTER', `track 1: character ${JSON.stringify(data[i])} at offset ${base + i} is not allowed`, { offset: base + i });
  }
  if (data[0] !== 'B') throw new EmvError('EMV_TRACK_FORMAT', `track 1: format code "${data[0] ?? ''}" at offset ${base} (expected B)`, { offset: base });
  const s1 = data.indexOf('^');
  const s2 = s1 < 0 ? -1 : data.indexOf('^', s1 + 1);
  if (s1 < 0 || s2 < 0) throw new EmvError('EMV_TRACK_FORMAT', 'track 1: needs two "^" field separators');
  const pan = data.slice(1, s1);
  checkPan(pan, base + 1, 'track 1');
  const name = data.slice(s1 + 1, s2);
  if (name.length < 2 || name.length > 26) throw new EmvError('EMV_TRACK_LENGTH', `track 1: name of ${name.length} characters (2-26)`, { offset: base + s1 + 1 });
  const rest = data.slice(s2 + 1);
  if (rest.includes('^')) throw new EmvError('EMV_TRACK_FORMAT', 'track 1: more than two field separators', { offset: base + s2 + 1 + rest.indexOf('^') });
  return tail(rest, base + s2 + 1, 'track1', pan, name.trim());
}

/** Parses track 2. */
export function parseTrack2(text: string): TrackData {
  const data = unframe(text, ';', T2_MAX, track2Lrc, 'track 2');
  const base = text[0] === ';' ? 1 : 0;
  readError(data, 'track 2');
  const bad = /[^0-9=]/.exec(data);
  if (bad) throw new EmvError('EMV_TRACK_CHARACTER', `track 2: character ${JSON.stringify(bad[0])} at offset ${base + bad.index} is not allowed`, { offset: base + bad.index });
  return splitTrack2(data, base, 'track2', '=');
}

function splitTrack2(data: string, base: number, source: TrackData['source'], sep: string): TrackData {
  const s = data.indexOf(sep);
  const what = source === 'track2' ? 'track 2' : 'track 2 equivalent data';
  if (s < 0) throw new EmvError('EMV_TRACK_FORMAT', `${what}: no "${sep}" field separator`);
  const pan = data.slice(0, s);
  checkPan(pan, base, what);
  const rest = data.slice(s + 1);
  if (rest.includes(sep)) throw new EmvError('EMV_TRACK_FORMAT', `${what}: more than one field separator`, { offset: base + s + 1 + rest.indexOf(sep) });
  return tail(rest, base + s + 1, source, pan, undefined);
}

/**
 * Parses Track 2 Equivalent Data (tag 57, Book 3 Annex A): PAN, separator nibble D, YYMM,
 * service code, discretionary digits, one F nibble to fill the last byte. Offsets in
 * errors count nibbles.
 */
export function parseTrack2Equivalent(value: Uint8Array): TrackData {
  if (value.length === 0 || value.length > 19) throw new EmvError('EMV_TRACK_LENGTH', `track 2 equivalent data of ${value.length} bytes (1-19)`);
  let digits = toHex(value);
  if (digits.endsWith('F')) digits = digits.slice(0, -1);
  const bad = /[^0-9D]/.exec(digits);
  if (bad) throw new EmvError('EMV_TRACK_CHARACTER', `track 2 equivalent data: nibble ${bad[0]} at nibble offset ${bad.index} is not allowed`, { offset: bad.index });
  return splitTrack2(digits, 0, 'track2-equivalent', 'D');
}

/** Track 1 when the text starts with % or B, track 2 otherwise. */
export function parseTrack(text: string): TrackData {
  return text[0] === '%' || text[0] === 'B' ? parseTrack1(text) : parseTrack2(text);
}

/** The expiry as a calendar month. Two-digit years are 20YY (the 2000-2099 window). */
export function expiryMonth(yymm: string): { year: number; month: number } {
  checkExpiry(yymm);
  return { year: 2000 + Number(yymm.slice(0, 2)), month: Number(yymm.slice(2)) };
}

/** True when `today` is after the last day of the expiry month (cards are valid through it). */
export function isExpired(yymm: string, today: Date): boolean {
  const { year, month } = expiryMonth(yymm);
  const y = today.getFullYear();
  const m = today.getMonth() + 1;
  return y > year || (y === year && m > month);
}
