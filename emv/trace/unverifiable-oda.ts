// ODA when the trace's signed static data was redacted at capture: the ICC certificate's
// hash over the static data (EMV Book 2 6.4 step 7) can no longer match, so the result is
// "unverifiable". The replay then goes on as the live run did: SDA/DDA/fDDA are taken as
// passed; for CDA the ICC key is recovered from its certificate without that one hash
// check (Book 2 Table 14 layout) so that the signed cryptogram can still be read and the
// dynamic signature and transaction data hash still checked (Book 2 6.6.2).
import { cnDigits, concatBytes, toHex } from '../bytes.js';
import { TAG } from '../dict/tags.js';
import type { OdaRequest, OdaResult } from '../kernel/types.js';
import { recoverIssuerPublicKey, sha1Of, verifyDynamicSignature } from '../oda/oda.js';
import { rsaRecover } from '../oda/rsa.js';
import { parseTrack2Equivalent } from '../track/track.js';

const fail = (reason: string): OdaResult => ({ ok: false, reason });

export function unverifiableOda(req: OdaRequest): OdaResult {
  if (req.method !== 'CDA') return { ok: true };
  const card = req.card;
  // The PAN the certificates name: 5A, else the PAN of 57 (Book 3 Annex A); the date as the kernel passed it (YYMMDD, YY < 50: 20YY).
  const p5a = card.get(TAG.PAN);
  const t2 = card.get(TAG.TRACK2_EQUIVALENT_DATA);
  let pan: string | undefined;
  try {
    pan = p5a !== undefined ? cnDigits(p5a) : t2 !== undefined ? parseTrack2Equivalent(t2).pan : undefined;
  } catch {
    pan = undefined;
  }
  const [yy, mm, dd] = [0, 2, 4].map((i) => Number(req.date.slice(i, i + 2))) as [number, number, number];
  const today = new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, mm - 1, dd));
  const cert = card.get(TAG.ISSUER_PUBLIC_KEY_CERTIFICATE);
  const exp = card.get(TAG.ISSUER_PUBLIC_KEY_EXPONENT);
  const iccCert = card.get(TAG.ICC_PUBLIC_KEY_CERTIFICATE);
  const iccExp = card.get(TAG.ICC_PUBLIC_KEY_EXPONENT);
  if (pan === undefined || cert === undefined || exp === undefined || iccCert === undefined || iccExp === undefined || req.sdad === undefined || req.cda === undefined) return fail('data missing');
  const ca = { rid: toHex(req.caKey.rid), index: req.caKey.index, modulus: req.caKey.modulus, exponent: req.caKey.exponent, test: false };
  const issuer = recoverIssuerPublicKey(ca, cert, card.get(TAG.ISSUER_PUBLIC_KEY_REMAINDER), exp, pan, today);
  if (!issuer.ok) return fail(`issuer key: ${issuer.reason}`);
  if (iccCert.length !== issuer.key.modulus.length) return fail('ICC certificate length');
  const x = rsaRecover(issuer.key, iccCert);
  // Table 14: 6A 04 | PAN (10) | expiry (2) | serial (3) | hash alg | pk alg | key length | exponent length | key | hash (20) | BC
  if (x === undefined || x[0] !== 0x6a || x[1] !== 0x04 || x[x.length - 1] !== 0xbc) return fail('ICC certificate format');
  const keyLength = x[19]!;
  const inCert = x.subarray(21, x.length - 21);
  const modulus = keyLength <= inCert.length ? x.slice(21, 21 + keyLength) : concatBytes([inCert, card.get(TAG.ICC_PUBLIC_KEY_REMAINDER) ?? new Uint8Array(0)]);
  if (modulus.length !== keyLength) return fail('ICC key remainder');
  const sig = verifyDynamicSignature({ modulus, exponent: iccExp }, req.sdad, req.dynamicData ?? new Uint8Array(0));
  if (!sig.ok) return fail(`signature: ${sig.reason}`);
  if (sig.cryptogramInfo !== req.cda.cid || sig.cryptogram === undefined) return fail('CDA: cryptogram information differs');
  if (sig.txnDataHashCode === undefined || toHex(sig.txnDataHashCode) !== toHex(sha1Of(req.cda.hashInput))) return fail('CDA: transaction data hash code differs');
  return { ok: true, iccPublicKey: { modulus, exponent: iccExp }, cryptogram: sig.cryptogram };
}
