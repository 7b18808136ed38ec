/**
 * Where the key store's device key comes from. On the sim board (and any board without a
 * secure element) it is a 32-byte file `device.key` in the data folder, mode 0600, made
 * at first start; on a real terminal a secure element or TPM would implement
 * {@link DeviceKeyProvider} and never let the key leave it. A key derived from a secret
 * (scrypt) serves tests and training data folders.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { KeyError } from './errors.js';

export const DEVICE_KEY_LENGTH = 32;
export const DEVICE_KEY_FILE = 'device.key';

/**
 * The source of the 32-byte AES-256 key that encrypts every key at rest.
 * Rules: the same device always returns the same key; the key never appears in logs,
 * errors or files other than its own; callers wipe their copy after use.
 */
export interface DeviceKeyProvider {
  /** A fresh copy of the device key (32 bytes). Fails with KEY_DEVICE_KEY when unavailable. */
  deviceKey(): Promise<Uint8Array>;
  /** Where the key lives, for diagnostics (a path, "secure element", "secret"); never the key. */
  readonly description: string;
}

/** scrypt (RFC 7914) parameters: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s on a Pi 4). */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Derives a device key from a secret and a salt with scrypt. */
export function deviceKeyFromSecret(secret: string | Uint8Array, salt: string | Uint8Array): Promise<Uint8Array> {
  if (secret.length === 0) return Promise.reject(new KeyError('KEY_DEVICE_KEY', 'device key secret is empty'));
  if (salt.length < 8) return Promise.reject(new KeyError('KEY_DEVICE_KEY', 'device key salt must be at least 8 bytes'));
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, DEVICE_KEY_LENGTH, SCRYPT, (err, key) => {
      if (err) reject(new KeyError('KEY_DEVICE_KEY', 'scrypt failed', { cause: err }));
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
    });
  });
}

/** A device key from a secret and salt (tests, training data folders). */
export class SecretDeviceKeyProvider implements DeviceKeyProvider {
  readonly description = 'derived from a secret (scrypt)';
  private cached: Promise<Uint8Array> | undefined;

  constructor(
    private readonly secret: string | Uint8Array,
    private readonly salt: string | Uint8Array,
  ) {}

  async deviceKey(): Promise<Uint8Array> {
    this.cached ??= deviceKeyFromSecret(this.secret, this.salt);
    return Uint8Array.from(await this.cached);
  }
}

/**
 * `device.key` in the data folder: created with 32 random bytes and mode 0600 when absent;
 * refused (KEY_DEVICE_KEY) when group or others may read it, or when its size is wrong.
 */
export class FileDeviceKeyProvider implements DeviceKeyProvider {
  readonly description: string;
  private readonly file: string;

  constructor(options: { dataDir: string }) {
    this.file = path.join(options.dataDir, DEVICE_KEY_FILE);
    this.description = this.file;
  }

  async deviceKey(): Promise<Uint8Array> {
    let info;
    try {
      info = await stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new KeyError('KEY_DEVICE_KEY', `cannot read ${this.file}`, { cause: err });
      await this.create();
      info = await stat(this.file);
    }
    if ((info.mode & 0o077) !== 0) {
      throw new KeyError('KEY_DEVICE_KEY', `${this.file} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}): chmod 600 it`);
    }
    const bytes = await readFile(this.file);
    if (bytes.length !== DEVICE_KEY_LENGTH) throw new KeyError('KEY_DEVICE_KEY', `${this.file} must hold ${DEVICE_KEY_LENGTH} bytes, found ${bytes.length}`);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private async create(): Promise<void> {
    let fh;
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      // 'wx': never overwrite a device key another process just made.
      fh = await open(this.file, 'wx', 0o600);
      await fh.writeFile(randomBytes(DEVICE_KEY_LENGTH));
      await fh.sync();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw new KeyError('KEY_DEVICE_KEY', `cannot create ${this.file}`, { cause: err });
    } finally {
      await fh?.close();
    }
  }
}
