/**
 * Names what the buzzer model heard: groups the beeps the buzzer line made and matches
 * them against the Indicator role's patterns (hal/devices/buzzer/patterns.ts: success one
 * 100 ms beep, error three 60 ms beeps, key one 20 ms click, attention two 400 ms beeps),
 * a beep fitting a step from half to three times its length. A sequence no pattern
 * explains is named by its durations ("beep 900ms").
 */
import type { IndicatorPattern } from '../../hal/roles/indicator.js';
import { PATTERNS } from '../../hal/devices/buzzer/patterns.js';

/** Slack for timers firing late on a loaded machine (beeps last longer, gaps too). */
const SLACK_MS = 150;

const NAMES = Object.keys(PATTERNS) as IndicatorPattern[];

/** A beep of this length can be a step of `on` ms: timers fire late, never early, so longer counts less against it. */
const fits = (durationMs: number, on: number): boolean => durationMs >= 0.5 * on && durationMs <= 3 * on;
const misfit = (durationMs: number, on: number): number => (durationMs >= on ? 0.5 * Math.log(durationMs / on) : Math.log(on / durationMs));

/** Patterns whose first steps the beeps can be. */
const prefixesOf = (durations: readonly number[]): IndicatorPattern[] =>
  NAMES.filter((n) => PATTERNS[n].length >= durations.length && durations.every((d, i) => fits(d, PATTERNS[n][i]!.on)));

export class BeepNamer {
  private group: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly emit: (pattern: string) => void) {}

  /** One finished beep (the buzzer model's onBeep). */
  beep(_startMs: number, durationMs: number): void {
    clearTimeout(this.timer);
    const next = [...this.group, Math.max(1, durationMs)];
    const candidates = prefixesOf(next);
    if (candidates.length === 0 && this.group.length > 0) {
      // This beep starts something new: the group so far was all there was.
      this.flush();
      this.beep(_startMs, durationMs);
      return;
    }
    this.group = next;
    const longer = candidates.filter((n) => PATTERNS[n].length > next.length);
    if (longer.length === 0) {
      this.flush();
      return;
    }
    // The next beep ends (and is reported) after the pause and its own length: wait that long
    // for the slowest candidate, with room for late timers.
    const wait = Math.max(...longer.map((n) => PATTERNS[n][next.length - 1]!.off + 1.5 * PATTERNS[n][next.length]!.on));
    this.timer = setTimeout(() => this.flush(), wait + SLACK_MS);
    this.timer.unref?.();
  }

  /** Names the group: the pattern with as many steps whose lengths fit it best. */
  private flush(): void {
    clearTimeout(this.timer);
    const group = this.group;
    this.group = [];
    if (group.length === 0) return;
    let best: { name: string; score: number } | undefined;
    for (const n of prefixesOf(group)) {
      if (PATTERNS[n].length !== group.length) continue;
      const score = group.reduce((sum, d, i) => sum + misfit(d, PATTERNS[n][i]!.on), 0);
      if (!best || score < best.score) best = { name: n, score };
    }
    this.emit(best?.name ?? `beep ${group.map((d) => `${Math.round(d)}ms`).join(' ')}`);
  }

  close(): void {
    clearTimeout(this.timer);
    this.group = [];
  }
}
