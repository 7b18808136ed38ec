/**
 * Time for parts whose behaviour is a duration (a beep, a pause between beeps). Drivers take
 * an optional Clock and default to the host's monotonic clock; the sim board may hand a
 * driver and its chip model one shared clock so that what the model measures is what the
 * driver played, however late the host's timers fire (hal/sim/clock.ts).
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes back. */
  now(): number;
  /**
   * Resolves once `now()` has advanced by at least `ms` (never earlier: a beep must not be
   * shorter than its pattern says), or at once when `signal` aborts. Never rejects.
   */
  hold(ms: number, signal: AbortSignal): Promise<void>;
}

/** The host's monotonic clock (performance.now()) and timers. */
export const monotonicClock: Clock = {
  now: () => performance.now(),
  async hold(ms, signal) {
    const from = performance.now();
    for (;;) {
      // A timer may fire a fraction of a millisecond early: wait again for the rest.
      const left = from + ms - performance.now();
      if (left <= 0 || signal.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.ceil(left));
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
  },
};
