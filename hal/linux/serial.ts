// The serial contract on serialport 13 (loaded on first open). SerialPort.list() is never
// called: it spawns udevadm and rejects where udev is missing (hardware.md risk 10). No
// modem-control calls either: set()/get() fail on pseudo-terminals (risk 11).
import { SerialInbox } from '../serial-inbox.js';
import type { SerialPort } from 'serialport';
import { HalError } from '../errors.js';
import { bounded, type CallOptions, type Unsubscribe } from '../io.js';
import { OpQueue } from '../op-queue.js';
import { DEFAULT_SERIAL, type SerialLink, type SerialOpener, type SerialOptions } from '../serial.js';
import { errnoName, toHalError } from './errno.js';

type SerialPortClass = typeof SerialPort;

/** The contract's default time limit for write and drain (hal/serial.ts). */
const SERIAL_TIMEOUT_MS = 5000;
const OPEN_TIMEOUT_MS = 5000;

async function loadSerialPort(): Promise<SerialPortClass> {
  const mod = (await import('serialport')) as { SerialPort?: SerialPortClass; default?: { SerialPort: SerialPortClass } };
  return mod.SerialPort ?? mod.default!.SerialPort;
}

function validate(path: string, options: Required<SerialOptions>): void {
  const bad = (what: string): HalError => new HalError('HAL_INVALID_ARGUMENT', `serial ${path}: ${what}`);
  if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) throw bad(`baud rate ${options.baudRate}`);
  if (options.dataBits !== 7 && options.dataBits !== 8) throw bad(`data bits ${String(options.dataBits)}`);
  if (options.stopBits !== 1 && options.stopBits !== 2) throw bad(`stop bits ${String(options.stopBits)}`);
  if (!['none', 'even', 'odd'].includes(options.parity)) throw bad(`parity ${String(options.parity)}`);
}

export class LinuxSerialOpener implements SerialOpener {
  async open(path: string, options: SerialOptions): Promise<SerialLink> {
    const settings = { ...DEFAULT_SERIAL, ...options };
    validate(path, settings);
    const SerialPortCtor = await loadSerialPort();
    const port = new SerialPortCtor({ path, ...settings, autoOpen: false });
    // An error event without a listener would crash the process; failures reach callers
    // through callbacks and the close event.
    port.on('error', () => undefined);
    const opening = new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(toHalError(err, path, 'open')) : resolve())));
    try {
      await bounded(`serial ${path}: open`, opening, { timeoutMs: OPEN_TIMEOUT_MS });
    } catch (err) {
      opening.then(() => port.close(), () => undefined);
      throw err;
    }
    return new LinuxSerialLink(path, port);
  }
}

export class LinuxSerialLink implements SerialLink {
  private readonly inbox = new SerialInbox();
  private readonly closeListeners = new Set<(error?: HalError) => void>();
  private open = true;
  private readonly queue: OpQueue;

  constructor(
    readonly path: string,
    private readonly port: SerialPort,
  ) {
    this.queue = new OpQueue(`serial ${path}`);
    // Always reading: bytes with no listener are buffered by the contract's rule, and a
    // reading port learns at once that the far end went away (close with disconnected).
    port.on('data', (chunk: Buffer) => this.deliver(chunk));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (err?.disconnected) this.disconnect(err);
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  private check(what: string): void {
    if (!this.open) throw new HalError('HAL_CLOSED', `serial ${this.path}: ${what} after close`);
  }

  /** A failed write on a tty means the line hung up (EIO when the pty peer or USB adapter went away). */
  private writeError(err: unknown, what: string): HalError {
    const name = errnoName(err);
    if (name === 'EIO' || (err as { disconnected?: boolean } | null)?.disconnected) {
      return new HalError('HAL_DISCONNECTED', `serial ${this.path}: ${what}: the other end went away`, { cause: err });
    }
    if (!this.open) return new HalError('HAL_CLOSED', `serial ${this.path}: ${what}: closed`, { cause: err });
    return toHalError(err, this.path, what);
  }

  async write(data: Uint8Array, options?: CallOptions): Promise<void> {
    this.check('write');
    const copy = Buffer.from(data);
    await this.queue.run(
      'write',
      () => new Promise<void>((resolve, reject) => this.port.write(copy, (err) => (err ? reject(this.writeError(err, 'write')) : resolve()))),
      options,
      SERIAL_TIMEOUT_MS,
    );
  }

  async drain(options?: CallOptions): Promise<void> {
    this.check('drain');
    await this.queue.run(
      'drain',
      () => new Promise<void>((resolve, reject) => this.port.drain((err) => (err ? reject(this.writeError(err, 'drain')) : resolve()))),
      options,
      SERIAL_TIMEOUT_MS,
    );
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    return this.inbox.add(listener);
  }

  onClose(listener: (error?: HalError) => void): Unsubscribe {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  private deliver(chunk: Buffer): void {
    if (!this.open) return;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    // Copied when kept: serialport reads into a shared pool that later reads reuse.
    this.inbox.deliver(bytes, true);
  }

  private disconnect(cause: Error): void {
    if (!this.open) return;
    this.open = false;
    const err = new HalError('HAL_DISCONNECTED', `serial ${this.path}: the other end went away`, { cause });
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.inbox.clear();
    void this.queue.close();
    setImmediate(() => listeners.forEach((l) => l(err)));
  }

  async close(): Promise<void> {
    if (!this.open) {
      await this.queue.close();
      return;
    }
    this.open = false;
    this.inbox.clear();
    this.closeListeners.clear();
    await this.queue.close();
    if (this.port.isOpen) {
      await new Promise<void>((resolve) => this.port.close(() => resolve()));
    }
  }
}
