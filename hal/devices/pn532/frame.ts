/**
 * PN532 host link frames (PN532 UM 6.2.1): normal and extended information frames,
 * ACK, NACK and the syntax error frame, plus a streaming parser that reports every bad
 * frame with its reason instead of throwing.
 */
import { HalError } from '../../errors.js';

/** TFI of a frame from the host to the PN532 (PN532 UM 6.2.1.1). */
export const TFI_HOST = 0xd4;
/** TFI of a frame from the PN532 to the host. */
export const TFI_PN532 = 0xd5;
/** TFI of the syntax error frame (PN532 UM 6.2.1.5). */
export const TFI_ERROR = 0x7f;

export const ACK_FRAME: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const NACK_FRAME: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);
export const ERROR_FRAME: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00);

/** Largest LEN of a normal frame (TFI + data), PN532 UM 6.2.1.1. */
export const NORMAL_MAX_LEN = 255;
/** Largest LEN of an extended frame (TFI + 264 data bytes), PN532 UM 6.2.1.2. */
export const EXTENDED_MAX_LEN = 265;
/** Bytes of a frame that are not TFI + data: 00 00 FF LEN LCS ... DCS 00 (extended: +3). */
export const NORMAL_OVERHEAD = 7;
export const EXTENDED_OVERHEAD = 10;

export type Pn532Frame =
  | { kind: 'ack' }
  | { kind: 'nack' }
  /** The syntax error frame: the PN532 could not parse the last command. */
  | { kind: 'error' }
  /** An information frame: `tfi` then `data` (data[0] is the command or response code). */
  | { kind: 'info'; tfi: number; data: Uint8Array; extended: boolean };

export type BadFrameReason = 'length-checksum' | 'data-checksum' | 'postamble' | 'length' | 'truncated';

/** A frame the parser rejected, with what was wrong and the bytes it saw. */
export interface BadFrame {
  kind: 'bad';
  reason: BadFrameReason;
  detail: string;
  bytes: Uint8Array;
}

function sum(bytes: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += bytes[i]!;
  return s & 0xff;
}

/** Encodes an information frame; extended when TFI + data exceeds 255 bytes (UM 6.2.1.2). */
export function encodeFrame(tfi: number, data: Uint8Array): Uint8Array {
  const len = data.length + 1;
  if (len > EXTENDED_MAX_LEN) {
    throw new HalError('HAL_INVALID_ARGUMENT', `pn532: frame data of ${data.length} bytes exceeds ${EXTENDED_MAX_LEN - 1}`);
  }
  const extended = len > NORMAL_MAX_LEN;
  const head = extended
    ? [0x00, 0x00, 0xff, 0xff, 0xff, len >> 8, len & 0xff, (0x100 - (((len >> 8) + len) & 0xff)) & 0xff]
    : [0x00, 0x00, 0xff, len, (0x100 - len) & 0xff];
  const out = new Uint8Array(head.length + len + 2);
  out.set(head, 0);
  out[head.length] = tfi;
  out.set(data, head.length + 1);
  const dcs = (0x100 - ((tfi + sum(data, 0, data.length)) & 0xff)) & 0xff;
  out[head.length + len] = dcs;
  out[head.length + len + 1] = 0x00;
  return out;
}

/** A host command frame: TFI D4, command code, parameters. */
export function encodeCommand(code: number, params: Uint8Array = new Uint8Array(0)): Uint8Array {
  const data = new Uint8Array(params.length + 1);
  data[0] = code;
  data.set(params, 1);
  return encodeFrame(TFI_HOST, data);
}

export type ParseEvent = Pn532Frame | BadFrame;

/**
 * Streaming frame parser. Bytes arrive in chunks of any size; `push` returns every
 * frame completed by the chunk, good or bad, in order. Leading bytes before a start
 * code (00 FF) are skipped, as the PN532 may send any number of preamble zeros.
 * After a bad frame the parser resynchronises on the next start code.
 */
export class FrameParser {
  private buf: Uint8Array = new Uint8Array(0);

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = new Uint8Array(0);
  }

  push(chunk: Uint8Array): ParseEvent[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const events: ParseEvent[] = [];
    for (;;) {
      const r = this.next();
      if (r === undefined) break;
      events.push(r);
    }
    return events;
  }

  /**
   * Reports what is left as truncated (a bus read that ended mid-frame), if it holds a
   * start code; clears the buffer.
   */
  flush(): BadFrame | undefined {
    const b = this.buf;
    this.buf = new Uint8Array(0);
    const start = findStart(b);
    if (start < 0) return undefined;
    return { kind: 'bad', reason: 'truncated', detail: `frame cut after ${b.length - start + 1} bytes`, bytes: b.slice(Math.max(0, start - 1)) };
  }

  private consume(n: number): Uint8Array {
    const taken = this.buf.slice(0, n);
    this.buf = this.buf.slice(n);
    return taken;
  }

  private bad(reason: BadFrameReason, detail: string, frameEnd: number, resyncAt: number): BadFrame {
    const bytes = this.buf.slice(0, frameEnd);
    this.consume(resyncAt);
    return { kind: 'bad', reason, detail, bytes };
  }

  private next(): ParseEvent | undefined {
    const b = this.buf;
    const start = findStart(b);
    if (start < 0) {
      // Keep a trailing 00 that may be the first half of a start code.
      this.consume(b.length > 0 && b[b.length - 1] === 0x00 ? b.length - 1 : b.length);
      return undefined;
    }
    // Drop the preamble; `i` is the index of the byte after 00 FF.
    this.consume(start - 1);
    const buf = this.buf;
    const i = 2;
    if (buf.length < i + 2) return undefined;
    const a = buf[i]!;
    const c = buf[i + 1]!;
    if (a === 0x00 && c === 0xff) {
      // ACK: 00 FF 00 FF 00 (UM 6.2.1.3); the postamble is not waited for.
      this.consume(i + 2 + (buf[i + 2] === 0x00 ? 1 : 0));
      return { kind: 'ack' };
    }
    if (a === 0xff && c === 0x00) {
      this.consume(i + 2 + (buf[i + 2] === 0x00 ? 1 : 0));
      return { kind: 'nack' };
    }
    let len: number;
    let body: number;
    let extended = false;
    if (a === 0xff && c === 0xff) {
      // Extended frame: FF FF LENm LENl LCS (UM 6.2.1.2).
      if (buf.length < i + 5) return undefined;
      const m = buf[i + 2]!;
      const l = buf[i + 3]!;
      const lcs = buf[i + 4]!;
      if (((m + l + lcs) & 0xff) !== 0) {
        return this.bad('length-checksum', `extended LENm ${m} LENl ${l} LCS ${lcs}: (LENm+LENl+LCS) mod 256 must be 0`, i + 5, i);
      }
      len = (m << 8) | l;
      body = i + 5;
      extended = true;
      if (len < 1 || len > EXTENDED_MAX_LEN) return this.bad('length', `extended LEN ${len} is outside 1..${EXTENDED_MAX_LEN}`, body, i);
    } else {
      if (((a + c) & 0xff) !== 0) return this.bad('length-checksum', `LEN ${a} LCS ${c}: (LEN+LCS) mod 256 must be 0`, i + 2, i);
      len = a;
      body = i + 2;
      if (len < 1) return this.bad('length', 'LEN 0', body, i);
    }
    if (buf.length < body + len + 2) return undefined;
    const dcs = buf[body + len]!;
    if (((sum(buf, body, body + len) + dcs) & 0xff) !== 0) {
      return this.bad('data-checksum', `DCS ${dcs} does not make TFI+data+DCS a multiple of 256`, body + len + 2, body + len + 2);
    }
    if (buf[body + len + 1] !== 0x00) {
      return this.bad('postamble', `postamble ${buf[body + len + 1]} instead of 00`, body + len + 2, body + len + 2);
    }
    const tfi = buf[body]!;
    const data = buf.slice(body + 1, body + len);
    this.consume(body + len + 2);
    if (tfi === TFI_ERROR && len === 1) return { kind: 'error' };
    return { kind: 'info', tfi, data, extended };
  }
}

/** Index of the FF of the first 00 FF start code, or -1. */
function findStart(b: Uint8Array): number {
  for (let k = 1; k < b.length; k++) if (b[k] === 0xff && b[k - 1] === 0x00) return k;
  return -1;
}

/** Parses exactly one frame from a buffer (a bus read); trailing bytes are ignored. */
export function decodeFrame(bytes: Uint8Array): ParseEvent {
  const parser = new FrameParser();
  const events = parser.push(bytes);
  if (events.length > 0) return events[0]!;
  return parser.flush() ?? { kind: 'bad', reason: 'truncated', detail: 'no start code (00 FF) in the bytes read', bytes: Uint8Array.from(bytes) };
}
