// A model of an ESC/POS receipt printer on the device end of a serial link: it tokenizes
// the byte stream by the Epson ESC/POS command reference (page names as in commands.ts),
// prints into a structured receipt, answers DLE EOT in real time and GS r in order, and
// can run out of paper, open its cover, go offline, fail or be switched off.
//
// It is stricter than a printer: an unknown command, a truncated one or a parameter out
// of range is recorded in `errors` (a real printer would print garbage or ignore it).
//
// Receive buffer vs. printing: bytes are tokenized on arrival; real-time requests
// (DLE EOT) are answered at once (dle_eot: "executed even when the printer is offline or
// the receive buffer is full"); every other command waits in the receive buffer and is
// executed while the printer is online. When paper runs out, the command that needed
// paper stays in the buffer and is executed after `loadPaper()`, as a printer resumes.
// DLE EOT bytes inside another command's parameters are taken as parameters here (the
// reference recognises them there too, except in block data); the driver never does that.
import type { SerialLink } from '../../serial.js';
import type { Unsubscribe } from '../../io.js';
import type { Hri, Justification, QrLevel } from './commands.js';
import { gb18030CharLength, loadTextCodec, singleByteCodec, type TextCodec } from './text-encoding.js';
import { renderText, type PrintedItem, type PrintedSpan } from './printed.js';
import { renderPng } from './escpos-render.js';
import { COLUMNS_BY_PAPER } from './binding.js';

export type { PrintedItem, PrintedSpan } from './printed.js';

// ---- tokens ---------------------------------------------------------------------------

export type Token =
  | { kind: 'text'; bytes: Uint8Array }
  | { kind: 'lf' }
  | { kind: 'cr' }
  | { kind: 'init' }
  | { kind: 'justify'; align: Justification }
  | { kind: 'emphasized'; on: boolean }
  | { kind: 'underline'; dots: 0 | 1 | 2 }
  | { kind: 'printMode'; n: number }
  | { kind: 'size'; width: number; height: number }
  | { kind: 'feed'; lines: number }
  | { kind: 'cut'; partial: boolean; feed?: number }
  | { kind: 'kanji'; on: boolean }
  | { kind: 'codeTable'; n: number }
  | { kind: 'qrModel'; model: 1 | 2 | 'micro' }
  | { kind: 'qrModuleSize'; n: number }
  | { kind: 'qrErrorCorrection'; level: QrLevel }
  | { kind: 'qrStore'; data: Uint8Array }
  | { kind: 'qrPrint' }
  | { kind: 'barcodeHeight'; n: number }
  | { kind: 'barcodeWidth'; n: number }
  | { kind: 'hriPosition'; position: Hri }
  | { kind: 'hriFont'; n: number }
  | { kind: 'code128'; data: Uint8Array }
  | { kind: 'realtimeStatus'; n: 1 | 2 | 3 | 4 }
  | { kind: 'transmitStatus'; n: 1 | 2 }
  | { kind: 'asb'; n: number };

export interface ModelError {
  /** Offset of the offending bytes in the whole received stream; -1 for a fault found when executing. */
  offset: number;
  kind: 'unknown' | 'truncated' | 'invalid' | 'unsupported';
  message: string;
}

type Step = { token?: Token; error?: Omit<ModelError, 'offset'>; length: number } | 'more';

const ALIGN: Readonly<Record<number, Justification>> = { 0: 'left', 1: 'center', 2: 'right', 48: 'left', 49: 'center', 50: 'right' };
const HRI_POS: Readonly<Record<number, Hri>> = { 0: 'none', 1: 'above', 2: 'below', 3: 'both', 48: 'none', 49: 'above', 50: 'below', 51: 'both' };
const QR_LEVELS: Readonly<Record<number, QrLevel>> = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' };

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');
const invalid = (length: number, message: string): Step => ({ length, error: { kind: 'invalid', message } });
const unknown = (length: number, message: string): Step => ({ length, error: { kind: 'unknown', message } });
const unsupported = (length: number, message: string): Step => ({ length, error: { kind: 'unsupported', message } });

/** One parameter byte after a two-byte prefix. */
function oneParam(buf: Uint8Array, at: number, make: (n: number) => Step): Step {
  return at + 2 < buf.length ? make(buf[at + 2]!) : 'more';
}

function parseEsc(buf: Uint8Array, at: number): Step {
  if (at + 1 >= buf.length) return 'more';
  const c = buf[at + 1]!;
  switch (c) {
    case 0x40: // ESC @ (esc_atsign)
      return { token: { kind: 'init' }, length: 2 };
    case 0x61: // ESC a n (esc_la)
      return oneParam(buf, at, (n) => (ALIGN[n] ? { token: { kind: 'justify', align: ALIGN[n] }, length: 3 } : invalid(3, `ESC a ${n}: justification must be 0-2 or 48-50`)));
    case 0x45: // ESC E n (esc_ce): only bit 0 counts
      return oneParam(buf, at, (n) => ({ token: { kind: 'emphasized', on: (n & 1) === 1 }, length: 3 }));
    case 0x2d: // ESC - n (esc_minus)
      return oneParam(buf, at, (n) => {
        const dots = n >= 48 ? n - 48 : n;
        return dots <= 2 ? { token: { kind: 'underline', dots: dots as 0 | 1 | 2 }, length: 3 } : invalid(3, `ESC - ${n}: underline must be 0-2 or 48-50`);
      });
    case 0x21: // ESC ! n (esc_exclamation)
      return oneParam(buf, at, (n) => ({ token: { kind: 'printMode', n }, length: 3 }));
    case 0x64: // ESC d n (esc_ld)
      return oneParam(buf, at, (n) => ({ token: { kind: 'feed', lines: n }, length: 3 }));
    case 0x74: // ESC t n (esc_lt)
      return oneParam(buf, at, (n) => ({ token: { kind: 'codeTable', n }, length: 3 }));
    default:
      return unknown(2, `ESC ${hex2(c)}: unknown command`);
  }
}

function parseGsParenK(buf: Uint8Array, at: number): Step {
  // GS ( k pL pH cn fn [parameters] (gs_lparen_lk)
  if (at + 4 >= buf.length) return 'more';
  const len = buf[at + 3]! + 256 * buf[at + 4]!;
  const total = 5 + len;
  if (len < 2) return invalid(Math.min(total, buf.length - at), `GS ( k: length ${len} is below 2`);
  if (at + total > buf.length) return 'more';
  const cn = buf[at + 5]!;
  const fn = buf[at + 6]!;
  const p = buf.subarray(at + 7, at + total);
  if (cn !== 49) return unsupported(total, `GS ( k cn=${cn}: only QR Code (cn 49) is modelled`);
  const exact = (k: number, make: () => Step): Step => (p.length === k ? make() : invalid(total, `GS ( k fn ${fn + 100}: ${p.length} parameter bytes, expected ${k}`));
  switch (fn) {
    case 65: // fn 165 (gs_lparen_lk_fn165)
      return exact(2, () => {
        const model = p[0] === 49 ? 1 : p[0] === 50 ? 2 : p[0] === 51 ? 'micro' : undefined;
        return model !== undefined && p[1] === 0 ? { token: { kind: 'qrModel', model }, length: total } : invalid(total, `GS ( k fn 165: model ${p[0]}/${p[1]}`);
      });
    case 67: // fn 167 (gs_lparen_lk_fn167)
      return exact(1, () => (p[0]! >= 1 && p[0]! <= 16 ? { token: { kind: 'qrModuleSize', n: p[0]! }, length: total } : invalid(total, `GS ( k fn 167: module size ${p[0]} not 1-16`)));
    case 69: // fn 169 (gs_lparen_lk_fn169)
      return exact(1, () => {
        const level = QR_LEVELS[p[0]!];
        return level ? { token: { kind: 'qrErrorCorrection', level }, length: total } : invalid(total, `GS ( k fn 169: level ${p[0]} not 48-51`);
      });
    case 80: // fn 180 (gs_lparen_lk_fn180): m = 48, then the data
      if (p.length < 2 || p[0] !== 48) return invalid(total, 'GS ( k fn 180: m must be 48 and data must not be empty');
      return { token: { kind: 'qrStore', data: p.slice(1) }, length: total };
    case 81: // fn 181 (gs_lparen_lk_fn181)
      return exact(1, () => (p[0] === 48 ? { token: { kind: 'qrPrint' }, length: total } : invalid(total, `GS ( k fn 181: m ${p[0]} is not 48`)));
    case 82: // fn 182 (gs_lparen_lk_fn182): its reply is not modelled
      return unsupported(total, 'GS ( k fn 182 (transmit size information) is not modelled');
    default:
      return invalid(total, `GS ( k cn 49 fn ${fn}: no such function`);
  }
}

function parseGsK(buf: Uint8Array, at: number): Step {
  // GS k m ... (gs_lk): function A (m 0-6) is NUL-terminated, function B (m 65-78) has a length byte.
  if (at + 2 >= buf.length) return 'more';
  const m = buf[at + 2]!;
  if (m <= 6) {
    const end = buf.indexOf(0, at + 3);
    if (end < 0) return 'more';
    return unsupported(end + 1 - at, `GS k m=${m}: only CODE128 (m 73) is modelled`);
  }
  if (m >= 65 && m <= 78) {
    if (at + 3 >= buf.length) return 'more';
    const n = buf[at + 3]!;
    const total = 4 + n;
    if (at + total > buf.length) return 'more';
    if (m !== 73) return unsupported(total, `GS k m=${m}: only CODE128 (m 73) is modelled`);
    return { token: { kind: 'code128', data: buf.slice(at + 4, at + total) }, length: total };
  }
  return invalid(3, `GS k m=${m}: no such bar code system`);
}

function parseGs(buf: Uint8Array, at: number): Step {
  if (at + 1 >= buf.length) return 'more';
  const c = buf[at + 1]!;
  switch (c) {
    case 0x21: // GS ! n (gs_exclamation)
      return oneParam(buf, at, (n) =>
        (n & 0x88) === 0 ? { token: { kind: 'size', width: (n >> 4) + 1, height: (n & 7) + 1 }, length: 3 } : invalid(3, `GS ! ${hex2(n)}: bits 3 and 7 must be 0`),
      );
    case 0x56: {
      // GS V m [n] (gs_cv)
      if (at + 2 >= buf.length) return 'more';
      const m = buf[at + 2]!;
      if (m === 0 || m === 48) return { token: { kind: 'cut', partial: false }, length: 3 };
      if (m === 1 || m === 49) return { token: { kind: 'cut', partial: true }, length: 3 };
      if (m === 65 || m === 66) return oneParam(buf, at + 1, (n) => ({ token: { kind: 'cut', partial: m === 66, feed: n }, length: 4 }));
      if (m === 97 || m === 98 || m === 103 || m === 104) return oneParam(buf, at + 1, () => unsupported(4, `GS V ${m}: cut functions C and D are not modelled`));
      return invalid(3, `GS V ${m}: no such cut mode`);
    }
    case 0x28: // GS ( k
      if (at + 2 >= buf.length) return 'more';
      return buf[at + 2] === 0x6b ? parseGsParenK(buf, at) : unknown(3, `GS ( ${hex2(buf[at + 2]!)}: unknown command`);
    case 0x68: // GS h n (gs_lh)
      return oneParam(buf, at, (n) => (n >= 1 ? { token: { kind: 'barcodeHeight', n }, length: 3 } : invalid(3, 'GS h 0: height must be 1-255')));
    case 0x77: // GS w n (gs_lw)
      return oneParam(buf, at, (n) => (n >= 2 && n <= 6 ? { token: { kind: 'barcodeWidth', n }, length: 3 } : invalid(3, `GS w ${n}: width must be 2-6`)));
    case 0x48: // GS H n (gs_ch)
      return oneParam(buf, at, (n) => (HRI_POS[n] ? { token: { kind: 'hriPosition', position: HRI_POS[n] }, length: 3 } : invalid(3, `GS H ${n}: position must be 0-3 or 48-51`)));
    case 0x66: // GS f n (gs_lf)
      return oneParam(buf, at, (n) => ([0, 1, 48, 49].includes(n) ? { token: { kind: 'hriFont', n: n & 1 }, length: 3 } : invalid(3, `GS f ${n}: font must be 0, 1, 48 or 49`)));
    case 0x6b: // GS k
      return parseGsK(buf, at);
    case 0x72: // GS r n (gs_lr)
      return oneParam(buf, at, (n) => ([1, 2, 49, 50].includes(n) ? { token: { kind: 'transmitStatus', n: (n & 0x0f) as 1 | 2 }, length: 3 } : invalid(3, `GS r ${n}: n must be 1, 2, 49 or 50`)));
    case 0x61: // GS a n (gs_la)
      return oneParam(buf, at, (n) => ({ token: { kind: 'asb', n }, length: 3 }));
    default:
      return unknown(2, `GS ${hex2(c)}: unknown command`);
  }
}

/** Parses the command or text run starting at `at`; 'more' when it is incomplete. */
function step(buf: Uint8Array, at: number): Step {
  const b = buf[at]!;
  switch (b) {
    case 0x1b:
      return parseEsc(buf, at);
    case 0x1d:
      return parseGs(buf, at);
    case 0x1c: {
      // FS & / FS . (fs_ampersand, fs_period)
      if (at + 1 >= buf.length) return 'more';
      const c = buf[at + 1]!;
      if (c === 0x26) return { token: { kind: 'kanji', on: true }, length: 2 };
      if (c === 0x2e) return { token: { kind: 'kanji', on: false }, length: 2 };
      return unknown(2, `FS ${hex2(c)}: unknown command`);
    }
    case 0x10: {
      // DLE EOT n (dle_eot)
      if (at + 1 >= buf.length) return 'more';
      if (buf[at + 1] !== 0x04) return unknown(2, `DLE ${hex2(buf[at + 1]!)}: unknown command`);
      return oneParam(buf, at, (n) => (n >= 1 && n <= 4 ? { token: { kind: 'realtimeStatus', n: n as 1 | 2 | 3 | 4 }, length: 3 } : invalid(3, `DLE EOT ${n}: n must be 1-4`)));
    }
    case 0x0a:
      return { token: { kind: 'lf' }, length: 1 };
    case 0x0d:
      return { token: { kind: 'cr' }, length: 1 };
    default: {
      if (b < 0x20) return unknown(1, `control byte ${hex2(b)} is not a command this printer knows`);
      let end = at;
      while (end < buf.length && buf[end]! >= 0x20) end++;
      return { token: { kind: 'text', bytes: buf.slice(at, end) }, length: end - at };
    }
  }
}

/**
 * Streaming tokenizer: bytes in any chunks, tokens and errors out. Never throws on any
 * input; an incomplete command waits for more bytes and is reported as truncated by `end()`.
 */
export class EscPosTokenizer {
  private pending = new Uint8Array(0);
  private offset = 0;
  readonly errors: ModelError[] = [];

  push(chunk: Uint8Array): Token[] {
    const buf = new Uint8Array(this.pending.length + chunk.length);
    buf.set(this.pending);
    buf.set(chunk, this.pending.length);
    const tokens: Token[] = [];
    let at = 0;
    while (at < buf.length) {
      const s = step(buf, at);
      if (s === 'more') break;
      if (s.token) tokens.push(s.token);
      if (s.error) this.errors.push({ offset: this.offset + at, ...s.error });
      at += s.length;
    }
    this.pending = buf.slice(at);
    this.offset += at;
    return tokens;
  }

  /** The stream ended: bytes of an unfinished command are a truncation error. */
  end(): void {
    if (this.pending.length === 0) return;
    const b = this.pending[0]!;
    const name = b === 0x1b ? 'ESC' : b === 0x1d ? 'GS' : b === 0x1c ? 'FS' : b === 0x10 ? 'DLE' : hex2(b);
    this.errors.push({ offset: this.offset, kind: 'truncated', message: `${name} command cut off after ${this.pending.length} byte(s)` });
    this.offset += this.pending.length;
    this.pending = new Uint8Array(0);
  }
}

/** Tokenizes a complete byte stream. */
export function tokenize(bytes: Uint8Array): { tokens: Token[]; errors: ModelError[] } {
  const t = new EscPosTokenizer();
  const tokens = t.push(bytes);
  t.end();
  return { tokens, errors: t.errors };
}

// ---- printed receipt ---------------------------------------------------------------------

/** Decodes CODE128 GS k data (gs_lk): "{A"/"{B"/"{C" first, "{{" a literal "{", code C bytes 0..99. */
export function decodeCode128(data: Uint8Array): { data: string; codeSet: 'A' | 'B' | 'C' } | { error: string } {
  if (data.length < 2 || data[0] !== 0x7b || ![0x41, 0x42, 0x43].includes(data[1]!)) return { error: 'CODE128 data must start with {A, {B or {C' };
  const first = String.fromCharCode(data[1]!) as 'A' | 'B' | 'C';
  let set = first;
  let out = '';
  for (let i = 2; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0x7b) {
      const next = data[++i];
      if (next === 0x7b && set !== 'C') out += '{';
      else if (next === 0x41 || next === 0x42 || next === 0x43) set = String.fromCharCode(next) as 'A' | 'B' | 'C';
      else if (next !== undefined && next >= 0x31 && next <= 0x34) continue; // FNC1..FNC4: no HRI character
      else return { error: `CODE128: "{" followed by ${next === undefined ? 'nothing' : hex2(next)} is no special character` };
    } else if (set === 'C') {
      if (b > 99) return { error: `CODE128 code set C: byte ${b} is above 99` };
      out += String(b).padStart(2, '0');
    } else if (set === 'A' ? b <= 0x5f : b >= 0x20 && b <= 0x7f) {
      out += String.fromCharCode(b);
    } else {
      return { error: `CODE128 code set ${set}: byte ${hex2(b)} is outside the set` };
    }
  }
  return { data: out, codeSet: first };
}

// ---- the printer -------------------------------------------------------------------------

export type PrinterFault = 'recoverable' | 'autocutter' | 'unrecoverable' | 'auto-recoverable';

export interface EscPosModelOptions {
  /** Paper roll width, for `text()` and `png()` (default 58). */
  paperWidthMm?: 58 | 80;
  /** Characters per line in font A, for `text()` (default from the paper: 32 or 48). */
  columns?: number;
  /** Powers up in Hanzi (Kanji) mode, as most Chinese-market printers do (hardware.md risk 12). */
  startInHanziMode?: boolean;
  /** Content rows (text lines, QR codes, bar codes) the roll holds; default unlimited. */
  paperRows?: number;
  /** Has an autocutter (default true); a cut without one is an error. */
  cutter?: boolean;
  /**
   * XON/XOFF handshake: the printer sends XOFF when it becomes busy (offline) and XON when
   * it can take data again, on the same TX line as the status replies (hardware.md 7.6).
   */
  xonXoff?: boolean;
}

interface Style {
  align: Justification;
  bold: boolean;
  underline: 0 | 1 | 2;
  width: number;
  height: number;
}

interface Segment extends Omit<PrintedSpan, 'text'> {
  bytes: number[];
  hanzi: boolean;
}

const DEFAULT_STYLE: Readonly<Style> = { align: 'left', bold: false, underline: 0, width: 1, height: 1 };

export class EscPosPrinterModel {
  readonly errors: ModelError[];
  private readonly tokenizer = new EscPosTokenizer();
  private readonly printed: PrintedItem[] = [];
  private readonly queue: Token[] = [];
  private readonly unsubscribe: Unsubscribe[];
  private style: Style = { ...DEFAULT_STYLE };
  private hanzi: boolean;
  private line: Segment[] = [];
  private qr = { model: 2 as 1 | 2 | 'micro', moduleSize: 3, level: 'L' as QrLevel, data: undefined as Uint8Array | undefined };
  private bar = { height: 162, width: 3, hri: 'none' as Hri };
  private paperRows: number;
  private paperOut = false;
  private nearEnd = false;
  private coverOpen = false;
  private offline = false;
  private fault: PrinterFault | undefined;
  private poweredOn = true;
  private feedButton = false;
  private busySignalled = false;
  /** Bytes received while switched on, for tests. */
  bytesReceived = 0;
  /** The ASB setting last received (GS a). */
  asb = 0;

  private constructor(
    private readonly link: SerialLink,
    private readonly options: EscPosModelOptions,
    private readonly gb: TextCodec | undefined,
  ) {
    this.errors = this.tokenizer.errors;
    this.hanzi = options.startInHanziMode ?? false;
    this.paperRows = options.paperRows ?? Infinity;
    this.paperOut = this.paperRows <= 0;
    this.unsubscribe = [link.onData((chunk) => this.receive(chunk)), link.onClose(() => this.end())];
  }

  /** Attaches a printer to the device end of a serial link. */
  static async attach(link: SerialLink, options: EscPosModelOptions = {}): Promise<EscPosPrinterModel> {
    // Hanzi decoding uses iconv-lite when it can be imported; else such text shows as U+FFFD.
    const gb = await loadTextCodec('gb18030').catch(() => undefined);
    return new EscPosPrinterModel(link, options, gb);
  }

  // -- faults and the operator ---------------------------------------------------------------

  /** The roll ends after this many more content rows (0: it is empty now, and the sensor says so). */
  runOutAfter(rows: number): void {
    this.paperRows = rows;
    this.paperOut = rows <= 0;
    this.run();
  }

  /** A new roll: printing resumes with what waits in the receive buffer. */
  loadPaper(rows = Infinity): void {
    this.paperRows = rows;
    this.paperOut = false;
    this.nearEnd = false;
    this.run();
  }

  setPaperNearEnd(on: boolean): void {
    this.nearEnd = on;
  }

  setCoverOpen(open: boolean): void {
    this.coverOpen = open;
    this.run();
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
    this.run();
  }

  setFeedButton(pressed: boolean): void {
    this.feedButton = pressed;
  }

  setFault(fault: PrinterFault | undefined): void {
    this.fault = fault;
    this.run();
  }

  /** Switched off: no answers, incoming bytes are lost. On again: a fresh printer (buffer empty, modes reset). */
  setPower(on: boolean): void {
    if (on && !this.poweredOn) {
      this.queue.length = 0;
      this.reset();
    }
    this.poweredOn = on;
  }

  // -- what was printed ----------------------------------------------------------------------

  /** Everything printed so far, top to bottom. */
  items(): readonly PrintedItem[] {
    return this.printed;
  }

  /** Commands received but not executed (waiting for paper, cover or online). */
  get waiting(): number {
    return this.queue.length;
  }

  /** The stream ended (or a test says it did): an unfinished command becomes a truncation error. */
  end(): void {
    this.tokenizer.end();
  }

  /** What was printed, as lines of text `columns` wide (long lines wrap as on paper). */
  text(): string {
    return renderText(this.printed, this.options.columns ?? COLUMNS_BY_PAPER[this.options.paperWidthMm ?? 58]).join('\n');
  }

  /** What was printed, as a PNG picture of the roll (needs @napi-rs/canvas: HAL_UNSUPPORTED otherwise). */
  png(): Promise<Uint8Array> {
    return renderPng(this.printed, { paperWidthMm: this.options.paperWidthMm ?? 58 });
  }

  async detach(): Promise<void> {
    this.unsubscribe.forEach((u) => u());
  }

  // -- status bytes (dle_eot, gs_lr) -------------------------------------------------------------

  private get isOffline(): boolean {
    return this.paperOut || this.coverOpen || this.offline || this.fault !== undefined;
  }

  /** The DLE EOT n reply: form 0xx1xx10 (bits 1 and 4 fixed 1, bits 0 and 7 fixed 0). */
  realtimeStatus(n: 1 | 2 | 3 | 4): number {
    const fixed = 0x12;
    switch (n) {
      case 1:
        return fixed | (this.isOffline ? 0x08 : 0) | (this.fault === 'recoverable' || this.fault === 'autocutter' ? 0x20 : 0) | (this.feedButton ? 0x40 : 0);
      case 2:
        return fixed | (this.coverOpen ? 0x04 : 0) | (this.feedButton ? 0x08 : 0) | (this.paperOut ? 0x20 : 0) | (this.fault ? 0x40 : 0);
      case 3:
        return (
          fixed |
          (this.fault === 'recoverable' ? 0x04 : 0) |
          (this.fault === 'autocutter' ? 0x08 : 0) |
          (this.fault === 'unrecoverable' ? 0x20 : 0) |
          (this.fault === 'auto-recoverable' ? 0x40 : 0)
        );
      case 4:
        return fixed | (this.nearEnd || this.paperOut ? 0x0c : 0) | (this.paperOut ? 0x60 : 0);
    }
  }

  /** The GS r n reply: form 0xx0xxxx (bit 4 fixed 0). n = 1: near end 0x03, paper end 0x0C. */
  transmitStatus(n: 1 | 2): number {
    if (n === 2) return 0x00; // drawer kick connector pin 3 low
    return (this.nearEnd || this.paperOut ? 0x03 : 0) | (this.paperOut ? 0x0c : 0);
  }

  private answer(b: number): void {
    if (!this.link.isOpen) return;
    this.link.write(Uint8Array.of(b)).catch(() => undefined);
  }

  // -- receiving and printing --------------------------------------------------------------------

  private receive(chunk: Uint8Array): void {
    if (!this.poweredOn) return;
    this.bytesReceived += chunk.length;
    for (const token of this.tokenizer.push(chunk)) {
      if (token.kind === 'realtimeStatus') this.answer(this.realtimeStatus(token.n));
      else this.queue.push(token);
    }
    this.run();
  }

  private run(): void {
    while (this.queue.length && this.poweredOn && !this.isOffline) {
      if (!this.execute(this.queue[0]!)) break;
      this.queue.shift();
    }
    if (this.options.xonXoff && this.poweredOn && this.busySignalled !== this.isOffline) {
      this.busySignalled = this.isOffline;
      this.answer(this.busySignalled ? 0x13 : 0x11);
    }
  }

  /**
   * Puts bytes on the printer's TX line as they are (line noise, stray bytes, XON/XOFF);
   * resolves once they have left (drained), so a test can act on their arrival.
   */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    if (!this.link.isOpen) return;
    await this.link.write(bytes);
    await this.link.drain();
  }

  /** Takes one content row of paper; false (and paper end) when the roll is empty. */
  private takePaper(): boolean {
    if (this.paperRows <= 0) {
      this.paperOut = true;
      return false;
    }
    this.paperRows--;
    return true;
  }

  private reset(): void {
    this.style = { ...DEFAULT_STYLE };
    this.hanzi = this.options.startInHanziMode ?? false;
    this.line = [];
    this.qr = { model: 2, moduleSize: 3, level: 'L', data: undefined };
    this.bar = { height: 162, width: 3, hri: 'none' };
  }

  private flag(kind: ModelError['kind'], message: string): void {
    this.errors.push({ offset: -1, kind, message });
  }

  /** Executes a token; false when it has to wait (paper end reached). */
  private execute(token: Token): boolean {
    const s = this.style;
    switch (token.kind) {
      case 'text': {
        const last = this.line[this.line.length - 1];
        if (last && last.hanzi === this.hanzi && last.bold === s.bold && last.underline === s.underline && last.width === s.width && last.height === s.height) {
          last.bytes.push(...token.bytes);
        } else {
          this.line.push({ bytes: [...token.bytes], hanzi: this.hanzi, bold: s.bold, underline: s.underline, width: s.width, height: s.height });
        }
        return true;
      }
      case 'lf':
        return this.printLine();
      case 'cr':
        return true;
      case 'init':
        this.reset();
        return true;
      case 'justify':
        // esc_la: in standard mode only effective at the beginning of a line.
        if (this.line.length === 0) s.align = token.align;
        return true;
      case 'emphasized':
        s.bold = token.on;
        return true;
      case 'underline':
        s.underline = token.dots;
        return true;
      case 'printMode':
        s.bold = (token.n & 0x08) !== 0;
        s.height = token.n & 0x10 ? 2 : 1;
        s.width = token.n & 0x20 ? 2 : 1;
        s.underline = token.n & 0x80 ? 1 : 0;
        return true;
      case 'size':
        s.width = token.width;
        s.height = token.height;
        return true;
      case 'feed':
        if (this.line.length && !this.printLine()) return false;
        if (token.lines > 0) this.printed.push({ kind: 'feed', lines: token.lines });
        return true;
      case 'cut':
        if (this.line.length) this.flag('invalid', 'GS V: cut in the middle of a line (gs_cv: only at the beginning of a line)');
        if (this.options.cutter === false) this.flag('unsupported', 'GS V: this printer has no autocutter');
        else this.printed.push({ kind: 'cut', partial: token.partial });
        return true;
      case 'kanji':
        this.hanzi = token.on;
        return true;
      case 'codeTable':
        if (token.n !== 0) this.flag('unsupported', `ESC t ${token.n}: the model has code table 0 (PC437) only`);
        return true;
      case 'qrModel':
        this.qr.model = token.model;
        return true;
      case 'qrModuleSize':
        this.qr.moduleSize = token.n;
        return true;
      case 'qrErrorCorrection':
        this.qr.level = token.level;
        return true;
      case 'qrStore':
        this.qr.data = token.data;
        return true;
      case 'qrPrint': {
        if (!this.qr.data) {
          this.flag('invalid', 'GS ( k fn 181: no symbol data stored');
          return true;
        }
        if (!this.takePaper()) return false;
        const data = new TextDecoder().decode(this.qr.data);
        this.printed.push({ kind: 'qr', data, model: this.qr.model, moduleSize: this.qr.moduleSize, errorCorrection: this.qr.level, align: s.align });
        return true;
      }
      case 'barcodeHeight':
        this.bar.height = token.n;
        return true;
      case 'barcodeWidth':
        this.bar.width = token.n;
        return true;
      case 'hriPosition':
        this.bar.hri = token.position;
        return true;
      case 'hriFont':
        return true;
      case 'code128': {
        if (this.line.length) this.flag('invalid', 'GS k: bar code in the middle of a line (gs_lk: only at the beginning of a line)');
        const decoded = decodeCode128(token.data);
        if ('error' in decoded) {
          this.flag('invalid', `GS k 73: ${decoded.error}`);
          return true;
        }
        if (!this.takePaper()) return false;
        this.printed.push({ kind: 'barcode', symbology: 'CODE128', ...decoded, height: this.bar.height, moduleWidth: this.bar.width, hri: this.bar.hri, align: s.align });
        return true;
      }
      case 'transmitStatus':
        this.answer(this.transmitStatus(token.n));
        return true;
      case 'asb':
        this.asb = token.n;
        return true;
      case 'realtimeStatus':
        return true; // answered on receipt
    }
  }

  private decode(segment: Segment): string {
    const bytes = Uint8Array.from(segment.bytes);
    if (!segment.hanzi) return CP437_DECODER.decode(bytes);
    // Hanzi mode: 0x81..0xFE start two- or four-byte codes (fs_ampersand); ASCII stays single.
    if (this.gb) return this.gb.decode(bytes);
    let s = '';
    for (let i = 0; i < bytes.length; i += gb18030CharLength(bytes[i]!, bytes[i + 1])) s += bytes[i]! < 0x80 ? String.fromCharCode(bytes[i]!) : '\ufffd';
    return s;
  }

  private printLine(): boolean {
    if (!this.takePaper()) return false;
    const spans = this.line.map((seg) => ({ text: this.decode(seg), bold: seg.bold, underline: seg.underline, width: seg.width, height: seg.height }));
    this.printed.push({ kind: 'text', text: spans.map((x) => x.text).join(''), align: this.style.align, spans });
    this.line = [];
    return true;
  }
}

const CP437_DECODER = singleByteCodec('cp437');

