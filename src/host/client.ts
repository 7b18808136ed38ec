/**
 * The host client: allocates STANs, sends requests on the channel, pairs each response
 * with its request by response MTI + STAN + terminal ID, and never applies a late or
 * unmatched response to another transaction. A financial request that gets no answer in
 * time is reversed (0400, repeated as 0401 until acknowledged), the reversal recorded
 * durably before it is first sent; offline approvals go up as 0220 advices, in order.
 */
import { createLogger } from '../log.js';
import type { Channel } from './channel.js';
import { HostError } from './errors.js';
import type { Layout } from './iso8583/layout.js';
import { IsoMessage, responseMti } from './iso8583/message.js';
import { pack, unpack } from './iso8583/packager.js';
import type { HostStore, QueueKind, QueuedMessage } from './store.js';

const log = createLogger('pos:host:client');

/** Computes and checks the MAC of field 64/128 over the packed message before the MAC field. */
export interface MacProvider {
  generate(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  verify(data: Uint8Array, mac: Uint8Array): boolean | Promise<boolean>;
}

export interface HostClientOptions {
  layout: Layout;
  /** Opens a new channel to the host (the client reconnects with backoff when it drops). */
  connect: () => Promise<Channel>;
  store: HostStore;
  terminalId: string;
  /** Response time limits by request MTI class ("01", "02", "04", "05", "08", "03"...); default 30 s. */
  timeouts?: Partial<Record<string, number>>;
  mac?: MacProvider;
  /** Reconnect backoff (ms). */
  backoff?: { initialMs: number; maxMs: number; attempts: number };
  /** Transmission date and time source (tests pin it). */
  now?: () => Date;
}

/** Response codes with which a reversal counts as done (ISO 8583: 00 approved, 12 invalid txn, 25 unable to locate). */
const REVERSAL_DONE = new Set(['00', '12', '25', '21', '94']);
/** Answers to an advice that say "not processed, try again" (ISO 8583:1987 field 39: 19 re-enter, 90 cutoff, 91 inoperative, 92 no route, 96 malfunction): it stays queued. */
const ADVICE_RETRY = new Set(['19', '90', '91', '92', '96']);

interface Waiter {
  resolve(msg: IsoMessage): void;
  reject(err: HostError): void;
}

export function transmissionDateTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export class HostClient {
  private channel: Channel | undefined;
  private connecting: Promise<Channel> | undefined;
  private readonly waiting = new Map<string, Waiter>();
  private closed = false;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: HostClientOptions) {}

  private async ensureChannel(): Promise<Channel> {
    if (this.closed) throw new HostError('HOST_CLOSED', 'client closed');
    if (this.channel?.connected) return this.channel;
    this.connecting ??= this.connectWithBackoff().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connectWithBackoff(): Promise<Channel> {
    const { initialMs, maxMs, attempts } = this.options.backoff ?? { initialMs: 200, maxMs: 5000, attempts: 4 };
    let delay = initialMs;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      if (this.closed) break;
      try {
        const channel = await this.options.connect();
        channel.onFrame((f) => this.onFrame(f));
        channel.onClose((err) => {
          if (this.channel === channel) this.channel = undefined;
          if (err) log.warn('host connection dropped', { error: err.message });
        });
        this.channel = channel;
        return channel;
      } catch (err) {
        last = err;
        log.warn('host connect failed', { attempt: i + 1, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, maxMs);
      }
    }
    throw last instanceof HostError ? last : new HostError('HOST_CONNECT', `cannot reach the host: ${String((last as Error)?.message ?? last)}`);
  }

  private key(mti: string, stan: string, tid: string): string {
    return `${mti}|${stan}|${tid}`;
  }

  private onFrame(frame: Uint8Array): void {
    let msg: IsoMessage;
    try {
      msg = unpack(this.options.layout, frame);
    } catch (err) {
      log.warn('unreadable frame from host dropped', { error: (err as Error).message });
      return;
    }
    const key = this.key(msg.mti, msg.text(11), msg.text(41).trimEnd());
    const waiter = this.waiting.get(key);
    if (!waiter) {
      log.warn('late or unmatched response dropped', { mti: msg.mti, stan: msg.text(11) });
      return;
    }
    this.waiting.delete(key);
    void this.checkMac(msg, frame).then(
      (ok) => (ok ? waiter.resolve(msg) : waiter.reject(new HostError('HOST_MAC', `response ${msg.mti} STAN ${msg.text(11)}: MAC does not verify`))),
      (err: unknown) => waiter.reject(new HostError('HOST_MAC', `MAC check failed: ${(err as Error).message}`)),
    );
  }

  private macFieldOf(msg: IsoMessage): number | undefined {
    return msg.has(128) ? 128 : msg.has(64) ? 64 : undefined;
  }

  private async checkMac(msg: IsoMessage, frame: Uint8Array): Promise<boolean> {
    const mac = this.options.mac;
    if (!mac) return true;
    const field = this.macFieldOf(msg);
    if (field === undefined) return false;
    const value = msg.bytes(field)!;
    const wire = frame.length - this.wireSize(field, value);
    return mac.verify(frame.subarray(0, wire), value);
  }

  private wireSize(field: number, value: Uint8Array): number {
    const codec = this.options.layout.fields[field]!;
    return codec.def.dataEncoding === 'hex' ? value.length * 2 : value.length;
  }

  /** Packs with the MAC (field 64, or 128 when a secondary bitmap is sent) computed over what precedes it. */
  async packMessage(msg: IsoMessage): Promise<Uint8Array> {
    const mac = this.options.mac;
    if (!mac) return pack(this.options.layout, msg);
    const field = [...msg.fields.keys()].some((id) => id > 64 && id !== 128) || msg.has(128) ? 128 : 64;
    msg.unset(field === 128 ? 64 : 128);
    msg.setBytes(this.options.layout, field, new Uint8Array(8));
    const draft = pack(this.options.layout, msg);
    const size = this.wireSize(field, new Uint8Array(8));
    const value = await mac.generate(draft.subarray(0, draft.length - size));
    msg.setBytes(this.options.layout, field, value.subarray(0, 8));
    return pack(this.options.layout, msg);
  }

  private timeoutFor(mti: string): number {
    return this.options.timeouts?.[mti.slice(0, 2)] ?? 30_000;
  }

  /**
   * Sends a request and resolves with its response. Assigns STAN (11), transmission
   * date/time (7) and terminal ID (41) when absent. A 01xx/02xx request without an answer
   * in time is reversed (durably queued first) and rejects with HOST_TIMEOUT.
   */
  async request(msg: IsoMessage, options: { timeoutMs?: number; reverseOnTimeout?: boolean } = {}): Promise<IsoMessage> {
    if (!msg.has(11)) msg.set(11, String(await this.options.store.nextStan()).padStart(6, '0'));
    if (!msg.has(7)) msg.set(7, transmissionDateTime((this.options.now ?? (() => new Date()))()));
    if (!msg.has(41)) msg.set(41, this.options.terminalId);
    const financial = /^0[12]0[0]$/.test(msg.mti);
    const reverse = options.reverseOnTimeout ?? financial;
    const frame = await this.packMessage(msg);
    const key = this.key(responseMti(msg.mti), msg.text(11), msg.text(41).trimEnd());
    const timeoutMs = options.timeoutMs ?? this.timeoutFor(msg.mti);
    const response = new Promise<IsoMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.waiting.has(key)) return;
        this.waiting.delete(key);
        reject(new HostError('HOST_TIMEOUT', `no response to ${msg.mti} STAN ${msg.text(11)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(key, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    // The time limit can run out while the connection is still being made (backoff): the
    // rejection is awaited below, but must not count as unhandled meanwhile.
    response.catch(() => undefined);
    try {
      const channel = await this.ensureChannel();
      await channel.send(frame);
      return await response;
    } catch (err) {
      this.waiting.delete(key);
      const e = err instanceof HostError ? err : new HostError('HOST_DISCONNECTED', String((err as Error).message));
      // Unknown outcome: the host may have approved. Reverse (queued durably before sending).
      if (reverse && (e.code === 'HOST_TIMEOUT' || e.code === 'HOST_DISCONNECTED' || e.code === 'HOST_MAC')) {
        await this.queueReversal(msg, e.code === 'HOST_TIMEOUT' ? '68' : e.code === 'HOST_MAC' ? '96' : '91');
      }
      throw e;
    }
  }

  /** Builds the 0400 for an original request (ISO 8583:1987 field 90: original data elements). */
  reversalFor(original: IsoMessage, reason = '68'): IsoMessage {
    const rev = new IsoMessage('0400');
    for (const id of [2, 3, 4, 14, 22, 23, 25, 35, 41, 42, 49, 55]) {
      const v = original.get(id);
      if (v !== undefined && id !== 35) rev.set(id, v);
    }
    const origMti = original.mti;
    rev.set(39, reason);
    rev.set(90, `${origMti}${original.text(11).padStart(6, '0')}${original.text(7).padStart(10, '0')}${'0'.repeat(22)}`);
    return rev;
  }

  /** Queues (durably) and sends a reversal of `original`; resolves when the host acknowledged it or it stays queued. */
  async queueReversal(original: IsoMessage, reason = '68'): Promise<void> {
    const rev = this.reversalFor(original, reason);
    // The reversal keeps one STAN across its repeats (0400 then 0401s).
    rev.set(11, String(await this.options.store.nextStan()).padStart(6, '0'));
    const id = `${original.text(11)}-${original.text(7)}`;
    await this.options.store.enqueue({ id, kind: 'reversal', message: rev.toJSON(), attempts: 0, createdAt: new Date().toISOString() });
    await this.flush().catch((err: unknown) => log.warn('reversal stays queued', { error: (err as Error).message }));
  }

  /** Queues (durably) an advice (0220) of an offline approval and tries to send what is owed. */
  async queueAdvice(advice: IsoMessage, id: string): Promise<void> {
    if (!advice.has(11)) advice.set(11, String(await this.options.store.nextStan()).padStart(6, '0'));
    if (!advice.has(41)) advice.set(41, this.options.terminalId);
    await this.options.store.enqueue({ id, kind: 'advice', message: advice.toJSON(), attempts: 0, createdAt: new Date().toISOString() });
    await this.flush().catch((err: unknown) => log.warn('advice stays queued', { error: (err as Error).message }));
  }

  /**
   * Sends everything owed, reversals first, each kind in order; a message is removed only
   * when the host acknowledged it. Repeats are sent as 0401 / 0221.
   */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    for (const kind of ['reversal', 'advice'] as QueueKind[]) {
      for (const item of await this.options.store.queued(kind)) await this.sendQueued(item);
    }
  }

  private async sendQueued(item: QueuedMessage): Promise<void> {
    const msg = IsoMessage.fromJSON(this.options.layout, item.message);
    if (item.attempts > 0) msg.mti = msg.mti.slice(0, 3) + '1'; // repeat: 0401, 0221
    item.attempts++;
    await this.options.store.update(item);
    msg.unset(7).unset(64).unset(128);
    const response = await this.request(msg, { reverseOnTimeout: false });
    const rc = response.text(39);
    if (item.kind === 'reversal' && !REVERSAL_DONE.has(rc)) throw new HostError('HOST_TIMEOUT', `reversal ${item.id} answered ${rc}: stays queued`);
    if (item.kind === 'advice' && ADVICE_RETRY.has(rc)) throw new HostError('HOST_TIMEOUT', `advice ${item.id} answered ${rc} (not processed): stays queued`);
    await this.options.store.dequeue(item.kind, item.id);
    log.info(`${item.kind} acknowledged`, { id: item.id, rc });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(new HostError('HOST_CLOSED', 'client closed'));
    this.waiting.clear();
    await this.channel?.close();
  }
}
