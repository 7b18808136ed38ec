// The soak's seeded choices: mulberry32 (a small, well-known 32-bit PRNG), derived per
// purpose so that the parent (faults, kills) and each terminal child (the transaction
// stream) draw independent, replayable sequences from one seed.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

export function rng(...parts: number[]): Rng {
  let a = 0x9e3779b9;
  for (const p of parts) a = Math.imul(a ^ (p >>> 0), 0x85ebca6b) ^ (a >>> 13);
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/** Stream ids, so each purpose gets its own sequence from the same seed. */
export const STREAM = { txn: 1, fault: 2, kill: 3, step: 4, print: 5 } as const;
