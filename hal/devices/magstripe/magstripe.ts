/**
 * Magnetic stripe reader on a serial link (MagTek / ID TECH ASCII output; hardware.md
 * 8.2): frames the byte stream into swipes and checks each track (tracks.ts). Track data
 * never reaches a log or an error, and the framing buffer is wiped after every swipe.
 */
import { HalError } from '../../errors.js';
import { bounded, type Unsubscribe } from '../../io.js';
import type { SerialLink } from '../../serial.js';
import type { StripeReadError, StripeReader, StripeSwipe } from '../../roles/stripe.js';
import { frameMessage, TRACK_RULES } from './tracks.js';
import { MSR605_COMMANDS, parseMsr605 } from './msr605.js';

export interface MagstripeProps {
  baudRate?: number;
  lineEnding?: 'cr' | 'crlf' | 'lf';
  lrc?: boolean;
  stxEtx?: boolean;
  idleTimeoutMs?: number;
  /**
   * `none` (default): one line per swipe, tracks back to back (MagTek). `line`: the reader
   * ends every track with the line ending (ID TECH default: track separator = terminator =
   * CR); the lines of one swipe are joined, and the swipe ends with track 3, with a line
   * that starts again at a lower track, or after `idleTimeoutMs` without a byte.
   */
  trackSeparator?: 'none' | 'line';
  /**
   * `ascii` (default): the reader sends every swipe by itself (MagTek, ID TECH).
   * `msr605`: the MSR605/MSR206 command protocol; the driver arms each read (msr605.ts),
   * and the line-format props do not apply.
   */
  protocol?: 'ascii' | 'msr605';
}

export interface MagstripeOpenOptions extends MagstripeProps {
  /** The open serial link to the reader; the driver owns it from now on and closes it. */
  link: SerialLink;
}

const STX = 0x02;
const ETX = 0x03;
const CR = 0x0d;
const LF = 0x0a;
/** Three full tracks with sentinels and LRCs plus the reader's prefix and suffix bytes. */
const MAX_MESSAGE = TRACK_RULES[1].maxChars + TRACK_RULES[2].maxChars + TRACK_RULES[3].maxChars + 8;

export class SerialStripeReader implements StripeReader {
  private readonly swipeListeners = new Set<(swipe: StripeSwipe) => void>();
  private readonly errorListeners = new Set<(error: StripeReadError) => void>();
  private readonly buffer = Buffer.alloc(MAX_MESSAGE);
  private length = 0;
  private overflow = false;
  /** Inside STX ... ETX (stxEtx mode). */
  private framed = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly unsubscribe: Unsubscribe[];
  private readonly lrc: boolean;
  private readonly stxEtx: boolean;
  private readonly idleTimeoutMs: number;
  private readonly linePerTrack: boolean;
  private readonly msr605: boolean;
  /** MSR605: resolves the communication test waiting for `ESC y`. */
  private commOk: (() => void) | undefined;
  /** trackSeparator "line": the tracks of the swipe so far, waiting for the next line. */
  private pending: StripeSwipe | undefined;
  private pendingLast = 0;
  /**
   * trackSeparator "line": after a bad line, the rest of that swipe's lines must not be
   * taken as a swipe of their own. Highest track seen of the spoiled swipe (0 = none).
   */
  private spoiledLast = 0;
  private joinTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly link: SerialLink, props: MagstripeProps) {
    this.lrc = props.lrc ?? false;
    this.stxEtx = props.stxEtx ?? false;
    this.idleTimeoutMs = props.idleTimeoutMs ?? 500;
    this.linePerTrack = props.trackSeparator === 'line';
    this.msr605 = props.protocol === 'msr605';
    this.unsubscribe = [
      link.onData((chunk) => this.receive(chunk)),
      link.onClose((error) => {
        if (this.closed) return;
        this.reset();
        this.emitError({ reason: 'disconnected', detail: `stripe reader link ${link.path} closed${error ? `: ${error.message}` : ''}` });
      }),
    ];
  }

  static async open({ link, ...props }: MagstripeOpenOptions): Promise<SerialStripeReader> {
    if (!link.isOpen) throw new HalError('HAL_CLOSED', `stripe reader: link ${link.path} is not open`);
    const reader = new SerialStripeReader(link, props);
    if (reader.msr605) await link.write(concat(MSR605_COMMANDS.reset, MSR605_COMMANDS.readIso));
    return reader;
  }

  onSwipe(listener: (swipe: StripeSwipe) => void): Unsubscribe {
    this.swipeListeners.add(listener);
    return () => void this.swipeListeners.delete(listener);
  }

  onError(listener: (error: StripeReadError) => void): Unsubscribe {
    this.errorListeners.add(listener);
    return () => void this.errorListeners.delete(listener);
  }

  async selfTest(): Promise<void> {
    if (this.closed) throw new HalError('HAL_CLOSED', 'stripe reader: closed');
    if (!this.link.isOpen) throw new HalError('HAL_DISCONNECTED', `stripe reader: link ${this.link.path} is not open`);
    // ASCII-output readers take no query; an open link is all that can be checked.
    if (!this.msr605) return;
    // MSR605 manual: "communication test" ESC e -> ESC y; reset first to leave the armed read.
    const answered = new Promise<void>((resolve) => (this.commOk = resolve));
    try {
      await this.link.write(concat(MSR605_COMMANDS.reset, MSR605_COMMANDS.commTest));
      await bounded('stripe reader: MSR605 communication test', answered, { timeoutMs: 1000 });
    } finally {
      this.commOk = undefined;
      if (!this.closed && this.link.isOpen) {
        await this.link.write(MSR605_COMMANDS.readIso);
        await this.link.drain();
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reset();
    this.pending = undefined;
    clearTimeout(this.joinTimer);
    for (const u of this.unsubscribe) u();
    // Leave an MSR605 disarmed (best effort: the link may be gone already).
    if (this.msr605 && this.link.isOpen) {
      await this.link
        .write(MSR605_COMMANDS.reset, { timeoutMs: 200 })
        .then(() => this.link.drain({ timeoutMs: 200 }))
        .catch(() => undefined);
    }
    this.swipeListeners.clear();
    this.errorListeners.clear();
    await this.link.close();
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.msr605) return this.receiveMsr605(chunk);
    clearTimeout(this.joinTimer);
    for (const byte of chunk) {
      if (this.closed) return; // a listener closed the reader
      this.take(byte);
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = this.length > 0 || this.overflow || this.framed ? setTimeout(() => this.idle(), this.idleTimeoutMs) : undefined;
    if ((this.pending || this.spoiledLast) && this.timer === undefined) this.joinTimer = setTimeout(() => this.flush(), this.idleTimeoutMs);
  }

  private take(byte: number): void {
    const empty = this.length === 0 && !this.overflow;
    if (this.stxEtx) {
      if (byte === STX) {
        if (!empty) this.reject({ reason: 'bad-sentinel', detail: 'a new swipe (STX) began before the previous one ended (ETX)' });
        this.framed = true;
        return;
      }
      if (byte === ETX) {
        if (this.framed || !empty) this.finish();
        return;
      }
      if (byte === CR || byte === LF) return; // MagTek puts CR before ETX.
    } else {
      if (byte === CR || byte === LF) {
        if (!empty) this.finish();
        return;
      }
      if (empty && (byte === ETX || byte === STX)) return; // Framing bytes of a reader set up with STX/ETX anyway.
    }
    if (this.length === this.buffer.length) this.overflow = true;
    else this.buffer[this.length++] = byte;
  }

  private idle(): void {
    this.timer = undefined;
    if (this.closed) return;
    this.reject({ reason: 'bad-sentinel', detail: `the swipe stopped mid-way (no byte for ${this.idleTimeoutMs} ms)` });
    if (this.msr605) this.rearm();
  }

  private receiveMsr605(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length && !this.closed; ) {
      const n = Math.min(this.buffer.length - this.length, chunk.length - i);
      this.buffer.set(chunk.subarray(i, i + n), this.length);
      this.length += n;
      i += n;
      this.takeReplies();
      if (this.length === this.buffer.length) {
        this.reject({ reason: 'too-long', detail: `MSR605 reply longer than ${MAX_MESSAGE} bytes` });
        this.rearm();
      }
    }
    clearTimeout(this.timer);
    this.timer = this.length > 0 && !this.closed ? setTimeout(() => this.idle(), this.idleTimeoutMs) : undefined;
  }

  /** Takes every complete reply off the front of the buffer. */
  private takeReplies(): void {
    for (;;) {
      const reply = parseMsr605(this.buffer.subarray(0, this.length));
      if (reply.kind === 'incomplete' || this.closed) return;
      // Drop the reply and wipe the bytes it leaves behind, before any listener runs.
      this.buffer.copyWithin(0, reply.length, this.length);
      this.buffer.fill(0, this.length - reply.length, this.length);
      this.length -= reply.length;
      if (reply.kind === 'comm-ok') this.commOk?.();
      else if (reply.kind === 'junk') this.emitError({ reason: 'bad-sentinel', detail: `${reply.length} byte(s) from the MSR605 that start no reply` });
      else {
        if (reply.result.ok) this.emitSwipe(reply.result.swipe);
        else this.emitError(reply.result.error);
        this.rearm();
      }
    }
  }

  /** MSR605: arm the next read (after a reply or a failure). */
  private rearm(): void {
    if (this.closed || !this.link.isOpen) return;
    this.link.write(concat(MSR605_COMMANDS.reset, MSR605_COMMANDS.readIso)).catch(() => undefined);
  }

  private finish(): void {
    if (this.overflow) {
      this.reject({ reason: 'too-long', detail: `reader message longer than ${MAX_MESSAGE} bytes` });
      return;
    }
    const result = frameMessage(this.buffer.subarray(0, this.length), { lrc: this.lrc });
    this.reset();
    if (!result.ok) this.emitError(result.error);
    else if (!this.linePerTrack) this.emitSwipe(result.swipe);
    else {
      const first = result.swipe.track1 ? 1 : result.swipe.track2 ? 2 : 3;
      const last = result.swipe.track3 ? 3 : result.swipe.track2 ? 2 : 1;
      if (this.spoiledLast > 0) {
        // Still the bad swipe unless this line starts over at a lower track.
        if (first > this.spoiledLast) {
          this.spoiledLast = last;
          return;
        }
        this.spoiledLast = 0;
      }
      if (this.pending && first <= this.pendingLast) this.flush();
      this.pending = { ...this.pending, ...result.swipe };
      this.pendingLast = last;
      if (last === 3) this.flush();
    }
  }

  /** trackSeparator "line": the swipe so far is complete. */
  private flush(): void {
    clearTimeout(this.joinTimer);
    this.spoiledLast = 0;
    const swipe = this.pending;
    this.pending = undefined;
    this.pendingLast = 0;
    if (swipe && !this.closed) this.emitSwipe(swipe);
  }

  private emitSwipe(swipe: StripeSwipe): void {
    if (this.closed) return;
    for (const l of [...this.swipeListeners]) l(swipe);
  }

  private reject(error: StripeReadError): void {
    this.reset();
    this.emitError(error);
  }

  /** Drops the partial message and wipes the framing buffer (track data must not linger). */
  private reset(): void {
    this.buffer.fill(0);
    this.length = 0;
    this.overflow = false;
    this.framed = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emitError(error: StripeReadError): void {
    if (this.closed) return;
    if (this.linePerTrack) {
      // A bad line spoils the whole swipe: drop what came before, swallow what follows.
      this.pending = undefined;
      this.pendingLast = 0;
      this.spoiledLast = error.track ?? 1;
    }
    for (const l of [...this.errorListeners]) l(error);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}
