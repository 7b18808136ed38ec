/**
 * The journal's cryptography (node:crypto: about ten times faster than node-forge on a
 * 300-byte record, perf-baselines.md section 2). A random 32-byte data key, wrapped with
 * AES-256-GCM under the device key; from it, by HKDF-SHA256 (RFC 5869), the record
 * encryption key, the chain MAC key and the backup keys.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import { JournalError } from './errors.js';

export const NONCE = 12;
export const TAG = 16;
export const MAC = 32;
const WRAP_AAD = Buffer.from('pos-journal/data-key/v1', 'ascii');

export interface JournalKeys {
  /** Random id of this journal (hex), bound into the chain's start and the backups. */
  journalId: string;
  enc: Buffer;
  mac: Buffer;
  backupEnc: Buffer;
  backupMac: Buffer;
}

/** The stored form of the wrapped data key (JSON, key `m!datakey`). */
export interface WrappedDataKey {
  v: 1;
  journalId: string;
  nonce: string;
  wrapped: string;
  tag: string;
}

function derive(dataKey: Uint8Array, journalId: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.from(journalId, 'hex'), `pos-journal/${info}`, 32));
}

export function deriveKeys(dataKey: Uint8Array, journalId: string): JournalKeys {
  return {
    journalId,
    enc: derive(dataKey, journalId, 'record-encryption'),
    mac: derive(dataKey, journalId, 'chain-mac'),
    backupEnc: derive(dataKey, journalId, 'backup-encryption'),
    backupMac: derive(dataKey, journalId, 'backup-mac'),
  };
}

/** A new data key, wrapped under the device key. */
export function newDataKey(deviceKey: Uint8Array): { wrapped: WrappedDataKey; dataKey: Buffer } {
  const dataKey = randomBytes(32);
  const journalId = randomBytes(16).toString('hex');
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', deviceKey, nonce);
  c.setAAD(Buffer.concat([WRAP_AAD, Buffer.from(journalId, 'hex')]));
  const wrapped = Buffer.concat([c.update(dataKey), c.final()]);
  return { dataKey, wrapped: { v: 1, journalId, nonce: nonce.toString('hex'), wrapped: wrapped.toString('hex'), tag: c.getAuthTag().toString('hex') } };
}

/** Unwraps the data key (JOURNAL_KEY when the device key is not the one it was wrapped under, or the record is damaged). */
export function unwrapDataKey(text: string, deviceKey: Uint8Array): { dataKey: Buffer; journalId: string } {
  try {
    const w = JSON.parse(text) as WrappedDataKey;
    if (w.v !== 1 || !/^[0-9a-f]{32}$/.test(w.journalId)) throw new Error('unknown format');
    const d = createDecipheriv('aes-256-gcm', deviceKey, Buffer.from(w.nonce, 'hex'));
    d.setAAD(Buffer.concat([WRAP_AAD, Buffer.from(w.journalId, 'hex')]));
    d.setAuthTag(Buffer.from(w.tag, 'hex'));
    const dataKey = Buffer.concat([d.update(Buffer.from(w.wrapped, 'hex')), d.final()]);
    if (dataKey.length !== 32) throw new Error('wrong length');
    return { dataKey, journalId: w.journalId };
  } catch (err) {
    throw new JournalError('JOURNAL_KEY', 'the journal data key does not open with this device key (another device, or the key record is damaged)', { cause: err });
  }
}

// Random nonces drawn from a pool refilled from the CSPRNG (one call per 341 nonces instead
// of one per record: the per-call cost showed in the append profile); each nonce used once.
const POOL = Buffer.alloc(NONCE * 341);
let poolAt = POOL.length;

function nonceInto(out: Buffer, at: number): void {
  if (poolAt + NONCE > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  POOL.copy(out, at, poolAt, poolAt + NONCE);
  poolAt += NONCE;
}

/**
 * AES-256-GCM with a fresh random 12-byte nonce (NIST SP 800-38D 8.2.2): nonce | ciphertext
 * | tag, written at `before` in a buffer with `before` bytes in front and `after` bytes
 * behind it free for the caller (one allocation for a whole stored record).
 */
export function sealInto(key: Buffer, aad: string | Buffer, plaintext: Buffer, before = 0, after = 0): Buffer {
  const out = Buffer.allocUnsafe(before + NONCE + plaintext.length + TAG + after);
  nonceInto(out, before);
  const c = createCipheriv('aes-256-gcm', key, out.subarray(before, before + NONCE));
  c.setAAD(typeof aad === 'string' ? Buffer.from(aad, 'utf8') : aad);
  let at = before + NONCE;
  at += c.update(plaintext).copy(out, at);
  at += c.final().copy(out, at);
  c.getAuthTag().copy(out, at);
  return out;
}

/** AES-256-GCM with a fresh 12-byte nonce: nonce | ciphertext | tag. */
export function seal(key: Buffer, aad: string | Buffer, plaintext: Buffer): Buffer {
  return sealInto(key, aad, plaintext);
}

/** Opens what {@link seal} made; undefined when the tag does not verify. */
export function open(key: Buffer, aad: string | Buffer, sealed: Buffer): Buffer | undefined {
  if (sealed.length < NONCE + TAG) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
    d.setAAD(typeof aad === 'string' ? Buffer.from(aad, 'utf8') : aad);
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([d.update(sealed.subarray(NONCE, sealed.length - TAG)), d.final()]);
  } catch {
    return undefined;
  }
}

/** The chain: HMAC-SHA256 over the predecessor's MAC, the record's key and its sealed body. */
export function chainMac(macKey: Buffer, prev: Buffer, key: string, body: Buffer): Buffer {
  return createHmac('sha256', macKey).update(prev).update(key, 'utf8').update(body).digest();
}

/** The MAC before record 1: bound to the journal's id so records cannot move between journals. */
export function genesisMac(keys: JournalKeys): Buffer {
  return createHmac('sha256', keys.mac).update('pos-journal/genesis').update(Buffer.from(keys.journalId, 'hex')).digest();
}

export function sameMac(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
