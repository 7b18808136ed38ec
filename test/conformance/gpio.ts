/** GPIO contract conformance (hal/gpio.ts). */
import type { Test } from 'tap';
import type { GpioController, GpioLineRef, GpioValue } from '../../hal/gpio.js';
import { until } from '../until.js';

export interface GpioFixtures {
  /** A free line that may be driven. */
  output: GpioLineRef;
  /** Two lines wired together on the rig (sim: the model joins them): [driven, sensed]. */
  loopback?: [GpioLineRef, GpioLineRef];
  /** A line reference that does not exist on this board. */
  invalid: GpioLineRef;
}

export interface GpioSuiteOptions {
  name: string;
  factory: () => Promise<GpioController>;
  fixtures: GpioFixtures;
}

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function gpioConformance(t: Test, { name, factory, fixtures }: GpioSuiteOptions): void {
  t.test(`${name}: GPIO contract`, async (t) => {
    t.test('an output reads back what was written, active-low applied', async (t) => {
      const gpio = await factory();
      const line = await gpio.open(fixtures.output, { direction: 'out', initial: 1 });
      t.equal(await line.read(), 1);
      await line.write(0);
      t.equal(await line.read(), 0);
      await line.close();
      const inverted = await gpio.open(fixtures.output, { direction: 'out', initial: 0, activeLow: true });
      t.equal(inverted.activeLow, true);
      t.equal(await inverted.read(), 0, 'logical value');
      await inverted.write(1);
      t.equal(await inverted.read(), 1);
      await gpio.close();
    });

    t.test('a line that does not exist is HAL_NOT_FOUND; a line opened twice is HAL_BUSY', async (t) => {
      const gpio = await factory();
      await t.rejects(gpio.open(fixtures.invalid, { direction: 'in' }), { code: 'HAL_NOT_FOUND' });
      await gpio.open(fixtures.output, { direction: 'out' });
      await t.rejects(gpio.open(fixtures.output, { direction: 'out' }), { code: 'HAL_BUSY' });
      await gpio.close();
    });

    t.test('writing an input is refused', async (t) => {
      const gpio = await factory();
      const line = await gpio.open(fixtures.output, { direction: 'in' });
      await t.rejects(line.write(1), { code: 'HAL_INVALID_ARGUMENT' });
      await gpio.close();
    });

    if (fixtures.loopback) {
      const [outRef, inRef] = fixtures.loopback;
      t.test('edges are reported in order; unsubscribe and close stop them', async (t) => {
        const gpio = await factory();
        const out = await gpio.open(outRef, { direction: 'out', initial: 0 });
        const input = await gpio.open(inRef, { direction: 'in', edge: 'both' });
        const seen: GpioValue[] = [];
        const stop = input.watch((v) => seen.push(v));
        await out.write(1);
        await until(() => seen.length >= 1, 'the rising edge');
        await out.write(0);
        await until(() => seen.length >= 2, 'the falling edge');
        t.same(seen, [1, 0]);
        t.equal(await input.read(), 0);
        stop();
        await out.write(1);
        await tick();
        t.same(seen, [1, 0], 'no event after unsubscribe');
        const late: GpioValue[] = [];
        input.watch((v) => late.push(v));
        await out.write(0);
        await input.close();
        await tick();
        t.same(late, [], 'nothing fires after close, even an edge raised just before it');
        await t.rejects(input.read(), { code: 'HAL_CLOSED' });
        await gpio.close();
      });

      t.test('an active-low input reports inverted edges', async (t) => {
        const gpio = await factory();
        const out = await gpio.open(outRef, { direction: 'out', initial: 0 });
        const input = await gpio.open(inRef, { direction: 'in', activeLow: true, edge: 'rising' });
        const seen: GpioValue[] = [];
        input.watch((v) => seen.push(v));
        await out.write(1);
        await tick();
        await out.write(0);
        // An event for the first write, had there been one, comes before this one.
        await until(() => seen.length >= 1, 'the logical rising edge');
        t.same(seen, [1], 'only the logical rising edge (electrical falling)');
        await gpio.close();
      });
    }
  });
}
