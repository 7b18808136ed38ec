/**
 * GPIO contract: single lines named by chip label + offset or by line name, never by a
 * sysfs number (which depends on the kernel; see boards/README.md).
 *
 * Rules:
 * - Values are logical: with `activeLow` the backend inverts reads, writes and edge sense,
 *   so a driver never inverts by hand.
 * - A line opened as input may be switched to output and back (`setDirection`), which is
 *   how a keypad scanner releases a row (input = high impedance).
 * - `watch` listeners run asynchronously, after the value changed, in order; the
 *   returned function unsubscribes; none fires after `close()`.
 * - Bias (pull-up/down) is a capability: the sysfs backend cannot set it (the board's
 *   config.txt must), the sim backend can. Asking for bias where `capabilities.bias` is
 *   false rejects with HAL_UNSUPPORTED unless `bias` is `'as-is'`.
 */
import type { CallOptions, Unsubscribe } from './io.js';

export type GpioValue = 0 | 1;
export type GpioDirection = 'in' | 'out';
export type GpioEdge = 'rising' | 'falling' | 'both';
export type GpioBias = 'as-is' | 'pull-up' | 'pull-down' | 'disabled';

/** A line by chip label and offset (`{chip: "pinctrl-bcm2711", line: 17}`) or by name ("GPIO17"). */
export type GpioLineRef = string | { chip: string; line: number };

export interface GpioLineOptions {
  direction: GpioDirection;
  /** Initial logical value of an output (default 0). */
  initial?: GpioValue;
  activeLow?: boolean;
  /** Pull resistor; default 'as-is'. */
  bias?: GpioBias;
  /** Which edges `watch` reports; default 'both'. */
  edge?: GpioEdge;
}

export interface GpioCapabilities {
  /** The backend can set pull-up/pull-down itself. */
  readonly bias: boolean;
  /** The backend delivers edge events (interrupts) rather than needing polling. */
  readonly edgeEvents: boolean;
}

export interface GpioLine {
  /** The line's name as the profile gave it (e.g. "GPIO17"). */
  readonly name: string;
  readonly activeLow: boolean;
  readonly direction: GpioDirection;
  /** Logical value (active-low applied). */
  read(options?: CallOptions): Promise<GpioValue>;
  /** Sets the logical value of an output; rejects with HAL_INVALID_ARGUMENT on an input. */
  write(value: GpioValue, options?: CallOptions): Promise<void>;
  /** Switches direction; `initial` is the logical value when switching to output. */
  setDirection(direction: GpioDirection, initial?: GpioValue, options?: CallOptions): Promise<void>;
  /** Reports edges of the logical value; `timeUs` is a monotonic timestamp in microseconds. */
  watch(listener: (value: GpioValue, timeUs: number) => void): Unsubscribe;
  /** Releases the line; an output is left at its last value. */
  close(): Promise<void>;
}

export interface GpioController {
  readonly capabilities: GpioCapabilities;
  /** Opens one line; HAL_NOT_FOUND names the line or chip that was not found, HAL_BUSY a line already open. */
  open(ref: GpioLineRef, options: GpioLineOptions): Promise<GpioLine>;
  /** Closes every line opened through this controller. */
  close(): Promise<void>;
}

/** Display name of a line reference, for messages and bus traces. */
export function gpioRefName(ref: GpioLineRef): string {
  return typeof ref === 'string' ? ref : `${ref.chip}:${ref.line}`;
}
