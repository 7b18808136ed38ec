/**
 * Track framing rules for the stripe reader: character sets, maximum lengths and the LRC
 * of ISO/IEC 7811-2 (track 1: 6-bit characters, ASCII 0x20-0x5F; tracks 2 and 3: 4-bit
 * characters, ASCII 0x30-0x3F) and the parser that turns one reader message into raw
 * track strings or a read error. Pure functions: no I/O, no logging.
 */
import type { StripeReadError, StripeSwipe } from '../../roles/stripe.js';

export type TrackNumber = 1 | 2 | 3;

interface TrackRule {
  /** ASCII code of character value 0. */
  readonly base: number;
  /** Number of data bits per character (LRC is the XOR of these). */
  readonly mask: number;
  /** Maximum characters on the card including SS, ES and LRC (ISO/IEC 7811-2, 7811-6; hardware.md 8.1). */
  readonly maxChars: number;
}

export const TRACK_RULES: Readonly<Record<TrackNumber, TrackRule>> = {
  1: { base: 0x20, mask: 0x3f, maxChars: 79 },
  2: { base: 0x30, mask: 0x0f, maxChars: 40 },
  3: { base: 0x30, mask: 0x0f, maxChars: 107 },
};

const PERCENT = 0x25;
const SEMICOLON = 0x3b;
const PLUS = 0x2b;
const QUESTION = 0x3f;
const LETTER_E = 0x45;
const STX = 0x02;
const ETX = 0x03;
const ESC = 0x1b;

/** Character value of `byte` on `track`, or -1 when it is outside the track's character set. */
function charValue(track: TrackNumber, byte: number): number {
  // MagTek sends track 3's start sentinel as "+"; on the card it is ";" (hardware.md 8.2).
  const code = track === 3 && byte === PLUS ? SEMICOLON : byte;
  const rule = TRACK_RULES[track];
  const value = code - rule.base;
  return value >= 0 && value <= rule.mask ? value : -1;
}

/**
 * The LRC character of a raw track (start sentinel through end sentinel, as bytes or a
 * string): XOR of the characters' data bits (ISO/IEC 7811-2), returned as the ASCII
 * character the reader transmits. Throws RangeError on a character outside the set.
 */
export function trackLrc(track: TrackNumber, raw: string | Uint8Array): string {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  let lrc = 0;
  for (const byte of bytes) {
    const value = charValue(track, byte);
    if (value < 0) throw new RangeError(`track ${track}: byte 0x${byte.toString(16)} is outside the character set`);
    lrc ^= value;
  }
  return String.fromCharCode(TRACK_RULES[track].base + lrc);
}

/** Whether `byte` may appear between the sentinels of `track`. */
function isDataChar(track: TrackNumber, byte: number): boolean {
  if (charValue(track, byte) < 0) return false;
  // Sentinels are reserved (ISO/IEC 7811-2): never data.
  return track === 1 ? byte !== PERCENT && byte !== QUESTION : byte !== SEMICOLON && byte !== QUESTION;
}

export interface FrameOptions {
  /** The reader transmits the LRC character after each end sentinel. */
  lrc: boolean;
}

export type FrameResult = { ok: true; swipe: StripeSwipe } | { ok: false; error: StripeReadError };

const fail = (reason: StripeReadError['reason'], detail: string, track?: TrackNumber): { ok: false; error: StripeReadError } => ({
  ok: false,
  error: track === undefined ? { reason, detail } : { reason, detail, track },
});

type TrackResult = { ok: true; raw: string; next: number } | { ok: false; error: StripeReadError };

/**
 * Checks one track starting at `bytes[pos]` (its start sentinel) within `bytes[..end)`:
 * end sentinel, length, the reader's `E` mark, character set, then the LRC when sent.
 * Gives the raw track (SS through ES) and the index after it (after the LRC when sent).
 */
export function frameTrack(track: TrackNumber, bytes: Uint8Array, pos: number, end: number, options: FrameOptions): TrackResult {
  const ss = bytes[pos];
  if (!(track === 1 ? ss === PERCENT : ss === SEMICOLON || (track === 3 && ss === PLUS))) {
    return fail('bad-sentinel', `track ${track}: no start sentinel`, track);
  }
  const limit = TRACK_RULES[track].maxChars - 1; // SS..ES; the card's LRC takes the last place.
  let es = pos + 1;
  while (es < end && bytes[es] !== QUESTION) {
    if (es - pos + 2 > limit) return tooLong(track, limit);
    const b = bytes[es]!;
    // ";" and "+" are 6-bit characters, but in reader output after a track-1 start they are
    // the next track's start sentinel: track 1 lost its end sentinel.
    if (b === PERCENT || b === SEMICOLON || (track === 1 && b === PLUS)) {
      return fail('bad-sentinel', `track ${track}: start sentinel at position ${es - pos} before the end sentinel`, track);
    }
    es++;
  }
  if (es >= end) return fail('bad-sentinel', `track ${track}: no end sentinel`, track);
  if (es - pos + 1 > limit) return tooLong(track, limit);
  // "If an error is detected on a track the ASCII character E will be sent in place of the track data" (MagTek).
  if (es === pos + 2 && bytes[pos + 1] === LETTER_E) return fail('track-error', `the reader reported track ${track} as unreadable`, track);
  for (let i = pos + 1; i < es; i++) {
    if (!isDataChar(track, bytes[i]!)) return fail('bad-character', `track ${track}: byte 0x${hex2(bytes[i]!)} at position ${i - pos} is outside the character set`, track);
  }
  const raw = bytes.subarray(pos, es + 1);
  let next = es + 1;
  if (options.lrc) {
    const sent = bytes[es + 1];
    if (es + 1 >= end || sent === undefined) return fail('bad-lrc', `track ${track}: LRC character missing`, track);
    if (sent !== trackLrc(track, raw).charCodeAt(0)) return fail('bad-lrc', `track ${track}: LRC does not match`, track);
    next++;
  }
  // No intermediate Buffer: the only copy of the track is the string handed to the caller.
  return { ok: true, raw: String.fromCharCode(...raw), next };
}

/** Puts a framed track into a swipe. */
export function setTrack(swipe: StripeSwipe, track: TrackNumber, raw: string): void {
  if (track === 1) swipe.track1 = raw;
  else if (track === 2) swipe.track2 = raw;
  else swipe.track3 = raw;
}

/**
 * Frames one reader message (the bytes of one swipe, terminator removed):
 * `[STX] [ESC] (SS data ES [LRC])* [card sensor digit] [ETX]` (MagTek "Reader to Host
 * Formats"; ID TECH and MagTek keyboard formats are the same without the extras).
 * Tracks must come in ascending order, each at most once; `;` is track 2 unless track 2
 * was already read, then track 3; `+` is track 3.
 */
export function frameMessage(bytes: Uint8Array, options: FrameOptions): FrameResult {
  let end = bytes.length;
  let pos = 0;
  if (bytes[pos] === STX) pos++;
  if (bytes[pos] === ESC) pos++;
  if (end > pos && bytes[end - 1] === ETX) end--;
  const swipe: StripeSwipe = {};
  let last = 0;
  while (pos < end) {
    const ss = bytes[pos]!;
    let track: TrackNumber;
    if (ss === PERCENT) track = 1;
    else if (ss === PLUS) track = 3;
    else if (ss === SEMICOLON) track = last < 2 ? 2 : 3;
    else if ((ss === 0x30 || ss === 0x31) && pos === end - 1) {
      pos++; // MagTek card-sensor status digit after the last track.
      continue;
    } else return fail('bad-sentinel', `byte ${pos}: expected a start sentinel (%, ; or +), got 0x${hex2(ss)}`);
    if (track <= last) return fail('bad-sentinel', `track ${track} out of order or repeated`, track);
    const framed = frameTrack(track, bytes, pos, end, options);
    if (!framed.ok) return framed;
    setTrack(swipe, track, framed.raw);
    pos = framed.next;
    last = track;
  }
  if (last === 0) return fail('no-data', 'the reader sent a message without any track');
  return { ok: true, swipe };
}

const tooLong = (track: TrackNumber, limit: number): { ok: false; error: StripeReadError } =>
  fail('too-long', `track ${track} longer than ${limit} characters from start to end sentinel`, track);

function hex2(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}
