/**
 * Answer To Reset decoding (ISO/IEC 7816-3:2006 clause 8; EMV Book 1 8.3). Pure: bytes in,
 * a decoded ATR or EMV_ATR_MALFORMED out. A PC/SC reader hands the ATR over already in
 * direct convention byte values, with TS kept as the card sent it (3B or 3F).
 */
import { EmvError } from '../errors.js';

/** Interface bytes of one group i (TAi, TBi, TCi, TDi), as present in the ATR. */
export interface AtrGroup {
  /** Group number i (1-based). */
  readonly index: number;
  readonly ta?: number;
  readonly tb?: number;
  readonly tc?: number;
  readonly td?: number;
  /** T indicated by TD(i-1), which announced this group; undefined for group 1 (global bytes). */
  readonly protocol: number | undefined;
}

export interface Atr {
  /** The ATR as received, TS first. */
  readonly bytes: Uint8Array;
  /** TS (ISO/IEC 7816-3 8.1): 3B direct convention, 3F inverse convention. */
  readonly convention: 'direct' | 'inverse';
  /** Format byte T0: Y1 (bits 8-5) and K (bits 4-1). */
  readonly t0: number;
  readonly groups: readonly AtrGroup[];
  /** Protocols the card offers, in ATR order; [0] when no TD1 (8.2.3: T=0 is implied). */
  readonly protocols: readonly number[];
  /** Historical bytes T1..TK (ISO/IEC 7816-4 8.1.1). */
  readonly historical: Uint8Array;
  /** The check byte when present (required unless only T=0 is indicated, 8.2.5). */
  readonly tck: number | undefined;
  /** Clock rate conversion integer Fi and baud rate adjustment Di from TA1 (Tables 7 and 8); defaults 372 and 1. */
  readonly fi: number;
  readonly di: number;
  /** Maximum clock frequency in MHz belonging to Fi (Table 7); 5 by default. */
  readonly fMaxMhz: number;
  /** Extra guard time N from TC1 (8.3); 0 when absent. 255 means 11 etu (T=1) / 12 etu (T=0). */
  readonly extraGuardTime: number;
  /** TA2 present: the card is in specific mode with this protocol (8.3); bit 8 set = it cannot change mode. */
  readonly specificMode: { readonly protocol: number; readonly canChange: boolean; readonly implicitParameters: boolean } | undefined;
  /** T=0 waiting integer WI from TC2 (10.2); 10 when absent. */
  readonly waitingInteger: number;
  /** T=1 parameters from the first TA/TB/TC after the first TD indicating T=1 (11.4). */
  readonly t1: { readonly ifsc: number; readonly bwi: number; readonly cwi: number; readonly edc: 'lrc' | 'crc' } | undefined;
}

// ISO/IEC 7816-3 Table 7: Fi and f(max) by FI; undefined = RFU.
const FI_TABLE: ReadonlyArray<readonly [number, number] | undefined> = [
  [372, 4], [372, 5], [558, 6], [744, 8], [1116, 12], [1488, 16], [1860, 20], undefined,
  undefined, [512, 5], [768, 7.5], [1024, 10], [1536, 15], [2048, 20], undefined, undefined,
];
// Table 8: Di by DI; undefined = RFU.
const DI_TABLE: ReadonlyArray<number | undefined> = [undefined, 1, 2, 4, 8, 16, 32, 64, 12, 20, undefined, undefined, undefined, undefined, undefined, undefined];

/** At most 32 characters follow TS (8.2.1). */
export const ATR_MAX_LENGTH = 33;

const bad = (why: string, offset?: number): EmvError =>
  new EmvError('EMV_ATR_MALFORMED', `ATR: ${why}`, offset === undefined ? undefined : { offset });

/** Decodes an ATR. Throws EmvError EMV_ATR_MALFORMED for anything ISO/IEC 7816-3 8.2 does not allow. */
export function parseAtr(input: Uint8Array): Atr {
  const bytes = Uint8Array.from(input);
  if (bytes.length < 2) throw bad(`${bytes.length} byte${bytes.length === 1 ? '' : 's'}; TS and T0 at least`);
  if (bytes.length > ATR_MAX_LENGTH) throw bad(`${bytes.length} bytes; at most ${ATR_MAX_LENGTH} (TS and 32 characters)`);
  const ts = bytes[0]!;
  if (ts !== 0x3b && ts !== 0x3f) throw bad(`TS ${hex2(ts)} is neither 3B (direct) nor 3F (inverse convention)`, 0);
  const t0 = bytes[1]!;
  const k = t0 & 0x0f;
  const groups: AtrGroup[] = [];
  const protocols: number[] = [];
  let pos = 2;
  let y = t0 >> 4;
  let protocol: number | undefined;
  for (let i = 1; ; i++) {
    const group: { index: number; ta?: number; tb?: number; tc?: number; td?: number; protocol: number | undefined } = { index: i, protocol };
    for (const [bit, key] of [[0x1, 'ta'], [0x2, 'tb'], [0x4, 'tc'], [0x8, 'td']] as const) {
      if ((y & bit) === 0) continue;
      if (pos >= bytes.length) throw bad(`T${key.slice(1).toUpperCase()}${i} announced but the ATR ends after ${bytes.length} bytes`, pos);
      group[key] = bytes[pos++]!;
    }
    groups.push(group);
    if (group.td === undefined) break;
    protocol = group.td & 0x0f;
    // T=15 is not a protocol but global interface bytes (8.2.3).
    if (protocol !== 15 && !protocols.includes(protocol)) protocols.push(protocol);
    y = group.td >> 4;
  }
  if (protocols.length === 0) protocols.push(0);
  if (pos + k > bytes.length) throw bad(`T0 announces ${k} historical bytes but ${bytes.length - pos} remain`, pos);
  const historical = bytes.slice(pos, pos + k);
  pos += k;
  // 8.2.5: TCK is absent when only T=0 is indicated, present otherwise.
  const tckNeeded = groups.some((g) => g.td !== undefined && (g.td & 0x0f) !== 0);
  let tck: number | undefined;
  if (tckNeeded) {
    if (pos >= bytes.length) throw bad('TCK missing (a protocol other than T=0 is indicated)', pos);
    tck = bytes[pos++]!;
    let x = 0;
    for (let j = 1; j < pos; j++) x ^= bytes[j]!;
    if (x !== 0) throw bad(`TCK ${hex2(tck)} does not check (XOR of T0..TCK is ${hex2(x)}, not 00)`, pos - 1);
  }
  if (pos !== bytes.length) throw bad(`${bytes.length - pos} byte${bytes.length - pos === 1 ? '' : 's'} after the ${tckNeeded ? 'TCK' : 'historical bytes'}`, pos);

  const g1 = groups[0]!;
  const g2 = groups[1];
  let fi = 372;
  let di = 1;
  let fMaxMhz = 5;
  if (g1.ta !== undefined) {
    const f = FI_TABLE[g1.ta >> 4];
    const d = DI_TABLE[g1.ta & 0x0f];
    if (f === undefined) throw bad(`TA1 ${hex2(g1.ta)}: FI ${g1.ta >> 4} is reserved (ISO/IEC 7816-3 Table 7)`, 2);
    if (d === undefined) throw bad(`TA1 ${hex2(g1.ta)}: DI ${g1.ta & 0x0f} is reserved (ISO/IEC 7816-3 Table 8)`, 2);
    [fi, fMaxMhz] = f;
    di = d;
  }
  const ta2 = g2?.ta;
  const specificMode = ta2 === undefined ? undefined : { protocol: ta2 & 0x0f, canChange: (ta2 & 0x80) === 0, implicitParameters: (ta2 & 0x10) !== 0 };
  // TC2 belongs to T=0 only when TD1 indicates T=0 (10.2).
  const waitingInteger = g2?.tc !== undefined && g2.protocol === 0 ? g2.tc : 10;
  return {
    bytes,
    convention: ts === 0x3b ? 'direct' : 'inverse',
    t0,
    groups,
    protocols,
    historical,
    tck,
    fi,
    di,
    fMaxMhz,
    extraGuardTime: g1.tc ?? 0,
    specificMode,
    waitingInteger,
    t1: t1Parameters(groups),
  };
}

// 11.4: the first TA/TB/TC of a group announced by a TD with T=1 (group 3 or later) carry IFSC, BWI/CWI, EDC.
function t1Parameters(groups: readonly AtrGroup[]): Atr['t1'] {
  const g = groups.find((x) => x.index >= 3 && x.protocol === 1);
  if (g === undefined) return groups.some((x) => x.protocol === 1) ? { ifsc: 32, bwi: 4, cwi: 13, edc: 'lrc' } : undefined;
  return {
    ifsc: g.ta ?? 32,
    bwi: g.tb === undefined ? 4 : g.tb >> 4,
    cwi: g.tb === undefined ? 13 : g.tb & 0x0f,
    edc: g.tc !== undefined && (g.tc & 0x01) === 1 ? 'crc' : 'lrc',
  };
}

/** True when `bytes` is an ATR ISO/IEC 7816-3 allows (parseAtr would not throw). */
export function isValidAtr(bytes: Uint8Array): boolean {
  try {
    parseAtr(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The protocol a reader activates by default (8.2.3: the first offered, T=0 when none is named). */
export function firstProtocol(atr: Atr): number {
  return atr.specificMode?.protocol ?? atr.protocols[0]!;
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
