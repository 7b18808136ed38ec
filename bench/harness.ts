/**
 * Benchmark harness for `make bench`. Every figure is printed next to a baseline measured
 * in the same run (these machines are noisy), as a ratio, with the goal beside it.
 * A benchmark module exports `default: Benchmark`.
 */
export interface BenchFigure {
  /** What was measured, e.g. "TLV decode, one tap (SELECT+GPO+READ RECORD)". */
  name: string;
  /** The measured value and its unit, e.g. 310000 "ops/s" or 142 "ms". */
  value: number;
  unit: string;
  /** The baseline measured in the same run. */
  baseline?: { name: string; value: number };
  /** value / baseline.value (computed by the harness when absent). */
  ratio?: number;
  /** Human goal and whether it was met, e.g. "ratio >= 8" and true. */
  goal?: string;
  met?: boolean;
  /**
   * Per-run measurements behind the figure (e.g. the kernel time of each tap, ms): the report
   * draws their distribution. Keep it to a few thousand values.
   */
  samples?: number[];
  /**
   * Puts the figure into a chart panel with others of the same `panel` (and unit), at `x`:
   * e.g. settlement time at batch sizes 1k, 10k, 100k as one line against its floor.
   */
  chart?: { panel: string; x: string };
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchFigure[]>;
}

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns ops/s. */
export function opsPerSecond(fn: () => void, ms = 500): number {
  const warm = performance.now() + ms / 5;
  while (performance.now() < warm) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** Alternates the candidates `rounds` times and returns the median ops/s of each (noise control). */
export function compareOps(candidates: Record<string, () => void>, rounds = 5, ms = 300): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(candidates)) (samples[name] ??= []).push(opsPerSecond(fn, ms));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
