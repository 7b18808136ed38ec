// TEST-ONLY: a minimal SerialLink (hal/serial.ts) over the `serialport` package, so that
// the printer can run over a real pseudo-terminal before the Linux serial backend
// (hal/linux/serial.ts) exists. Replace its one use in pty.test.ts with that backend's
// opener when it lands; nothing outside this test directory may import this file.
import { SerialPort } from 'serialport';
import { HalError } from '../../../hal/errors.js';
import { bounded, type CallOptions, type Unsubscribe } from '../../../hal/io.js';
import type { SerialLink } from '../../../hal/serial.js';

class SerialportTestLink implements SerialLink {
  private closing = false;
  private readonly closeListeners = new Set<(error?: HalError) => void>();

  constructor(private readonly port: SerialPort) {
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.closing) return;
      this.closing = true;
      const error = err?.disconnected ? new HalError('HAL_DISCONNECTED', `serial ${this.path}: the other end closed`) : undefined;
      for (const l of [...this.closeListeners]) l(error);
      this.closeListeners.clear();
    });
    port.on('error', () => undefined); // surfaced through write callbacks and 'close'
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
    const work = new Promise<void>((resolve, reject) => this.port.drain((err) => (err ? reject(new HalError('HAL_IO', err.message, { cause: err })) : resolve())));
    return bounded(`serial ${this.path}: drain`, work, options, 5000);
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    const l = (chunk: Buffer): void => {
      if (!this.closing) listener(new Uint8Array(chunk));
    };
    this.port.on('data', l);
    return () => void this.port.off('data', l);
  }

  onClose(listener: (error?: HalError) => void): Unsubscribe {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.closeListeners.clear();
    this.port.removeAllListeners('data');
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

/** Opens a pseudo-terminal (or any tty) as a SerialLink, 8N1. */
export async function openSerialportTestLink(path: string, baudRate: number): Promise<SerialLink> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new HalError('HAL_NOT_FOUND', `serial ${path}: ${err.message}`, { cause: err })) : resolve())));
  return new SerialportTestLink(port);
}
