/**
 * The Indicator role: the buzzer and the status light that tell the cashier what
 * happened (a key was taken, the card was read, the transaction failed).
 *
 * Rules:
 * - Patterns never overlap: a new `signal` QUEUES behind the pattern playing (key clicks
 *   typed quickly all play, in order). Every call's promise settles: it resolves when its
 *   pattern has played (or was cut short by `close()`), and rejects with HAL_CLOSED when
 *   the indicator closed before the pattern started.
 * - `setLed` changes the steady status light at once and independently of beeps.
 * - `close()` silences the buzzer, turns the lights off and releases the lines.
 */

/**
 * What each pattern means to the cashier, and what every implementation must play:
 * - `success`: one beep of at least 100 ms (card read, transaction approved);
 * - `error`: three short beeps (declined, read error);
 * - `key`: one click of at least 20 ms (a key press was taken);
 * - `attention`: two long beeps, longer than the error beeps (remove the card, see the display).
 */
export type IndicatorPattern = 'success' | 'error' | 'key' | 'attention';

/**
 * The steady status light: `ready` (idle, waiting for a transaction), `busy` (a
 * transaction is in progress), `error` (out of service or a fault needs attention).
 */
export type LedState = 'off' | 'ready' | 'busy' | 'error';

export interface Indicator {
  /** Plays a pattern; resolves when it has played. */
  signal(pattern: IndicatorPattern): Promise<void>;
  setLed(state: LedState): Promise<void>;
  close(): Promise<void>;
}
