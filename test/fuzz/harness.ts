// The fuzz harness every parser test uses: `POS_FUZZ_RUNS` inputs per parser (a few thousand
// in `make test`, 100,000 in `make fuzz`), each input either parsed or refused with the
// layer's own error; any other exception is a crash and fails with the seed and the input
// that caused it (fast-check prints both; `POS_FUZZ_SEED` replays a seed). A hang is caught
// by the per-file time limit (tap's in `make test`, the `make fuzz` limit there).
import fc from 'fast-check';
import type { Test } from 'tap';

const DEFAULT_RUNS = 2000;

/**
 * Inputs per parser: POS_FUZZ_RUNS when set (`make fuzz`: every parser gets that many), else
 * the `make test` default, scaled down for parsers whose every input costs file I/O.
 */
export function fuzzRuns(scale = 1): number {
  const env = process.env.POS_FUZZ_RUNS;
  if (env === undefined) return Math.max(1, Math.round(DEFAULT_RUNS * scale));
  const runs = Number(env);
  if (!Number.isInteger(runs) || runs <= 0) throw new Error(`POS_FUZZ_RUNS must be a positive integer, got ${env}`);
  return runs;
}

function seedOption(): { seed?: number } {
  const seed = process.env.POS_FUZZ_SEED;
  return seed === undefined ? {} : { seed: Number(seed) };
}

/**
 * Feeds `runs` inputs from `arb` to `parse`; `refusal(err)` says whether a thrown error is the
 * parser's documented refusal. Ends with one passing assertion naming the count (`make fuzz`
 * prints these lines).
 */
export function fuzz<T>(t: Test, name: string, arb: fc.Arbitrary<T>, parse: (input: T) => unknown, refusal: (err: unknown) => boolean, scale = 1): void {
  const numRuns = fuzzRuns(scale);
  let refused = 0;
  fc.assert(
    fc.property(arb, (input) => {
      try {
        parse(input);
      } catch (err) {
        if (!refusal(err)) throw err;
        refused++;
      }
    }),
    { numRuns, ...seedOption() },
  );
  t.pass(`${name}: ${numRuns} inputs, 0 crashes (${refused} refused with a clear error)`);
}

/** The async form, for parsers behind I/O (archives on disk, the console over a link). */
export async function fuzzAsync<T>(t: Test, name: string, arb: fc.Arbitrary<T>, parse: (input: T) => Promise<unknown>, refusal: (err: unknown) => boolean, scale = 1): Promise<void> {
  const numRuns = fuzzRuns(scale);
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      try {
        await parse(input);
      } catch (err) {
        if (!refusal(err)) throw err;
        refused++;
      }
    }),
    { numRuns, ...seedOption() },
  );
  t.pass(`${name}: ${numRuns} inputs, 0 crashes (${refused} refused with a clear error)`);
}

type Mutation = { kind: 'flip' | 'cut' | 'insert' | 'delete' | 'dup'; at: number; byte: number; len: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'cut', 'insert', 'delete', 'dup'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  len: fc.integer({ min: 1, max: 8 }),
});

function applyMutation(input: Uint8Array, m: Mutation): Uint8Array {
  if (input.length === 0) return Uint8Array.of(m.byte);
  const at = m.at % input.length;
  const b = Buffer.from(input);
  switch (m.kind) {
    case 'flip':
      b[at] = b[at]! ^ (m.byte || 1);
      return b;
    case 'cut':
      return b.subarray(0, at);
    case 'insert':
      return Buffer.concat([b.subarray(0, at), Buffer.alloc(m.len, m.byte), b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    case 'dup':
      return Buffer.concat([b.subarray(0, at + m.len), b.subarray(at)]);
  }
}

/**
 * Valid samples with one to four random mutations (bit flips, truncation, inserted, deleted
 * and duplicated bytes), mixed with plain random bytes: mutations of valid input reach the
 * deep branches of a parser that random bytes stop at the first check.
 */
export function mutated(samples: readonly Uint8Array[], maxRandom = 96): fc.Arbitrary<Uint8Array> {
  const fromSample = fc
    .tuple(fc.constantFrom(...samples), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([s, ms]) => ms.reduce<Uint8Array>((acc, m) => applyMutation(acc, m), s));
  return fc.oneof({ weight: 3, arbitrary: fromSample }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) });
}

/** Text in the same way: valid samples mutated as latin1 bytes, and random strings. */
export function mutatedText(samples: readonly string[], maxRandom = 96): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: mutated(samples.map((s) => Buffer.from(s, 'latin1')), 0).map((b) => Buffer.from(b).toString('latin1')) },
    { weight: 1, arbitrary: fc.string({ maxLength: maxRandom, unit: 'binary' }) },
  );
}
