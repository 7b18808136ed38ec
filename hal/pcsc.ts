/**
 * PC/SC contract (the PC/SC Workgroup's resource manager API as pcsc-lite's pcscd serves
 * it): a context lists readers, reports readers and cards coming and going, and connects
 * to a card in a reader to exchange APDUs. The Linux backend runs on the npm package
 * `smartcard` against pcscd; the sim backend serves virtual cards in-process.
 *
 * Rules:
 * - Every call returns a Promise bounded by {@link CallOptions}; defaults: connect 5000 ms
 *   (a card's ATR plus protocol selection), transmit 10000 ms (a GENERATE AC on a slow
 *   card), disconnect and listReaders 2000 ms.
 * - One APDU in flight per card connection; calls are queued in call order.
 * - Events ({@link PcscEvent}) are delivered asynchronously in the order the changes were
 *   seen; a listener never runs inside the call that subscribed it. For every reader a
 *   `card-inserted` is followed by a `card-removed` before the next `card-inserted`.
 *   Subscribing replays the current state (a `reader-added` per reader and a
 *   `card-inserted` per present card) so a late subscriber misses nothing.
 * - Faults reject with a {@link PcscError} (a HalError) whose `fault` names the cause:
 *   - card removed mid-APDU or between calls: `card-removed`, code HAL_DEVICE; the
 *     connection is dead (connect again after a new insertion);
 *   - no card in the reader at connect: `no-card`, HAL_DEVICE;
 *   - the card gave no (valid) ATR: `mute`, HAL_DEVICE;
 *   - another process holds the card exclusively: `sharing-violation`, HAL_BUSY;
 *   - the card offers none of the requested protocols: `protocol-mismatch`, HAL_UNSUPPORTED;
 *   - the reader went away (USB unplug): `reader-gone`, HAL_DISCONNECTED;
 *   - the resource manager (pcscd) is gone: `service-gone`, HAL_DISCONNECTED.
 * - pcscd going away is not the end: the context emits `service-lost`, a `reader-removed`
 *   per reader, keeps trying to re-establish itself, and emits `service-restored` and the
 *   replayed state once pcscd answers again. A backend never crashes the process on any of
 *   these (no unhandled rejection, no uncaught native error).
 * - After `close()` resolves no listener fires and every call rejects with HAL_CLOSED;
 *   calls in flight settle (HAL_CLOSED) before close resolves. Open connections are
 *   released with the `leave` disposition.
 */
import { HalError } from './errors.js';
import type { CallOptions, Unsubscribe } from './io.js';

/** Transmission protocols (ISO/IEC 7816-3 clauses 10 and 11). */
export type PcscProtocol = 'T=0' | 'T=1';

/** Exclusive: no other application may connect while the connection lasts. */
export type PcscShareMode = 'shared' | 'exclusive';

/** What happens to the card on disconnect: left powered, warm reset, or powered down. */
export type PcscDisposition = 'leave' | 'reset' | 'unpower';

export type PcscFault = 'card-removed' | 'no-card' | 'mute' | 'sharing-violation' | 'protocol-mismatch' | 'reader-gone' | 'service-gone';

/** Meaning and HAL code of each {@link PcscFault}; this table is the authority. */
export const PCSC_FAULTS: Readonly<Record<PcscFault, { code: HalError['code']; meaning: string }>> = {
  'card-removed': { code: 'HAL_DEVICE', meaning: 'the card was removed (during the APDU or since connect)' },
  'no-card': { code: 'HAL_DEVICE', meaning: 'no card in the reader' },
  mute: { code: 'HAL_DEVICE', meaning: 'the card gave no valid answer to reset (mute or unresponsive card)' },
  'sharing-violation': { code: 'HAL_BUSY', meaning: 'another application holds the card exclusively' },
  'protocol-mismatch': { code: 'HAL_UNSUPPORTED', meaning: 'the card offers none of the requested protocols' },
  'reader-gone': { code: 'HAL_DISCONNECTED', meaning: 'the reader went away (unplugged)' },
  'service-gone': { code: 'HAL_DISCONNECTED', meaning: 'the PC/SC resource manager (pcscd) is not running or went away' },
};

export class PcscError extends HalError {
  readonly fault: PcscFault;

  constructor(fault: PcscFault, message: string, options?: { cause?: unknown }) {
    super(PCSC_FAULTS[fault].code, message, options);
    this.fault = fault;
  }
}

export function isPcscError(err: unknown, fault?: PcscFault): err is PcscError {
  return err instanceof PcscError && (fault === undefined || err.fault === fault);
}

/** A reader as the resource manager reports it. */
export interface PcscReaderStatus {
  /** The reader's PC/SC name, e.g. "ACS ACR39U ICC Reader 00 00" or "Virtual PCD 00 00". */
  readonly name: string;
  readonly cardPresent: boolean;
  /** A card is present but gave no valid ATR (SCARD_STATE_MUTE). */
  readonly mute: boolean;
  /** The ATR of the present card; empty when no card or mute. */
  readonly atr: Uint8Array;
}

export type PcscEvent =
  | { readonly type: 'reader-added'; readonly reader: string }
  | { readonly type: 'reader-removed'; readonly reader: string }
  /** `atr` is empty and `mute` true when the card gave no ATR. */
  | { readonly type: 'card-inserted'; readonly reader: string; readonly atr: Uint8Array; readonly mute: boolean }
  | { readonly type: 'card-removed'; readonly reader: string }
  /** pcscd went away (`error` fault `service-gone`); the context keeps trying to come back. */
  | { readonly type: 'service-lost'; readonly error: PcscError }
  | { readonly type: 'service-restored' };

export interface PcscConnectOptions extends CallOptions {
  /** Default `shared`. */
  share?: PcscShareMode;
  /** Protocols the caller accepts; the card's first offered one of these is activated. Default both. */
  protocols?: readonly PcscProtocol[];
}

/** A connection to the card in one reader. */
export interface PcscCard {
  readonly reader: string;
  /** The ATR read at connect (or at the last reconnect). */
  readonly atr: Uint8Array;
  readonly protocol: PcscProtocol;
  /** False once disconnected, removed, or the context closed. */
  readonly connected: boolean;
  /**
   * Sends one C-APDU and resolves with the R-APDU exactly as the card answered (data and
   * SW1 SW2; no 61xx/6Cxx handling: that is the caller's, see emv/transport). The
   * returned buffer is the caller's.
   */
  transmit(capdu: Uint8Array, options?: CallOptions): Promise<Uint8Array>;
  /** Warm reset (SCardReconnect with SCARD_RESET_CARD); resolves with the new ATR. */
  reset(options?: CallOptions): Promise<Uint8Array>;
  /** Ends the connection; default disposition `leave`. Idempotent. */
  disconnect(disposition?: PcscDisposition, options?: CallOptions): Promise<void>;
}

export interface PcscCapabilities {
  /**
   * `disconnect('unpower')` leaves the card powered down at once. When false the card is
   * power-cycled and left to the resource manager, which powers an idle card down itself.
   */
  readonly unpower: boolean;
}

export interface PcscContext {
  readonly capabilities: PcscCapabilities;
  /** True while the resource manager answers. */
  readonly serviceAvailable: boolean;
  listReaders(options?: CallOptions): Promise<PcscReaderStatus[]>;
  /** Subscribes to changes; replays the current state first (see the rules above). */
  onEvent(listener: (event: PcscEvent) => void): Unsubscribe;
  /** Connects to the card in `reader` (powering it up when it is not). */
  connect(reader: string, options?: PcscConnectOptions): Promise<PcscCard>;
  close(): Promise<void>;
}

/** Default time limits in milliseconds (the rules above). */
export const PCSC_TIMEOUTS = { connect: 5000, transmit: 10000, disconnect: 2000, listReaders: 2000 } as const;

/**
 * A contact card as the far end of a sim or vpcd reader sees it: its ATR and a function
 * answering each C-APDU with the whole R-APDU. An empty ATR is a mute card. Throwing from
 * `transceive` means the card stopped answering (it is treated as pulled out). `reset`
 * is called at each power-up and warm reset.
 */
export interface VirtualContactCard {
  readonly atr: Uint8Array;
  transceive(capdu: Uint8Array): Uint8Array | Promise<Uint8Array>;
  reset?(): void;
}

/**
 * The event side every backend shares: it keeps the last seen state of each reader,
 * turns a fresh snapshot into the events of the contract (in order, card-removed before
 * reader-removed, reader-added before card-inserted), replays the state to new
 * subscribers, and delivers asynchronously, never after `close()`.
 */
export class PcscEventHub {
  private readonly listeners = new Set<(event: PcscEvent) => void>();
  private readonly known = new Map<string, PcscReaderStatus>();
  private closed = false;

  get readers(): PcscReaderStatus[] {
    return [...this.known.values()];
  }

  subscribe(listener: (event: PcscEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    const replay: PcscEvent[] = [];
    for (const r of this.known.values()) replay.push({ type: 'reader-added', reader: r.name }, ...(r.cardPresent ? [inserted(r)] : []));
    if (replay.length > 0) setImmediate(() => replay.forEach((e) => this.listeners.has(listener) && !this.closed && listener(e)));
    return () => void this.listeners.delete(listener);
  }

  /** Diffs a complete snapshot of the readers against the last one and emits the changes. */
  update(snapshot: readonly PcscReaderStatus[]): void {
    const events: PcscEvent[] = [];
    const seen = new Set(snapshot.map((r) => r.name));
    for (const [name, old] of this.known) {
      if (seen.has(name)) continue;
      if (old.cardPresent) events.push({ type: 'card-removed', reader: name });
      events.push({ type: 'reader-removed', reader: name });
      this.known.delete(name);
    }
    for (const r of snapshot) {
      const old = this.known.get(r.name);
      if (old === undefined) events.push({ type: 'reader-added', reader: r.name });
      const changed = old !== undefined && old.cardPresent && r.cardPresent && (old.mute !== r.mute || !sameBytes(old.atr, r.atr));
      if (old?.cardPresent && (!r.cardPresent || changed)) events.push({ type: 'card-removed', reader: r.name });
      if (r.cardPresent && (!old?.cardPresent || changed)) events.push(inserted(r));
      this.known.set(r.name, { name: r.name, cardPresent: r.cardPresent, mute: r.mute, atr: Uint8Array.from(r.atr) });
    }
    this.emit(events);
  }

  /** A card left and came back between two snapshots (a backend that saw it says so). */
  cardCycled(reader: string): void {
    const r = this.known.get(reader);
    if (r?.cardPresent) this.emit([{ type: 'card-removed', reader }, inserted(r)]);
  }

  serviceLost(error: PcscError): void {
    this.emit([{ type: 'service-lost', error }]);
    this.update([]);
  }

  serviceRestored(snapshot: readonly PcscReaderStatus[]): void {
    this.emit([{ type: 'service-restored' }]);
    this.update(snapshot);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
  }

  private emit(events: PcscEvent[]): void {
    if (events.length === 0 || this.closed) return;
    // Listeners subscribed after this change get it through their replay instead.
    const targets = [...this.listeners];
    setImmediate(() => {
      for (const e of events) for (const l of targets) if (!this.closed && this.listeners.has(l)) l(e);
    });
  }
}

function inserted(r: PcscReaderStatus): PcscEvent {
  return { type: 'card-inserted', reader: r.name, atr: Uint8Array.from(r.atr), mute: r.mute };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
