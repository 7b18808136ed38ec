// The SPI contract on /dev/spidevB.C through spi-device 3.1.2 (loaded on first open).
import { access, readFile } from 'node:fs/promises';
import type { SpiDevice as NativeSpiDevice, SpiMessage } from 'spi-device';
import { HalError } from '../errors.js';
import type { CallOptions } from '../io.js';
import type { SpiBus, SpiCapabilities, SpiDevice, SpiDeviceOptions, SpiMode, SpiSegment } from '../spi.js';
import { OpQueue } from '../op-queue.js';
import { errnoName, toHalError } from './errno.js';

type SpiModule = typeof import('spi-device');

/** spidev's default buffer size; a message larger than it fails with EMSGSIZE (drivers/spi/spidev.c `bufsiz`). */
const SPIDEV_DEFAULT_BUFSIZ = 4096;
/** spi-max-frequency of the spidev nodes in the Raspberry Pi device trees (bcm270x dtsi). */
const PI_SPIDEV_MAX_HZ = 125_000_000;
/** spi_ioc_transfer.delay_usecs is a u16 (include/uapi/linux/spi/spidev.h). */
const MAX_DELAY_US = 0xffff;

/** "/dev/spidev0" or "/dev/spidev0.0" -> 0 (the chip select comes from open()). */
export function spiBusNumber(device: string): number {
  const m = /^\/dev\/spidev(\d+)(?:\.\d+)?$/.exec(device);
  if (!m) throw new HalError('HAL_INVALID_ARGUMENT', `spi: device "${device}" is not of the form /dev/spidevB`);
  return Number(m[1]);
}

async function spidevBufsiz(sysfsRoot: string): Promise<number> {
  try {
    const n = Number((await readFile(`${sysfsRoot}/module/spidev/parameters/bufsiz`, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : SPIDEV_DEFAULT_BUFSIZ;
  } catch {
    return SPIDEV_DEFAULT_BUFSIZ;
  }
}

export interface LinuxSpiBusOptions {
  /** Where sysfs is mounted (default "/sys"), for spidev's bufsiz. */
  sysfsRoot?: string;
}

export class LinuxSpiBus implements SpiBus {
  private readonly queue: OpQueue;
  private readonly devices = new Set<LinuxSpiDevice>();

  private constructor(
    readonly name: string,
    readonly busNumber: number,
    readonly capabilities: SpiCapabilities,
  ) {
    this.queue = new OpQueue(`spi ${name}`);
  }

  static async open(name: string, device: string, options: LinuxSpiBusOptions = {}): Promise<LinuxSpiBus> {
    const busNumber = spiBusNumber(device);
    const bufsiz = await spidevBufsiz(options.sysfsRoot ?? '/sys');
    // Pi 0-4 spi-bcm2835 rejects SPI_LSB_FIRST with EINVAL (doceme/py-spidev#49): drivers bit-reverse.
    const capabilities: SpiCapabilities = { lsbFirst: false, maxSpeedHz: PI_SPIDEV_MAX_HZ, maxTransferLength: bufsiz };
    return new LinuxSpiBus(name, busNumber, capabilities);
  }

  async open(chipSelect: number, options: SpiDeviceOptions): Promise<SpiDevice> {
    if (this.queue.isClosed) throw new HalError('HAL_CLOSED', `spi ${this.name}: open after close`);
    if (!Number.isInteger(chipSelect) || chipSelect < 0) throw new HalError('HAL_NOT_FOUND', `spi ${this.name}: no chip select ${chipSelect}`);
    if (![0, 1, 2, 3].includes(options.mode)) throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.name}: mode ${options.mode}`);
    if (!(Number.isInteger(options.speedHz) && options.speedHz > 0 && options.speedHz <= this.capabilities.maxSpeedHz)) {
      throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.name}: speed ${options.speedHz} Hz is outside 1..${this.capabilities.maxSpeedHz}`);
    }
    // spi-device opens /dev/spidevB.C itself; checked first for a clear HAL_NOT_FOUND.
    const node = `/dev/spidev${this.busNumber}.${chipSelect}`;
    try {
      await access(node);
    } catch (err) {
      if (errnoName(err) === 'ENOENT') {
        throw new HalError('HAL_NOT_FOUND', `spi ${this.name}: ${node} does not exist (chip select ${chipSelect} not enabled: dtparam=spi=on, or a dtoverlay for more chip selects)`, { cause: err });
      }
      throw toHalError(err, node, 'open');
    }
    const mod = (await import('spi-device')) as SpiModule & { default?: SpiModule };
    const openSpi = mod.open ?? mod.default!.open;
    const native = await new Promise<NativeSpiDevice>((resolve, reject) => {
      const dev = openSpi(this.busNumber, chipSelect, { mode: options.mode, maxSpeedHz: options.speedHz }, (err) =>
        err ? reject(toHalError(err, node, 'open')) : resolve(dev),
      );
    });
    if (this.queue.isClosed) {
      native.closeSync();
      throw new HalError('HAL_CLOSED', `spi ${this.name}: closed during open`);
    }
    const dev = new LinuxSpiDevice(this, node, chipSelect, options.mode, options.speedHz, native);
    this.devices.add(dev);
    return dev;
  }

  async close(): Promise<void> {
    if (this.queue.isClosed) return;
    const devices = [...this.devices];
    this.devices.clear();
    for (const d of devices) d.markClosed();
    await this.queue.close();
    await Promise.all(devices.map((d) => d.release()));
  }

  /** @internal */ forget(dev: LinuxSpiDevice): void {
    this.devices.delete(dev);
  }

  /** @internal */ run<T>(op: () => Promise<T>, options?: CallOptions): Promise<T> {
    return this.queue.run('transfer', op, options);
  }
}

class LinuxSpiDevice implements SpiDevice {
  readonly capabilities: SpiCapabilities;
  private closed = false;
  /** The message the kernel is running; closing the fd waits for it. */
  private native: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly bus: LinuxSpiBus,
    private readonly node: string,
    readonly chipSelect: number,
    readonly mode: SpiMode,
    readonly speedHz: number,
    private readonly device: NativeSpiDevice,
  ) {
    this.capabilities = bus.capabilities;
  }

  markClosed(): void {
    this.closed = true;
  }

  private message(segments: readonly SpiSegment[]): SpiMessage {
    let total = 0;
    const message: SpiMessage = segments.map((seg, i) => {
      const n = seg.tx ? seg.tx.length : (seg.length ?? 0);
      if (!Number.isInteger(n) || n < 1) throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.bus.name}: segment ${i} length ${n}`);
      const delay = seg.delayUs ?? 0;
      if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_US) {
        throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.bus.name}: segment ${i} delay ${delay} us is outside 0..${MAX_DELAY_US}`);
      }
      const speed = seg.speedHz ?? this.speedHz;
      if (!(Number.isInteger(speed) && speed > 0 && speed <= this.capabilities.maxSpeedHz)) {
        throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.bus.name}: segment ${i} speed ${speed} Hz`);
      }
      total += n;
      return {
        byteLength: n,
        // Always a send buffer: the contract clocks out 0x00 when tx is absent.
        sendBuffer: seg.tx ? Buffer.from(seg.tx) : Buffer.alloc(n),
        receiveBuffer: Buffer.alloc(n),
        speedHz: speed,
        microSecondDelay: delay,
        // On the last transfer cs_change means "keep CS asserted after the message"
        // (include/linux/spi/spi.h, struct spi_transfer): CS is released there anyway.
        chipSelectChange: (seg.csChange ?? false) && i < segments.length - 1,
      };
    });
    if (message.length === 0) throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.bus.name}: empty transfer`);
    if (total > this.capabilities.maxTransferLength) {
      throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.bus.name}: transfer of ${total} bytes exceeds ${this.capabilities.maxTransferLength} (spidev bufsiz)`);
    }
    return message;
  }

  async transfer(segments: readonly SpiSegment[], options?: CallOptions): Promise<Uint8Array[]> {
    if (this.closed) throw new HalError('HAL_CLOSED', `spi ${this.bus.name} cs${this.chipSelect}: transfer after close`);
    const message = this.message(segments);
    return this.bus.run(() => {
      if (this.closed) throw new HalError('HAL_CLOSED', `spi ${this.bus.name} cs${this.chipSelect}: closed while queued`);
      const call = new Promise<Uint8Array[]>((resolve, reject) => {
        this.device.transfer(message, (err) => {
          if (err) reject(toHalError(err, this.node, 'transfer'));
          else resolve(message.map((m) => new Uint8Array(m.receiveBuffer!.buffer, m.receiveBuffer!.byteOffset, m.byteLength)));
        });
      });
      this.native = call;
      return call;
    }, options);
  }

  /** @internal Closes the fd once no message is running on it. */
  async release(): Promise<void> {
    await this.native.catch(() => undefined);
    await new Promise<void>((resolve) => this.device.close(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.bus.forget(this);
    await this.release();
  }
}
