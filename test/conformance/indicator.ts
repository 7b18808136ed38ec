/**
 * Indicator role conformance (hal/roles/indicator.ts), run against every buzzer/LED
 * driver with a model that records what was heard and seen. No timing thresholds that
 * can flake: counts and order of beeps, and durations of at least the nominal values.
 */
import type { Test } from 'tap';
import type { Indicator, IndicatorPattern, LedState } from '../../hal/roles/indicator.js';
import { HANG_MS } from '../until.js';

export interface HeardBeep {
  startMs: number;
  durationMs: number;
}

export interface IndicatorRig {
  indicator: Indicator;
  /** Finished beeps so far, in order (the model's record). */
  beeps(): readonly HeardBeep[];
  /** Whether the buzzer sounds now. */
  sounding(): boolean;
  /** Lit LEDs now, by name ("green", "red" or "led"); only wired LEDs appear. */
  leds(): Partial<Record<string, boolean>>;
  /** Every LED change so far. */
  ledChanges(): readonly { led: string; on: boolean }[];
  /** Which LEDs the rig wires (capability as data). */
  ledKind: 'two' | 'one' | 'none';
  /** The nominal (on, off) durations of each pattern's beeps, from the driver's pattern data. */
  nominal: Readonly<Record<IndicatorPattern, readonly { on: number; off: number }[]>>;
  cleanup(): Promise<void>;
}

export interface IndicatorSuiteOptions {
  name: string;
  factory: () => Promise<IndicatorRig>;
}

/** The role's meaning of each pattern: how many beeps (success one, error three short, key one click, attention two long). */
const BEEPS: Record<IndicatorPattern, number> = { success: 1, error: 3, key: 1, attention: 2 };

export function indicatorConformance(t: Test, { name, factory }: IndicatorSuiteOptions): void {
  const setup = async (t: Test): Promise<IndicatorRig> => {
    const rig = await factory();
    t.teardown(() => rig.cleanup());
    return rig;
  };

  t.test(`${name}: Indicator role`, async (t) => {
    t.test('each pattern plays its beeps, no shorter than nominal, and resolves when done', async (t) => {
      const rig = await setup(t);
      t.ok(rig.nominal.success[0]!.on >= 100, 'success is a beep of 100 ms or more');
      t.ok(rig.nominal.key[0]!.on >= 20, 'a key click is 20 ms or more');
      t.ok(Math.min(...rig.nominal.attention.map((s) => s.on)) > Math.max(...rig.nominal.error.map((s) => s.on)), 'attention beeps are longer than error beeps');
      for (const pattern of ['success', 'error', 'key', 'attention'] as const) {
        const before = rig.beeps().length;
        await rig.indicator.signal(pattern);
        t.notOk(rig.sounding(), `${pattern}: silent when the promise resolves`);
        const played = rig.beeps().slice(before);
        t.equal(played.length, BEEPS[pattern], `${pattern}: ${BEEPS[pattern]} beep(s)`);
        played.forEach((b, i) => {
          const step = rig.nominal[pattern][i]!;
          t.ok(b.durationMs >= step.on, `${pattern} beep ${i + 1}: ${b.durationMs.toFixed(1)} ms >= ${step.on} ms`);
          const next = played[i + 1];
          if (next) t.ok(next.startMs - (b.startMs + b.durationMs) >= step.off, `${pattern} gap ${i + 1} >= ${step.off} ms`);
        });
      }
    });

    t.test('patterns never overlap: calls made together play one after the other, in call order', async (t) => {
      const rig = await setup(t);
      const order: string[] = [];
      const calls = (['error', 'success', 'key'] as const).map((p) => rig.indicator.signal(p).then(() => order.push(p)));
      await Promise.all(calls);
      t.same(order, ['error', 'success', 'key'], 'promises resolve in call order');
      const beeps = rig.beeps();
      t.equal(beeps.length, 5, '3 + 1 + 1 beeps');
      for (let i = 1; i < beeps.length; i++) {
        t.ok(beeps[i]!.startMs >= beeps[i - 1]!.startMs + beeps[i - 1]!.durationMs, `beep ${i + 1} starts after beep ${i} ended`);
      }
      t.ok(beeps[3]!.durationMs >= rig.nominal.success[0]!.on, 'the fourth beep is the success beep');
    });

    t.test('setLed shows each state at once', async (t) => {
      const rig = await setup(t);
      const want: Record<LedState, Partial<Record<string, boolean>>> =
        rig.ledKind === 'two'
          ? { ready: { green: true, red: false }, busy: { green: true, red: true }, error: { green: false, red: true }, off: { green: false, red: false } }
          : rig.ledKind === 'one'
            ? { ready: { led: true }, busy: { led: true }, error: { led: true }, off: { led: false } }
            : { ready: {}, busy: {}, error: {}, off: {} };
      for (const state of ['ready', 'busy', 'error', 'off'] as const) {
        await rig.indicator.setLed(state);
        t.same(rig.leds(), want[state], state);
      }
      if (rig.ledKind === 'one') {
        await rig.indicator.setLed('error');
        const from = rig.ledChanges().length;
        const blinked = (): boolean => rig.ledChanges().slice(from).some((c) => !c.on) && rig.ledChanges().slice(from).some((c) => c.on);
        for (const deadline = Date.now() + HANG_MS; !blinked() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
        const blinks = rig.ledChanges().slice(from);
        t.ok(blinks.some((c) => !c.on) && blinks.some((c) => c.on), 'error blinks the single LED');
        await rig.indicator.setLed('off');
        const after = rig.ledChanges().length;
        await new Promise((r) => setTimeout(r, 300));
        t.equal(rig.ledChanges().length, after, 'off stops the blinking');
        t.same(rig.leds(), { led: false });
      }
    });

    t.test('close silences, darkens, settles every call; later calls reject HAL_CLOSED', async (t) => {
      const rig = await setup(t);
      await rig.indicator.setLed('ready');
      const before = rig.beeps().length;
      const playing = rig.indicator.signal('attention');
      const queued = rig.indicator.signal('success');
      for (let i = 0; i < 1000 && !rig.sounding(); i++) await new Promise((r) => setImmediate(r));
      t.ok(rig.sounding(), 'the attention pattern is playing');
      await rig.indicator.close();
      t.equal(rig.beeps().length - before, 1, 'its first beep was cut short, the second never played');
      await t.resolves(playing, 'the pattern playing is cut short and resolves');
      await t.rejects(queued, { code: 'HAL_CLOSED' }, 'the queued pattern rejects');
      t.notOk(rig.sounding(), 'silent after close');
      t.notOk(Object.values(rig.leds()).some(Boolean), 'no LED lit after close');
      await t.rejects(rig.indicator.signal('key'), { code: 'HAL_CLOSED' });
      await t.rejects(rig.indicator.setLed('ready'), { code: 'HAL_CLOSED' });
      await rig.indicator.close();
    });
  });
}
