/**
 * EMV symmetric card keys and application cryptograms (EMV 4.4 Book 2 Annex A1.3, A1.4,
 * sections 8.1 and 8.2): ICC master key derivation (options A and B), the common session
 * key derivation (and the Mastercard variant with the unpredictable number), ARQC/TC/AAC
 * as ISO/IEC 9797-1 MAC algorithm 3, ARPC methods 1 and 2, and the host-side helpers the
 * acquirer simulator uses to verify an ARQC and answer with an ARPC.
 *
 * Keys are double-length TDES keys (16 bytes). Functions throw EmvCryptoError for bad
 * argument shapes; a wrong cryptogram is a `false` result, not an error.
 */
import { createHash } from 'node:crypto';
import { encryptEcb } from './block-cipher.js';
import { concat, equalBytes, wipe, xor } from './bytes.js';
import { EmvCryptoError } from './errors.js';
import { withOddParity } from './kcv.js';
import { macAlgorithm3, type PaddingMethod } from './mac.js';

export type IccKeyOption = 'a' | 'b';

function need(cond: boolean, message: string, code: 'EMV_CRYPTO_BAD_ARGUMENT' | 'EMV_CRYPTO_KEY_LENGTH' = 'EMV_CRYPTO_BAD_ARGUMENT'): void {
  if (!cond) throw new EmvCryptoError(code, message);
}

function needDoubleKey(key: Uint8Array, what: string): void {
  need(key.length === 16, `${what} must be a 16-byte TDES key, got ${key.length} bytes`, 'EMV_CRYPTO_KEY_LENGTH');
}

function packDigits(digits: string): Uint8Array {
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

/** Y (8 bytes) from PAN and PSN for option A: the rightmost 16 digits of PAN || PSN (Book 2 A1.4.1). */
function optionAInput(pan: string, psn: string): Uint8Array {
  const x = (pan + psn).padStart(16, '0');
  return packDigits(x.slice(-16));
}

/**
 * Y for option B (Book 2 A1.4.2): SHA-1 of PAN || PSN (packed BCD, a leading 0 when the
 * digit count is odd); the decimal digits of the hash hex in order, then, if fewer than
 * 16, its letters A-F read as 0-5, until 16 digits.
 */
function optionBInput(pan: string, psn: string): Uint8Array {
  let x = pan + psn;
  if (x.length % 2) x = '0' + x;
  const hex = createHash('sha1').update(packDigits(x)).digest('hex').toUpperCase();
  let y = hex.replace(/[A-F]/g, '');
  if (y.length < 16) {
    const letters = hex.replace(/[0-9]/g, '').replace(/[A-F]/g, (c) => String(c.charCodeAt(0) - 65));
    y += letters;
  }
  return packDigits(y.slice(0, 16));
}

/** Checks PAN and PSN digit strings; PSN absent means "00" (Book 2 A1.4.1). */
function checkPanPsn(pan: string, psn: string | undefined): string {
  need(/^[0-9]{8,19}$/.test(pan), 'the PAN must be 8-19 decimal digits');
  const p = psn ?? '00';
  need(/^[0-9]{2}$/.test(p), 'the PAN sequence number must be 2 decimal digits');
  return p;
}

/**
 * ICC master key MK = ZL || ZR with ZL = 3DES(IMK)[Y], ZR = 3DES(IMK)[Y xor FF..FF], set
 * to odd parity (EMV Book 2 A1.4). Option 'b' applies only to PANs of more than 16 digits;
 * for shorter PANs option B is option A (A1.4.2 says so), so 'b' may be passed for any PAN.
 */
export function deriveIccMasterKey(imk: Uint8Array, pan: string, psn: string | undefined, option: IccKeyOption = 'a'): Uint8Array {
  needDoubleKey(imk, 'the issuer master key');
  const p = checkPanPsn(pan, psn);
  need(option === 'a' || option === 'b', `option must be 'a' or 'b', got ${String(option)}`);
  const y = option === 'b' && pan.length > 16 ? optionBInput(pan, p) : optionAInput(pan, p);
  const z = concat(encryptEcb('tdes', imk, y), encryptEcb('tdes', imk, y.map((b) => b ^ 0xff)));
  const mk = withOddParity(z);
  wipe(z);
  return mk;
}

/**
 * EMV common session key derivation (Book 2 A1.3.1) from an 8-byte diversification value R:
 * SK = 3DES(MK)[R with byte 3 = F0] || 3DES(MK)[R with byte 3 = 0F], odd parity.
 */
export function deriveCommonSessionKey(mk: Uint8Array, r: Uint8Array): Uint8Array {
  needDoubleKey(mk, 'the ICC master key');
  need(r.length === 8, `the diversification value R must be 8 bytes, got ${r.length}`);
  const left = Uint8Array.from(r);
  left[2] = 0xf0;
  const right = Uint8Array.from(r);
  right[2] = 0x0f;
  const z = concat(encryptEcb('tdes', mk, left), encryptEcb('tdes', mk, right));
  const sk = withOddParity(z);
  wipe(z);
  return sk;
}

/**
 * The session key for one transaction: R = ATC || 00 00 00 00 00 00 (EMV common session
 * key, Book 2 A1.3.1 as used for application cryptograms), or with `un` the Mastercard
 * session key derivation R = ATC || 00 00 || UN (M/Chip SKD, 4-byte unpredictable number).
 */
export function deriveSessionKey(mk: Uint8Array, atc: Uint8Array, un?: Uint8Array): Uint8Array {
  need(atc.length === 2, `the ATC must be 2 bytes, got ${atc.length}`);
  if (un !== undefined) need(un.length === 4, `the unpredictable number must be 4 bytes, got ${un.length}`);
  const r = new Uint8Array(8);
  r.set(atc, 0);
  if (un !== undefined) r.set(un, 4);
  return deriveCommonSessionKey(mk, r);
}

/** ARQC/TC/AAC: ISO/IEC 9797-1 MAC algorithm 3 over `data` (EMV Book 2 8.1.2), 8 bytes. */
export function computeCryptogram(sessionKey: Uint8Array, data: Uint8Array, pad: PaddingMethod = 2): Uint8Array {
  needDoubleKey(sessionKey, 'the session key');
  return macAlgorithm3(sessionKey, data, pad, 8);
}

/** ARPC method 1 (Book 2 8.2.1): 3DES(SK)[ARQC xor (ARC || 00..00)], 8 bytes; ARC is 2 bytes. */
export function arpcMethod1(sessionKey: Uint8Array, arqc: Uint8Array, arc: Uint8Array): Uint8Array {
  needDoubleKey(sessionKey, 'the session key');
  need(arqc.length === 8, `the ARQC must be 8 bytes, got ${arqc.length}`);
  need(arc.length === 2, `the authorisation response code must be 2 bytes, got ${arc.length}`);
  const y = new Uint8Array(8);
  y.set(arc);
  return encryptEcb('tdes', sessionKey, xor(arqc, y));
}

/**
 * ARPC method 2 (Book 2 8.2.2): MAC algorithm 3 with padding method 2 over
 * ARQC || CSU || proprietary authentication data, 4 bytes; CSU is 4 bytes, the
 * proprietary data 0-8 bytes.
 */
export function arpcMethod2(sessionKey: Uint8Array, arqc: Uint8Array, csu: Uint8Array, proprietaryAuthData: Uint8Array = new Uint8Array(0)): Uint8Array {
  needDoubleKey(sessionKey, 'the session key');
  need(arqc.length === 8, `the ARQC must be 8 bytes, got ${arqc.length}`);
  need(csu.length === 4, `the card status update must be 4 bytes, got ${csu.length}`);
  need(proprietaryAuthData.length <= 8, `proprietary authentication data must be 0-8 bytes, got ${proprietaryAuthData.length}`);
  return macAlgorithm3(sessionKey, concat(arqc, csu, proprietaryAuthData), 2, 4);
}

/** What the host knows to recompute a card's cryptogram. */
export interface ArqcCheck {
  /** Issuer master key for application cryptograms (IMK-AC), 16 bytes. */
  imk: Uint8Array;
  pan: string;
  /** PAN sequence number, 2 digits (absent = "00"). */
  psn?: string;
  /** Application transaction counter (9F36), 2 bytes. */
  atc: Uint8Array;
  /** Unpredictable number (9F37) when the card uses the Mastercard session key derivation. */
  un?: Uint8Array;
  /** The data the card MACed (CDOL1 data, plus the card's own elements per its CVN). */
  cdolData: Uint8Array;
  arqc: Uint8Array;
  option?: IccKeyOption;
  pad?: PaddingMethod;
}

/** Host side: derive MK and SK, recompute the cryptogram, compare in constant time. */
export function verifyArqc(check: ArqcCheck): { ok: boolean; sessionKey: Uint8Array } {
  const mk = deriveIccMasterKey(check.imk, check.pan, check.psn, check.option ?? 'a');
  const sessionKey = deriveSessionKey(mk, check.atc, check.un);
  wipe(mk);
  const expected = computeCryptogram(sessionKey, check.cdolData, check.pad ?? 2);
  return { ok: equalBytes(expected, check.arqc), sessionKey };
}

export type ArpcRequest =
  | { method: 1; arc: Uint8Array }
  | { method: 2; csu: Uint8Array; proprietaryAuthData?: Uint8Array };

/**
 * Host side: the ARPC for an ARQC, under the same session key the card used (EMV Book 2
 * 8.2), and the issuer authentication data (tag 91) the terminal sends back: method 1
 * ARPC (8) || ARC (2); method 2 ARPC (4) || CSU (4) || proprietary data.
 */
export function produceArpc(sessionKey: Uint8Array, arqc: Uint8Array, request: ArpcRequest): { arpc: Uint8Array; issuerAuthenticationData: Uint8Array } {
  if (request.method === 1) {
    const arpc = arpcMethod1(sessionKey, arqc, request.arc);
    return { arpc, issuerAuthenticationData: concat(arpc, request.arc) };
  }
  const prop = request.proprietaryAuthData ?? new Uint8Array(0);
  const arpc = arpcMethod2(sessionKey, arqc, request.csu, prop);
  return { arpc, issuerAuthenticationData: concat(arpc, request.csu, prop) };
}

/**
 * The data elements the virtual cards MAC for ARQC/TC/AAC, in this order: the recommended
 * minimum set of EMV Book 2 8.1.1 (Table 26): amount authorised, amount other, terminal
 * country code, TVR, transaction currency code, transaction date, transaction type,
 * unpredictable number, AIP, ATC. The host rebuilds the same string from field 55.
 */
export const CRYPTOGRAM_DATA_ELEMENTS: readonly { readonly tag: number; readonly length: number }[] = [
  { tag: 0x9f02, length: 6 },
  { tag: 0x9f03, length: 6 },
  { tag: 0x9f1a, length: 2 },
  { tag: 0x95, length: 5 },
  { tag: 0x5f2a, length: 2 },
  { tag: 0x9a, length: 3 },
  { tag: 0x9c, length: 1 },
  { tag: 0x9f37, length: 4 },
  { tag: 0x82, length: 2 },
  { tag: 0x9f36, length: 2 },
];

/** Concatenates {@link CRYPTOGRAM_DATA_ELEMENTS} from `get`; a missing or wrong-length element throws EMV_CRYPTO_BAD_ARGUMENT (9F03 absent is zero). */
export function cryptogramData(get: (tag: number) => Uint8Array | undefined): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { tag, length } of CRYPTOGRAM_DATA_ELEMENTS) {
    const v = get(tag) ?? (tag === 0x9f03 ? new Uint8Array(6) : undefined);
    need(v !== undefined && v.length === length, `cryptogram data element ${tag.toString(16).toUpperCase()} missing or not ${length} bytes`);
    parts.push(v!);
  }
  return concat(...parts);
}

/**
 * Mastercard dynamic CVC3 (PayPass mag-stripe: what the card computes for COMPUTE
 * CRYPTOGRAPHIC CHECKSUM and the issuer checks). IVCVC3 = the rightmost 2 bytes of ISO/IEC
 * 9797-1 MAC algorithm 3 with padding method 2, under the ICC CVC3 key (derived from the
 * IMK-CVC3 like an ICC master key, Book 2 A1.4), over the track template (Track 2 Data 9F6B
 * as stored, or the Track 1 Data 56 characters); CVC3 = the rightmost 2 bytes of
 * 3DES(key)[IVCVC3 || UN (4 bytes, the Unpredictable Number (Numeric) 9F6A) || ATC (2)],
 * returned as a number 0-65535 (its decimal digits go into the track).
 */
export function computeCvc3(iccCvc3Key: Uint8Array, trackTemplate: Uint8Array, unpredictableNumber: Uint8Array, atc: Uint8Array): number {
  needDoubleKey(iccCvc3Key, 'the ICC CVC3 key');
  need(unpredictableNumber.length === 4, `the unpredictable number must be 4 bytes, got ${unpredictableNumber.length}`);
  need(atc.length === 2, `the ATC must be 2 bytes, got ${atc.length}`);
  const iv = macAlgorithm3(iccCvc3Key, trackTemplate, 2, 8).subarray(6, 8);
  const block = encryptEcb('tdes', iccCvc3Key, concat(iv, unpredictableNumber, atc));
  return (block[6]! << 8) | block[7]!;
}
