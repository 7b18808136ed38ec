// EMV Contactless Book C-2 (Kernel 2) mag-stripe mode: the card's Track 1 / Track 2 Data
// made dynamic with the CVC3 the card computed (COMPUTE CRYPTOGRAPHIC CHECKSUM), the
// Unpredictable Number (Numeric) and the ATC, placed where the card's bitmaps say:
// PCVC3 (9F62 / 9F65) for the CVC3 digits, PUNATC (9F63 / 9F66) for the UN and ATC digits,
// NATC (9F64 / 9F67) the number of ATC digits; nUN = non-zero bits of PUNATC - NATC.
// Bit 1 of a bitmap is the rightmost digit of the discretionary data; that digit itself
// receives nUN. A card whose bitmaps do not fit its track data is a card data error.
import { numberToBcd } from '../bytes.js';
import { CardFault } from './card-io.js';

export interface TrackBitmaps {
  /** PCVC3: where the CVC3 digits go. */
  readonly pcvc3: Uint8Array;
  /** PUNATC: where the UN digits (most significant set bits) and the ATC digits (least significant) go. */
  readonly punatc: Uint8Array;
  /** NATC: how many ATC digits. */
  readonly natc: number;
}

/** What COMPUTE CRYPTOGRAPHIC CHECKSUM and the terminal contribute. */
export interface DynamicValues {
  /** CVC3 (Track1) 9F60 or (Track2) 9F61, as a number. */
  readonly cvc3: number;
  /** The Unpredictable Number (Numeric), 8 digits. */
  readonly unDigits: string;
  readonly atc: number;
  readonly nUN: number;
}

/** Set bits of a big-endian bitmap, least significant first (0 = rightmost). */
function bits(bitmap: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bitmap.length * 8; i++) if ((bitmap[bitmap.length - 1 - (i >> 3)]! >> (i & 7)) & 1) out.push(i);
  return out;
}

/** nUN for one track: the number of non-zero bits in PUNATC minus NATC, 0-8 (the UN has 8 digits). */
export function unDigitCount(m: TrackBitmaps): number {
  const n = bits(m.punatc).length - m.natc;
  if (n < 0 || n > 8) throw new CardFault(`mag-stripe: PUNATC has ${bits(m.punatc).length} bits for NATC ${m.natc}: nUN ${n} is not 0-8 (Book C-2)`);
  return n;
}

/**
 * The Unpredictable Number (Numeric) 9F6A: nUN random digits, right justified with leading
 * zeros (n 8). The digits come from the transaction's 4-byte unpredictable number, so the
 * kernel stays deterministic for a given input.
 */
export function numericUnpredictableNumber(un: Uint8Array, nUN: number): { digits: string; value: Uint8Array } {
  const x = ((un[0]! << 24) >>> 0) + (un[1]! << 16) + (un[2]! << 8) + un[3]!;
  const v = nUN === 0 ? 0 : x % 10 ** nUN;
  return { digits: String(v).padStart(8, '0'), value: numberToBcd(v, 4) };
}

/** The discretionary data with the dynamic digits in place (characters: digits for track 2, ASCII digits for track 1). */
export function fillDiscretionary(dd: string, m: TrackBitmaps, v: DynamicValues): string {
  const cvc3Bits = bits(m.pcvc3);
  const unAtcBits = bits(m.punatc);
  const all = [...cvc3Bits, ...unAtcBits];
  if (all.some((b) => b === 0 || b >= dd.length) || new Set(all).size !== all.length) {
    throw new CardFault(`mag-stripe: PCVC3/PUNATC bits do not fit ${dd.length} discretionary characters without overlap (Book C-2)`);
  }
  const out = dd.split('');
  const put = (positions: readonly number[], digits: string): void => {
    // The k-th lowest set bit takes the k-th least significant digit.
    positions.forEach((bit, k) => {
      out[dd.length - 1 - bit] = digits[digits.length - 1 - k] ?? '0';
    });
  };
  put(cvc3Bits, String(v.cvc3).padStart(cvc3Bits.length, '0'));
  put(unAtcBits.slice(0, m.natc), String(v.atc).padStart(m.natc, '0'));
  put(unAtcBits.slice(m.natc), v.unDigits);
  out[dd.length - 1] = String(v.nUN);
  return out.join('');
}

/** Track 2 Data (9F6B: PAN D YYMM service code discretionary, F-padded) with the dynamic digits; same encoding. */
export function dynamicTrack2(track2: Uint8Array, m: TrackBitmaps, v: DynamicValues): Uint8Array {
  let digits = Buffer.from(track2).toString('hex').toUpperCase();
  if (digits.endsWith('F')) digits = digits.slice(0, -1);
  const sep = digits.indexOf('D');
  if (!/^[0-9]{8,19}D[0-9]{7,}$/.test(digits) || sep < 0) throw new CardFault('mag-stripe: Track 2 Data (9F6B) is not PAN D YYMM service code discretionary data');
  const head = digits.slice(0, sep + 8);
  const out = head + fillDiscretionary(digits.slice(sep + 8), m, v);
  return Uint8Array.from(Buffer.from(out.length % 2 ? out + 'F' : out, 'hex'));
}

/** Track 1 Data (56: B PAN ^ name ^ YYMM service code discretionary, ASCII) with the dynamic digits. */
export function dynamicTrack1(track1: Uint8Array, m: TrackBitmaps, v: DynamicValues): string {
  const text = Buffer.from(track1).toString('latin1');
  const first = text.indexOf('^');
  const second = first < 0 ? -1 : text.indexOf('^', first + 1);
  if (text[0] !== 'B' || second < 0 || !/^[0-9]{7}/.test(text.slice(second + 1)) || !/^[\x20-\x7e]*$/.test(text)) {
    throw new CardFault('mag-stripe: Track 1 Data (56) is not B PAN ^ name ^ YYMM service code discretionary data');
  }
  return text.slice(0, second + 8) + fillDiscretionary(text.slice(second + 8), m, v);
}
