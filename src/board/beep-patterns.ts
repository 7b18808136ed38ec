/**
 * Names what the buzzer model heard: groups the beeps the buzzer line made and matches
 * them against the Indicator role's patterns (hal/devices/buzzer/patterns.ts: success one
 * 100 ms beep, error three 60 ms beeps, key one 20 ms click, attention two 400 ms beeps).
 * A sequence no pattern explains is named by its durations ("beep 150ms").
 */
import type { IndicatorPattern } from '../../hal/roles/indicator.js';
import { PATTERNS } from '../../hal/devices/buzzer/patterns.js';

/** Slack for timers firing late on a loaded machine (beeps last longer, gaps too). */
const SLACK_MS = 150;

/** The pattern step a beep of this length most likely was: nearest on a log scale. */
function stepClass(durationMs: number): number {
  const ons = [...new Set(Object.values(PATTERNS).flatMap((steps) => steps.map((s) => s.on)))];
  let best = ons[0]!;
  for (const on of ons) if (Math.abs(Math.log(durationMs / on)) < Math.abs(Math.log(durationMs / best))) best = on;
  return best;
}

const NAMES = Object.keys(PATTERNS) as IndicatorPattern[];

export class BeepNamer {
  private group: { on: number; durationMs: number; endMs: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly emit: (pattern: string) => void) {}

  /** One finished beep (the buzzer model's onBeep). */
  beep(startMs: number, durationMs: number): void {
    clearTimeout(this.timer);
    const on = stepClass(Math.max(1, durationMs));
    const next = [...this.group, { on, durationMs, endMs: startMs + durationMs }];
    const prefixOf = NAMES.filter((n) => PATTERNS[n].length >= next.length && next.every((b, i) => PATTERNS[n][i]!.on === b.on));
    if (prefixOf.length === 0 && this.group.length > 0) {
      // This beep starts something new: the group so far was not a whole pattern.
      this.flush();
      this.beep(startMs, durationMs);
      return;
    }
    this.group = next;
    const whole = prefixOf.find((n) => PATTERNS[n].length === next.length);
    const longer = prefixOf.some((n) => PATTERNS[n].length > next.length);
    if (whole && !longer) {
      this.flush();
      return;
    }
    // The next beep ends (and is reported) after the pause and its own length: wait that
    // long for the longest candidate, plus slack.
    const wait = Math.max(0, ...prefixOf.filter((n) => PATTERNS[n].length > next.length).map((n) => PATTERNS[n][next.length - 1]!.off + PATTERNS[n][next.length]!.on));
    this.timer = setTimeout(() => this.flush(), wait + SLACK_MS);
    this.timer.unref?.();
  }

  private flush(): void {
    clearTimeout(this.timer);
    const group = this.group;
    this.group = [];
    if (group.length === 0) return;
    const name = NAMES.find((n) => PATTERNS[n].length === group.length && group.every((b, i) => PATTERNS[n][i]!.on === b.on));
    this.emit(name ?? `beep ${group.map((b) => `${Math.round(b.durationMs)}ms`).join(' ')}`);
  }

  close(): void {
    clearTimeout(this.timer);
    this.group = [];
  }
}
