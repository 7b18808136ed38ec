// The PC/SC contract on the npm package `smartcard` (pcsc-lite's libpcsclite, loaded on
// first open). Readers and cards are polled with SCardListReaders + SCardGetStatusChange
// (timeout 0) every `pollIntervalMs`: a blocking SCardGetStatusChange cannot be woken
// reliably when pcscd itself goes away, and a poll also notices a dead context at once.
// pcscd dying (or restarting) invalidates the context: it is re-established on the next
// poll that finds pcscd answering again.
import type * as Smartcard from 'smartcard';
import { HalError } from '../errors.js';
import { bounded, type CallOptions, type Unsubscribe } from '../io.js';
import { OpQueue } from '../op-queue.js';
import {
  PCSC_TIMEOUTS,
  PcscError,
  PcscEventHub,
  isPcscError,
  type PcscCapabilities,
  type PcscCard,
  type PcscConnectOptions,
  type PcscContext,
  type PcscDisposition,
  type PcscEvent,
  type PcscFault,
  type PcscProtocol,
  type PcscReaderStatus,
} from '../pcsc.js';
import { isValidAtr } from '../../emv/atr/atr.js';

type SmartcardModule = typeof Smartcard;
type NativeContext = InstanceType<SmartcardModule['Context']>;
type NativeCard = Smartcard.CardInterface;

export interface LinuxPcscOptions {
  /** How often readers and cards are polled. Default 100 ms. */
  pollIntervalMs?: number;
}

async function loadSmartcard(): Promise<SmartcardModule> {
  const mod = (await import('smartcard')) as SmartcardModule & { default?: SmartcardModule };
  return mod.Context !== undefined ? mod : mod.default!;
}

// pcsc-lite error texts as the addon reports them (smartcard src/pcsc_errors.h) -> fault.
const FAULT_BY_MESSAGE: ReadonlyArray<readonly [string, PcscFault]> = [
  ['Card was removed', 'card-removed'],
  ['Card was reset', 'card-removed'],
  ['Card is unpowered', 'card-removed'],
  ['No smart card present', 'no-card'],
  ['Card is unresponsive', 'mute'],
  ['Invalid ATR', 'mute'],
  ['Sharing violation', 'sharing-violation'],
  ['Protocol mismatch', 'protocol-mismatch'],
  ['Reader unavailable', 'reader-gone'],
  ['Unknown reader', 'reader-gone'],
  ['PC/SC service not running', 'service-gone'],
  ['PC/SC service stopped', 'service-gone'],
  ['Invalid handle', 'service-gone'],
  ['Context is not valid', 'service-gone'],
  ['Communication error', 'service-gone'],
];

function toPcscError(err: unknown, what: string, mid?: boolean): HalError {
  if (err instanceof HalError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes('Operation timed out')) return new HalError('HAL_TIMEOUT', `${what}: ${message}`, { cause: err });
  let fault = FAULT_BY_MESSAGE.find(([text]) => message.includes(text))?.[1];
  if (fault === undefined) return new HalError('HAL_IO', `${what}: ${message}`, { cause: err });
  // A card that vanished during an exchange was removed, whatever pcscd calls it.
  if (mid === true && fault === 'no-card') fault = 'card-removed';
  const detail: Record<PcscFault, string> = {
    'card-removed': 'the card was removed',
    'no-card': 'no card in the reader',
    mute: 'the card gave no valid answer to reset',
    'sharing-violation': 'another application holds the card exclusively',
    'protocol-mismatch': 'the card offers none of the requested protocols',
    'reader-gone': 'the reader went away',
    'service-gone': 'pcscd is not running or went away',
  };
  return new PcscError(fault, `${what}: ${detail[fault]} (${message})`, { cause: err });
}

export class LinuxPcscContext implements PcscContext {
  readonly capabilities: PcscCapabilities = { unpower: false };
  private readonly hub = new PcscEventHub();
  private readonly connections = new Set<LinuxPcscCard>();
  private ctx: NativeContext | undefined;
  private counters = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Bumped each time the context is lost: connections of an older epoch are dead. */
  epoch = 0;
  /** Native calls running on a worker thread (connect, transmit, reconnect). */
  private busy = 0;

  private constructor(
    readonly sc: SmartcardModule,
    private readonly pollIntervalMs: number,
  ) {}

  /** Loads the addon and starts polling. Never fails because pcscd is down: the context then starts lost and keeps trying. */
  static async open(options: LinuxPcscOptions = {}): Promise<LinuxPcscContext> {
    let sc: SmartcardModule;
    try {
      sc = await loadSmartcard();
    } catch (err) {
      throw new HalError('HAL_UNSUPPORTED', `PC/SC: the smartcard addon does not load (install libpcsclite-dev and rebuild): ${String((err as Error).message)}`, { cause: err });
    }
    const context = new LinuxPcscContext(sc, options.pollIntervalMs ?? 100);
    context.poll(true);
    return context;
  }

  get serviceAvailable(): boolean {
    return this.ctx !== undefined;
  }

  /**
   * Tracks a native call that runs on a worker thread. While one runs, the poll leaves the
   * context alone: pcsc-lite locks a context for the whole of a call, so a synchronous
   * listReaders would block the event loop until the other call ends, and a card answered
   * from this very process (the vpcd card server) could then never answer it.
   */
  async track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work;
    } finally {
      this.busy--;
    }
  }

  private poll(first = false): void {
    if (this.closed) return;
    if (this.busy > 0) {
      this.timer = setTimeout(() => this.poll(), this.pollIntervalMs);
      this.timer.unref?.();
      return;
    }
    if (this.ctx === undefined) {
      try {
        this.ctx = new this.sc.Context();
        const snapshot = this.snapshot(this.ctx);
        if (first) this.hub.update(snapshot);
        else this.hub.serviceRestored(snapshot);
      } catch (err) {
        this.drop();
        if (first) this.hub.serviceLost(toPcscError(err, 'PC/SC') as PcscError);
      }
    } else {
      try {
        this.hub.update(this.snapshot(this.ctx));
      } catch (err) {
        this.drop();
        const e = toPcscError(err, 'PC/SC');
        this.hub.serviceLost(e instanceof PcscError ? e : new PcscError('service-gone', `PC/SC: ${e.message}`, { cause: err }));
      }
    }
    this.timer = setTimeout(() => this.poll(), this.pollIntervalMs);
    this.timer.unref?.();
  }

  private drop(): void {
    this.epoch++;
    for (const c of this.connections) c.kill();
    this.connections.clear();
    this.counters.clear();
    try {
      this.ctx?.close();
    } catch {
      // The daemon is gone already: nothing to release.
    }
    this.ctx = undefined;
  }

  private snapshot(ctx: NativeContext): PcscReaderStatus[] {
    const { SCARD_STATE_PRESENT, SCARD_STATE_MUTE } = this.sc;
    return ctx.listReaders().map((r) => {
      const present = (r.state & SCARD_STATE_PRESENT) !== 0;
      const atr = present && r.atr ? Uint8Array.from(r.atr) : new Uint8Array(0);
      const mute = present && ((r.state & SCARD_STATE_MUTE) !== 0 || !isValidAtr(atr));
      // pcsc-lite counts card events in the upper 16 bits: a change with the card still
      // present means it was pulled and put back between two polls.
      const count = r.state >>> 16;
      const before = this.counters.get(r.name);
      this.counters.set(r.name, count);
      const known = this.hub.readers.find((k) => k.name === r.name);
      if (before !== undefined && before !== count && present && known?.cardPresent) setImmediate(() => this.hub.cardCycled(r.name));
      return { name: r.name, cardPresent: present, mute, atr: mute ? new Uint8Array(0) : atr };
    });
  }

  private check(what: string): NativeContext {
    if (this.closed) throw new HalError('HAL_CLOSED', `PC/SC: ${what} after close`);
    if (this.ctx === undefined) throw new PcscError('service-gone', `PC/SC: ${what}: pcscd is not running (the context is re-established when it is back)`);
    return this.ctx;
  }

  async listReaders(options?: CallOptions): Promise<PcscReaderStatus[]> {
    const ctx = this.check('listReaders');
    return bounded('PC/SC: listReaders', Promise.resolve().then(() => this.snapshot(ctx)), options, PCSC_TIMEOUTS.listReaders).catch((err: unknown) => {
      throw toPcscError(err, 'PC/SC: listReaders');
    });
  }

  onEvent(listener: (event: PcscEvent) => void): Unsubscribe {
    return this.hub.subscribe(listener);
  }

  async connect(reader: string, options?: PcscConnectOptions): Promise<PcscCard> {
    const ctx = this.check('connect');
    const what = `PC/SC "${reader}": connect`;
    const status = this.hub.readers.find((r) => r.name === reader);
    if (status?.cardPresent && status.mute) throw new PcscError('mute', `${what}: the card gave no valid answer to reset`);
    const native = ctx.listReaders().find((r) => r.name === reader);
    if (native === undefined) throw new PcscError('reader-gone', `${what}: no such reader`);
    const accepted = options?.protocols ?? ['T=0', 'T=1'];
    const mask = (accepted.includes('T=0') ? this.sc.SCARD_PROTOCOL_T0 : 0) | (accepted.includes('T=1') ? this.sc.SCARD_PROTOCOL_T1 : 0);
    const share = options?.share === 'exclusive' ? this.sc.SCARD_SHARE_EXCLUSIVE : this.sc.SCARD_SHARE_SHARED;
    const epoch = this.epoch;
    const connecting = this.track(native.connect(share, mask));
    let card: NativeCard;
    try {
      card = await bounded(what, connecting, options, PCSC_TIMEOUTS.connect);
    } catch (err) {
      // A connect that completes after its time limit is released at once.
      connecting.then((late) => late.disconnect(this.sc.SCARD_LEAVE_CARD), () => undefined).catch(() => undefined);
      throw toPcscError(err, what);
    }
    if (this.closed || epoch !== this.epoch) {
      try {
        card.disconnect(this.sc.SCARD_LEAVE_CARD);
      } catch {
        // Context already gone.
      }
      throw this.closed ? new HalError('HAL_CLOSED', `${what}: closed`) : new PcscError('service-gone', `${what}: pcscd went away`);
    }
    const protocol: PcscProtocol = card.protocol === this.sc.SCARD_PROTOCOL_T1 ? 'T=1' : 'T=0';
    const atr = card.atr ? Uint8Array.from(card.atr) : (status?.atr ?? new Uint8Array(0));
    const handle = new LinuxPcscCard(this, reader, card, atr, protocol);
    this.connections.add(handle);
    return handle;
  }

  /** @internal */
  forget(card: LinuxPcscCard): void {
    this.connections.delete(card);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.hub.close();
    const open = [...this.connections];
    await Promise.allSettled(open.map((c) => c.disconnect('leave')));
    this.drop();
  }
}

class LinuxPcscCard implements PcscCard {
  private readonly queue: OpQueue;
  private open = true;
  private dead: PcscError | undefined;

  constructor(
    private readonly ctx: LinuxPcscContext,
    readonly reader: string,
    private readonly card: NativeCard,
    public atr: Uint8Array,
    readonly protocol: PcscProtocol,
  ) {
    this.queue = new OpQueue(`PC/SC "${reader}"`);
  }

  get connected(): boolean {
    return this.open && this.dead === undefined;
  }

  /** @internal pcscd went away: every later call fails with service-gone. */
  kill(): void {
    this.dead = new PcscError('service-gone', `PC/SC "${this.reader}": pcscd went away during the connection`);
  }

  private live(what: string): void {
    if (!this.open) throw new HalError('HAL_CLOSED', `PC/SC "${this.reader}": ${what} after disconnect`);
    if (this.dead) throw this.dead;
  }

  transmit(capdu: Uint8Array, options?: CallOptions): Promise<Uint8Array> {
    const command = Buffer.from(capdu);
    return this.queue.run(
      'transmit',
      async () => {
        this.live('transmit');
        try {
          const answer = await this.ctx.track(this.card.transmit(command, { maxRecvLength: 258 }));
          this.live('transmit');
          // Every R-APDU ends with SW1 SW2 (ISO/IEC 7816-4 5.1). Less means the reader lost the
          // card during the exchange (vpcd answers an empty response when its card leaves).
          if (answer.length < 2) throw new PcscError('card-removed', `PC/SC "${this.reader}": transmit: no status word from the reader: the card stopped answering during the APDU (removed)`);
          return Uint8Array.from(answer);
        } catch (err) {
          if (this.dead) throw this.dead;
          const e = toPcscError(err, `PC/SC "${this.reader}": transmit`, true);
          // The card left mid-APDU: the connection is dead, whatever pcscd says to the next call.
          if (isPcscError(e, 'card-removed')) this.dead = e;
          throw e;
        }
      },
      options,
      PCSC_TIMEOUTS.transmit,
    );
  }

  reset(options?: CallOptions): Promise<Uint8Array> {
    return this.queue.run(
      'reset',
      async () => {
        this.live('reset');
        const sc = this.ctx.sc;
        try {
          await this.ctx.track(this.card.reconnect(sc.SCARD_SHARE_SHARED, this.protocol === 'T=1' ? sc.SCARD_PROTOCOL_T1 : sc.SCARD_PROTOCOL_T0, sc.SCARD_RESET_CARD));
          this.atr = Uint8Array.from(this.card.getStatus().atr);
          return Uint8Array.from(this.atr);
        } catch (err) {
          if (this.dead) throw this.dead;
          throw toPcscError(err, `PC/SC "${this.reader}": reset`, true);
        }
      },
      options,
      PCSC_TIMEOUTS.connect,
    );
  }

  async disconnect(disposition: PcscDisposition = 'leave'): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.queue.close();
    this.ctx.forget(this);
    if (this.dead?.fault === 'service-gone') return;
    const sc = this.ctx.sc;
    // SCardDisconnect is synchronous in the addon: with a reset or power-down disposition
    // pcscd talks to the card inside it and the event loop stands still meanwhile (a card
    // served from this process could never answer). So the reset or power cycle is an
    // asynchronous SCardReconnect, and the disconnect itself leaves the card; pcscd powers
    // an idle card down on its own (capabilities.unpower is false).
    if (disposition !== 'leave') {
      const init = disposition === 'reset' ? sc.SCARD_RESET_CARD : sc.SCARD_UNPOWER_CARD;
      const mask = this.protocol === 'T=1' ? sc.SCARD_PROTOCOL_T1 : sc.SCARD_PROTOCOL_T0;
      await this.ctx.track(this.card.reconnect(sc.SCARD_SHARE_SHARED, mask, init)).catch(() => undefined);
    }
    try {
      this.card.disconnect(sc.SCARD_LEAVE_CARD);
    } catch {
      // Removed card or vanished daemon: the handle is gone either way.
    }
  }
}
