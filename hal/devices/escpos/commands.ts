// ESC/POS command encoders. Each cites its page of the Epson ESC/POS command reference,
// https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/<page>.html (page names:
// lowercase letter -> "l" prefix, uppercase -> "c", e.g. esc_la = ESC a, gs_cv = GS V).
// Encoders validate their parameters: an out-of-range value is a programming error
// (HAL_INVALID_ARGUMENT), never silently clamped into other bytes.
import { HalError } from '../../errors.js';

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;
/** Software flow control bytes a printer may send on its TX line (XON/XOFF). */
export const XON = 0x11;
export const XOFF = 0x13;

function check(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HalError('HAL_INVALID_ARGUMENT', `ESC/POS ${what}: ${value} is outside ${min}..${max}`);
  }
  return value;
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** ESC @ — initialise printer (esc_atsign). */
export const initialize = (): Uint8Array => bytes(ESC, 0x40);

/** LF — print and line feed (lf). */
export const lineFeed = (): Uint8Array => bytes(LF);

export type Justification = 'left' | 'center' | 'right';
const JUSTIFICATION: Readonly<Record<Justification, number>> = { left: 0, center: 1, right: 2 };

/** ESC a n — select justification, n = 0 left, 1 centre, 2 right (esc_la). */
export const justify = (align: Justification): Uint8Array => bytes(ESC, 0x61, JUSTIFICATION[align]);

/** ESC E n — emphasized mode on/off, bit 0 of n (esc_ce). */
export const emphasized = (on: boolean): Uint8Array => bytes(ESC, 0x45, on ? 1 : 0);

/** ESC - n — underline mode: 0 off, 1 one dot, 2 two dots (esc_minus). */
export const underline = (dots: 0 | 1 | 2): Uint8Array => bytes(ESC, 0x2d, check('underline', dots, 0, 2));

/** GS ! n — character size: bits 4-6 width-1, bits 0-2 height-1, 1..8 each (gs_exclamation). */
export function characterSize(width: number, height: number): Uint8Array {
  return bytes(GS, 0x21, ((check('width', width, 1, 8) - 1) << 4) | (check('height', height, 1, 8) - 1));
}

/** ESC d n — print and feed n lines (esc_ld). */
export const feedLines = (n: number): Uint8Array => bytes(ESC, 0x64, check('feed lines', n, 0, 255));

/**
 * GS V — select cut mode and cut paper (gs_cv). Without `feed`: function A, m = 0 full
 * cut, 1 partial cut (cut at the current position). With `feed`: function B, m = 65 full,
 * 66 partial: feed to the cutting position plus `feed` motion units, then cut.
 */
export function cut(partial: boolean, feed?: number): Uint8Array {
  if (feed === undefined) return bytes(GS, 0x56, partial ? 1 : 0);
  return bytes(GS, 0x56, partial ? 66 : 65, check('cut feed', feed, 0, 255));
}

/** FS & — select Kanji (Hanzi) character mode: bytes >= 0x81 start double-byte codes (fs_ampersand). */
export const kanjiModeOn = (): Uint8Array => bytes(FS, 0x26);

/** FS . — cancel Kanji (Hanzi) character mode: one byte per character again (fs_period). */
export const kanjiModeOff = (): Uint8Array => bytes(FS, 0x2e);

/** ESC t n — select character code table (esc_lt); numbering is model-specific (0 = PC437 on Epson). */
export const codeTable = (n: number): Uint8Array => bytes(ESC, 0x74, check('code table', n, 0, 255));

// GS ( k, cn = 49: QR Code (gs_lparen_lk and its function pages fn165..fn182).
function qrFunction(fn: number, ...params: number[]): Uint8Array {
  const len = params.length + 2; // cn + fn + parameters
  return bytes(GS, 0x28, 0x6b, len & 0xff, len >> 8, 49, fn, ...params);
}

/** GS ( k fn 165 — select the QR model: 49 model 1, 50 model 2, 51 micro QR (gs_lparen_lk_fn165). */
export function qrModel(model: 1 | 2 | 'micro'): Uint8Array {
  return qrFunction(65, model === 1 ? 49 : model === 2 ? 50 : 51, 0);
}

/** GS ( k fn 167 — module size in dots, 1..16 (gs_lparen_lk_fn167). */
export const qrModuleSize = (n: number): Uint8Array => qrFunction(67, check('QR module size', n, 1, 16));

export type QrLevel = 'L' | 'M' | 'Q' | 'H';
const QR_LEVEL: Readonly<Record<QrLevel, number>> = { L: 48, M: 49, Q: 50, H: 51 };

/** GS ( k fn 169 — error correction level: 48 L, 49 M, 50 Q, 51 H (gs_lparen_lk_fn169). */
export const qrErrorCorrection = (level: QrLevel): Uint8Array => qrFunction(69, QR_LEVEL[level]);

/** GS ( k fn 180 — store the symbol data; pL + 256 pH = k + 3, k = 1..7089 (gs_lparen_lk_fn180). */
export function qrStore(data: Uint8Array): Uint8Array {
  check('QR data length', data.length, 1, 7089);
  const head = qrFunction(80, 48);
  const len = data.length + 3;
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out[3] = len & 0xff;
  out[4] = len >> 8;
  out.set(data, head.length);
  return out;
}

/** GS ( k fn 181 — print the stored symbol (gs_lparen_lk_fn181). */
export const qrPrint = (): Uint8Array => qrFunction(81, 48);

/** GS ( k fn 182 — transmit the size of the stored symbol (gs_lparen_lk_fn182). */
export const qrSizeInfo = (): Uint8Array => qrFunction(82, 48);

/** GS h n — bar code height in dots, 1..255 (gs_lh). */
export const barcodeHeight = (n: number): Uint8Array => bytes(GS, 0x68, check('barcode height', n, 1, 255));

/** GS w n — bar code module width, 2..6 (gs_lw). */
export const barcodeWidth = (n: number): Uint8Array => bytes(GS, 0x77, check('barcode width', n, 2, 6));

export type Hri = 'none' | 'above' | 'below' | 'both';
const HRI: Readonly<Record<Hri, number>> = { none: 0, above: 1, below: 2, both: 3 };

/** GS H n — HRI character print position: 0 none, 1 above, 2 below, 3 both (gs_ch). */
export const hriPosition = (pos: Hri): Uint8Array => bytes(GS, 0x48, HRI[pos]);

/** GS f n — HRI font: 0 font A, 1 font B (gs_lf). */
export const hriFont = (n: 0 | 1): Uint8Array => bytes(GS, 0x66, check('HRI font', n, 0, 1));

/**
 * GS k m = 73 n d1..dn — print a CODE128 bar code (gs_lk, function B). The data starts
 * with a code set selector ("{A", "{B", "{C"); a literal "{" is sent as "{{". In code set
 * C each data byte is a number 0..99 (the reference's example "No.123456" is
 * `GS k 73 10 {B N o . {C 12 34 56`).
 */
export function code128(data: string, codeSet: 'A' | 'B' | 'C'): Uint8Array {
  const body: number[] = [0x7b, codeSet.charCodeAt(0)];
  if (codeSet === 'C') {
    if (!/^(\d\d)+$/.test(data)) {
      throw new HalError('HAL_INVALID_ARGUMENT', 'ESC/POS CODE128 code set C: data must be an even number of digits');
    }
    for (let i = 0; i < data.length; i += 2) body.push(Number(data.slice(i, i + 2)));
  } else {
    // Code set A: 0x00-0x5F, code set B: 0x20-0x7F; we accept printable ASCII only.
    const allowed = codeSet === 'A' ? /^[\x20-\x5f]+$/ : /^[\x20-\x7e]+$/;
    if (!allowed.test(data)) {
      throw new HalError('HAL_INVALID_ARGUMENT', `ESC/POS CODE128 code set ${codeSet}: data has characters outside the set`);
    }
    for (const ch of data) {
      const c = ch.charCodeAt(0);
      body.push(c);
      if (c === 0x7b) body.push(0x7b);
    }
  }
  check('CODE128 length', body.length, 2, 255);
  return bytes(GS, 0x6b, 73, body.length, ...body);
}

/** DLE EOT n — transmit real-time status, n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor (dle_eot). */
export const realtimeStatus = (n: 1 | 2 | 3 | 4): Uint8Array => bytes(DLE, EOT, check('DLE EOT n', n, 1, 4));

/**
 * GS r n — transmit status, n = 1 paper sensor, 2 drawer kick connector (gs_lr). Not a
 * real-time command: it is answered after the data received before it was processed,
 * which is how the driver learns that a line was printed.
 */
export const transmitStatus = (n: 1 | 2): Uint8Array => bytes(GS, 0x72, check('GS r n', n, 1, 2));

/** GS a n — enable/disable Automatic Status Back; 0 disables it (gs_la). */
export const automaticStatusBack = (n: number): Uint8Array => bytes(GS, 0x61, check('ASB n', n, 0, 255));

/** Concatenates byte strings. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// Status byte layouts (dle_eot, gs_lr). A DLE EOT reply has the form 0xx1xx10 (bits 1 and
// 4 set, 0 and 7 clear); a GS r reply has bit 4 (and 7) clear. XON 0x11 and XOFF 0x13 fit
// neither form, so the three can share the printer's TX line.
export const isRealtimeStatusByte = (b: number): boolean => (b & 0x93) === 0x12;
export const isTransmitStatusByte = (b: number): boolean => (b & 0x90) === 0x00;
/** First byte of a 4-byte Automatic Status Back report: 0xx1xx00 (gs_la); bytes 2-4 are 0xx0xxxx. */
export const isAsbFirstByte = (b: number): boolean => (b & 0x93) === 0x10;
