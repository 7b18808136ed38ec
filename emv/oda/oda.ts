/**
 * Offline data authentication primitives (EMV 4.4 Book 2 sections 5 and 6, Annex A2.1
 * SHA-1, Annex B2.1 RSA): public key recovery from the issuer and ICC certificates, SDA
 * verification (signed static application data), and the dynamic signature check shared
 * by DDA, fDDA and CDA; plus the signing side the virtual cards use, producing exactly the
 * formats the recovery side checks (Book 2 Tables 6, 7, 14, 17, 19).
 *
 * A failed check is an outcome ({ ok: false, reason }), not an exception: the kernel sets
 * the TVR bit and goes on. Only arguments malformed beyond any card's doing (a PAN that is
 * not digits) throw EmvError.
 */
import { createHash } from 'node:crypto';
import { EmvError } from '../errors.js';
import { rsaRecover, rsaSign, type RsaPrivateKeyHex, type RsaPublicKey } from './rsa.js';

export type { RsaPrivateKeyHex, RsaPublicKey } from './rsa.js';

/** A certification authority public key (Book 2 5.1, 11.2.2). */
export interface CaPublicKey extends RsaPublicKey {
  /** Registered application provider identifier, 10 hex digits (A000000003). */
  readonly rid: string;
  /** CA public key index (tag 8F). */
  readonly index: number;
  /** Expiry YYMMDD, when known. */
  readonly expiry?: string;
  /** SHA-1 checksum over RID || index || modulus || exponent (Book 2 11.2.2), 20 bytes. */
  readonly checksum?: Uint8Array;
  /** True for test keys (never valid with live cards). */
  readonly test: boolean;
}

export interface IssuerPublicKey extends RsaPublicKey {
  /** Leftmost 3-8 PAN digits the certificate names. */
  readonly issuerIdentifier: string;
  /** Certificate expiry MMYY. */
  readonly expiry: string;
  /** Certificate serial number, 3 bytes. */
  readonly serial: Uint8Array;
}

export interface IccPublicKey extends RsaPublicKey {
  readonly pan: string;
  /** Certificate expiry MMYY. */
  readonly expiry: string;
  readonly serial: Uint8Array;
}

/** Why an ODA step failed; each maps to a TVR bit in the kernel (SDA/DDA/CDA failed, ICC data missing). */
export type OdaFailure =
  /** No CA public key for the RID and index on the card (Book 2 5.2 / 6.2). */
  | 'unknown-ca'
  /** The certificate or signature length differs from the recovering key's modulus. */
  | 'length'
  /** Recovered data header is not 6A, trailer not BC, or the format byte is wrong. */
  | 'cert-format'
  /** Hash or public key algorithm indicator is not 01 (SHA-1, RSA). */
  | 'algorithm'
  /** The hash in the recovered block does not match the data. */
  | 'hash'
  /** Issuer identifier or PAN in the certificate does not match the card's PAN. */
  | 'pan-mismatch'
  /** The certificate's expiry month is before today. */
  | 'expired'
  /** The certificate is in the terminal's revocation list (Book 2 5.3 step 10). */
  | 'revoked'
  /** The key needs a remainder (tag 92 / 9F48) that the card did not give. */
  | 'remainder-missing'
  /** The ICC dynamic data length in the signature is inconsistent. */
  | 'dynamic-data';

export type OdaResult<T> = ({ ok: true } & T) | { ok: false; reason: OdaFailure };

/** An entry of the terminal's certification revocation list (Book 2 5.3 step 10). */
export interface RevokedCertificate {
  readonly rid: string;
  readonly index: number;
  /** Certificate serial number, 6 hex digits. */
  readonly serial: string;
}

const HEADER = 0x6a;
const TRAILER = 0xbc;
const SHA1 = 0x01;
const RSA = 0x01;
const HASH_LENGTH = 20;

const sha1 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkPan(pan: string): void {
  if (!/^[0-9]{8,19}$/.test(pan)) throw new EmvError('EMV_TRACK_BAD_PAN', 'the PAN must be 8-19 decimal digits');
}

/** A PAN (or its leftmost digits) as cn of `length` bytes, right-padded with F (Book 2 Tables 6, 14). */
export function panField(digits: string, length: number): Uint8Array {
  return Uint8Array.from(Buffer.from(digits.padEnd(length * 2, 'F'), 'hex'));
}

/** Expiry MMYY is valid through the last day of that month (Book 2 5.3 step 11); YY < 50 is 20YY. */
export function certificateExpired(mmyy: string, today: Date): boolean {
  const month = Number(mmyy.slice(0, 2));
  const yy = Number(mmyy.slice(2, 4));
  if (!/^[0-9]{4}$/.test(mmyy) || month < 1 || month > 12) return true;
  const year = yy < 50 ? 2000 + yy : 1900 + yy;
  const firstOfNext = Date.UTC(year, month, 1);
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return day >= firstOfNext;
}

/** Recovers and frames a signature; undefined when the length, value, header or trailer is wrong. */
function open(key: RsaPublicKey, signature: Uint8Array, format: number): OdaResult<{ x: Uint8Array }> {
  if (signature.length !== key.modulus.length) return { ok: false, reason: 'length' };
  const x = rsaRecover(key, signature);
  if (x === undefined) return { ok: false, reason: 'cert-format' };
  if (x[0] !== HEADER || x[x.length - 1] !== TRAILER || x[1] !== format) return { ok: false, reason: 'cert-format' };
  return { ok: true, x };
}

function digitsOf(field: Uint8Array): string {
  return hex(field).replace(/F+$/, '');
}

/** Shared body of Book 2 5.3 and 6.4: certificate of a public key (issuer: format 02, ICC: format 04). */
function recoverKey(
  parent: RsaPublicKey,
  cert: Uint8Array,
  remainder: Uint8Array | undefined,
  exponent: Uint8Array,
  format: 0x02 | 0x04,
  extra: Uint8Array,
): OdaResult<{ id: Uint8Array; expiry: string; serial: Uint8Array; modulus: Uint8Array }> {
  const opened = open(parent, cert, format);
  if (!opened.ok) return opened;
  const x = opened.x;
  const n = x.length;
  // Table 6 / Table 14: 6A | format | id (4 or 10) | expiry (2) | serial (3) | hash alg | pk alg | key length | exponent length | key bytes | hash (20) | BC
  const idLength = format === 0x02 ? 4 : 10;
  let o = 2;
  const id = x.subarray(o, (o += idLength));
  const expiry = hex(x.subarray(o, (o += 2)));
  const serial = x.slice(o, (o += 3));
  const hashAlg = x[o++]!;
  const pkAlg = x[o++]!;
  const keyLength = x[o++]!;
  const exponentLength = x[o++]!;
  const keyBytes = x.subarray(o, n - 1 - HASH_LENGTH);
  const hash = x.subarray(n - 1 - HASH_LENGTH, n - 1);
  if (hashAlg !== SHA1) return { ok: false, reason: 'algorithm' };
  // Without the remainder the hash cannot be checked: the card left out data it must give (TVR: ICC data missing).
  if (keyLength > keyBytes.length && (remainder === undefined || remainder.length === 0)) return { ok: false, reason: 'remainder-missing' };
  const rem = remainder ?? new Uint8Array(0);
  if (!sameBytes(sha1(x.subarray(1, n - 1 - HASH_LENGTH), rem, exponent, extra), hash)) return { ok: false, reason: 'hash' };
  if (pkAlg !== RSA) return { ok: false, reason: 'algorithm' };
  if (exponentLength !== exponent.length) return { ok: false, reason: 'cert-format' };
  let modulus: Uint8Array;
  if (keyLength > keyBytes.length) {
    if (keyBytes.length + rem.length !== keyLength) return { ok: false, reason: 'cert-format' };
    modulus = new Uint8Array(keyLength);
    modulus.set(keyBytes);
    modulus.set(rem, keyBytes.length);
  } else {
    // The key sits left-justified, padded with BB (Table 6 note).
    modulus = keyBytes.slice(0, keyLength);
  }
  return { ok: true, id, expiry, serial, modulus };
}

/**
 * Issuer public key recovery (EMV Book 2 5.3): certificate (tag 90) under the CA key,
 * remainder (92), exponent (9F32). `ca` undefined means the terminal has no key for the
 * card's RID and index (8F): 'unknown-ca'.
 */
export function recoverIssuerPublicKey(
  ca: CaPublicKey | undefined,
  issuerCert: Uint8Array,
  issuerRemainder: Uint8Array | undefined,
  issuerExponent: Uint8Array,
  pan: string,
  today: Date,
  revocationList: readonly RevokedCertificate[] = [],
): OdaResult<{ key: IssuerPublicKey }> {
  checkPan(pan);
  if (ca === undefined) return { ok: false, reason: 'unknown-ca' };
  const r = recoverKey(ca, issuerCert, issuerRemainder, issuerExponent, 0x02, new Uint8Array(0));
  if (!r.ok) return r;
  const issuerIdentifier = digitsOf(r.id);
  if (issuerIdentifier.length < 3 || !/^[0-9]+$/.test(issuerIdentifier) || !pan.startsWith(issuerIdentifier)) return { ok: false, reason: 'pan-mismatch' };
  if (certificateExpired(r.expiry, today)) return { ok: false, reason: 'expired' };
  const serial = hex(r.serial);
  if (revocationList.some((e) => e.rid.toUpperCase() === ca.rid.toUpperCase() && e.index === ca.index && e.serial.toUpperCase() === serial)) {
    return { ok: false, reason: 'revoked' };
  }
  return { ok: true, key: { modulus: r.modulus, exponent: Uint8Array.from(issuerExponent), issuerIdentifier, expiry: r.expiry, serial: r.serial } };
}

/**
 * ICC public key recovery (EMV Book 2 6.4): certificate (9F46) under the issuer key,
 * remainder (9F48), exponent (9F47); the hash covers the static data to authenticate
 * (records named by the AFL, then the AIP when the SDA tag list 9F4A says so).
 */
export function recoverIccPublicKey(
  issuerKey: RsaPublicKey,
  iccCert: Uint8Array,
  iccRemainder: Uint8Array | undefined,
  iccExponent: Uint8Array,
  staticDataToAuthenticate: Uint8Array,
  pan: string,
  today: Date,
): OdaResult<{ key: IccPublicKey }> {
  checkPan(pan);
  const r = recoverKey(issuerKey, iccCert, iccRemainder, iccExponent, 0x04, staticDataToAuthenticate);
  if (!r.ok) return r;
  if (!sameBytes(r.id, panField(pan, 10))) return { ok: false, reason: 'pan-mismatch' };
  if (certificateExpired(r.expiry, today)) return { ok: false, reason: 'expired' };
  return { ok: true, key: { modulus: r.modulus, exponent: Uint8Array.from(iccExponent), pan, expiry: r.expiry, serial: r.serial } };
}

/** SDA (EMV Book 2 5.4, Table 7): verifies signed static application data (93); yields the data authentication code (9F45). */
export function verifySda(issuerKey: RsaPublicKey, ssad: Uint8Array, staticData: Uint8Array): OdaResult<{ dac: Uint8Array }> {
  const opened = open(issuerKey, ssad, 0x03);
  if (!opened.ok) return opened;
  const x = opened.x;
  const n = x.length;
  if (x[2] !== SHA1) return { ok: false, reason: 'algorithm' };
  if (!sameBytes(sha1(x.subarray(1, n - 1 - HASH_LENGTH), staticData), x.subarray(n - 1 - HASH_LENGTH, n - 1))) return { ok: false, reason: 'hash' };
  return { ok: true, dac: x.slice(3, 5) };
}

/** What a dynamic signature carries (Book 2 Table 17; for CDA Table 19). */
export interface DynamicSignatureData {
  /** The whole ICC dynamic data field. */
  readonly iccDynamicData: Uint8Array;
  /** ICC dynamic number (9F4C), 2-8 bytes. */
  readonly iccDynamicNumber: Uint8Array;
  /** CDA: cryptogram information data (9F27) the card signed. */
  readonly cryptogramInfo?: number;
  /** CDA: the application cryptogram (9F26) the card signed. */
  readonly cryptogram?: Uint8Array;
  /** CDA: transaction data hash code, 20 bytes. */
  readonly txnDataHashCode?: Uint8Array;
}

/**
 * Dynamic signature verification (EMV Book 2 6.5.2 for DDA and fDDA, 6.6.2 for CDA):
 * recovers the SDAD (9F4B) with the ICC key and checks the hash over the signed fields
 * and `dynamicDataToHash` (DDOL data for DDA; UN, amount, currency, 9F69 data for fDDA;
 * the unpredictable number for CDA).
 */
export function verifyDynamicSignature(iccKey: RsaPublicKey, sdad: Uint8Array, dynamicDataToHash: Uint8Array): OdaResult<DynamicSignatureData> {
  const opened = open(iccKey, sdad, 0x05);
  if (!opened.ok) return opened;
  const x = opened.x;
  const n = x.length;
  if (x[2] !== SHA1) return { ok: false, reason: 'algorithm' };
  const ldd = x[3]!;
  if (4 + ldd > n - 1 - HASH_LENGTH) return { ok: false, reason: 'dynamic-data' };
  if (!sameBytes(sha1(x.subarray(1, n - 1 - HASH_LENGTH), dynamicDataToHash), x.subarray(n - 1 - HASH_LENGTH, n - 1))) return { ok: false, reason: 'hash' };
  const dd = x.slice(4, 4 + ldd);
  const numberLength = dd[0] ?? 0;
  if (ldd < 1 || numberLength < 2 || numberLength > 8 || 1 + numberLength > ldd) return { ok: false, reason: 'dynamic-data' };
  const iccDynamicNumber = dd.slice(1, 1 + numberLength);
  const rest = 1 + numberLength;
  if (ldd >= rest + 1 + 8 + HASH_LENGTH) {
    return {
      ok: true,
      iccDynamicData: dd,
      iccDynamicNumber,
      cryptogramInfo: dd[rest]!,
      cryptogram: dd.slice(rest + 1, rest + 9),
      txnDataHashCode: dd.slice(rest + 9, rest + 9 + HASH_LENGTH),
    };
  }
  return { ok: true, iccDynamicData: dd, iccDynamicNumber };
}

/** CA key checksum (Book 2 11.2.2): SHA-1 over RID || index || modulus || exponent. */
export function caKeyChecksum(key: { rid: string; index: number; modulus: Uint8Array; exponent: Uint8Array }): Uint8Array {
  return sha1(Uint8Array.from(Buffer.from(key.rid, 'hex')), Uint8Array.of(key.index), key.modulus, key.exponent);
}

// ---------------------------------------------------------------------------------------
// Signing side (virtual cards and tests)

/** A certificate and the key bytes that did not fit in it (tag 92 / 9F48; empty when none). */
export interface Certificate {
  readonly certificate: Uint8Array;
  readonly remainder: Uint8Array;
}

function modulusLength(key: RsaPrivateKeyHex): number {
  return key.n.length / 2;
}

/** Frames 6A | body | pad BB | SHA-1(body || pad || hashTail) | BC to the signer's modulus length and signs it. */
function frameAndSign(signer: RsaPrivateKeyHex, body: Uint8Array, hashTail: readonly Uint8Array[], padLength?: number): Uint8Array {
  const n = modulusLength(signer);
  const fill = n - 2 - HASH_LENGTH - body.length;
  if (fill < 0 || (padLength !== undefined && padLength !== fill)) {
    throw new EmvError('EMV_DATA_BAD_FORMAT', `${body.length} bytes do not fit a ${n}-byte signature`);
  }
  const x = new Uint8Array(n);
  x[0] = HEADER;
  x.set(body, 1);
  x.fill(0xbb, 1 + body.length, n - 1 - HASH_LENGTH);
  x.set(sha1(x.subarray(1, n - 1 - HASH_LENGTH), ...hashTail), n - 1 - HASH_LENGTH);
  x[n - 1] = TRAILER;
  return rsaSign(signer, x);
}

function keyCertificate(
  signer: RsaPrivateKeyHex,
  format: 0x02 | 0x04,
  id: Uint8Array,
  expiry: string,
  serial: Uint8Array,
  key: RsaPublicKey,
  extra: Uint8Array,
): Certificate {
  if (!/^[0-9]{4}$/.test(expiry)) throw new EmvError('EMV_DATA_BAD_FORMAT', 'certificate expiry must be MMYY');
  if (serial.length !== 3) throw new EmvError('EMV_DATA_BAD_FORMAT', 'certificate serial must be 3 bytes');
  const room = modulusLength(signer) - (format === 0x02 ? 36 : 42);
  const inCert = key.modulus.subarray(0, Math.min(room, key.modulus.length));
  const remainder = key.modulus.slice(inCert.length);
  const head = Uint8Array.from([format, ...id, ...Buffer.from(expiry, 'hex'), ...serial, SHA1, RSA, key.modulus.length, key.exponent.length]);
  const body = new Uint8Array(head.length + room);
  body.set(head);
  body.set(inCert, head.length);
  body.fill(0xbb, head.length + inCert.length);
  return { certificate: frameAndSign(signer, body, [remainder, key.exponent, extra], 0), remainder };
}

/** Issuer public key certificate (Book 2 Table 6) under a CA private key (TEST keys). */
export function certifyIssuerKey(
  ca: RsaPrivateKeyHex,
  issuer: { issuerIdentifier: string; expiry: string; serial: Uint8Array; key: RsaPublicKey },
): Certificate {
  if (!/^[0-9]{3,8}$/.test(issuer.issuerIdentifier)) throw new EmvError('EMV_DATA_BAD_FORMAT', 'issuer identifier must be 3-8 digits');
  return keyCertificate(ca, 0x02, panField(issuer.issuerIdentifier, 4), issuer.expiry, issuer.serial, issuer.key, new Uint8Array(0));
}

/** ICC public key certificate (Book 2 Table 14) under an issuer private key; hashes the static data. */
export function certifyIccKey(
  issuer: RsaPrivateKeyHex,
  icc: { pan: string; expiry: string; serial: Uint8Array; key: RsaPublicKey; staticData: Uint8Array },
): Certificate {
  checkPan(icc.pan);
  return keyCertificate(issuer, 0x04, panField(icc.pan, 10), icc.expiry, icc.serial, icc.key, icc.staticData);
}

/** Signed static application data (Book 2 Table 7) for SDA. */
export function signStaticData(issuer: RsaPrivateKeyHex, dac: Uint8Array, staticData: Uint8Array): Uint8Array {
  if (dac.length !== 2) throw new EmvError('EMV_DATA_BAD_FORMAT', 'the data authentication code is 2 bytes');
  return frameAndSign(issuer, Uint8Array.of(0x03, SHA1, dac[0]!, dac[1]!), [staticData]);
}

/** Signed dynamic application data (Book 2 Table 17); `iccDynamicData` per Table 17 or, for CDA, Table 19. */
export function signDynamicData(icc: RsaPrivateKeyHex, iccDynamicData: Uint8Array, dynamicDataToHash: Uint8Array): Uint8Array {
  if (iccDynamicData.length > 255) throw new EmvError('EMV_DATA_BAD_FORMAT', 'ICC dynamic data longer than 255 bytes');
  return frameAndSign(icc, Uint8Array.from([0x05, SHA1, iccDynamicData.length, ...iccDynamicData]), [dynamicDataToHash]);
}

/** CDA ICC dynamic data (Book 2 Table 19): number length, number, CID, AC, transaction data hash code. */
export function cdaDynamicData(iccDynamicNumber: Uint8Array, cid: number, cryptogram: Uint8Array, txnDataHashCode: Uint8Array): Uint8Array {
  return Uint8Array.from([iccDynamicNumber.length, ...iccDynamicNumber, cid, ...cryptogram, ...txnDataHashCode]);
}

/** SHA-1, exported for the transaction data hash code (Book 2 6.6.1) and the static data tests. */
export function sha1Of(...parts: Uint8Array[]): Uint8Array {
  return sha1(...parts);
}
