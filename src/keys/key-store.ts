/**
 * The key store: every key at rest is encrypted with AES-256-GCM under the device key, the
 * key's name bound in as associated data (a record copied under another name fails to
 * open). People see key check values, never keys. Keys come in by TR-31 key block or by
 * 2-3 clear components, each confirmed by its KCV (two custodians), combined by XOR.
 * Where the bytes live is a {@link KeyStoreBackend}: a data folder or memory (tests).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { asBuffer, concat, equalBytes, toHex, wipe } from '../../emv/crypto/bytes.js';
import { keyCheckValue } from '../../emv/crypto/kcv.js';
import type { DeviceKeyProvider } from './device-key.js';
import { KeyError } from './errors.js';
import { unwrapTr31, type Tr31Header } from './tr31.js';

/** What a key may be used for. */
export const KEY_USAGES = {
  bdk: 'base derivation key (acquirer simulator only; never on a real terminal)',
  'dukpt-initial-key': 'DUKPT initial key (TDES IPEK or AES initial key) with its KSN',
  'dukpt-state': 'DUKPT originating-side registers (future keys and counter)',
  kek: 'key encryption key: terminal master key or TR-31 key block protection key',
  pin: 'PIN encryption key',
  mac: 'message authentication key',
  data: 'data encryption key',
  device: 'device-level secret (journal or audit record keys)',
} as const;

export type KeyUsage = keyof typeof KEY_USAGES;
export type KeyAlgorithm = 'tdes' | 'aes' | 'none';

/** TR-31 key usage -> key store usage (TR-31:2018 A.5.1). */
const TR31_USAGE: Record<string, KeyUsage> = {
  B0: 'bdk',
  B1: 'dukpt-initial-key',
  K0: 'kek',
  K1: 'kek',
  P0: 'pin',
  D0: 'data',
  D1: 'data',
  D2: 'data',
  M0: 'mac',
  M1: 'mac',
  M3: 'mac',
  M5: 'mac',
  M6: 'mac',
  M7: 'mac',
};

/** What the store tells about a key: never the key itself. */
export interface KeyInfo {
  name: string;
  usage: KeyUsage;
  algorithm: KeyAlgorithm;
  /** Key length in bytes. */
  length: number;
  /** Key check value, uppercase hex (TDES 3 bytes, AES 5 bytes; none for 'none'). */
  kcv: string;
  createdAt: string;
  source: 'tr31' | 'components' | 'generated' | 'derived' | 'clear';
  /** DUKPT initial keys: the initial KSN (TDES) or initial key ID (AES), uppercase hex. */
  ksn?: string;
  /** Header fields of the TR-31 block the key came in (key usage, mode of use, version, exportability). */
  tr31?: Pick<Tr31Header, 'keyUsage' | 'algorithm' | 'modeOfUse' | 'keyVersion' | 'exportability'>;
}

/**
 * Where encrypted key records live. Rules: write() is atomic (a reader sees the old or
 * the new record, never a mix, also after a power cut); read() of an unknown name
 * resolves undefined; names are already validated by the store.
 */
export interface KeyStoreBackend {
  read(name: string): Promise<Uint8Array | undefined>;
  write(name: string, record: Uint8Array): Promise<void>;
  /** Resolves true when a record was removed. */
  remove(name: string): Promise<boolean>;
  list(): Promise<string[]>;
}

/** Records in memory (tests, and a board with no storage). */
export class MemoryKeyStoreBackend implements KeyStoreBackend {
  readonly records = new Map<string, Uint8Array>();

  async read(name: string): Promise<Uint8Array | undefined> {
    const r = this.records.get(name);
    return r && Uint8Array.from(r);
  }

  async write(name: string, record: Uint8Array): Promise<void> {
    this.records.set(name, Uint8Array.from(record));
  }

  async remove(name: string): Promise<boolean> {
    const r = this.records.get(name);
    wipe(r);
    return this.records.delete(name);
  }

  async list(): Promise<string[]> {
    return [...this.records.keys()].sort();
  }
}

const RECORD_SUFFIX = '.key';

/**
 * One file per key, `<dir>/<name>.key`, mode 0600 in a 0700 folder. A write goes to a
 * temporary file that is fsynced, renamed over the old record, and the folder fsynced.
 */
export class FileKeyStoreBackend implements KeyStoreBackend {
  constructor(private readonly options: { dir: string }) {}

  private file(name: string): string {
    return path.join(this.options.dir, name + RECORD_SUFFIX);
  }

  private async io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof KeyError) throw err;
      throw new KeyError('KEY_STORE_IO', `key store ${what} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    return this.io('read', async () => {
      try {
        const b = await readFile(this.file(name));
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    });
  }

  async write(name: string, record: Uint8Array): Promise<void> {
    await this.io('write', async () => {
      await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
      const tmp = path.join(this.options.dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(record);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await rename(tmp, this.file(name));
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      await this.syncDir();
    });
  }

  private async syncDir(): Promise<void> {
    const dh = await open(this.options.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  async remove(name: string): Promise<boolean> {
    return this.io('remove', async () => {
      try {
        await rm(this.file(name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
      await this.syncDir();
      return true;
    });
  }

  async list(): Promise<string[]> {
    return this.io('list', async () => {
      try {
        const names = await readdir(this.options.dir);
        return names
          .filter((n) => n.endsWith(RECORD_SUFFIX) && !n.startsWith('.'))
          .map((n) => n.slice(0, -RECORD_SUFFIX.length))
          .sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    });
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAGIC = Uint8Array.from(Buffer.from('PKS1', 'ascii'));
const NONCE = 12;
const TAG = 16;

export function checkKeyName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new KeyError('KEY_STORE_NAME', 'key name must be 1-64 characters: letters, digits, ".", "-", "_", starting with a letter or digit');
  }
}

function aad(name: string): Buffer {
  return Buffer.from(`pos-key-store/v1/${name}`, 'utf8');
}

/** A clear key component with the KCV its custodian read out. */
export interface KeyComponent {
  value: Uint8Array;
  /** The KCV printed with the component (3 bytes TDES; 3 or 5 bytes AES). */
  kcv: Uint8Array;
  /** Who entered it; two components from the same custodian are refused. */
  custodian?: string;
}

export interface PutOptions {
  usage: KeyUsage;
  algorithm: KeyAlgorithm;
  source?: KeyInfo['source'];
  ksn?: string;
  tr31?: KeyInfo['tr31'];
  /** Overwrite an existing key of that name (default: refuse with KEY_STORE_EXISTS). */
  replace?: boolean;
}

export function kcvOf(key: Uint8Array, algorithm: KeyAlgorithm): string {
  return algorithm === 'none' ? '' : toHex(keyCheckValue(key, algorithm));
}

function checkAlgorithmLength(key: Uint8Array, algorithm: KeyAlgorithm): void {
  const ok = algorithm === 'tdes' ? [8, 16, 24] : algorithm === 'aes' ? [16, 24, 32] : null;
  if (ok && !ok.includes(key.length)) throw new KeyError('KEY_BAD_LENGTH', `${algorithm.toUpperCase()} key must be ${ok.join(', ')} bytes, got ${key.length}`);
  if (key.length === 0) throw new KeyError('KEY_BAD_LENGTH', 'empty key');
}

export class KeyStore {
  private constructor(
    private readonly backend: KeyStoreBackend,
    private readonly provider: DeviceKeyProvider,
  ) {}

  static async open(options: { backend: KeyStoreBackend; deviceKey: DeviceKeyProvider }): Promise<KeyStore> {
    // Fail at open, not at first use, when the device key is missing or unsafe.
    wipe(await options.deviceKey.deviceKey());
    return new KeyStore(options.backend, options.deviceKey);
  }

  private async seal(name: string, info: KeyInfo, key: Uint8Array): Promise<Uint8Array> {
    const dk = await this.provider.deviceKey();
    const meta = Buffer.from(JSON.stringify(info), 'utf8');
    const plain = concat(Uint8Array.of(meta.length >> 8, meta.length & 0xff), meta, key);
    try {
      const nonce = randomBytes(NONCE);
      const c = createCipheriv('aes-256-gcm', asBuffer(dk), nonce);
      c.setAAD(aad(name));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return concat(MAGIC, nonce, c.getAuthTag(), body);
    } finally {
      wipe(dk, plain);
    }
  }

  private async unseal(name: string, record: Uint8Array): Promise<{ info: KeyInfo; key: Uint8Array }> {
    const tampered = (why: string, cause?: unknown): KeyError =>
      new KeyError('KEY_STORE_TAMPERED', `key record "${name}" failed authentication (${why}): edited, truncated, renamed or under another device key`, { cause });
    if (record.length < MAGIC.length + NONCE + TAG + 2 || !equalBytes(record.subarray(0, 4), MAGIC)) throw tampered('bad record header');
    const dk = await this.provider.deviceKey();
    let plain: Buffer | undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', asBuffer(dk), asBuffer(record.subarray(4, 4 + NONCE)));
      d.setAAD(aad(name));
      d.setAuthTag(asBuffer(record.subarray(4 + NONCE, 4 + NONCE + TAG)));
      try {
        plain = Buffer.concat([d.update(asBuffer(record.subarray(4 + NONCE + TAG))), d.final()]);
      } catch (err) {
        throw tampered('authentication tag mismatch', err);
      }
      const metaLength = (plain[0]! << 8) | plain[1]!;
      const info = JSON.parse(plain.subarray(2, 2 + metaLength).toString('utf8')) as KeyInfo;
      const key = Uint8Array.from(plain.subarray(2 + metaLength));
      return { info, key };
    } finally {
      wipe(dk, plain);
    }
  }

  /** Stores a clear key (generated or derived on the device); returns its info with the KCV. */
  async put(name: string, key: Uint8Array, options: PutOptions): Promise<KeyInfo> {
    checkKeyName(name);
    if (!(options.usage in KEY_USAGES)) throw new KeyError('KEY_BAD_ARGUMENT', `unknown key usage "${String(options.usage)}"`);
    checkAlgorithmLength(key, options.algorithm);
    if (!options.replace && (await this.backend.read(name)) !== undefined) throw new KeyError('KEY_STORE_EXISTS', `a key named "${name}" already exists`);
    const info: KeyInfo = {
      name,
      usage: options.usage,
      algorithm: options.algorithm,
      length: key.length,
      kcv: kcvOf(key, options.algorithm),
      createdAt: new Date().toISOString(),
      source: options.source ?? 'clear',
      ...(options.ksn !== undefined ? { ksn: options.ksn } : {}),
      ...(options.tr31 !== undefined ? { tr31: options.tr31 } : {}),
    };
    await this.backend.write(name, await this.seal(name, info, key));
    return info;
  }

  /** The key and its info, for the code that uses it (DUKPT, PIN pad, journal). Wipe the key after use. */
  async get(name: string, usage?: KeyUsage): Promise<{ key: Uint8Array; info: KeyInfo }> {
    checkKeyName(name);
    const record = await this.backend.read(name);
    if (record === undefined) throw new KeyError('KEY_STORE_NOT_FOUND', `no key named "${name}"`);
    const r = await this.unseal(name, record);
    if (usage !== undefined && r.info.usage !== usage) {
      wipe(r.key);
      throw new KeyError('KEY_USAGE', `key "${name}" is a ${r.info.usage} key, not ${usage}`);
    }
    return r;
  }

  /** What a person may see about a key: usage, algorithm, length, KCV; never the key. */
  async info(name: string): Promise<KeyInfo> {
    const { key, info } = await this.get(name);
    wipe(key);
    return info;
  }

  /** Info of every key, by name. A tampered record makes the whole listing fail (it must be seen). */
  async list(): Promise<KeyInfo[]> {
    const out: KeyInfo[] = [];
    for (const name of await this.backend.list()) out.push(await this.info(name));
    return out;
  }

  async delete(name: string): Promise<boolean> {
    checkKeyName(name);
    return this.backend.remove(name);
  }

  /** Factory reset: removes every key record. */
  async deleteAll(): Promise<number> {
    let n = 0;
    for (const name of await this.backend.list()) if (await this.backend.remove(name)) n++;
    return n;
  }

  /**
   * Injects a key from a TR-31 key block (versions B, D) protected by the stored KEK
   * `kbpkName`. Usage and algorithm come from the block's header; a "KS" optional block
   * (initial KSN) or "IK" (AES initial key ID) is kept with a DUKPT initial key.
   */
  async importKeyBlock(name: string, block: string, kbpkName: string, options: { replace?: boolean } = {}): Promise<KeyInfo> {
    checkKeyName(name);
    const kbpk = await this.get(kbpkName, 'kek');
    let key: Uint8Array | undefined;
    try {
      const unwrapped = unwrapTr31(kbpk.key, block);
      key = unwrapped.key;
      const h = unwrapped.header;
      const usage = TR31_USAGE[h.keyUsage];
      if (!usage) throw new KeyError('KEY_USAGE', `TR-31 key usage "${h.keyUsage}" is not one this terminal stores`);
      const algorithm: KeyAlgorithm = h.algorithm === 'A' ? 'aes' : h.algorithm === 'T' || h.algorithm === 'D' ? 'tdes' : 'none';
      const ksnBlock = h.optionalBlocks.find((b) => b.id === 'KS' || b.id === 'IK');
      return await this.put(name, key, {
        usage,
        algorithm,
        source: 'tr31',
        ...(ksnBlock ? { ksn: ksnBlock.data.toUpperCase() } : {}),
        tr31: { keyUsage: h.keyUsage, algorithm: h.algorithm, modeOfUse: h.modeOfUse, keyVersion: h.keyVersion, exportability: h.exportability },
        replace: options.replace ?? false,
      });
    } finally {
      wipe(kbpk.key, key);
    }
  }

  /**
   * Injects a key from 2 or 3 clear components (key custodians): each must match the KCV
   * its custodian declared, custodians must differ, lengths must agree; the key is their
   * XOR. Returns the stored key's info, whose KCV the custodians confirm against their form.
   */
  async importComponents(name: string, components: KeyComponent[], options: PutOptions): Promise<KeyInfo> {
    checkKeyName(name);
    const combined = combineComponents(components, options.algorithm);
    try {
      return await this.put(name, combined, { ...options, source: 'components' });
    } finally {
      wipe(combined);
    }
  }
}

/** Checks each component against its KCV and XORs them (the two-custodian rule). */
export function combineComponents(components: KeyComponent[], algorithm: KeyAlgorithm): Uint8Array {
  if (algorithm === 'none') throw new KeyError('KEY_BAD_ARGUMENT', 'components need a TDES or AES algorithm for their KCVs');
  if (components.length < 2 || components.length > 3) throw new KeyError('KEY_COMPONENTS', `2 or 3 components are needed, got ${components.length}`);
  const length = components[0]!.value.length;
  const custodians = new Set<string>();
  components.forEach((c, i) => {
    if (c.value.length !== length) throw new KeyError('KEY_COMPONENTS', `component ${i + 1} is ${c.value.length} bytes, component 1 is ${length}`);
    checkAlgorithmLength(c.value, algorithm);
    if (c.custodian !== undefined) {
      if (custodians.has(c.custodian)) throw new KeyError('KEY_COMPONENTS', `custodian "${c.custodian}" entered two components`);
      custodians.add(c.custodian);
    }
    const kcv = keyCheckValue(c.value, algorithm, Math.min(Math.max(c.kcv.length, 1), algorithm === 'aes' ? 16 : 8));
    if (c.kcv.length < 2 || !equalBytes(kcv, c.kcv)) throw new KeyError('KEY_KCV_MISMATCH', `component ${i + 1} does not match its KCV`);
  });
  const key = new Uint8Array(length);
  for (const c of components) for (let i = 0; i < length; i++) key[i]! ^= c.value[i]!;
  if (key.every((b) => b === 0)) {
    throw new KeyError('KEY_COMPONENTS', 'the components cancel out to an all-zero key (the same component entered twice?)');
  }
  return key;
}
