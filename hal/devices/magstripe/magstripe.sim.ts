/**
 * Model of a serial magnetic stripe reader: turns a swipe (raw track strings) into the
 * bytes the reader sends, in the configured format (hardware.md 8.2):
 * `[STX] [ESC] %T1?[LRC] ;T2?[LRC] [+T3?|;T3?][LRC] [sensor] CR|CRLF|LF [ETX]`,
 * and produces the faults real swipes have: a missing sentinel, a bad LRC, a track the
 * reader could not read (`E`), a swipe cut short, noise on the line.
 */
import type { SerialLink } from '../../serial.js';
import type { StripeSwipe } from '../../roles/stripe.js';
import { trackLrc, type TrackNumber } from './tracks.js';

export interface MagstripeFormat {
  lineEnding?: 'cr' | 'crlf' | 'lf';
  /** Send the LRC character after each end sentinel. */
  lrc?: boolean;
  /** Wrap each swipe in STX ... ETX. */
  stxEtx?: boolean;
  /** MagTek: ESC after STX. */
  esc?: boolean;
  /** MagTek: the card-sensor status digit ("0") before the terminator. */
  sensor?: boolean;
  /** `line`: end every track with the line ending (ID TECH default) instead of once per swipe. */
  trackSeparator?: 'none' | 'line';
  /** Tracks to send as `E` (the reader could not read them). */
  failedTracks?: readonly TrackNumber[];
}

export type BadSwipeKind = 'missing-start' | 'missing-end' | 'bad-lrc' | 'track-error' | 'bad-character' | 'too-long';

const ENDINGS = { cr: '\r', crlf: '\r\n', lf: '\n' } as const;

function trackBytes(track: TrackNumber, raw: string, format: MagstripeFormat): string {
  if (format.failedTracks?.includes(track)) return `${raw[0] ?? ';'}E?`;
  if (!format.lrc) return raw;
  try {
    return raw + trackLrc(track, raw);
  } catch {
    return `${raw}0`; // a track with a byte outside the set (a fault being modelled) has no true LRC
  }
}

/** The bytes a reader in `format` sends for `swipe`. */
export function encodeSwipe(swipe: StripeSwipe, format: MagstripeFormat = {}): Uint8Array {
  let text = '';
  if (format.stxEtx) text += '\x02';
  if (format.esc) text += '\x1b';
  const ending = ENDINGS[format.lineEnding ?? 'cr'];
  const separator = format.trackSeparator === 'line' ? ending : '';
  if (swipe.track1 !== undefined) text += trackBytes(1, swipe.track1, format) + separator;
  if (swipe.track2 !== undefined) text += trackBytes(2, swipe.track2, format) + separator;
  if (swipe.track3 !== undefined) text += trackBytes(3, swipe.track3, format) + separator;
  if (format.sensor) text += '0';
  if (!separator) text += ending;
  if (format.stxEtx) text += '\x03';
  return Buffer.from(text, 'latin1');
}

/** The bytes of a faulty swipe of `swipe` (which must hold track 2; track 1 when present is spoiled first). */
export function encodeBadSwipe(kind: BadSwipeKind, swipe: StripeSwipe, format: MagstripeFormat = {}): Uint8Array {
  const target: TrackNumber = swipe.track1 !== undefined ? 1 : 2;
  const raw = (target === 1 ? swipe.track1 : swipe.track2) ?? ';?';
  const spoil = (value: string): Uint8Array => encodeSwipe(target === 1 ? { ...swipe, track1: value } : { ...swipe, track2: value }, format);
  switch (kind) {
    case 'missing-start':
      return spoil(raw.slice(1));
    case 'missing-end':
      return spoil(raw.slice(0, -1));
    case 'bad-character':
      return spoil(`${raw.slice(0, 2)}a${raw.slice(2)}`);
    case 'too-long':
      return encodeSwipe({ ...swipe, track2: `;${'1'.repeat(39)}?` }, format);
    case 'track-error':
      return encodeSwipe(swipe, { ...format, failedTracks: [target] });
    case 'bad-lrc': {
      const good = encodeSwipe(swipe, { ...format, lrc: true });
      const bytes = Uint8Array.from(good);
      // The LRC follows the target track's end sentinel: change it to another character of the set.
      const at = Buffer.from(good).indexOf(Buffer.from(raw, 'latin1')) + raw.length;
      bytes[at] = target === 1 ? 0x20 + ((bytes[at]! - 0x20 + 1) & 0x3f) : 0x30 + ((bytes[at]! - 0x30 + 1) & 0x0f);
      return bytes;
    }
  }
}

/** The reader on the far end of a serial link (the `device` end of a sim pair, or a pty). */
export class MagstripeModel {
  constructor(
    private readonly link: SerialLink,
    private readonly format: MagstripeFormat = {},
  ) {}

  /** A good swipe. */
  swipe(swipe: StripeSwipe): Promise<void> {
    return this.send(encodeSwipe(swipe, this.format));
  }

  /** A swipe with one fault (see {@link BadSwipeKind}). */
  badSwipe(kind: BadSwipeKind, swipe: StripeSwipe): Promise<void> {
    return this.send(encodeBadSwipe(kind, swipe, this.format));
  }

  /** The first `keep` bytes of a swipe, then silence (the card stopped mid-way). */
  truncatedSwipe(swipe: StripeSwipe, keep: number): Promise<void> {
    return this.send(encodeSwipe(swipe, this.format).subarray(0, keep));
  }

  /** Raw bytes (noise on the line), optionally split into chunks of `chunkSize`. */
  async send(bytes: Uint8Array, chunkSize = bytes.length): Promise<void> {
    for (let i = 0; i < bytes.length; i += Math.max(1, chunkSize)) await this.link.write(bytes.subarray(i, i + Math.max(1, chunkSize)));
    await this.link.drain();
  }
}
