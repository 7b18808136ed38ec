// The I2C contract on /dev/i2c-N through i2c-bus 5.2.3 (openPromisified; loaded on first use).
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { PromisifiedBus } from 'i2c-bus';
import { HalError } from '../errors.js';
import { sleep, type CallOptions } from '../io.js';
import { isValidI2cAddress, type I2cBus, type I2cCapabilities, type I2cDevice } from '../i2c.js';
import { OpQueue } from '../op-queue.js';
import { toHalError } from './errno.js';

type I2cBusModule = typeof import('i2c-bus');

/**
 * i2cWrite/i2cRead are plain write()/read() on the i2c-dev node, one transaction each;
 * i2c-bus offers no I2C_RDWR combined message, so there is no repeated start. i2c-dev
 * caps a read()/write() at 8192 bytes (drivers/i2c/i2c-dev.c i2cdev_read/i2cdev_write).
 */
export const LINUX_I2C_CAPABILITIES: I2cCapabilities = { repeatedStart: false, maxTransferLength: 8192 };

/** How long close waits for a transfer the kernel is still running before closing the fds. */
const CLOSE_GRACE_MS = 2000;

/** "/dev/i2c-1" -> 1. */
export function i2cBusNumber(device: string): number {
  const m = /^\/dev\/i2c-(\d+)$/.exec(device);
  if (!m) throw new HalError('HAL_INVALID_ARGUMENT', `i2c: device "${device}" is not of the form /dev/i2c-N`);
  return Number(m[1]);
}

export class LinuxI2cBus implements I2cBus {
  readonly capabilities = LINUX_I2C_CAPABILITIES;
  private readonly queue: OpQueue;
  private readonly devices = new Set<LinuxI2cDevice>();
  /** The native call the kernel is running, which a timeout or close cannot interrupt. */
  private native: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly name: string,
    readonly device: string,
    private readonly bus: PromisifiedBus,
  ) {
    this.queue = new OpQueue(`i2c ${name} (${device})`);
  }

  /** Opens `/dev/i2c-N`; HAL_NOT_FOUND when the node is missing, HAL_PERMISSION without access. */
  static async open(name: string, device: string): Promise<LinuxI2cBus> {
    const number = i2cBusNumber(device);
    // i2c-bus opens the node only at the first transfer: check it now, at start.
    try {
      await access(device, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw toHalError(err, device, 'open');
    }
    const mod = (await import('i2c-bus')) as I2cBusModule & { default?: I2cBusModule };
    const openPromisified = mod.openPromisified ?? mod.default!.openPromisified;
    try {
      return new LinuxI2cBus(name, device, await openPromisified(number));
    } catch (err) {
      throw toHalError(err, device, 'open');
    }
  }

  async open(address: number): Promise<I2cDevice> {
    if (this.queue.isClosed) throw new HalError('HAL_CLOSED', `i2c ${this.name}: open after close`);
    if (!isValidI2cAddress(address)) {
      throw new HalError('HAL_INVALID_ARGUMENT', `i2c ${this.name}: address ${address} is outside 0x03..0x77`);
    }
    const dev = new LinuxI2cDevice(this, address);
    this.devices.add(dev);
    return dev;
  }

  async close(): Promise<void> {
    if (this.queue.isClosed) return;
    for (const d of this.devices) d.markClosed();
    this.devices.clear();
    await this.queue.close();
    // A transfer abandoned by a timeout or by close may still run in the thread pool on a
    // cached fd: let it finish (the adapter's own timeout ends it) before the fds go.
    await Promise.race([this.native.catch(() => undefined), sleep(CLOSE_GRACE_MS)]);
    await this.bus.close().catch(() => undefined);
  }

  /** @internal */ forget(dev: LinuxI2cDevice): void {
    this.devices.delete(dev);
  }

  /** @internal */ run<T>(label: string, address: number, op: (bus: PromisifiedBus) => Promise<T>, options?: CallOptions): Promise<T> {
    const where = `${this.device} address 0x${address.toString(16).padStart(2, '0')}`;
    return this.queue.run(
      label,
      () => {
        const call = op(this.bus).catch((err: unknown) => {
          throw toHalError(err, where, label);
        });
        this.native = call;
        return call;
      },
      options,
    );
  }
}

class LinuxI2cDevice implements I2cDevice {
  readonly capabilities = LINUX_I2C_CAPABILITIES;
  private closed = false;

  constructor(
    private readonly bus: LinuxI2cBus,
    readonly address: number,
  ) {}

  markClosed(): void {
    this.closed = true;
  }

  private check(label: string): void {
    if (this.closed) throw new HalError('HAL_CLOSED', `i2c ${this.bus.name} 0x${this.address.toString(16)}: ${label} after close`);
  }

  private checkLength(what: string, length: number, min: number): void {
    const max = this.capabilities.maxTransferLength;
    if (!Number.isInteger(length) || length < min || length > max) {
      throw new HalError('HAL_INVALID_ARGUMENT', `i2c ${this.bus.name}: ${what} length ${length} is outside ${min}..${max}`);
    }
  }

  private async doWrite(bus: PromisifiedBus, data: Buffer): Promise<void> {
    const { bytesWritten } = await bus.i2cWrite(this.address, data.length, data);
    if (bytesWritten !== data.length) throw new HalError('HAL_IO', `i2c ${this.bus.name}: wrote ${bytesWritten} of ${data.length} bytes`);
  }

  private async doRead(bus: PromisifiedBus, length: number): Promise<Uint8Array> {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await bus.i2cRead(this.address, length, buffer);
    if (bytesRead !== length) throw new HalError('HAL_IO', `i2c ${this.bus.name}: read ${bytesRead} of ${length} bytes`);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  }

  async write(data: Uint8Array, options?: CallOptions): Promise<void> {
    this.check('write');
    this.checkLength('write', data.length, 0);
    const copy = Buffer.from(data);
    await this.bus.run('write', this.address, (bus) => this.doWrite(bus, copy), options);
  }

  async read(length: number, options?: CallOptions): Promise<Uint8Array> {
    this.check('read');
    this.checkLength('read', length, 1);
    return this.bus.run('read', this.address, (bus) => this.doRead(bus, length), options);
  }

  /** Two transactions with a STOP between (capabilities.repeatedStart is false). */
  async writeRead(data: Uint8Array, readLength: number, options?: CallOptions): Promise<Uint8Array> {
    this.check('writeRead');
    this.checkLength('write', data.length, 0);
    this.checkLength('read', readLength, 1);
    const copy = Buffer.from(data);
    return this.bus.run(
      'writeRead',
      this.address,
      async (bus) => {
        await this.doWrite(bus, copy);
        // Closed or abandoned (timeout) between the two transactions: do not start the read.
        this.check('writeRead');
        return this.doRead(bus, readLength);
      },
      options,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bus.forget(this);
  }
}
