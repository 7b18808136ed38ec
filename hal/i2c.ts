/**
 * I2C contract. A driver receives an {@link I2cDevice}: one bus plus one 7-bit address,
 * never the whole bus (embedded-hal's rule), and owns its close().
 *
 * Rules:
 * - `write` is one transaction: START, address+W, the bytes, STOP.
 * - `read` is one transaction: START, address+R, `length` bytes, STOP.
 * - `writeRead` writes then reads. With `capabilities.repeatedStart` the two are one
 *   combined transaction (repeated START); without it they are two transactions with a
 *   STOP between, which some chips do not accept: a driver that needs repeated start
 *   checks the capability and fails clearly rather than assume it.
 * - An address nobody acknowledges rejects with HAL_NACK (on Linux: EREMOTEIO).
 * - Default time limit per call: 1000 ms.
 * - One operation at a time per bus; concurrent calls are queued in call order.
 */
import type { CallOptions } from './io.js';

export interface I2cCapabilities {
  /** write-then-read as one combined transaction with a repeated START. */
  readonly repeatedStart: boolean;
  /** Largest single read or write in bytes. */
  readonly maxTransferLength: number;
}

export interface I2cDevice {
  /** 7-bit address. */
  readonly address: number;
  readonly capabilities: I2cCapabilities;
  write(data: Uint8Array, options?: CallOptions): Promise<void>;
  read(length: number, options?: CallOptions): Promise<Uint8Array>;
  writeRead(data: Uint8Array, readLength: number, options?: CallOptions): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface I2cBus {
  /** The bus name from the board profile (e.g. "i2c1"). */
  readonly name: string;
  readonly capabilities: I2cCapabilities;
  /** Binds a device handle to a 7-bit address (0x03..0x77); does not touch the wire. */
  open(address: number): Promise<I2cDevice>;
  /** Closes the bus and every device handle opened on it. */
  close(): Promise<void>;
}

/** Valid 7-bit addresses outside the reserved ranges (I2C spec UM10204 3.1.12). */
export function isValidI2cAddress(address: number): boolean {
  return Number.isInteger(address) && address >= 0x03 && address <= 0x77;
}
