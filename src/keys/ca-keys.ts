/**
 * Certification authority public keys for offline data authentication (EMV Book 2 5.1,
 * 11.2.2): the schemes' published keys shipped with the terminal ({@link SCHEME_CA_KEYS}),
 * the simulator's TEST keys (emv/oda/test-ca-keys.ts, marked test), and the changes a
 * person made with the console's `capk` command, kept in `<data>/ca-keys.json` (public
 * data: not encrypted, written atomically). Loading verifies every key's checksum (SHA-1
 * over RID || index || modulus || exponent, Book 2 11.2.2 / Table 23) and refuses expired
 * keys, each with a message saying which key and why. The kernel's
 * `TerminalConfig.caKeys` comes from {@link CaKeyStore.kernelKeys}.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../config/atomic-write.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import type { CaKey } from '../../emv/kernel/types.js';
import { caKeyChecksum, type CaPublicKey } from '../../emv/oda/oda.js';
import { TEST_CA_KEYS } from '../../emv/oda/test-ca-keys.js';
import { KeyError } from './errors.js';
import { SCHEME_CA_KEYS } from './scheme-ca-keys.js';

/** One CA public key as data (shipped file, `capk add`, `capk import` files): hex strings. */
export interface CaKeyRecord {
  /** visa, mastercard, unionpay, amex, jcb, discover, test, or another name. */
  readonly scheme: string;
  /** Registered application provider identifier, 10 hex digits. */
  readonly rid: string;
  /** CA public key index (8F), 2 hex digits. */
  readonly index: string;
  readonly modulus: string;
  readonly exponent: string;
  /** Last valid day, YYMMDD (YY < 50: 20YY). */
  readonly expiry: string;
  /** SHA-1 over RID || index || modulus || exponent, 40 hex digits. */
  readonly checksum: string;
  /** A test key (never valid with live cards). */
  readonly test?: boolean;
}

export type CaKeyRefusal = { readonly rid: string; readonly index: string; readonly code: 'KEY_CAPK_FORMAT' | 'KEY_CAPK_CHECKSUM' | 'KEY_CAPK_EXPIRED'; readonly message: string };

const HEX = (min: number, max: number): RegExp => new RegExp(`^(?:[0-9A-Fa-f]{2}){${min},${max}}$`);

function expiryDate(yymmdd: string): Date | undefined {
  if (!/^[0-9]{6}$/.test(yymmdd)) return undefined;
  const yy = Number(yymmdd.slice(0, 2));
  const m = Number(yymmdd.slice(2, 4));
  const d = Number(yymmdd.slice(4, 6));
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, m - 1, d));
}

function label(r: Pick<CaKeyRecord, 'rid' | 'index' | 'scheme'>): string {
  return `CA key ${String(r.rid).toUpperCase()} index ${String(r.index).toUpperCase()}${r.scheme ? ` (${r.scheme})` : ''}`;
}

/** Checks one record: format, checksum (Book 2 11.2.2), expiry against `today` (valid through the expiry day). */
export function verifyCaKey(r: CaKeyRecord, today: Date): { ok: true; key: CaPublicKey } | ({ ok: false } & CaKeyRefusal) {
  const refuse = (code: CaKeyRefusal['code'], message: string) => ({ ok: false as const, rid: String(r.rid ?? '').toUpperCase(), index: String(r.index ?? '').toUpperCase(), code, message });
  if (typeof r !== 'object' || r === null) return refuse('KEY_CAPK_FORMAT', 'a CA key must be an object with rid, index, modulus, exponent, expiry and checksum');
  if (typeof r.rid !== 'string' || !HEX(5, 5).test(r.rid)) return refuse('KEY_CAPK_FORMAT', `${label(r)}: rid must be 10 hex digits`);
  if (typeof r.index !== 'string' || !HEX(1, 1).test(r.index)) return refuse('KEY_CAPK_FORMAT', `${label(r)}: index must be 2 hex digits`);
  if (typeof r.modulus !== 'string' || !HEX(64, 248).test(r.modulus)) return refuse('KEY_CAPK_FORMAT', `${label(r)}: modulus must be 64 to 248 bytes of hex (Book 2 11.2.2: at most 1984 bits)`);
  if (typeof r.exponent !== 'string' || !/^(03|010001)$/i.test(r.exponent)) return refuse('KEY_CAPK_FORMAT', `${label(r)}: exponent must be 03 or 010001 (Book 2 11.2.2)`);
  if (typeof r.checksum !== 'string' || !HEX(20, 20).test(r.checksum)) return refuse('KEY_CAPK_FORMAT', `${label(r)}: checksum must be 40 hex digits (SHA-1)`);
  const expiry = typeof r.expiry === 'string' ? expiryDate(r.expiry) : undefined;
  if (expiry === undefined) return refuse('KEY_CAPK_FORMAT', `${label(r)}: expiry must be a date YYMMDD`);
  const key = { rid: r.rid.toUpperCase(), index: parseInt(r.index, 16), modulus: fromHex(r.modulus), exponent: fromHex(r.exponent) };
  const sum = toHex(caKeyChecksum(key));
  if (sum !== r.checksum.toUpperCase()) return refuse('KEY_CAPK_CHECKSUM', `${label(r)}: checksum ${r.checksum.toUpperCase()} does not match the key (SHA-1 over RID, index, modulus and exponent is ${sum}): the key was mistyped or altered; refused`);
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  if (day > expiry.getTime()) return refuse('KEY_CAPK_EXPIRED', `${label(r)}: expired on ${expiry.toISOString().slice(0, 10)}; refused`);
  return { ok: true, key: { ...key, expiry: r.expiry, checksum: fromHex(r.checksum), test: r.test === true } };
}

/** Verifies every record: the usable keys and the refused ones with their reasons. */
export function loadCaKeys(records: readonly CaKeyRecord[], today: Date): { keys: CaPublicKey[]; refused: CaKeyRefusal[] } {
  const keys: CaPublicKey[] = [];
  const refused: CaKeyRefusal[] = [];
  for (const r of records) {
    const v = verifyCaKey(r, today);
    if (v.ok) keys.push(v.key);
    else refused.push({ rid: v.rid, index: v.index, code: v.code, message: v.message });
  }
  return { keys, refused };
}

/** The simulator's TEST CA keys as records (scheme "test", marked test). */
export const TEST_CA_KEY_RECORDS: readonly CaKeyRecord[] = TEST_CA_KEYS.map((k) => ({
  scheme: 'test',
  rid: k.rid,
  index: k.index.toString(16).toUpperCase().padStart(2, '0'),
  modulus: toHex(k.modulus),
  exponent: toHex(k.exponent),
  expiry: k.expiry ?? '491231',
  checksum: toHex(k.checksum ?? caKeyChecksum(k)),
  test: true,
}));

export function toKernelCaKey(k: CaPublicKey): CaKey {
  return { rid: fromHex(k.rid), index: k.index, modulus: k.modulus, exponent: k.exponent };
}

export const CA_KEYS_FILE = 'ca-keys.json';

interface StoredChanges {
  v: 1;
  /** Keys added or replaced with `capk add` / `capk import`. */
  added: CaKeyRecord[];
  /** "RID:IX" of shipped keys removed with `capk remove`. */
  removed: string[];
}

const id = (rid: string, index: string): string => `${rid.toUpperCase()}:${index.toUpperCase()}`;

export interface CaKeyEntry {
  readonly record: CaKeyRecord;
  readonly origin: 'shipped' | 'test' | 'added';
  /** active, or the refusal. */
  readonly status: 'active' | CaKeyRefusal;
}

/** The terminal's CA keys: shipped + test + changes in `<data>/ca-keys.json`. */
export class CaKeyStore {
  private constructor(
    private readonly file: string | undefined,
    private changes: StoredChanges,
  ) {}

  /** Opens the store of a data folder (`dataDir` undefined: in memory, for tools and tests). */
  static async open(dataDir?: string): Promise<CaKeyStore> {
    if (dataDir === undefined) return new CaKeyStore(undefined, { v: 1, added: [], removed: [] });
    const file = path.join(dataDir, CA_KEYS_FILE);
    let changes: StoredChanges = { v: 1, added: [], removed: [] };
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as StoredChanges;
      if (parsed.v !== 1 || !Array.isArray(parsed.added) || !Array.isArray(parsed.removed)) throw new Error('unknown format');
      changes = parsed;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new KeyError('KEY_STORE_IO', `${file} cannot be read as the CA key list (${(err as Error).message})`, { cause: err });
    }
    return new CaKeyStore(file, changes);
  }

  /** Every key with its origin and status on `today`. */
  entries(today: Date, options: { includeTest?: boolean } = {}): CaKeyEntry[] {
    const removed = new Set(this.changes.removed);
    const added = new Map(this.changes.added.map((r) => [id(r.rid, r.index), r]));
    const out: CaKeyEntry[] = [];
    const push = (record: CaKeyRecord, origin: CaKeyEntry['origin']): void => {
      const v = verifyCaKey(record, today);
      out.push({ record, origin, status: v.ok ? 'active' : { rid: v.rid, index: v.index, code: v.code, message: v.message } });
    };
    for (const r of SCHEME_CA_KEYS) if (!removed.has(id(r.rid, r.index)) && !added.has(id(r.rid, r.index))) push(r, 'shipped');
    if (options.includeTest) for (const r of TEST_CA_KEY_RECORDS) if (!removed.has(id(r.rid, r.index)) && !added.has(id(r.rid, r.index))) push(r, 'test');
    for (const r of added.values()) push(r, 'added');
    return out;
  }

  /** The keys for `TerminalConfig.caKeys`: the active ones. */
  kernelKeys(today: Date, options: { includeTest?: boolean } = {}): CaKey[] {
    return this.entries(today, options).flatMap((e) => {
      const v = verifyCaKey(e.record, today);
      return v.ok ? [toKernelCaKey(v.key)] : [];
    });
  }

  /** Adds (or replaces) a key after verifying it; throws KeyError with the refusal otherwise. */
  async add(record: CaKeyRecord, today: Date): Promise<CaPublicKey> {
    const v = verifyCaKey(record, today);
    if (!v.ok) throw new KeyError(v.code, v.message);
    const key = id(record.rid, record.index);
    const clean: CaKeyRecord = { scheme: String(record.scheme ?? 'added'), rid: record.rid.toUpperCase(), index: record.index.toUpperCase(), modulus: record.modulus.toUpperCase(), exponent: record.exponent.toUpperCase(), expiry: record.expiry, checksum: record.checksum.toUpperCase(), ...(record.test ? { test: true } : {}) };
    this.changes = { v: 1, added: [...this.changes.added.filter((r) => id(r.rid, r.index) !== key), clean], removed: this.changes.removed.filter((r) => r !== key) };
    await this.save();
    return v.key;
  }

  /** Removes a key (added or shipped); false when there is none with that RID and index. */
  async remove(rid: string, index: string, today: Date): Promise<boolean> {
    const key = id(rid, index);
    const known = this.entries(today, { includeTest: true }).some((e) => id(e.record.rid, e.record.index) === key);
    if (!known) return false;
    this.changes = { v: 1, added: this.changes.added.filter((r) => id(r.rid, r.index) !== key), removed: [...new Set([...this.changes.removed, key])] };
    await this.save();
    return true;
  }

  private async save(): Promise<void> {
    if (this.file !== undefined) await writeFileAtomic(this.file, JSON.stringify(this.changes, null, 2) + '\n', undefined, 0o644);
  }
}

/** A kernel configuration whose CA keys are the store's active keys (test keys when `capk.testKeys` is on). */
export function withStoreCaKeys<C extends { readonly caKeys: readonly CaKey[] }>(config: C, store: CaKeyStore, options: { today: Date; includeTest: boolean }): C {
  return { ...config, caKeys: store.kernelKeys(options.today, { includeTest: options.includeTest }) };
}

/** Parses a `capk import` file: a JSON array of records (or { "keys": [...] }). */
export function parseCaKeyFile(text: string): CaKeyRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KeyError('KEY_CAPK_FORMAT', `the file is not JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys) ? (value as { keys: unknown[] }).keys : undefined;
  if (list === undefined) throw new KeyError('KEY_CAPK_FORMAT', 'expected a JSON array of CA keys (or { "keys": [...] }), each with scheme, rid, index, modulus, exponent, expiry, checksum');
  return list as CaKeyRecord[];
}
