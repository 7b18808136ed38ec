// GPIO buzzer specifics: the patterns the issue asks for, active-low wiring seen on the
// lines, invalid wiring, lines released when opening fails, the binding.
import t from 'tap';
import { SimGpioController } from '../../../hal/sim/gpio.js';
import { GpioBuzzer } from '../../../hal/devices/buzzer/buzzer.js';
import { PATTERNS } from '../../../hal/devices/buzzer/patterns.js';
import { buzzerBinding } from '../../../hal/devices/buzzer/binding.js';
import { buzzerRig } from './rig.js';
import { SteppedClock } from '../../../hal/sim/clock.js';
import { monotonicClock } from '../../../hal/clock.js';

t.test('pattern data: success one 100 ms beep, error three short, key a 20 ms click, attention two long', async (t) => {
  t.same(PATTERNS.success.map((s) => s.on), [100]);
  t.same(PATTERNS.key.map((s) => s.on), [20]);
  t.equal(PATTERNS.error.length, 3);
  t.ok(PATTERNS.error.every((s) => s.on < PATTERNS.success[0]!.on), 'error beeps are short');
  t.equal(PATTERNS.attention.length, 2);
  t.ok(PATTERNS.attention.every((s) => s.on > PATTERNS.success[0]!.on), 'attention beeps are long');
  for (const steps of Object.values(PATTERNS)) {
    steps.slice(0, -1).forEach((s) => t.ok(s.off > 0, 'beeps within a pattern are separated by silence'));
  }
});

t.test('active-low: the line is low while sounding and high when silent; LED likewise', async (t) => {
  const rig = await buzzerRig({ buzzer: 'GPIO18', led: 'GPIO25', activeLow: true });
  t.teardown(() => rig.cleanup());
  const line = rig.gpio.pin('GPIO18');
  const levels: number[] = [];
  line.onLevel((l) => levels.push(l));
  t.equal(line.level, 1, 'silent = high after open');
  await rig.indicator.signal('error');
  t.same(levels, [0, 1, 0, 1, 0, 1], 'three low pulses, edges in order');
  t.equal(rig.gpio.pin('GPIO25').level, 1, 'LED off = high');
  await rig.indicator.setLed('ready');
  t.equal(rig.gpio.pin('GPIO25').level, 0, 'LED on = low');
  await rig.indicator.close();
  t.same([line.level, rig.gpio.pin('GPIO25').level], [1, 1], 'close leaves both lines inactive (high)');
});

t.test('active-high: edges of a success beep and a key click on the line', async (t) => {
  const rig = await buzzerRig({ buzzer: 'GPIO18' });
  t.teardown(() => rig.cleanup());
  const levels: number[] = [];
  rig.gpio.pin('GPIO18').onLevel((l) => levels.push(l));
  await rig.indicator.signal('success');
  await rig.indicator.signal('key');
  t.same(levels, [1, 0, 1, 0]);
});

t.test('on a clock shared with the model, every beep and pause is measured exactly as the pattern says', async (t) => {
  const rig = await buzzerRig({ buzzer: 'GPIO18' }, new SteppedClock());
  t.teardown(() => rig.cleanup());
  for (const pattern of ['success', 'error', 'key', 'attention'] as const) {
    const before = rig.beeps().length;
    await rig.indicator.signal(pattern);
    const played = rig.beeps().slice(before);
    t.same(
      played.map((b) => b.durationMs),
      PATTERNS[pattern].map((s) => s.on),
      `${pattern}: beep lengths`,
    );
    t.same(
      played.slice(1).map((b, i) => b.startMs - (played[i]!.startMs + played[i]!.durationMs)),
      PATTERNS[pattern].slice(0, -1).map((s) => s.off),
      `${pattern}: pauses`,
    );
  }
});

t.test('the stepped clock moves only when held, by exactly the time held; an aborted hold does not move it', async (t) => {
  const clock = new SteppedClock();
  const ac = new AbortController();
  t.equal(clock.now(), 0);
  await clock.hold(20, ac.signal);
  await clock.hold(0, ac.signal);
  t.equal(clock.now(), 20);
  ac.abort();
  await clock.hold(100, ac.signal);
  t.equal(clock.now(), 20);
});

t.test('the host clock never holds shorter than asked', async (t) => {
  const ac = new AbortController();
  for (const ms of [1, 5, 20]) {
    const from = monotonicClock.now();
    await monotonicClock.hold(ms, ac.signal);
    t.ok(monotonicClock.now() - from >= ms, `${ms} ms`);
  }
});

t.test('invalid wiring and failed opens', async (t) => {
  const gpio = new SimGpioController();
  await t.rejects(GpioBuzzer.open({ gpio, buzzer: 'GPIO18', led: 'GPIO25', ledGreen: 'GPIO23' }), { code: 'HAL_INVALID_ARGUMENT' });
  await t.rejects(GpioBuzzer.open({ gpio, buzzer: 'GPIO18', ledGreen: 'GPIO99' }), { code: 'HAL_NOT_FOUND' });
  // The buzzer line opened before the bad LED line was released again:
  const buzzer = await GpioBuzzer.open({ gpio, buzzer: 'GPIO18' });
  await t.rejects(GpioBuzzer.open({ gpio, buzzer: 'GPIO18' }), { code: 'HAL_BUSY' }, 'a line cannot be shared');
  await t.rejects(buzzer.signal('chirp' as never), { code: 'HAL_INVALID_ARGUMENT' });
  await t.rejects(buzzer.setLed('blue' as never), { code: 'HAL_INVALID_ARGUMENT' });
  await buzzer.close();
  await gpio.close();
});

t.test('binding: compatible, bus, role, props', async (t) => {
  t.equal(buzzerBinding.compatible, 'generic,gpio-buzzer');
  t.equal(buzzerBinding.bus, 'gpio');
  t.same(buzzerBinding.roles, ['indicator']);
  t.same(buzzerBinding.props.required, ['buzzer']);
  t.same(Object.keys(buzzerBinding.props.properties).sort(), ['activeLow', 'buzzer', 'led', 'ledGreen', 'ledRed']);
  t.equal(buzzerBinding.props.properties.buzzer?.type, 'gpio');
});
