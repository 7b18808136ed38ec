/**
 * The Indicator role: the buzzer and the status light that tell the cashier what
 * happened (a key was taken, the card was read, the transaction failed).
 *
 * Rules:
 * - Patterns never overlap: each implementation documents whether a new `signal` queues
 *   behind the one playing or preempts it; either way the promise of every call settles
 *   (resolves when its pattern has played or was cut short; rejects with HAL_CLOSED when
 *   the indicator closes before it started).
 * - `setLed` changes the steady status light at once and independently of beeps.
 * - `close()` silences the buzzer, turns the lights off and releases the lines.
 */
export type IndicatorPattern = 'success' | 'error' | 'key' | 'attention';

export type LedState = 'off' | 'ready' | 'busy' | 'error';

export interface Indicator {
  /** Plays a pattern; resolves when it has played. */
  signal(pattern: IndicatorPattern): Promise<void>;
  setLed(state: LedState): Promise<void>;
  close(): Promise<void>;
}
