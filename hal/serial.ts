/**
 * Serial contract (UART, USB serial, pseudo-terminal), after serialport's
 * bindings-interface.
 *
 * Rules:
 * - `write` resolves when the bytes were handed to the OS; `drain` resolves when they
 *   left the transmit buffer. Writes are queued in call order, one in flight.
 * - Incoming bytes are delivered to `onData` listeners in arrival order, in chunks of
 *   any size (framing is the driver's job). Bytes arriving with no listener are
 *   buffered (up to 64 KiB, oldest dropped beyond) and delivered to the first listener.
 * - When the far end goes away the link closes itself and `onClose` listeners get a
 *   HAL_DISCONNECTED error; after `close()` they get nothing and no data is delivered.
 * - Default time limit for write and drain: 5000 ms.
 * - Modem-control lines are not part of the contract (they fail on pseudo-terminals).
 */
import type { CallOptions, Unsubscribe } from './io.js';
import type { HalError } from './errors.js';

export type SerialParity = 'none' | 'even' | 'odd';

export interface SerialOptions {
  baudRate: number;
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  parity?: SerialParity;
  /** Hardware flow control. */
  rtscts?: boolean;
}

export interface SerialLink {
  /** Device path or sim name, for messages and traces. */
  readonly path: string;
  readonly isOpen: boolean;
  write(data: Uint8Array, options?: CallOptions): Promise<void>;
  drain(options?: CallOptions): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  /** Called once when the link closes; `error` is set when it closed because the far end went away. */
  onClose(listener: (error?: HalError) => void): Unsubscribe;
  close(): Promise<void>;
}

export interface SerialOpener {
  open(path: string, options: SerialOptions): Promise<SerialLink>;
}

export const DEFAULT_SERIAL: Required<SerialOptions> = {
  baudRate: 115200,
  dataBits: 8,
  stopBits: 1,
  parity: 'none',
  rtscts: false,
};
