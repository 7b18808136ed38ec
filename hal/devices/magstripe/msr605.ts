/**
 * MSR605 / MSR206 command protocol (MSR605 Programmer's Manual Rev B 2009; ioerror/libmsr
 * msr206.h; hardware.md 8.2): the host arms an ISO read with `ESC r`; after a swipe the
 * reader answers `ESC s ESC 1 <t1> ESC 2 <t2> ESC 3 <t3> ? FS ESC <status>` with each
 * track including its sentinels (an absent track is just `ESC n`). Pure functions.
 */
import type { StripeSwipe } from '../../roles/stripe.js';
import { frameTrack, setTrack, type FrameResult, type TrackNumber } from './tracks.js';

const ESC = 0x1b;
const FS = 0x1c;
const QUESTION = 0x3f;

export const MSR605_COMMANDS = {
  /** Reset; no reply. Also cancels an armed read. */
  reset: Uint8Array.of(ESC, 0x61),
  /** Communication test; the reader answers `ESC y`. */
  commTest: Uint8Array.of(ESC, 0x65),
  /** Arm an ISO read; the reader answers after the next swipe. */
  readIso: Uint8Array.of(ESC, 0x72),
} as const;

/** Second byte of the answers the reader sends after ESC. */
export const MSR605_COMM_OK = 0x79;
export const MSR605_READ_REPLY = 0x73;

/** Status byte meanings (MSR605 manual, "status byte"). */
export const MSR605_STATUS: Readonly<Record<number, string>> = {
  0x30: 'ok',
  0x31: 'read/write error',
  0x32: 'command format error',
  0x34: 'invalid command',
  0x39: 'card swipe error',
};

export type Msr605Reply =
  | { kind: 'incomplete' }
  | { kind: 'comm-ok'; length: number }
  | { kind: 'read'; length: number; result: FrameResult }
  /** Bytes that start no reply the driver asked for (noise); `length` of them to drop. */
  | { kind: 'junk'; length: number };

/** The read reply a reader sends for `swipe` (tracks as given, sentinels included). */
export function encodeMsr605Read(swipe: StripeSwipe, status = 0x30): Uint8Array {
  const part = (n: number, raw: string | undefined): number[] => [ESC, n, ...Buffer.from(raw ?? '', 'latin1')];
  return Uint8Array.from([ESC, MSR605_READ_REPLY, ...part(1, swipe.track1), ...part(2, swipe.track2), ...part(3, swipe.track3), QUESTION, FS, ESC, status]);
}

/** Parses the reply at the start of `bytes`. */
export function parseMsr605(bytes: Uint8Array): Msr605Reply {
  if (bytes.length === 0) return { kind: 'incomplete' };
  if (bytes[0] !== ESC) {
    const next = bytes.indexOf(ESC);
    return { kind: 'junk', length: next < 0 ? bytes.length : next };
  }
  if (bytes.length < 2) return { kind: 'incomplete' };
  if (bytes[1] === MSR605_COMM_OK) return { kind: 'comm-ok', length: 2 };
  if (bytes[1] !== MSR605_READ_REPLY) return { kind: 'junk', length: 2 };
  // Track data never holds FS, so the first "? FS ESC" ends the reply; the status follows.
  let end = -1;
  for (let i = 2; i + 3 < bytes.length; i++) {
    if (bytes[i] === QUESTION && bytes[i + 1] === FS && bytes[i + 2] === ESC) {
      end = i;
      break;
    }
  }
  if (end < 0) return { kind: 'incomplete' };
  return { kind: 'read', length: end + 4, result: frameRead(bytes.subarray(2, end), bytes[end + 3]!) };
}

function frameRead(body: Uint8Array, status: number): FrameResult {
  if (status !== 0x30) {
    const meaning = MSR605_STATUS[status] ?? 'unknown status';
    return { ok: false, error: { reason: 'track-error', detail: `the MSR605 reported status 0x${status.toString(16)} (${meaning})` } };
  }
  const swipe: StripeSwipe = {};
  let pos = 0;
  for (const track of [1, 2, 3] as TrackNumber[]) {
    if (body[pos] !== ESC || body[pos + 1] !== track) {
      return { ok: false, error: { reason: 'bad-sentinel', detail: `MSR605 reply: track ${track} marker (ESC ${track}) missing` } };
    }
    pos += 2;
    let end = body.indexOf(ESC, pos);
    if (end < 0) end = body.length;
    if (end > pos) {
      const framed = frameTrack(track, body, pos, end, { lrc: false });
      if (!framed.ok) return framed;
      if (framed.next !== end) return { ok: false, error: { reason: 'bad-sentinel', detail: `MSR605 reply: bytes after the end sentinel of track ${track}`, track } };
      setTrack(swipe, track, framed.raw);
    }
    pos = end;
  }
  if (pos !== body.length) return { ok: false, error: { reason: 'bad-sentinel', detail: 'MSR605 reply: bytes after track 3' } };
  if (!swipe.track1 && !swipe.track2 && !swipe.track3) return { ok: false, error: { reason: 'no-data', detail: 'the MSR605 read no track' } };
  return { ok: true, swipe };
}
