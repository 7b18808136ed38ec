// A small JSON document kept encrypted at rest: AES-256-GCM under a key derived from the
// device key with HKDF-SHA-256 (RFC 5869; the purpose string as info, so the user file,
// the audit log and the key store never share a key), the purpose bound in as associated
// data, written atomically (temp file, fsync, rename, fsync of the folder).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../config/atomic-write.js';
import type { DeviceKeyProvider } from '../keys/device-key.js';
import { wipe } from '../../emv/crypto/bytes.js';

/** A 32-byte key for one purpose ("pos-users/v1", "pos-audit/v1/enc"), derived from the device key. */
export async function purposeKey(provider: DeviceKeyProvider, purpose: string): Promise<Buffer> {
  const dk = await provider.deviceKey();
  try {
    return Buffer.from(hkdfSync('sha256', dk, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), 32));
  } finally {
    wipe(dk);
  }
}

export function sealJson(key: Buffer, purpose: string, value: unknown): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(purpose, 'utf8'));
  const body = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
  return Buffer.concat([nonce, c.getAuthTag(), body]).toString('base64');
}

/** Opens what sealJson made; throws when the text was altered or sealed under another key or purpose. */
export function openJson(key: Buffer, purpose: string, text: string): unknown {
  const raw = Buffer.from(text.trim(), 'base64');
  if (raw.length < 28) throw new Error('too short');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAAD(Buffer.from(purpose, 'utf8'));
  d.setAuthTag(raw.subarray(12, 28));
  const plain = Buffer.concat([d.update(raw.subarray(28)), d.final()]);
  try {
    return JSON.parse(plain.toString('utf8'));
  } finally {
    plain.fill(0);
  }
}

/** Reads a sealed file; undefined when it does not exist. */
export async function readSealed(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeSealed(file: string, text: string): Promise<void> {
  await writeFileAtomic(file, text + '\n');
}
