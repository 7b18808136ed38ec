// Text <-> printer bytes for the charsets the ESC/POS driver supports.
// - ascii: 0x20..0x7E only.
// - cp437: the IBM PC code page 437 (Epson code table 0, esc_lt), table below.
// - gb18030: Chinese printers in Hanzi mode (FS &, fs_ampersand): ASCII as one byte,
//   everything else as GB18030 two- or four-byte codes. Node's TextEncoder only does
//   UTF-8, so this uses the npm package iconv-lite, loaded on demand: when it cannot be
//   imported, opening a gb18030 printer fails with HAL_UNSUPPORTED naming the package.
// Control characters are refused in every charset: in a receipt's text they would be
// printer commands (a cardholder name must not be able to cut the paper).
import { HalError } from '../../errors.js';

export type Charset = 'ascii' | 'cp437' | 'gb18030';
export const CHARSETS: readonly Charset[] = ['ascii', 'cp437', 'gb18030'];

export interface TextCodec {
  readonly charset: Charset;
  /** Printer bytes for the text; HAL_INVALID_ARGUMENT names the first character it cannot print. */
  encode(text: string): Uint8Array;
  /** Text for printer bytes (what a printer in this charset shows); unknown bytes as U+FFFD. */
  decode(bytes: Uint8Array): string;
}

// Code page 437, bytes 0x80..0xFF (IBM/Unicode mapping table CP437.TXT).
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const CP437_REVERSE = new Map<string, number>([...CP437_HIGH].map((ch, i) => [ch, 0x80 + i]));

function refuse(charset: Charset, ch: string, at: number): never {
  const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  throw new HalError('HAL_INVALID_ARGUMENT', `text: U+${cp} at position ${at} cannot be printed in charset ${charset}`);
}

const isPrintableAscii = (c: number): boolean => c >= 0x20 && c <= 0x7e;

/** The single-byte codecs need no library: available synchronously. */
export function singleByteCodec(charset: 'ascii' | 'cp437'): TextCodec {
  return {
    charset,
    encode(text) {
      const out: number[] = [];
      let at = 0;
      for (const ch of text) {
        const c = ch.codePointAt(0)!;
        if (isPrintableAscii(c)) out.push(c);
        else {
          const b = charset === 'cp437' ? CP437_REVERSE.get(ch) : undefined;
          if (b === undefined) refuse(charset, ch, at);
          out.push(b);
        }
        at++;
      }
      return Uint8Array.from(out);
    },
    decode(bytes) {
      let s = '';
      for (const b of bytes) {
        if (isPrintableAscii(b)) s += String.fromCharCode(b);
        else if (b >= 0x80 && charset === 'cp437') s += CP437_HIGH[b - 0x80];
        else s += '\ufffd';
      }
      return s;
    },
  };
}

/** The part of iconv-lite this module uses. */
interface Iconv {
  encode(text: string, encoding: string): Uint8Array;
  decode(bytes: Uint8Array, encoding: string): string;
}

async function loadIconv(): Promise<Iconv | undefined> {
  // A variable specifier keeps the type checker and bundlers from requiring the package.
  const name = 'iconv-lite';
  try {
    const mod = (await import(name)) as { default?: Iconv } & Partial<Iconv>;
    const lib = mod.default ?? (mod as Iconv);
    return typeof lib.encode === 'function' ? lib : undefined;
  } catch {
    return undefined;
  }
}

function gb18030Codec(iconv: Iconv): TextCodec {
  return {
    charset: 'gb18030',
    encode(text) {
      let at = 0;
      for (const ch of text) {
        const c = ch.codePointAt(0)!;
        // GB18030 covers every Unicode code point; only controls and lone surrogates are refused.
        if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0xd800 && c <= 0xdfff)) refuse('gb18030', ch, at);
        at++;
      }
      return Uint8Array.from(iconv.encode(text, 'gb18030'));
    },
    decode(bytes) {
      return iconv.decode(Buffer.from(bytes), 'gb18030');
    },
  };
}

/** Loads the codec of a charset; rejects with HAL_UNSUPPORTED when its library is missing. */
export async function loadTextCodec(charset: Charset): Promise<TextCodec> {
  if (charset === 'ascii' || charset === 'cp437') return singleByteCodec(charset);
  if (charset === 'gb18030') {
    const iconv = await loadIconv();
    if (!iconv) {
      throw new HalError('HAL_UNSUPPORTED', 'charset gb18030 needs the npm package iconv-lite, which cannot be imported');
    }
    return gb18030Codec(iconv);
  }
  throw new HalError('HAL_INVALID_ARGUMENT', `unknown charset ${String(charset)} (expected ${CHARSETS.join(', ')})`);
}

/** One-shot: printer bytes for `text` in `charset`. */
export async function encodeText(text: string, charset: Charset): Promise<Uint8Array> {
  return (await loadTextCodec(charset)).encode(text);
}

/**
 * Length of the GB18030 character starting at bytes[i] (fs_ampersand: in Hanzi mode a
 * byte 0x81..0xFE starts a multi-byte code; GB18030 four-byte codes have a second byte
 * 0x30..0x39). 1 for a single-byte character.
 */
export function gb18030CharLength(first: number, second: number | undefined): 1 | 2 | 4 {
  if (first < 0x81 || first > 0xfe) return 1;
  return second !== undefined && second >= 0x30 && second <= 0x39 ? 4 : 2;
}

/** Columns a character takes in the normal font: CJK and other wide characters take two. */
export function charColumns(ch: string): 1 | 2 {
  const c = ch.codePointAt(0)!;
  const wide =
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x20000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}
