/**
 * Simulated I2C bus: transactions are routed by 7-bit address to chip models
 * ({@link I2cTarget}), like Zephyr's i2c_emul. An address with no model attached NACKs.
 */
import { HalError } from '../errors.js';
import { hex, type CallOptions } from '../io.js';
import { isValidI2cAddress, type I2cBus, type I2cCapabilities, type I2cDevice } from '../i2c.js';
import { OpQueue } from '../op-queue.js';
import type { BusTrace } from './trace.js';

/** The chip model's side of the bus. Throw a HalError('HAL_NACK') to NACK. */
export interface I2cTarget {
  /** One write transaction (START, address+W, data, STOP) addressed to this chip. */
  i2cWrite(data: Uint8Array): void | Promise<void>;
  /** One read transaction: return exactly `length` bytes. */
  i2cRead(length: number): Uint8Array | Promise<Uint8Array>;
}

export interface SimI2cBusOptions {
  name: string;
  trace?: BusTrace;
  /** Whether writeRead is one combined transaction (default true, as a real I2C controller can). */
  repeatedStart?: boolean;
}

export class SimI2cBus implements I2cBus {
  readonly name: string;
  readonly capabilities: I2cCapabilities;
  private readonly targets = new Map<number, I2cTarget>();
  private readonly devices = new Set<SimI2cDevice>();
  private readonly queue: OpQueue;
  private readonly trace: BusTrace | undefined;

  constructor(options: SimI2cBusOptions) {
    this.name = options.name;
    this.trace = options.trace;
    this.capabilities = { repeatedStart: options.repeatedStart ?? true, maxTransferLength: 8192 };
    this.queue = new OpQueue(`i2c ${this.name}`);
  }

  /** Attaches a chip model at an address; returns a function that detaches it (unplug). */
  attach(address: number, target: I2cTarget): () => void {
    if (!isValidI2cAddress(address)) throw new HalError('HAL_INVALID_ARGUMENT', `i2c ${this.name}: invalid address ${address}`);
    if (this.targets.has(address)) throw new HalError('HAL_BUSY', `i2c ${this.name}: address 0x${address.toString(16)} already has a device`);
    this.targets.set(address, target);
    return () => {
      if (this.targets.get(address) === target) this.targets.delete(address);
    };
  }

  async open(address: number): Promise<I2cDevice> {
    if (this.queue.isClosed) throw new HalError('HAL_CLOSED', `i2c ${this.name}: open after close`);
    if (!isValidI2cAddress(address)) {
      throw new HalError('HAL_INVALID_ARGUMENT', `i2c ${this.name}: address ${address} is outside 0x03..0x77`);
    }
    const dev = new SimI2cDevice(this, address);
    this.devices.add(dev);
    return dev;
  }

  async close(): Promise<void> {
    for (const d of this.devices) d.markClosed();
    this.devices.clear();
    await this.queue.close();
  }

  /** @internal */ forget(dev: SimI2cDevice): void {
    this.devices.delete(dev);
  }

  /** @internal */ run<T>(label: string, op: () => Promise<T>, options?: CallOptions): Promise<T> {
    return this.queue.run(label, op, options);
  }

  /** @internal */ target(address: number): I2cTarget {
    const t = this.targets.get(address);
    if (!t) throw new HalError('HAL_NACK', `i2c ${this.name}: no device acknowledged address 0x${address.toString(16).padStart(2, '0')}`);
    return t;
  }

  /** @internal */ record(address: number, op: 'write' | 'read', data: Uint8Array): void {
    this.trace?.record(this.name, { addr: address, op, data: hex(data) });
  }
}

class SimI2cDevice implements I2cDevice {
  readonly capabilities: I2cCapabilities;
  private closed = false;

  constructor(
    private readonly bus: SimI2cBus,
    readonly address: number,
  ) {
    this.capabilities = bus.capabilities;
  }

  markClosed(): void {
    this.closed = true;
  }

  private check(label: string): void {
    if (this.closed) throw new HalError('HAL_CLOSED', `i2c ${this.bus.name} 0x${this.address.toString(16)}: ${label} after close`);
  }

  async write(data: Uint8Array, options?: CallOptions): Promise<void> {
    this.check('write');
    const copy = Uint8Array.from(data);
    await this.bus.run('write', () => this.doWrite(copy), options);
  }

  async read(length: number, options?: CallOptions): Promise<Uint8Array> {
    this.check('read');
    checkLength(length, this.capabilities.maxTransferLength);
    return this.bus.run('read', () => this.doRead(length), options);
  }

  async writeRead(data: Uint8Array, readLength: number, options?: CallOptions): Promise<Uint8Array> {
    this.check('writeRead');
    checkLength(readLength, this.capabilities.maxTransferLength);
    const copy = Uint8Array.from(data);
    return this.bus.run(
      'writeRead',
      async () => {
        await this.doWrite(copy);
        return this.doRead(readLength);
      },
      options,
    );
  }

  private async doWrite(data: Uint8Array): Promise<void> {
    const target = this.bus.target(this.address);
    this.bus.record(this.address, 'write', data);
    await target.i2cWrite(data);
  }

  private async doRead(length: number): Promise<Uint8Array> {
    const target = this.bus.target(this.address);
    const data = await target.i2cRead(length);
    if (data.length !== length) {
      throw new HalError('HAL_PROTOCOL', `i2c ${this.bus.name} 0x${this.address.toString(16)}: model returned ${data.length} of ${length} bytes`);
    }
    this.bus.record(this.address, 'read', data);
    return Uint8Array.from(data);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bus.forget(this);
  }
}

function checkLength(length: number, max: number): void {
  if (!Number.isInteger(length) || length < 1 || length > max) {
    throw new HalError('HAL_INVALID_ARGUMENT', `i2c: read length ${length} is outside 1..${max}`);
  }
}
