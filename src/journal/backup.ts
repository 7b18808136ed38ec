/**
 * Backups of the journal: one archive file holding every key and value of the LevelDB
 * (values already sealed) from one snapshot, itself sealed with AES-256-GCM under a backup
 * key derived from the data key, followed by HMAC-SHA256 over everything before it.
 *
 * Archive: "POSJBAK1" | u32 manifest length | manifest JSON | sealed body | HMAC (32).
 * The manifest (clear: ids, counts, time, the data key wrapped under the device key) is
 * also the body's associated data. Body: repeated u32 key length | key | u32 value length | value.
 *
 * Restore checks the HMAC and the seal, writes into a temporary folder, verifies the whole
 * chain there, and only then moves the old journal aside (never deleted) and the restored
 * one into place.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceKeyProvider } from '../keys/device-key.js';
import { deriveKeys, MAC, open, sameMac, seal, unwrapDataKey } from './crypto.js';
import { JournalError } from './errors.js';
import { describeReport, journalDir, verifyJournal, type Journal, type VerifyReport } from './journal.js';

const MAGIC = Buffer.from('POSJBAK1', 'ascii');
export const BACKUP_SUFFIX = '.posjbak';
const DAY_MS = 86_400_000;

export interface BackupManifest {
  format: 'pos-journal-backup';
  version: 1;
  journalId: string;
  createdAt: string;
  /** Key/value entries in the archive. */
  entries: number;
  /** Journal records in the archive (the highest sequence number). */
  records: number;
  /** The journal's data key wrapped under the device key (m!datakey as stored). */
  wrappedDataKey: string;
}

export interface BackupResult {
  file: string;
  manifest: BackupManifest;
  bytes: number;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

async function writeDurably(file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await openFile(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(path.dirname(file));
}

async function syncDir(dir: string): Promise<void> {
  const dh = await openFile(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Writes an archive of the journal into `toDir` (made when absent). */
export async function backupJournal(journal: Journal, toDir: string, now = new Date()): Promise<BackupResult> {
  const parts: Buffer[] = [];
  let entries = 0;
  let records = 0;
  let wrappedDataKey: string | undefined;
  for await (const [key, value] of journal.rawEntries()) {
    const k = Buffer.from(key, 'utf8');
    parts.push(u32(k.length), k, u32(value.length), value);
    entries++;
    if (key.startsWith('r!')) records = Math.max(records, Number(key.slice(2)));
    if (key === 'm!datakey') wrappedDataKey = value.toString('utf8');
  }
  if (wrappedDataKey === undefined) throw new JournalError('JOURNAL_BACKUP', 'the journal has no data key record');
  const keys = journal.backupKeys;
  const manifest: BackupManifest = { format: 'pos-journal-backup', version: 1, journalId: keys.journalId, createdAt: now.toISOString(), entries, records, wrappedDataKey };
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const head = Buffer.concat([MAGIC, u32(manifestBytes.length), manifestBytes]);
  const body = seal(keys.enc, head, Buffer.concat(parts));
  const mac = createHmac('sha256', keys.mac).update(head).update(body).digest();
  const archive = Buffer.concat([head, body, mac]);
  const file = path.join(toDir, `pos-journal-${keys.journalId.slice(0, 8)}-${stamp(now)}${BACKUP_SUFFIX}`);
  try {
    await mkdir(toDir, { recursive: true, mode: 0o700 });
    await writeDurably(file, archive);
  } catch (err) {
    throw new JournalError('JOURNAL_BACKUP', `cannot write the backup in ${toDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return { file, manifest, bytes: archive.length };
}

/** The newest archive in a folder (by the time in its manifest's file name), or undefined. */
export async function latestBackup(dir: string): Promise<{ file: string; createdAt: Date } | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(BACKUP_SUFFIX)).sort();
  } catch {
    return undefined;
  }
  const latest = names.at(-1);
  if (latest === undefined) return undefined;
  const m = /-(\d{8})T(\d{6})Z\.posjbak$/.exec(latest);
  const file = path.join(dir, latest);
  const createdAt = m
    ? new Date(`${m[1]!.slice(0, 4)}-${m[1]!.slice(4, 6)}-${m[1]!.slice(6)}T${m[2]!.slice(0, 2)}:${m[2]!.slice(2, 4)}:${m[2]!.slice(4)}Z`)
    : (await stat(file)).mtime;
  return { file, createdAt };
}

/** True when a weekly (or `intervalDays`) automatic backup is due: never made, or at least that long ago. */
export function backupDue(lastBackupAt: Date | undefined, now: Date, intervalDays = 7): boolean {
  if (lastBackupAt === undefined || Number.isNaN(lastBackupAt.getTime())) return true;
  return now.getTime() - lastBackupAt.getTime() >= intervalDays * DAY_MS;
}

const bad = (file: string, why: string): JournalError => new JournalError('JOURNAL_BACKUP', `${path.basename(file)}: ${why}; nothing was replaced`);

/** Reads and checks an archive: HMAC over everything, then the seal; resolves the manifest and the entries. */
export async function readArchive(file: string, deviceKey: DeviceKeyProvider): Promise<{ manifest: BackupManifest; entries: [string, Buffer][] }> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    throw new JournalError('JOURNAL_BACKUP', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  if (data.length < MAGIC.length + 4 + MAC || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw bad(file, 'not a journal backup');
  const mlen = data.readUInt32BE(MAGIC.length);
  const headEnd = MAGIC.length + 4 + mlen;
  if (headEnd + MAC > data.length) throw bad(file, 'truncated');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(data.subarray(MAGIC.length + 4, headEnd).toString('utf8')) as BackupManifest;
  } catch {
    throw bad(file, 'the manifest is damaged');
  }
  if (manifest.format !== 'pos-journal-backup' || manifest.version !== 1 || typeof manifest.wrappedDataKey !== 'string') throw bad(file, 'unknown manifest format');
  const dk = await deviceKey.deviceKey();
  let keys;
  try {
    const { dataKey, journalId } = unwrapDataKey(manifest.wrappedDataKey, dk);
    if (journalId !== manifest.journalId) throw bad(file, 'the manifest does not match its data key');
    keys = deriveKeys(dataKey, journalId);
  } catch (err) {
    if (err instanceof JournalError && err.code === 'JOURNAL_BACKUP') throw err;
    throw bad(file, 'the data key does not open with this device key (a backup of another device, or damaged)');
  } finally {
    dk.fill(0);
  }
  const head = data.subarray(0, headEnd);
  const body = data.subarray(headEnd, data.length - MAC);
  if (!sameMac(createHmac('sha256', keys.backupMac).update(head).update(body).digest(), data.subarray(data.length - MAC))) throw bad(file, 'the integrity check (HMAC) fails: the archive was changed or damaged');
  const plain = open(keys.backupEnc, head, body);
  if (plain === undefined) throw bad(file, 'the archive does not decrypt');
  const entries: [string, Buffer][] = [];
  let at = 0;
  while (at < plain.length) {
    if (at + 4 > plain.length) throw bad(file, 'an entry is cut short');
    const kl = plain.readUInt32BE(at);
    const key = plain.subarray(at + 4, at + 4 + kl).toString('utf8');
    at += 4 + kl;
    if (at + 4 > plain.length) throw bad(file, 'an entry is cut short');
    const vl = plain.readUInt32BE(at);
    const value = Buffer.from(plain.subarray(at + 4, at + 4 + vl));
    at += 4 + vl;
    if (at > plain.length) throw bad(file, 'an entry is cut short');
    entries.push([key, value]);
  }
  if (entries.length !== manifest.entries) throw bad(file, `the manifest lists ${manifest.entries} entries but the archive holds ${entries.length}`);
  return { manifest, entries };
}

export interface RestoreResult {
  file: string;
  manifest: BackupManifest;
  report: VerifyReport;
  /** Where the journal that was replaced now is (absent when there was none). */
  replacedTo?: string;
}

/**
 * Restores the newest archive in `fromDir` (or the file `fromDir` names) into the data
 * folder's journal. Everything is verified before anything is replaced; the journal
 * replaced is moved aside to `journal.replaced-<time>`, never deleted. The journal must not
 * be open (LevelDB's lock is checked by the rename of a folder in use failing).
 */
export async function restoreJournal(from: string, dataDir: string, deviceKey: DeviceKeyProvider, now = new Date()): Promise<RestoreResult> {
  const info = await stat(from).catch(() => undefined);
  if (info === undefined) throw new JournalError('JOURNAL_BACKUP', `${from} does not exist`);
  const file = info.isDirectory() ? (await latestBackup(from))?.file : from;
  if (file === undefined) throw new JournalError('JOURNAL_BACKUP', `no ${BACKUP_SUFFIX} archive in ${from}`);
  const { manifest, entries } = await readArchive(file, deviceKey);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temp = path.join(dataDir, `journal.restoring-${randomBytes(4).toString('hex')}`);
  const { Level } = await import('level');
  try {
    const db = new Level<string, Buffer>(temp, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open({ createIfMissing: true, errorIfExists: true });
    try {
      for (let i = 0; i < entries.length; i += 1000) {
        await db.batch(
          entries.slice(i, i + 1000).map(([key, value]) => ({ type: 'put' as const, key, value })),
          { sync: i + 1000 >= entries.length },
        );
      }
    } finally {
      await db.close();
    }
    const report = await verifyJournal(temp, deviceKey);
    if (!report.ok) throw bad(file, `the restored journal does not verify: ${describeReport(report)}`);
    if (report.provenThrough !== manifest.records) throw bad(file, `the manifest lists ${manifest.records} records but ${report.provenThrough} verify`);
    const target = journalDir(dataDir);
    let replacedTo: string | undefined;
    if (await stat(target).catch(() => undefined)) {
      // A journal open in a running terminal holds LevelDB's lock: refuse rather than move it away under it.
      const current = new Level<string, Buffer>(target, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
      try {
        await current.open({ createIfMissing: false });
        await current.close();
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code;
        if (code === 'LEVEL_LOCKED') throw new JournalError('JOURNAL_BACKUP', `the journal in ${target} is in use (stop the terminal first); nothing was replaced`);
      }
      replacedTo = `${target}.replaced-${stamp(now)}`;
      await rename(target, replacedTo);
    }
    await rename(temp, target);
    await syncDir(dataDir);
    return replacedTo === undefined ? { file, manifest, report } : { file, manifest, report, replacedTo };
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    if (err instanceof JournalError) throw err;
    throw new JournalError('JOURNAL_BACKUP', `restore failed: ${(err as Error).message}; nothing was replaced`, { cause: err });
  }
}
