/**
 * TEST-ONLY ADAPTER: `serialport`'s SerialPort wrapped into the SerialLink contract
 * (hal/serial.ts), plus a socat pseudo-terminal pair, so the serial drivers can be tested
 * over a real tty. To be replaced by the Linux backend (hal/linux/serial.ts) once it
 * lands; nothing outside test/ may use it.
 */
import { spawn } from 'node:child_process';
import { SerialPort } from 'serialport';
import { HalError } from '../../hal/errors.js';
import { bounded, type CallOptions, type Unsubscribe } from '../../hal/io.js';
import type { SerialLink } from '../../hal/serial.js';
import { createSimSerialPair } from '../../hal/sim/serial.js';

const BUFFER_LIMIT = 64 * 1024;

export class TestPtyLink implements SerialLink {
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(error?: HalError) => void>();
  private buffered: Buffer[] = [];
  private closing = false;

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      if (this.closing) return;
      if (this.dataListeners.size === 0) {
        this.buffered.push(chunk);
        let size = this.buffered.reduce((n, c) => n + c.length, 0);
        while (size > BUFFER_LIMIT) size -= this.buffered.shift()!.length;
        return;
      }
      for (const l of [...this.dataListeners]) l(chunk);
    });
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.closing) return;
      this.closing = true;
      const error = new HalError('HAL_DISCONNECTED', `serial ${this.path}: the other end closed`, { cause: err });
      const listeners = [...this.closeListeners];
      this.closeListeners.clear();
      this.dataListeners.clear();
      for (const l of listeners) l(error);
    });
    port.on('error', () => undefined); // reported through 'close' or the failing call
  }

  static open(path: string, baudRate = 9600): Promise<TestPtyLink> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => (err ? reject(new HalError('HAL_NOT_FOUND', `serial ${path}: ${err.message}`, { cause: err })) : resolve(new TestPtyLink(port))));
    });
  }

  get path(): string {
    return this.port.path;
  }

  get isOpen(): boolean {
    return this.port.isOpen && !this.closing;
  }

  write(data: Uint8Array, options?: CallOptions): Promise<void> {
    if (!this.isOpen) return Promise.reject(new HalError('HAL_CLOSED', `serial ${this.path}: write after close`));
    const work = new Promise<void>((resolve, reject) =>
      this.port.write(Buffer.from(data), (err) => (err ? reject(new HalError('HAL_IO', `serial ${this.path}: ${err.message}`, { cause: err })) : resolve())),
    );
    return bounded(`serial ${this.path}: write`, work, options, 5000);
  }

  drain(options?: CallOptions): Promise<void> {
    if (!this.isOpen) return Promise.reject(new HalError('HAL_CLOSED', `serial ${this.path}: drain after close`));
    const work = new Promise<void>((resolve, reject) =>
      this.port.drain((err) => (err ? reject(new HalError('HAL_IO', `serial ${this.path}: ${err.message}`, { cause: err })) : resolve())),
    );
    return bounded(`serial ${this.path}: drain`, work, options, 5000);
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    this.dataListeners.add(listener);
    const pending = this.buffered;
    this.buffered = [];
    if (pending.length) setImmediate(() => pending.forEach((c) => this.isOpen && listener(c)));
    return () => void this.dataListeners.delete(listener);
  }

  onClose(listener: (error?: HalError) => void): Unsubscribe {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.dataListeners.clear();
    this.closeListeners.clear();
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

export interface PtyPair {
  /** The two linked /dev/pts paths. */
  paths: [string, string];
  /** Kills socat and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `socat -d -d -T 60 pty,raw,echo=0 pty,raw,echo=0` and reads the two tty paths from
 * its log. `-T 60` (exit after 60 s without traffic) reaps a socat left behind by a killed test.
 */
export function socatPair(): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', '-T', '60', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const paths: string[] = [];
    let log = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`socat gave no pty pair within 5 s: ${log}`));
    }, 5000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      for (const m of log.matchAll(/PTY is (\S+)/g)) if (!paths.includes(m[1]!)) paths.push(m[1]!);
      if (paths.length === 2 && /starting data transfer loop/.test(log)) {
        clearTimeout(timer);
        resolve({
          paths: [paths[0]!, paths[1]!],
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}

/** The two ends of a serial cable: the driver's and the model's. */
export interface Ends {
  driver: SerialLink;
  device: SerialLink;
  /** Closes both ends (and the pty pair). */
  stop(): Promise<void>;
}

/** A socat pty pair with a TestPtyLink open on each end (9600 baud). */
export async function ptyEnds(): Promise<Ends> {
  const pair = await socatPair();
  const driver = await TestPtyLink.open(pair.paths[0], 9600);
  const device = await TestPtyLink.open(pair.paths[1], 9600);
  return {
    driver,
    device,
    stop: async () => {
      await driver.close();
      await device.close();
      await pair.stop();
    },
  };
}

/** The same over a sim serial pair, for the runs that need no real tty. */
export function simSerialEnds(name: string): Promise<Ends> {
  const { driver, device } = createSimSerialPair({ name });
  return Promise.resolve({ driver, device, stop: () => device.close() });
}
