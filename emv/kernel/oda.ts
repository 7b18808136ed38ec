// The kernel's ODA step on the emv/oda primitives (EMV Book 2 5-7): issuer key, then SDA,
// or ICC key and the dynamic signature (DDA, fDDA, CDA); for CDA also the checks of Book 2
// 6.6.2 steps 5-9 (CID agrees, transaction data hash code matches).
import { cnDigits, toHex } from '../bytes.js';
import { TAG } from '../dict/tags.js';
import { recoverIccPublicKey, recoverIssuerPublicKey, sha1Of, verifyDynamicSignature, verifySda, type CaPublicKey, type IccPublicKey, type IssuerPublicKey, type OdaResult as KeyResult } from '../oda/oda.js';
import { parseTrack2Equivalent } from '../track/track.js';
import type { CaKey, OdaRequest, OdaResult, OdaVerifier } from './types.js';

function panOf(card: ReadonlyMap<number, Uint8Array>): string | undefined {
  try {
    const p = card.get(TAG.PAN);
    if (p !== undefined) return cnDigits(p);
    const t2 = card.get(TAG.TRACK2_EQUIVALENT_DATA);
    return t2 === undefined ? undefined : parseTrack2Equivalent(t2).pan;
  } catch {
    return undefined;
  }
}

/** YYMMDD (YY < 50 is 20YY) as a UTC date. */
function dateOf(yymmdd: string): Date {
  const yy = Number(yymmdd.slice(0, 2));
  return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(yymmdd.slice(2, 4)) - 1, Number(yymmdd.slice(4, 6))));
}

// One CaPublicKey object per configured key, so emv/oda's per-key RSA key cache is hit on every transaction.
const caCache = new WeakMap<CaKey, CaPublicKey>();
function caOf(k: CaKey): CaPublicKey {
  let ca = caCache.get(k);
  if (ca === undefined) caCache.set(k, (ca = { rid: toHex(k.rid), index: k.index, modulus: k.modulus, exponent: k.exponent, test: false }));
  return ca;
}

function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && toHex(a) === toHex(b);
}

const fail = (reason: string): OdaResult => ({ ok: false, reason });

/**
 * Recovered keys by the exact bytes they were recovered from. Recovery (Book 2 5.3, 6.4) is
 * a pure function of the parent key, certificate, remainder, exponent, the static data (ICC
 * key), the PAN and the date of the expiry check, so the key string holds all of them and
 * a hit returns what a fresh recovery would: the same card tapped again costs one RSA
 * operation (the dynamic signature) instead of three, and the same key objects keep
 * emv/oda's KeyObject cache warm. Bounded; the oldest entry goes first.
 */
class KeyCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly max: number) {}
  get(key: string, make: () => T): T {
    let v = this.map.get(key);
    if (v === undefined) {
      v = make();
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
      this.map.set(key, v);
    }
    return v;
  }
}
const issuerKeys = new KeyCache<KeyResult<{ key: IssuerPublicKey }>>(64);
const iccKeys = new KeyCache<KeyResult<{ key: IccPublicKey }>>(64);
const parentIds = new WeakMap<object, number>();
let nextParentId = 0;
/** A number per parent key object (the CA key, or a cached issuer key): the parent's identity in the cache key. */
function parentId(k: object): number {
  let id = parentIds.get(k);
  if (id === undefined) parentIds.set(k, (id = nextParentId++));
  return id;
}
const latin1 = (b: Uint8Array | undefined): string => (b === undefined ? '-' : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1'));
const cacheKey = (parts: readonly (Uint8Array | undefined)[], rest: string): string => parts.map((p) => `${p?.length ?? -1}:${latin1(p)}`).join('|') + '|' + rest;

function issuerKey(card: ReadonlyMap<number, Uint8Array>, caKey: CaKey, date: string) {
  const pan = panOf(card);
  const cert = card.get(TAG.ISSUER_PUBLIC_KEY_CERTIFICATE);
  const exp = card.get(TAG.ISSUER_PUBLIC_KEY_EXPONENT);
  if (pan === undefined || cert === undefined || exp === undefined) return undefined;
  const rem = card.get(TAG.ISSUER_PUBLIC_KEY_REMAINDER);
  const ca = caOf(caKey);
  const r = issuerKeys.get(cacheKey([cert, rem, exp], `${parentId(ca)}|${pan}|${date}`), () => recoverIssuerPublicKey(ca, cert, rem, exp, pan, dateOf(date)));
  if (!r.ok) return { reason: r.reason };
  // Book 2 5.3 step 10, outside the cache so that a changed revocation list counts at once.
  if (caKey.revokedSerials?.some((s) => same(s, r.key.serial))) return { reason: 'revoked' };
  return { key: r.key, pan };
}

function iccKey(issuer: IssuerPublicKey, cert: Uint8Array, rem: Uint8Array | undefined, exp: Uint8Array, staticData: Uint8Array, pan: string, date: string): KeyResult<{ key: IccPublicKey }> {
  return iccKeys.get(cacheKey([cert, rem, exp, staticData], `${parentId(issuer)}|${pan}|${date}`), () => recoverIccPublicKey(issuer, cert, rem, exp, staticData, pan, dateOf(date)));
}

/** Offline data authentication with the emv/oda primitives. */
export const emvOda: OdaVerifier = {
  authenticate(req: OdaRequest): OdaResult {
    const card = req.card;
    const issuer = issuerKey(card, req.caKey, req.date);
    if (issuer === undefined) return fail('data missing');
    if (!('key' in issuer) || issuer.key === undefined) return fail(`issuer key: ${issuer.reason}`);
    if (req.method === 'SDA') {
      const ssad = card.get(TAG.SIGNED_STATIC_APPLICATION_DATA);
      if (ssad === undefined) return fail('no 93');
      const r = verifySda(issuer.key, ssad, req.staticData);
      return r.ok ? { ok: true } : fail(`SDA: ${r.reason}`);
    }
    const cert = card.get(TAG.ICC_PUBLIC_KEY_CERTIFICATE);
    const exp = card.get(TAG.ICC_PUBLIC_KEY_EXPONENT);
    if (cert === undefined || exp === undefined || req.sdad === undefined) return fail('data missing');
    const icc = iccKey(issuer.key, cert, card.get(TAG.ICC_PUBLIC_KEY_REMAINDER), exp, req.staticData, issuer.pan, req.date);
    if (!icc.ok) return fail(`ICC key: ${icc.reason}`);
    const sig = verifyDynamicSignature(icc.key, req.sdad, req.dynamicData ?? new Uint8Array(0));
    if (!sig.ok) return fail(`signature: ${sig.reason}`);
    if (req.cda === undefined) return { ok: true, iccPublicKey: icc.key };
    // Book 2 6.6.2 steps 7-9: CID in the signature equals the CID returned; hash code over PDOL, CDOL and response data.
    if (sig.cryptogramInfo !== req.cda.cid || sig.cryptogram === undefined) return fail('CDA: cryptogram information differs');
    if (!same(sig.txnDataHashCode, sha1Of(req.cda.hashInput))) return fail('CDA: transaction data hash code differs');
    return { ok: true, iccPublicKey: icc.key, cryptogram: sig.cryptogram };
  },

  iccPinKey(card, caKey, date, staticData) {
    const issuer = issuerKey(card, caKey, date);
    if (issuer === undefined || !('key' in issuer) || issuer.key === undefined) return undefined;
    // Book 2 7.1: the ICC PIN encipherment key (9F2D, certificate without static data), else the ICC key (certificate over the static data).
    const pinCert = card.get(TAG.ICC_PIN_ENCIPHERMENT_PUBLIC_KEY_CERTIFICATE);
    const pinExp = card.get(TAG.ICC_PIN_ENCIPHERMENT_PUBLIC_KEY_EXPONENT);
    const r =
      pinCert !== undefined && pinExp !== undefined
        ? iccKey(issuer.key, pinCert, card.get(TAG.ICC_PIN_ENCIPHERMENT_PUBLIC_KEY_REMAINDER), pinExp, new Uint8Array(0), issuer.pan, date)
        : card.get(TAG.ICC_PUBLIC_KEY_CERTIFICATE) !== undefined && card.get(TAG.ICC_PUBLIC_KEY_EXPONENT) !== undefined
          ? iccKey(issuer.key, card.get(TAG.ICC_PUBLIC_KEY_CERTIFICATE)!, card.get(TAG.ICC_PUBLIC_KEY_REMAINDER), card.get(TAG.ICC_PUBLIC_KEY_EXPONENT)!, staticData, issuer.pan, date)
          : undefined;
    return r?.ok ? { modulus: r.key.modulus, exponent: r.key.exponent } : undefined;
  },
};
