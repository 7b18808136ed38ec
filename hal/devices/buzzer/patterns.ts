/**
 * Beep patterns and LED states as data. Durations in milliseconds; each step sounds the
 * buzzer for `on` then keeps it silent for `off` (the last step's `off` is the pause
 * before the next pattern may start).
 */
import type { IndicatorPattern, LedState } from '../../roles/indicator.js';

export interface BeepStep {
  readonly on: number;
  readonly off: number;
}

export const PATTERNS: Readonly<Record<IndicatorPattern, readonly BeepStep[]>> = {
  success: [{ on: 100, off: 0 }],
  error: [
    { on: 60, off: 60 },
    { on: 60, off: 60 },
    { on: 60, off: 0 },
  ],
  key: [{ on: 20, off: 0 }],
  attention: [
    { on: 400, off: 200 },
    { on: 400, off: 0 },
  ],
};

/** Two LEDs (green, red): steady colours; green + red together show amber on a bicolour LED. */
export const TWO_LED_STATES: Readonly<Record<LedState, { readonly green: 0 | 1; readonly red: 0 | 1 }>> = {
  off: { green: 0, red: 0 },
  ready: { green: 1, red: 0 },
  busy: { green: 1, red: 1 },
  error: { green: 0, red: 1 },
};

/** One LED: steady off / on, or blinking with this half period (ms). */
export const ONE_LED_STATES: Readonly<Record<LedState, 0 | 1 | { readonly blinkMs: number }>> = {
  off: 0,
  ready: 1,
  busy: { blinkMs: 500 },
  error: { blinkMs: 125 },
};
