/**
 * Model of a serial magnetic stripe reader: turns a swipe (raw track strings) into the
 * bytes the reader sends, in the configured format (hardware.md 8.2):
 * `[STX] [ESC] %T1?[LRC] ;T2?[LRC] [+T3?|;T3?][LRC] [sensor] CR|CRLF|LF [ETX]`,
 * and produces the faults real swipes have: a missing sentinel, a bad LRC, a track the
 * reader could not read (`E`), a swipe cut short, noise on the line. `Msr605Model` is the
 * command-driven MSR605/MSR206 (msr605.ts).
 */
import type { SerialLink } from '../../serial.js';
import type { StripeSwipe } from '../../roles/stripe.js';
import { trackLrc, type TrackNumber } from './tracks.js';
import { encodeMsr605Read, MSR605_COMM_OK } from './msr605.js';
import { HalError } from '../../errors.js';

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

/**
 * A faulty version of `swipe` (which must hold track 2; track 1 when present is spoiled
 * first): the tracks to send and the tracks the reader marks as failed.
 */
export function spoilSwipe(kind: Exclude<BadSwipeKind, 'bad-lrc'>, swipe: StripeSwipe): { swipe: StripeSwipe; failed: TrackNumber[] } {
  const target: TrackNumber = swipe.track1 !== undefined ? 1 : 2;
  const raw = (target === 1 ? swipe.track1 : swipe.track2) ?? ';?';
  const spoil = (value: string): { swipe: StripeSwipe; failed: TrackNumber[] } => ({
    swipe: target === 1 ? { ...swipe, track1: value } : { ...swipe, track2: value },
    failed: [],
  });
  switch (kind) {
    case 'missing-start':
      return spoil(raw.slice(1));
    case 'missing-end':
      return spoil(raw.slice(0, -1));
    case 'bad-character':
      return spoil(`${raw.slice(0, 2)}a${raw.slice(2)}`);
    case 'too-long':
      return { swipe: { ...swipe, track2: `;${'1'.repeat(39)}?` }, failed: [] };
    case 'track-error':
      return { swipe, failed: [target] };
  }
}

/** The bytes of a faulty swipe (see {@link spoilSwipe}; `bad-lrc` changes the LRC of the first track). */
export function encodeBadSwipe(kind: BadSwipeKind, swipe: StripeSwipe, format: MagstripeFormat = {}): Uint8Array {
  if (kind !== 'bad-lrc') {
    const bad = spoilSwipe(kind, swipe);
    return encodeSwipe(bad.swipe, { ...format, failedTracks: bad.failed });
  }
  const target: TrackNumber = swipe.track1 !== undefined ? 1 : 2;
  const raw = (target === 1 ? swipe.track1 : swipe.track2) ?? ';?';
  const good = encodeSwipe(swipe, { ...format, lrc: true });
  const bytes = Uint8Array.from(good);
  // The LRC follows the target track's end sentinel: change it to another character of the set.
  const at = Buffer.from(good).indexOf(Buffer.from(raw, 'latin1')) + raw.length;
  bytes[at] = target === 1 ? 0x20 + ((bytes[at]! - 0x20 + 1) & 0x3f) : 0x30 + ((bytes[at]! - 0x30 + 1) & 0x0f);
  return bytes;
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

/**
 * An MSR605 / MSR206 on the far end of a serial link (hardware.md 8.2): answers the
 * communication test, reads a swipe only while armed by `ESC r` (one read per arming, as
 * the device does), reports a failed read with status 0x31, and is disarmed by `ESC a`.
 */
export class Msr605Model {
  private armed = false;
  private pending = new Uint8Array(0);
  private readonly armWaiters = new Set<(error?: HalError) => void>();
  /** Commands received, as "ESC x" names ("a", "e", "r", ...), for tests to look at. */
  readonly commands: string[] = [];

  constructor(private readonly link: SerialLink) {
    link.onData((chunk) => this.receive(chunk));
    link.onClose(() => {
      for (const w of [...this.armWaiters]) w(new HalError('HAL_DISCONNECTED', 'MSR605 model: the host went away'));
    });
  }

  get isArmed(): boolean {
    return this.armed;
  }

  private receive(chunk: Uint8Array): void {
    let bytes = Uint8Array.from([...this.pending, ...chunk]);
    while (bytes.length >= 2) {
      if (bytes[0] !== 0x1b) {
        bytes = bytes.subarray(1);
        continue;
      }
      const command = String.fromCharCode(bytes[1]!);
      this.commands.push(command);
      bytes = bytes.subarray(2);
      if (command === 'a') this.armed = false;
      else if (command === 'e') this.link.write(Uint8Array.of(0x1b, MSR605_COMM_OK)).catch(() => undefined);
      else if (command === 'r') {
        this.armed = true;
        for (const w of [...this.armWaiters]) w();
      } else this.link.write(Uint8Array.of(0x1b, 0x34)).catch(() => undefined); // invalid command
    }
    this.pending = Uint8Array.from(bytes);
  }

  /** Waits until the host has armed a read (a person swipes when the reader is ready). */
  private async takeArm(timeoutMs = 3000): Promise<void> {
    if (!this.link.isOpen) throw new HalError('HAL_CLOSED', 'MSR605 model: link closed');
    if (!this.armed) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.armWaiters.delete(done);
          reject(new HalError('HAL_TIMEOUT', `MSR605 model: not armed for a read within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (error?: HalError): void => {
          clearTimeout(timer);
          this.armWaiters.delete(done);
          if (error) reject(error);
          else resolve();
        };
        this.armWaiters.add(done);
      });
    }
    this.armed = false;
  }

  async swipe(swipe: StripeSwipe): Promise<void> {
    await this.takeArm();
    await this.link.write(encodeMsr605Read(swipe));
  }

  /** A faulty swipe; a failed track is a read with status 0x31 ("read/write error"). MSR605 sends no LRC. */
  async badSwipe(kind: Exclude<BadSwipeKind, 'bad-lrc'>, swipe: StripeSwipe): Promise<void> {
    const bad = spoilSwipe(kind, swipe);
    await this.takeArm();
    await this.link.write(bad.failed.length ? encodeMsr605Read({}, 0x31) : encodeMsr605Read(bad.swipe));
  }

  /** The first `keep` bytes of a read reply, then silence. */
  async truncatedSwipe(swipe: StripeSwipe, keep: number): Promise<void> {
    await this.takeArm();
    await this.link.write(encodeMsr605Read(swipe).subarray(0, keep));
  }
}
