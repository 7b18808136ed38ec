/**
 * How the PN532 driver core reaches the chip: one interface, three host interfaces
 * (PN532 UM 6.2.5 SPI, 6.2.4 I2C, 6.2.3 HSU). The core speaks frames; a transport moves
 * them and knows how the chip signals that a frame is ready.
 *
 * Rules:
 * - `write` sends one whole frame (command, ACK or NACK).
 * - `read` waits until the chip has a frame ready (SPI: status byte bit 0; I2C: the
 *   leading ready byte; HSU: bytes arriving), reads it and returns it parsed, or the
 *   {@link BadFrame} report when its checksums or layout are wrong. It rejects HAL_TIMEOUT
 *   when nothing is ready within `timeoutMs` and HAL_ABORTED on the signal.
 * - `discard` drops whatever a stream transport holds from earlier exchanges, so that a
 *   late answer to an aborted command is never taken for the answer to the next one.
 */
import { HalError, isHalError } from '../../errors.js';
import { bounded, sleep, type Unsubscribe } from '../../io.js';
import { reverseBits, type SpiDevice } from '../../spi.js';
import type { I2cDevice } from '../../i2c.js';
import type { SerialLink } from '../../serial.js';
import { decodeFrame, FrameParser, type ParseEvent } from './frame.js';

export type Pn532Interface = 'spi' | 'i2c' | 'hsu';

export interface Pn532ReadOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Largest frame expected: 6 for an ACK, else the longest response. */
  maxLength: number;
}

export interface Pn532Transport {
  readonly kind: Pn532Interface;
  /** Wakes the chip from power-down / Low-VBat before the first command. */
  wake(signal?: AbortSignal): Promise<void>;
  write(frame: Uint8Array, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  read(options: Pn532ReadOptions): Promise<ParseEvent>;
  discard(): void;
  close(): Promise<void>;
}

/** SPI operation prefixes, the first byte of every chip-select session (PN532 UM 6.2.5). */
export const SPI_DATA_WRITE = 0x01;
export const SPI_STATUS_READ = 0x02;
export const SPI_DATA_READ = 0x03;
/** Default 7-bit I2C address (PN532 UM 6.2.4: 0x48 write / 0x49 read). */
export const PN532_I2C_ADDRESS = 0x24;
/** HSU wake-up: 0x55 0x55 then zeros (PN532 UM 7.2.11 HSU wake-up condition; AN10609). */
export const HSU_WAKEUP: Uint8Array = Uint8Array.of(0x55, 0x55, 0x00, 0x00, 0x00);

export interface PollOptions {
  /** Pause between ready polls (default 2 ms; libnfc uses 10 ms). */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_MS = 2;

/** Polls `ready` until it returns a value, within the time limit. */
async function pollUntil<T>(what: string, ready: (left: number) => Promise<T | undefined>, timeoutMs: number, intervalMs: number, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new HalError('HAL_ABORTED', `${what}: aborted`);
    const left = deadline - Date.now();
    if (left <= 0) throw new HalError('HAL_TIMEOUT', `${what}: chip not ready within ${timeoutMs} ms`);
    const v = await ready(left);
    if (v !== undefined) return v;
    if (deadline - Date.now() <= 0) continue;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), signal);
  }
}

function toWire(bytes: Uint8Array): Uint8Array {
  // The PN532 shifts LSB first; spi-bcm2835 cannot (hardware.md risk 5), so every byte
  // goes out bit-reversed on an MSB-first controller.
  return Uint8Array.from(bytes, reverseBits);
}

/** What the SPI and I2C transports share: a device handle they own and a poll interval. */
abstract class PolledTransport<D extends { close(): Promise<void> }> {
  protected readonly intervalMs: number;

  constructor(
    protected readonly device: D,
    options: PollOptions = {},
  ) {
    this.intervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  }

  /** Nothing to drop: a polled chip holds at most the frame it has not yet delivered. */
  discard(): void {}

  close(): Promise<void> {
    return this.device.close();
  }
}

/**
 * SPI transport (PN532 UM 6.2.5), mode 0. The SPI contract has no way to ask the
 * controller for LSB-first, so bytes are always bit-reversed in software: correct on any
 * controller that shifts MSB first, which the contract guarantees.
 */
export class SpiPn532Transport extends PolledTransport<SpiDevice> implements Pn532Transport {
  readonly kind = 'spi' as const;

  async wake(signal?: AbortSignal): Promise<void> {
    // Chip select low wakes the PN532; hold it ~2 ms before the first command (Adafruit).
    await this.device.transfer([{ tx: Uint8Array.of(0x00), delayUs: 2000 }], { signal });
  }

  async write(frame: Uint8Array, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    const tx = new Uint8Array(frame.length + 1);
    tx[0] = SPI_DATA_WRITE;
    tx.set(frame, 1);
    await this.device.transfer([{ tx: toWire(tx) }], options);
  }

  async read(options: Pn532ReadOptions): Promise<ParseEvent> {
    const sr = toWire(Uint8Array.of(SPI_STATUS_READ, 0x00));
    await pollUntil(
      'pn532 spi',
      async (left) => {
        const [rx] = await this.device.transfer([{ tx: sr }], { timeoutMs: left, signal: options.signal });
        return (reverseBits(rx![1]!) & 0x01) === 1 ? true : undefined;
      },
      options.timeoutMs,
      this.intervalMs,
      options.signal,
    );
    const n = Math.min(options.maxLength, this.device.capabilities.maxTransferLength - 1);
    const [, body] = await this.device.transfer([{ tx: toWire(Uint8Array.of(SPI_DATA_READ)) }, { length: n }], {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return decodeFrame(toWire(body!));
  }

}

/**
 * I2C transport (PN532 UM 6.2.4): frames are written plainly; every read starts with
 * the ready byte (bit 0). A 1-byte read polls readiness without taking the frame.
 */
export class I2cPn532Transport extends PolledTransport<I2cDevice> implements Pn532Transport {
  readonly kind = 'i2c' as const;

  async wake(signal?: AbortSignal): Promise<void> {
    // The PN532 holds SCL / NACKs while it wakes (libnfc pn532_i2c.c): one throwaway read.
    try {
      await this.device.read(1, { signal, timeoutMs: 100 });
    } catch (err) {
      if (!isHalError(err, 'HAL_NACK') && !isHalError(err, 'HAL_TIMEOUT')) throw err;
    }
    await sleep(5, signal);
  }

  async write(frame: Uint8Array, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    await this.device.write(frame, options);
  }

  async read(options: Pn532ReadOptions): Promise<ParseEvent> {
    const n = Math.min(options.maxLength + 1, this.device.capabilities.maxTransferLength);
    return pollUntil(
      'pn532 i2c',
      async (left) => {
        const [status] = await this.device.read(1, { timeoutMs: left, signal: options.signal });
        if ((status! & 0x01) === 0) return undefined;
        const rx = await this.device.read(n, { timeoutMs: left, signal: options.signal });
        // Not ready any more: the frame went elsewhere; poll again.
        if ((rx[0]! & 0x01) === 0) return undefined;
        return decodeFrame(rx.subarray(1));
      },
      options.timeoutMs,
      this.intervalMs,
      options.signal,
    );
  }

}

/** HSU transport (PN532 UM 6.2.3): frames on a serial stream, 115200 8N1 by default. */
export class HsuPn532Transport implements Pn532Transport {
  readonly kind = 'hsu' as const;
  private readonly parser = new FrameParser();
  private readonly events: ParseEvent[] = [];
  private waiter: (() => void) | undefined;
  private readonly unsubscribe: Unsubscribe[];
  private failure: HalError | undefined;

  constructor(private readonly link: SerialLink) {
    this.unsubscribe = [
      link.onData((chunk) => {
        this.events.push(...this.parser.push(chunk));
        this.wakeWaiter();
      }),
      link.onClose((err) => {
        this.failure = err ?? new HalError('HAL_CLOSED', `pn532 hsu ${link.path}: closed`);
        this.wakeWaiter();
      }),
    ];
  }

  private wakeWaiter(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async wake(signal?: AbortSignal): Promise<void> {
    await this.link.write(HSU_WAKEUP, { signal });
    await this.link.drain({ signal });
  }

  async write(frame: Uint8Array, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    // Resolve once the frame has left, so that an abort ACK is on the wire before the caller goes on.
    await this.link.write(frame, options);
    await this.link.drain(options);
  }

  read(options: Pn532ReadOptions): Promise<ParseEvent> {
    const take = (): ParseEvent | undefined => {
      if (this.failure) throw this.failure;
      return this.events.shift();
    };
    const now = take();
    if (now) return Promise.resolve(now);
    const work = new Promise<ParseEvent>((resolve, reject) => {
      const check = (): void => {
        try {
          const ev = take();
          if (ev) resolve(ev);
          else this.waiter = check;
        } catch (err) {
          reject(err);
        }
      };
      this.waiter = check;
    });
    return bounded(`pn532 hsu ${this.link.path}: read`, work, options, options.timeoutMs, () => {
      this.waiter = undefined;
    });
  }

  discard(): void {
    this.events.length = 0;
    this.parser.reset();
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.waiter = undefined;
    await this.link.close();
  }
}
