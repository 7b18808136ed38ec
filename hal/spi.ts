/**
 * SPI contract. A driver receives an {@link SpiDevice}: one bus plus one chip select.
 *
 * Rules:
 * - `transfer` runs its segments as one message with chip select held asserted from the
 *   first to the last segment (unless a segment sets `csChange`), full duplex: for each
 *   segment as many bytes are received as are sent, returned in order.
 * - Bytes go MSB first. `capabilities.lsbFirst` is false on the Raspberry Pi (spi-bcm2835
 *   rejects SPI_LSB_FIRST): an LSB-first chip such as the PN532 is driven by bit-reversing
 *   each byte in the driver.
 * - Default time limit per call: 1000 ms. One transfer at a time per bus; queued.
 */
import type { CallOptions } from './io.js';

export type SpiMode = 0 | 1 | 2 | 3;

export interface SpiSegment {
  /** Bytes to send. Without `tx`, `length` bytes of 0x00 are clocked out. */
  tx?: Uint8Array;
  /** Number of bytes when `tx` is absent. */
  length?: number;
  /** Clock for this segment; default the device's speed. */
  speedHz?: number;
  /** Microseconds to wait after this segment before the next (or before CS release). */
  delayUs?: number;
  /** Release chip select after this segment (it is re-asserted for the next one). */
  csChange?: boolean;
}

export interface SpiDeviceOptions {
  mode: SpiMode;
  speedHz: number;
}

export interface SpiCapabilities {
  readonly lsbFirst: boolean;
  readonly maxSpeedHz: number;
  readonly maxTransferLength: number;
}

export interface SpiDevice {
  readonly chipSelect: number;
  readonly mode: SpiMode;
  readonly speedHz: number;
  readonly capabilities: SpiCapabilities;
  transfer(segments: readonly SpiSegment[], options?: CallOptions): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

export interface SpiBus {
  readonly name: string;
  readonly capabilities: SpiCapabilities;
  open(chipSelect: number, options: SpiDeviceOptions): Promise<SpiDevice>;
  close(): Promise<void>;
}

/** Bit-reverses one byte (LSB-first devices on an MSB-first controller). */
export function reverseBits(byte: number): number {
  let b = byte & 0xff;
  b = ((b & 0xf0) >> 4) | ((b & 0x0f) << 4);
  b = ((b & 0xcc) >> 2) | ((b & 0x33) << 2);
  b = ((b & 0xaa) >> 1) | ((b & 0x55) << 1);
  return b;
}

export function reverseBitsInPlace(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) bytes[i] = reverseBits(bytes[i]!);
  return bytes;
}
