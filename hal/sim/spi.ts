/**
 * Simulated SPI bus: messages are routed by chip select to chip models
 * ({@link SpiTarget}). A chip select with no model reads 0xFF (MISO pulled up, as on a
 * board with nothing fitted); a chip select beyond the bus's count does not exist.
 */
import { HalError } from '../errors.js';
import { hex, type CallOptions } from '../io.js';
import type { SpiBus, SpiCapabilities, SpiDevice, SpiDeviceOptions, SpiMode, SpiSegment } from '../spi.js';
import { OpQueue } from '../op-queue.js';
import type { BusTrace } from './trace.js';

/** The chip model's side of the bus. */
export interface SpiTarget {
  /** Chip select asserted; `mode` and `speedHz` are those of the device handle. */
  select?(info: { mode: SpiMode; speedHz: number }): void;
  /** Full duplex while selected: return exactly as many bytes as were clocked in. */
  exchange(tx: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Chip select released. */
  deselect?(): void;
}

export interface SimSpiBusOptions {
  name: string;
  trace?: BusTrace;
  /** Number of chip selects (default 2, like SPI0 on a Pi). */
  chipSelects?: number;
  /** Whether the controller can shift LSB first (default false, as spi-bcm2835). */
  lsbFirst?: boolean;
}

export class SimSpiBus implements SpiBus {
  readonly name: string;
  readonly capabilities: SpiCapabilities;
  private readonly chipSelects: number;
  private readonly targets = new Map<number, SpiTarget>();
  private readonly devices = new Set<SimSpiDevice>();
  private readonly queue: OpQueue;
  private readonly trace: BusTrace | undefined;

  constructor(options: SimSpiBusOptions) {
    this.name = options.name;
    this.trace = options.trace;
    this.chipSelects = options.chipSelects ?? 2;
    this.capabilities = { lsbFirst: options.lsbFirst ?? false, maxSpeedHz: 125_000_000, maxTransferLength: 4096 };
    this.queue = new OpQueue(`spi ${this.name}`);
  }

  attach(chipSelect: number, target: SpiTarget): () => void {
    this.checkCs(chipSelect);
    if (this.targets.has(chipSelect)) throw new HalError('HAL_BUSY', `spi ${this.name}: chip select ${chipSelect} already has a device`);
    this.targets.set(chipSelect, target);
    return () => {
      if (this.targets.get(chipSelect) === target) this.targets.delete(chipSelect);
    };
  }

  private checkCs(cs: number): void {
    if (!Number.isInteger(cs) || cs < 0 || cs >= this.chipSelects) {
      throw new HalError('HAL_NOT_FOUND', `spi ${this.name}: no chip select ${cs} (the bus has ${this.chipSelects})`);
    }
  }

  async open(chipSelect: number, options: SpiDeviceOptions): Promise<SpiDevice> {
    if (this.queue.isClosed) throw new HalError('HAL_CLOSED', `spi ${this.name}: open after close`);
    this.checkCs(chipSelect);
    if (![0, 1, 2, 3].includes(options.mode)) throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.name}: mode ${options.mode}`);
    if (!(options.speedHz > 0 && options.speedHz <= this.capabilities.maxSpeedHz)) {
      throw new HalError('HAL_INVALID_ARGUMENT', `spi ${this.name}: speed ${options.speedHz} Hz`);
    }
    const dev = new SimSpiDevice(this, chipSelect, options.mode, options.speedHz);
    this.devices.add(dev);
    return dev;
  }

  async close(): Promise<void> {
    for (const d of this.devices) d.markClosed();
    this.devices.clear();
    await this.queue.close();
  }

  /** @internal */ forget(dev: SimSpiDevice): void {
    this.devices.delete(dev);
  }

  /** @internal */ message(dev: SimSpiDevice, segments: readonly SpiSegment[], options?: CallOptions): Promise<Uint8Array[]> {
    return this.queue.run(
      'transfer',
      async () => {
        const target = this.targets.get(dev.chipSelect);
        const info = { mode: dev.mode, speedHz: dev.speedHz };
        const rx: Uint8Array[] = [];
        let selected = false;
        try {
          for (const seg of segments) {
            const tx = seg.tx ? Uint8Array.from(seg.tx) : new Uint8Array(seg.length ?? 0);
            if (!selected) {
              target?.select?.(info);
              selected = true;
            }
            const answer = target ? await target.exchange(tx) : new Uint8Array(tx.length).fill(0xff);
            if (answer.length !== tx.length) {
              throw new HalError('HAL_PROTOCOL', `spi ${this.name} cs${dev.chipSelect}: model returned ${answer.length} bytes for ${tx.length}`);
            }
            rx.push(Uint8Array.from(answer));
            if (seg.delayUs) await new Promise((r) => setTimeout(r, Math.ceil(seg.delayUs! / 1000)));
            if (seg.csChange) {
              target?.deselect?.();
              selected = false;
            }
          }
        } finally {
          if (selected) target?.deselect?.();
        }
        const all = (parts: Uint8Array[]): string => parts.map(hex).join('');
        this.trace?.record(this.name, {
          cs: dev.chipSelect,
          op: 'transfer',
          tx: all(segments.map((s) => s.tx ?? new Uint8Array(s.length ?? 0))),
          rx: all(rx),
        });
        return rx;
      },
      options,
    );
  }
}

class SimSpiDevice implements SpiDevice {
  readonly capabilities: SpiCapabilities;
  private closed = false;

  constructor(
    private readonly bus: SimSpiBus,
    readonly chipSelect: number,
    readonly mode: SpiMode,
    readonly speedHz: number,
  ) {
    this.capabilities = bus.capabilities;
  }

  markClosed(): void {
    this.closed = true;
  }

  async transfer(segments: readonly SpiSegment[], options?: CallOptions): Promise<Uint8Array[]> {
    if (this.closed) throw new HalError('HAL_CLOSED', `spi ${this.bus.name} cs${this.chipSelect}: transfer after close`);
    let total = 0;
    for (const s of segments) {
      const n = s.tx ? s.tx.length : (s.length ?? 0);
      if (!Number.isInteger(n) || n < 0) throw new HalError('HAL_INVALID_ARGUMENT', `spi: segment length ${n}`);
      total += n;
    }
    if (segments.length === 0 || total === 0) throw new HalError('HAL_INVALID_ARGUMENT', 'spi: empty transfer');
    if (total > this.capabilities.maxTransferLength) {
      throw new HalError('HAL_INVALID_ARGUMENT', `spi: transfer of ${total} bytes exceeds ${this.capabilities.maxTransferLength}`);
    }
    return this.bus.message(this, segments, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bus.forget(this);
  }
}
