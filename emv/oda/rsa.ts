/**
 * Raw RSA for offline data authentication (EMV Book 2 Annex B2.1: RSA without padding;
 * the signed block carries its own 6A..BC framing). Recovery uses node:crypto
 * publicDecrypt with RSA_NO_PADDING on a KeyObject built from (n, e): measured at about
 * 25 µs for RSA-1984 with e = 3 including the key import (shared/reference/perf-baselines.md),
 * against 11 µs for BigInt modPow without import; the KeyObject is cached per key object.
 */
import { constants, createPrivateKey, createPublicKey, privateEncrypt, publicDecrypt, type KeyObject } from 'node:crypto';

/** An RSA public key as EMV carries it: modulus and exponent, big-endian unsigned bytes. */
export interface RsaPublicKey {
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
}

/** An RSA private key (TEST keys only: the simulator's CA, issuers and cards). Hex, uppercase. */
export interface RsaPrivateKeyHex {
  readonly n: string;
  readonly e: string;
  readonly d: string;
  readonly p: string;
  readonly q: string;
  readonly dp: string;
  readonly dq: string;
  readonly qi: string;
}

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
const hexB64u = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');

const publicCache = new WeakMap<object, KeyObject>();
const privateCache = new WeakMap<object, KeyObject>();

function publicKeyObject(key: RsaPublicKey): KeyObject {
  let k = publicCache.get(key);
  if (k === undefined) {
    k = createPublicKey({ key: { kty: 'RSA', n: b64u(stripZeros(key.modulus)), e: b64u(stripZeros(key.exponent)) }, format: 'jwk' });
    publicCache.set(key, k);
  }
  return k;
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/**
 * X = S^e mod n (Book 2 B2.1.3). Returns undefined when the input cannot be a signature
 * for this key (length differs from the modulus, value not below the modulus, bad key).
 */
export function rsaRecover(key: RsaPublicKey, signature: Uint8Array): Uint8Array | undefined {
  if (signature.length !== key.modulus.length || key.modulus.length === 0) return undefined;
  try {
    return new Uint8Array(publicDecrypt({ key: publicKeyObject(key), padding: constants.RSA_NO_PADDING }, signature));
  } catch {
    return undefined;
  }
}

/** S = X^d mod n: signs a block that is already framed (6A..BC) and exactly as long as n. */
export function rsaSign(key: RsaPrivateKeyHex, block: Uint8Array): Uint8Array {
  let k = privateCache.get(key);
  if (k === undefined) {
    k = createPrivateKey({
      key: { kty: 'RSA', n: hexB64u(key.n), e: hexB64u(key.e), d: hexB64u(key.d), p: hexB64u(key.p), q: hexB64u(key.q), dp: hexB64u(key.dp), dq: hexB64u(key.dq), qi: hexB64u(key.qi) },
      format: 'jwk',
    });
    privateCache.set(key, k);
  }
  return new Uint8Array(privateEncrypt({ key: k, padding: constants.RSA_NO_PADDING }, block));
}

/** The public half of a private test key. */
export function publicOf(key: RsaPrivateKeyHex): RsaPublicKey {
  return { modulus: Uint8Array.from(Buffer.from(key.n, 'hex')), exponent: Uint8Array.from(Buffer.from(key.e, 'hex')) };
}
