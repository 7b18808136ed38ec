/**
 * The audit store until the journal replaces it: `<dataDir>/audit.log`, append-only, one
 * line per event. Each record is encrypted with AES-256-GCM (its sequence number bound in
 * as associated data) and carries a MAC (HMAC-SHA-256) over the previous record's MAC and
 * its own ciphertext, so a deleted, reordered or edited record breaks the chain. Both keys
 * are derived from the device key (HKDF, own purpose strings).
 *
 * Line: base64(nonce 12 | tag 16 | ciphertext) "." hex(MAC)
 * Limit: removing records from the end is not detected by the chain alone; the record
 * count is also shown by `verify()` so an operator can compare it with what was printed.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceKeyProvider } from '../keys/device-key.js';
import { purposeKey } from '../users/sealed-file.js';
import { sanitizeEvent, type AuditEvent, type AuditRecord, type AuditSink } from './audit.js';

export const AUDIT_FILE = 'audit.log';

export const AUDIT_ERROR_CODES = {
  AUDIT_TAMPERED: 'an audit record fails authentication, or the chain of MACs is broken (record deleted, reordered or edited)',
  AUDIT_IO: 'the audit log could not be read or written',
} as const;

export type AuditErrorCode = keyof typeof AUDIT_ERROR_CODES;

export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const GENESIS: Buffer = Buffer.alloc(32);

export interface EncryptedAuditLogOptions {
  dataDir: string;
  deviceKey: DeviceKeyProvider;
  now?: () => number;
}

export class EncryptedAuditLog implements AuditSink {
  readonly file: string;
  #seq = 0;
  #lastMac: Buffer = GENESIS;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    file: string,
    private readonly encKey: Buffer,
    private readonly macKey: Buffer,
    private readonly now: () => number,
  ) {
    this.file = file;
  }

  /** Opens the log, checking the whole chain (AUDIT_TAMPERED when broken: the log is left as is). */
  static async open(options: EncryptedAuditLogOptions): Promise<EncryptedAuditLog> {
    const log = new EncryptedAuditLog(
      path.join(options.dataDir, AUDIT_FILE),
      await purposeKey(options.deviceKey, 'pos-audit/v1/enc'),
      await purposeKey(options.deviceKey, 'pos-audit/v1/mac'),
      options.now ?? Date.now,
    );
    const { records, lastMac } = await log.#read();
    log.#seq = records.length;
    log.#lastMac = lastMac;
    return log;
  }

  #mac(prev: Buffer, body: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(prev).update(body).digest();
  }

  record(event: AuditEvent): Promise<void> {
    const run = this.#queue.then(async () => {
      const record: AuditRecord = { ...sanitizeEvent(event), seq: this.#seq + 1, at: new Date(this.now()).toISOString() };
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', this.encKey, nonce);
      c.setAAD(Buffer.from(`audit/${record.seq}`));
      const ct = Buffer.concat([c.update(JSON.stringify(record), 'utf8'), c.final()]);
      const body = Buffer.concat([nonce, c.getAuthTag(), ct]);
      const mac = this.#mac(this.#lastMac, body);
      try {
        await mkdir(path.dirname(this.file), { recursive: true });
        const fh = await open(this.file, 'a', 0o600);
        try {
          await fh.writeFile(`${body.toString('base64')}.${mac.toString('hex')}\n`);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      } catch (err) {
        throw new AuditError('AUDIT_IO', `${this.file}: cannot append (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
      }
      this.#seq = record.seq;
      this.#lastMac = mac;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Every record, in order, after checking each one and the chain. */
  async readAll(): Promise<AuditRecord[]> {
    await this.#queue;
    return (await this.#read()).records;
  }

  async #read(): Promise<{ records: AuditRecord[]; lastMac: Buffer }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], lastMac: GENESIS };
      throw new AuditError('AUDIT_IO', `${this.file}: cannot read`, { cause: err });
    }
    const records: AuditRecord[] = [];
    let prev: Buffer = GENESIS;
    const lines = text.split('\n').filter((l) => l !== '');
    lines.forEach((line, i) => {
      const bad = (why: string, cause?: unknown): AuditError =>
        new AuditError('AUDIT_TAMPERED', `${this.file} line ${i + 1}: ${why} (record deleted, reordered or edited)`, { cause });
      const [b64, macHex] = line.split('.');
      if (b64 === undefined || macHex === undefined || !/^[0-9a-f]{64}$/.test(macHex)) throw bad('malformed line');
      const body = Buffer.from(b64, 'base64');
      const mac = Buffer.from(macHex, 'hex');
      if (body.length < 29 || !timingSafeEqual(mac, this.#mac(prev, body))) throw bad('MAC chain broken');
      let record: AuditRecord;
      try {
        const d = createDecipheriv('aes-256-gcm', this.encKey, body.subarray(0, 12));
        d.setAAD(Buffer.from(`audit/${i + 1}`));
        d.setAuthTag(body.subarray(12, 28));
        record = JSON.parse(Buffer.concat([d.update(body.subarray(28)), d.final()]).toString('utf8')) as AuditRecord;
      } catch (err) {
        throw bad('record does not decrypt', err);
      }
      if (record.seq !== i + 1) throw bad(`sequence ${record.seq}, expected ${i + 1}`);
      records.push(record);
      prev = mac;
    });
    return { records, lastMac: prev };
  }
}
