/**
 * A clock for the sim board in which time passes only when a part holds it: `hold(ms)`
 * moves `now()` on by exactly `ms` and resolves on the next turn of the event loop. A
 * driver and its chip model sharing it agree on every duration whatever the host's load
 * (a 20 ms key click is measured as 20 ms, not 20 ms plus a stall). Meant for one part
 * holding at a time, as the buzzer plays one pattern at a time.
 */
import type { Clock } from '../clock.js';

export class SteppedClock implements Clock {
  private t = 0;

  now(): number {
    return this.t;
  }

  async hold(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.t += Math.max(0, ms);
    await new Promise((r) => setImmediate(r));
  }
}
