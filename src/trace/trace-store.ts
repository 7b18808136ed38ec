/**
 * APDU traces recorded in the field (issue 10, DESIGN "Sensitive data in traces and logs"):
 * the technician arms tracing for the next N transactions; each armed transaction's card
 * exchange is captured with track data and PIN data redacted (emv/trace recorder) and the
 * rest, which is card data, is stored encrypted like other card data: AES-256-GCM under a
 * random data key kept in the key store (`trace-data`, usage data), the trace id bound in
 * as associated data. A trace leaves the terminal only by {@link TraceStore.export} (the
 * technician's console command), which deletes it; {@link TraceStore.purge} deletes traces
 * older than the configured age. Listings carry the masked PAN only.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../config/atomic-write.js';
import { wipe } from '../../emv/crypto/bytes.js';
import { toHex } from '../../emv/bytes.js';
import type { KernelOutcome, PinEntry, TerminalConfig, TransactionParams } from '../../emv/kernel/types.js';
import { TraceRecorder, sessionComments, terminalHeader } from '../../emv/trace/recorder.js';
import type { Transceive } from '../../emv/transport/transceive.js';
import { KeyError } from '../keys/errors.js';
import type { KeyStore } from '../keys/key-store.js';

export const TRACES_DIR = 'traces';
export const TRACE_KEY_NAME = 'trace-data';
const SUFFIX = '.trace';
const ARMED_FILE = 'armed.json';

/** What a listing shows about a trace: never the trace, never a full PAN. */
export interface TraceInfo {
  readonly id: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly interface: 'contact' | 'contactless';
  readonly aid: string | null;
  readonly panMasked: string | null;
  /** The kernel's outcome, or "reader-fault" when the exchange broke off. */
  readonly outcome: string;
  readonly exchanges: number;
}

interface Sealed extends TraceInfo {
  readonly text: string;
}

export class TraceStore {
  readonly dir: string;

  constructor(private readonly options: { dataDir: string; keys: KeyStore; now?: () => number }) {
    this.dir = path.join(options.dataDir, TRACES_DIR);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The data key, made on first use (32 random bytes in the key store). The caller wipes it. */
  private async key(): Promise<Uint8Array> {
    try {
      return (await this.options.keys.get(TRACE_KEY_NAME, 'data')).key;
    } catch (err) {
      if (!(err instanceof KeyError) || err.code !== 'KEY_STORE_NOT_FOUND') throw err;
      const key = randomBytes(32);
      await this.options.keys.put(TRACE_KEY_NAME, key, { usage: 'data', algorithm: 'aes', source: 'generated' });
      return new Uint8Array(key);
    }
  }

  private file(id: string): string {
    if (!/^T[0-9]{14}-[0-9a-f]{6}$/.test(id)) throw new KeyError('KEY_BAD_ARGUMENT', `"${id.slice(0, 40)}" is not a trace id (see "trace list")`);
    return path.join(this.dir, id + SUFFIX);
  }

  async save(info: Omit<TraceInfo, 'id' | 'createdAt'>, text: string): Promise<TraceInfo> {
    const at = new Date(this.now());
    const id = `T${at.toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
    const record: Sealed = { id, createdAt: at.toISOString(), ...info, text };
    const key = await this.key();
    try {
      const nonce = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, nonce);
      c.setAAD(Buffer.from(`pos-trace/v1:${id}`, 'utf8'));
      const body = Buffer.concat([c.update(JSON.stringify(record), 'utf8'), c.final()]);
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.file(id), Buffer.concat([nonce, c.getAuthTag(), body]).toString('base64') + '\n');
    } finally {
      wipe(key);
    }
    const { text: _text, ...shown } = record;
    return shown;
  }

  private async open(id: string): Promise<Sealed> {
    const raw = Buffer.from((await readFile(this.file(id), 'utf8')).trim(), 'base64');
    const key = await this.key();
    try {
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAAD(Buffer.from(`pos-trace/v1:${id}`, 'utf8'));
      d.setAuthTag(raw.subarray(12, 28));
      return JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as Sealed;
    } catch (err) {
      throw new KeyError('KEY_STORE_TAMPERED', `trace ${id} fails authentication (edited, truncated, renamed or under another key)`, { cause: err });
    } finally {
      wipe(key);
    }
  }

  private async ids(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async list(): Promise<TraceInfo[]> {
    const out: TraceInfo[] = [];
    for (const id of await this.ids()) {
      const { text: _text, ...info } = await this.open(id);
      out.push(info);
    }
    return out;
  }

  /** Writes the trace as plain text to `<dir>/trace-<id>.apdu` (mode 0600) for the technician, then deletes it here. */
  async export(id: string, dir: string): Promise<{ file: string; info: TraceInfo }> {
    const { text, ...info } = await this.open(id);
    const file = path.join(dir, `trace-${id}.apdu`);
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    await rm(this.file(id), { force: true });
    return { file, info };
  }

  async delete(id: string): Promise<boolean> {
    const f = this.file(id);
    const existed = (await this.ids()).includes(id);
    await rm(f, { force: true });
    return existed;
  }

  /** Deletes traces recorded more than `maxAgeHours` ago; returns how many. */
  async purge(maxAgeHours: number): Promise<number> {
    const limit = this.now() - maxAgeHours * 3600_000;
    let n = 0;
    for (const id of await this.ids()) {
      // The id carries the recording time (UTC): no need to open the trace to age it.
      const m = /^T(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-/.exec(id)!;
      const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
      if (at < limit) {
        await rm(this.file(id), { force: true });
        n++;
      }
    }
    return n;
  }

  /** How many of the next transactions are armed for tracing. */
  async armed(): Promise<number> {
    try {
      const v = JSON.parse(await readFile(path.join(this.dir, ARMED_FILE), 'utf8')) as { remaining?: unknown };
      return typeof v.remaining === 'number' && Number.isInteger(v.remaining) && v.remaining > 0 ? v.remaining : 0;
    } catch {
      return 0;
    }
  }

  async arm(n: number): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(this.dir, ARMED_FILE), JSON.stringify({ remaining: n }) + '\n');
  }

  /**
   * For the transaction engine: when tracing is armed, takes one of the armed transactions
   * and returns a session whose transceive and PIN entry go to the kernel; else undefined.
   */
  async begin(iface: 'contact' | 'contactless', options: { atr?: Uint8Array } = {}): Promise<TraceSession | undefined> {
    const left = await this.armed();
    if (left === 0) return undefined;
    await this.arm(left - 1);
    return new TraceSession(this, iface, options.atr);
  }
}

/** One armed transaction being recorded. */
export class TraceSession {
  private readonly recorder = new TraceRecorder();

  constructor(
    private readonly store: TraceStore,
    private readonly iface: 'contact' | 'contactless',
    private readonly atr?: Uint8Array,
  ) {}

  transceive(inner: Transceive): Transceive {
    return this.recorder.wrap(inner);
  }

  pin(inner: PinEntry): PinEntry {
    return this.recorder.wrapPin(inner);
  }

  /** Stores the trace (encrypted) with the session's terminal data; `outcome` undefined when the kernel threw (reader fault). */
  async finish(params: TransactionParams, config: TerminalConfig, outcome: KernelOutcome | undefined): Promise<TraceInfo> {
    const text = this.recorder.text({
      terminal: terminalHeader(params, config),
      interface: this.iface,
      ...(this.atr !== undefined ? { atr: this.atr } : {}),
      comments: [`recorded ${new Date().toISOString()}, outcome ${outcome?.outcome ?? 'reader fault'}`, ...sessionComments(params)],
    });
    return this.store.save(
      {
        interface: this.iface,
        aid: outcome?.aid === undefined ? null : toHex(outcome.aid),
        panMasked: outcome?.panMasked ?? null,
        outcome: outcome?.outcome ?? 'reader-fault',
        exchanges: this.recorder.exchanges.length,
      },
      text,
    );
  }
}
