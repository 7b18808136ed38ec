/**
 * Simulated serial link: a pair of connected ends, one for the driver and one for the
 * chip model (the far end of the cable). Bytes written on one end arrive at the other
 * asynchronously, in order; optional line timing (10 bits per byte at the baud rate)
 * makes a slow printer port behave like one. Closing one end disconnects the other.
 */
import { SerialInbox } from '../serial-inbox.js';
import { HalError } from '../errors.js';
import { bounded, hex, type CallOptions, type Unsubscribe } from '../io.js';
import type { SerialLink } from '../serial.js';
import type { BusTrace } from './trace.js';

export interface SimSerialOptions {
  /** The profile's bus name (trace and messages). */
  name: string;
  trace?: BusTrace;
  /** When set, delivery takes 10 bits per byte at this rate. */
  lineRateBaud?: number;
}


export class SimSerialEnd implements SerialLink {
  peer!: SimSerialEnd;
  private readonly inbox = new SerialInbox();
  private readonly closeListeners = new Set<(error?: HalError) => void>();
  private open = true;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly side: 'driver' | 'device',
    private readonly options: SimSerialOptions,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  write(data: Uint8Array, options?: CallOptions): Promise<void> {
    if (!this.open) return Promise.reject(new HalError('HAL_CLOSED', `serial ${this.path}: write after close`));
    const copy = Uint8Array.from(data);
    const rate = this.options.lineRateBaud;
    const delayMs = rate ? (copy.length * 10 * 1000) / rate : 0;
    this.inFlight = this.inFlight.then(async () => {
      await new Promise((r) => (delayMs >= 1 ? setTimeout(r, delayMs) : setImmediate(r)));
      if (!this.open || !this.peer.open) return;
      this.options.trace?.record(this.options.name, { op: this.side === 'driver' ? 'write' : 'read', data: hex(copy) });
      this.peer.deliver(copy);
    });
    // write resolves when handed over (like the OS buffer), drain when delivered.
    return bounded(`serial ${this.path}: write`, Promise.resolve(), options, 5000);
  }

  drain(options?: CallOptions): Promise<void> {
    if (!this.open) return Promise.reject(new HalError('HAL_CLOSED', `serial ${this.path}: drain after close`));
    return bounded(`serial ${this.path}: drain`, this.inFlight, options, 5000);
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.inbox.add(listener);
  }

  onClose(listener: (error?: HalError) => void): Unsubscribe {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  private deliver(chunk: Uint8Array): void {
    if (!this.open) return;
    this.inbox.deliver(chunk);
  }

  /** The far end went away: close with HAL_DISCONNECTED. */
  private disconnect(): void {
    if (!this.open) return;
    this.open = false;
    const err = new HalError('HAL_DISCONNECTED', `serial ${this.path}: the other end closed`);
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.inbox.clear();
    setImmediate(() => listeners.forEach((l) => l(err)));
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.inbox.clear();
    this.closeListeners.clear();
    this.peer.disconnect();
  }
}

/** Creates a connected pair: `driver` is handed to the driver, `device` to the chip model. */
export function createSimSerialPair(options: SimSerialOptions): { driver: SimSerialEnd; device: SimSerialEnd } {
  const driver = new SimSerialEnd(`sim:${options.name}`, 'driver', options);
  const device = new SimSerialEnd(`sim:${options.name}#device`, 'device', options);
  driver.peer = device;
  device.peer = driver;
  return { driver, device };
}
