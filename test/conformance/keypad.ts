/**
 * Keypad role conformance (hal/roles/keypad.ts), run against every keypad driver with a
 * model that can press keys (`make test`); on a real board a person presses them.
 */
import type { Test } from 'tap';
import type { KeyEvent, KeyName, Keypad } from '../../hal/roles/keypad.js';

export interface KeypadRig {
  keypad: Keypad;
  /** Presses and releases the key that the driver reports as `key`. */
  press: (key: KeyName) => Promise<void>;
  cleanup?: () => Promise<void>;
}

export interface KeypadSuiteOptions {
  name: string;
  factory: () => Promise<KeypadRig>;
}

/** Resolves when `count` events have arrived (the role promises events, not a latency). */
export function collect(keypad: Keypad, count: number): { events: KeyEvent[]; done: Promise<KeyEvent[]> } {
  const events: KeyEvent[] = [];
  let resolve!: (e: KeyEvent[]) => void;
  const done = new Promise<KeyEvent[]>((r) => (resolve = r));
  if (count === 0) resolve(events);
  keypad.onKey((e) => {
    events.push(e);
    if (events.length === count) resolve(events);
  });
  return { events, done };
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function keypadConformance(t: Test, { name, factory }: KeypadSuiteOptions): void {
  t.test(`${name}: Keypad role`, async (t) => {
    t.test('every key of the layout arrives once, by name, in order', async (t) => {
      const { keypad, press, cleanup } = await factory();
      t.ok(keypad.keys.length > 0, 'the layout has keys');
      const { done } = collect(keypad, keypad.keys.length);
      for (const key of keypad.keys) await press(key);
      const events = await done;
      t.same(events.map((e) => e.key), keypad.keys);
      for (let i = 1; i < events.length; i++) t.ok(events[i]!.at >= events[i - 1]!.at, 'monotonic times');
      await keypad.close();
      await cleanup?.();
    });

    t.test('unsubscribe stops one listener; selfTest passes on an idle keypad', async (t) => {
      const { keypad, press, cleanup } = await factory();
      const [first, second] = keypad.keys;
      const seen: KeyName[] = [];
      const stop = keypad.onKey((e) => seen.push(e.key));
      const other = collect(keypad, 2);
      await press(first!);
      stop();
      await press(second ?? first!);
      await other.done;
      t.same(seen, [first]);
      await keypad.selfTest();
      await keypad.close();
      await cleanup?.();
    });

    t.test('nothing fires after close', async (t) => {
      const { keypad, press, cleanup } = await factory();
      const seen: KeyName[] = [];
      keypad.onKey((e) => seen.push(e.key));
      await keypad.close();
      await press(keypad.keys[0]!);
      await settle(100);
      t.same(seen, []);
      await t.rejects(keypad.selfTest(), { code: 'HAL_CLOSED' });
      await keypad.close(); // idempotent
      await cleanup?.();
    });
  });
}
