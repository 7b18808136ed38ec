// Matrix keypad: the real driver scanning the matrix model on sim GPIO lines.
// Behaviour from hardware.md section 9 (row drive / column sense, N equal scans, ghosting).
import t from 'tap';
import { SimGpioController } from '../../../hal/sim/gpio.js';
import { memoryBusTrace } from '../../../hal/sim/trace.js';
import { MatrixKeypad, type MatrixKeypadOptions } from '../../../hal/devices/matrix-keypad/matrix-keypad.js';
import { MatrixKeypadModel } from '../../../hal/devices/matrix-keypad/matrix-keypad.sim.js';
import type { GpioController } from '../../../hal/gpio.js';
import { keypadConformance } from '../../conformance/keypad.js';

const ROWS = ['GPIO5', 'GPIO6', 'GPIO13', 'GPIO19'];
const COLS4 = ['GPIO12', 'GPIO16', 'GPIO20', 'GPIO21'];
const PAD_4X4: MatrixKeypadOptions = { rows: ROWS, cols: COLS4, layout: ['123A', '456B', '789C', '*0#D'] };
const PAD_4X3: MatrixKeypadOptions = { rows: ROWS, cols: COLS4.slice(0, 3), layout: [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9'], ['*', '0', '#']] };

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await settle(5);
}

async function rig(options: MatrixKeypadOptions = PAD_4X4, wrap: (g: SimGpioController) => GpioController = (g) => g) {
  const trace = memoryBusTrace();
  const gpio = new SimGpioController({ trace });
  const model = new MatrixKeypadModel(gpio, options);
  const keypad = await MatrixKeypad.open({ gpio: wrap(gpio), ...options });
  /** Times the first row was driven low: one per scan (plus one per idle entry). */
  const rowScans = () => trace.entries.filter((e) => e.line === options.rows[0] && e.op === 'set' && e.value === 0).length;
  /** Lets the driver scan the present state more often than its debounce needs (20 ms / 5 ms = 4). */
  const scans = async (n = 6) => {
    const start = rowScans();
    await until(() => rowScans() >= start + n);
  };
  const seen: string[] = [];
  keypad.onKey((e) => seen.push(e.key));
  /** Idle: every row driven low, waiting for a column edge (the driver's documented idle state). */
  const idle = () => options.rows.every((r) => gpio.pin(r).drivenByHost && gpio.pin(r).level === 0);
  /**
   * A key press as a person makes it: down (with bounce) until the keypad reports
   * something, then up until the keypad is idle again. Waiting on the driver's state rather
   * than on a clock keeps this right on a loaded machine, where timers run late.
   */
  const tap = async (label: string, bounce = 5) => {
    const before = seen.length;
    await model.press(label, { bounce });
    await until(() => seen.length > before);
    await model.release(label, { bounce });
    await until(idle);
  };
  const close = async () => {
    await keypad.close();
    await gpio.close();
  };
  return { gpio, model, keypad, seen, idle, tap, scans, close };
}

t.test('presses with contact bounce arrive exactly once each, in order', async (t) => {
  const { keypad, seen, tap, close } = await rig();
  const times: number[] = [];
  keypad.onKey((e) => times.push(e.at));
  // tap() returns once the keypad is idle again: from there only a new edge can report.
  for (const label of ['1', '5', '#', '1', 'A', 'B', 'C', 'D', '*', '0']) await tap(label, 7);
  t.same(seen, ['1', '5', 'ENTER', '1', 'F1', 'F2', 'CLEAR', 'FUNC', 'CANCEL', '0'], 'once each, no late duplicates');
  t.same([...times].sort((a, b) => a - b), times, 'in order');
  await close();
});

t.test('the press is reported while the key is still held, once, however long the hold', async (t) => {
  const { model, keypad, seen, idle, tap, scans, close } = await rig();
  const times: number[] = [];
  keypad.onKey((e) => times.push(e.at));
  const pressedAt = performance.now();
  await model.press('7', { bounce: 3 });
  await until(() => seen.length === 1);
  t.equal(model.isDown('7'), true, 'reported before release');
  await scans();
  await model.release('7', { bounce: 3 });
  await until(idle);
  t.same(seen, ['7'], 'no repeat while held, nothing on release');
  await tap('8');
  t.same(seen, ['7', '8']);
  t.ok(times[0]! >= pressedAt, 'accepted after the press, on the monotonic clock');
  await close();
});

t.test('two keys at once report nothing new; a third key making a ghost reports nothing', async (t) => {
  const { model, seen, idle, tap, scans, close } = await rig();
  await Promise.all([model.press('1'), model.press('2')]);
  await scans();
  await Promise.all([model.release('1'), model.release('2')]);
  await until(idle);
  t.same(seen, [], 'two keys down together: nothing');

  await model.press('4');
  await until(() => seen.length === 1);
  await model.press('6'); // a second key while one is held
  await scans();
  await model.release('4');
  await scans();
  await model.release('6');
  await until(idle);
  t.same(seen, ['4'], 'the second key is not reported, not even once the first is released');

  // 1, 2 and 4 on three corners of a rectangle make 5 read as pressed (no diodes).
  await Promise.all([model.press('1'), model.press('2'), model.press('4')]);
  await scans();
  await Promise.all([model.release('1'), model.release('2'), model.release('4')]);
  await until(idle);
  t.same(seen, ['4'], 'no ghost 5, nor any of the three');
  await tap('5');
  t.same(seen, ['4', '5'], 'the keypad still works');
  await close();
});

t.test('the model ghosts like a diode-less matrix (the driver has a reason to refuse)', async (t) => {
  const gpio = new SimGpioController();
  const model = new MatrixKeypadModel(gpio, PAD_4X4);
  const rows = await Promise.all(ROWS.map((r) => gpio.open(r, { direction: 'in' })));
  const cols = await Promise.all(COLS4.map((c) => gpio.open(c, { direction: 'in', bias: 'pull-up' })));
  await Promise.all([model.press('1'), model.press('2'), model.press('4')]);
  await rows[1]!.setDirection('out', 0); // scan row 2 ("456B")
  t.same(await Promise.all(cols.map((c) => c.read())), [0, 0, 1, 1], '4 is real, 5 is a ghost through 4-1-2');
  await rows[1]!.setDirection('in');
  await model.release('1');
  await rows[1]!.setDirection('out', 0);
  t.same(await Promise.all(cols.map((c) => c.read())), [0, 1, 1, 1], 'without the third corner, no ghost');
  await gpio.close();
});

t.test('idle: rows driven low, scanning wakes on a column edge; close releases the rows', async (t) => {
  const { gpio, seen, idle, tap, close } = await rig();
  await until(idle);
  t.pass('idle with every row low, waiting for an edge');
  await tap('D', 4);
  t.same(seen, ['FUNC']);
  t.ok(idle(), 'back to idle after the release');
  await close();
  t.ok(ROWS.every((r) => !gpio.pin(r).drivenByHost), 'no row left driving low');
});

t.test('without edge events the keypad scans continuously', async (t) => {
  const polled = (g: SimGpioController): GpioController => ({
    capabilities: { bias: true, edgeEvents: false },
    open: (ref, options) => g.open(ref, options),
    close: () => g.close(),
  });
  const { gpio, model, seen, scans, close } = await rig(PAD_4X3, polled);
  for (const label of ['*', '0', '#']) {
    const before = seen.length;
    await model.press(label, { bounce: 5 });
    await until(() => seen.length > before);
    t.ok(ROWS.filter((r) => gpio.pin(r).drivenByHost).length <= 1, 'at most one row driven at a time');
    await model.release(label, { bounce: 5 });
    await scans();
  }
  t.same(seen, ['CANCEL', '0', 'ENTER']);
  await close();
});

t.test('key names: layout labels through keyNames, defaults kept', async (t) => {
  const { keypad, close } = await rig({ ...PAD_4X4, keyNames: { A: 'MENU' } });
  t.same(keypad.keys, ['1', '2', '3', 'MENU', '4', '5', '6', 'F2', '7', '8', '9', 'CLEAR', 'CANCEL', '0', 'ENTER', 'FUNC']);
  await close();
  const pad4x3 = await rig(PAD_4X3);
  t.same(pad4x3.keypad.keys, ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'CANCEL', '0', 'ENTER']);
  await pad4x3.close();
});

t.test('bad options are refused and leave no line open', async (t) => {
  const gpio = new SimGpioController();
  for (const bad of [
    { ...PAD_4X4, layout: ['123A', '456B', '789C'] },
    { ...PAD_4X4, layout: ['123', '456', '789', '*0#'] },
    { ...PAD_4X4, debounceMs: 1 },
    { ...PAD_4X4, scanIntervalMs: 60 },
  ]) {
    await t.rejects(MatrixKeypad.open({ gpio, ...bad }), { code: 'HAL_INVALID_ARGUMENT' });
  }
  await t.rejects(MatrixKeypad.open({ gpio, ...PAD_4X4, cols: ['GPIO12', 'GPIO16', 'GPIO20', 'GPIO99'] }), { code: 'HAL_NOT_FOUND' });
  const ok = await MatrixKeypad.open({ gpio, ...PAD_4X4 });
  t.pass('every line was released by the failed open');
  await ok.close();
  await gpio.close();
});

t.test('selfTest names a column held low with no row driven', async (t) => {
  const { gpio, keypad, close } = await rig();
  await keypad.selfTest();
  gpio.pin('GPIO16').drive(0); // column 2 shorted to ground
  await t.rejects(keypad.selfTest(), { code: 'HAL_DEVICE', message: /GPIO16/ });
  await close();
});

for (const [name, options] of [['4x4', PAD_4X4], ['4x3', PAD_4X3]] as const) {
  keypadConformance(t, {
    name: `matrix keypad ${name} on the sim matrix`,
    factory: async () => {
      const { model, keypad, seen, idle, close } = await rig(options);
      const names: Record<string, string> = { '*': 'CANCEL', '#': 'ENTER', A: 'F1', B: 'F2', C: 'CLEAR', D: 'FUNC' };
      const labelOf = new Map(model.labels.map((label) => [names[label] ?? label, label]));
      let closed = false;
      return {
        // The role as the driver implements it; close() also tells press() to stop waiting.
        keypad: {
          keys: keypad.keys,
          onKey: (listener) => keypad.onKey(listener),
          selfTest: () => keypad.selfTest(),
          close: async () => {
            closed = true;
            await keypad.close();
          },
        },
        press: async (key) => {
          const label = labelOf.get(key)!;
          const before = seen.length;
          await model.press(label, { bounce: 3 });
          await until(() => closed || seen.length > before);
          await model.release(label, { bounce: 3 });
          await until(() => closed || idle());
        },
        cleanup: close,
      };
    },
  });
}
