/**
 * One PC/SC reader chosen by name pattern, followed through the context's events: whether
 * it is there (and pcscd with it), whether a card sits in it, and the connection to that
 * card. Shared by the contact and contactless roles.
 */
import { HalError } from '../../errors.js';
import { sleep, type CallOptions, type Unsubscribe } from '../../io.js';
import { OpQueue } from '../../op-queue.js';
import { isPcscError, type PcscCard, type PcscContext, type PcscEvent, type PcscProtocol, type PcscShareMode } from '../../pcsc.js';

export interface PcscSlotOptions {
  pcsc: PcscContext;
  /** Case-insensitive regular expression (or plain substring) of the reader name. */
  readerPattern: string;
  share?: PcscShareMode;
  /** Close the context with the slot (the driver owns it). Default false. */
  ownsContext?: boolean;
}

export type SlotChange = 'inserted' | 'removed' | 'ready' | 'out-of-service';

export class PcscSlot {
  readonly pattern: RegExp;
  readonly queue: OpQueue;
  reader: string | undefined;
  cardPresent = false;
  cardMute = false;
  connection: PcscCard | undefined;
  outReason = 'no reader matches yet';
  private readonly listeners = new Set<(change: SlotChange) => void>();
  private readonly unsubscribe: Unsubscribe;
  private closed = false;

  constructor(private readonly options: PcscSlotOptions) {
    this.pattern = new RegExp(options.readerPattern, 'iu');
    this.queue = new OpQueue(`PC/SC reader /${options.readerPattern}/`);
    this.unsubscribe = options.pcsc.onEvent((e) => this.onEvent(e));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get ready(): boolean {
    return this.reader !== undefined && this.options.pcsc.serviceAvailable;
  }

  get share(): PcscShareMode {
    return this.options.share ?? 'exclusive';
  }

  on(listener: (change: SlotChange) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private tell(change: SlotChange): void {
    if (this.closed) return;
    for (const l of [...this.listeners]) l(change);
  }

  private onEvent(e: PcscEvent): void {
    if (this.closed) return;
    switch (e.type) {
      case 'reader-added':
        if (this.reader === undefined && this.pattern.test(e.reader)) {
          this.reader = e.reader;
          if (this.ready) this.tell('ready');
        }
        return;
      case 'reader-removed':
        if (e.reader !== this.reader) return;
        this.reader = undefined;
        // With pcscd gone every reader goes with it: the reason stays "pcscd went away".
        if (this.options.pcsc.serviceAvailable) this.outReason = `reader "${e.reader}" went away (unplugged?)`;
        this.dropConnection();
        this.tell('out-of-service');
        return;
      case 'card-inserted':
        if (e.reader !== this.reader) return;
        this.cardPresent = true;
        this.cardMute = e.mute;
        this.tell('inserted');
        return;
      case 'card-removed':
        if (e.reader !== this.reader) return;
        this.cardPresent = false;
        this.cardMute = false;
        this.dropConnection();
        this.tell('removed');
        return;
      case 'service-lost':
        this.outReason = `pcscd went away (${e.error.message})`;
        this.dropConnection();
        this.tell('out-of-service');
        return;
      case 'service-restored':
        return;
    }
  }

  private dropConnection(): void {
    const c = this.connection;
    this.connection = undefined;
    void c?.disconnect('leave').catch(() => undefined);
  }

  /** Connects to the card (cold: an existing connection is powered down first). */
  async connect(protocols: readonly PcscProtocol[], options?: CallOptions): Promise<PcscCard> {
    if (this.connection) {
      const old = this.connection;
      this.connection = undefined;
      await old.disconnect('unpower').catch(() => undefined);
    }
    const card = await this.options.pcsc.connect(this.reader!, { share: this.share, protocols, ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(options?.signal ? { signal: options.signal } : {}) });
    if (this.closed) {
      await card.disconnect('leave').catch(() => undefined);
      throw new HalError('HAL_CLOSED', 'PC/SC reader: closed');
    }
    this.connection = card;
    return card;
  }

  /** Resolves once `test()` holds, re-checking at each change; bounded. */
  async until(test: () => boolean, what: string, options: CallOptions | undefined, defaultMs: number): Promise<void> {
    if (test()) return;
    const timeoutMs = options?.timeoutMs ?? defaultMs;
    let unsubscribe: Unsubscribe = () => undefined;
    const changed = new Promise<void>((resolve) => {
      unsubscribe = this.on(() => test() && resolve());
    });
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    options?.signal?.addEventListener('abort', stop, { once: true });
    try {
      await Promise.race([
        changed,
        sleep(timeoutMs, ac.signal).then(
          () => {
            throw new HalError('HAL_TIMEOUT', `${what}: not within ${timeoutMs} ms`);
          },
          () => {
            if (!test()) throw new HalError(options?.signal?.aborted ? 'HAL_ABORTED' : 'HAL_CLOSED', `${what}: ${options?.signal?.aborted ? 'aborted' : 'closed'}`);
          },
        ),
      ]);
    } finally {
      unsubscribe();
      ac.abort();
      options?.signal?.removeEventListener('abort', stop);
    }
  }

  /** Ends the connection to the card, if any: `leave` it powered or `unpower` it. */
  async release(disposition: 'leave' | 'unpower'): Promise<void> {
    const card = this.connection;
    this.connection = undefined;
    await card?.disconnect(disposition).catch(() => undefined);
  }

  /** One role operation, queued behind the others; failures pass through `mapError`. */
  async run<T>(label: string, options: CallOptions | undefined, defaultMs: number, op: () => Promise<T>, mapError: (err: unknown) => unknown): Promise<T> {
    try {
      return await this.queue.run(label, op, options, defaultMs);
    } catch (err) {
      throw mapError(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.listeners.clear();
    await this.queue.close();
    const c = this.connection;
    this.connection = undefined;
    await c?.disconnect('unpower').catch(() => undefined);
    if (this.options.ownsContext) await this.options.pcsc.close();
  }
}

/** A PcscError of a vanished reader or daemon. */
export function isOutOfService(err: unknown): boolean {
  return isPcscError(err, 'reader-gone') || isPcscError(err, 'service-gone');
}
