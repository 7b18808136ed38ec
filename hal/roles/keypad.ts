/**
 * The Keypad role: key events from whatever keypad the board has. Keys are named by the
 * labels of the profile's layout; the well-known names below have fixed meanings for the
 * application.
 */
import type { Unsubscribe } from '../io.js';

/** Digits "0".."9", "00", and the function keys; a layout may add others (F1, F2, ...). */
export type KeyName = string;

export const KEY_ENTER = 'ENTER';
export const KEY_CANCEL = 'CANCEL';
export const KEY_CLEAR = 'CLEAR';
export const KEY_FUNCTION = 'FUNC';

export interface KeyEvent {
  key: KeyName;
  /** Monotonic milliseconds when the press was accepted (after debounce). */
  at: number;
}

export interface Keypad {
  /** Every key the layout can produce. */
  readonly keys: readonly KeyName[];
  /** Called once per accepted key press (after debounce), in order. */
  onKey(listener: (event: KeyEvent) => void): Unsubscribe;
  selfTest(): Promise<void>;
  close(): Promise<void>;
}
