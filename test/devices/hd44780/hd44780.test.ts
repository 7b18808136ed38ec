// HD44780 + PCF8574: the real driver against the chip model on a sim I2C bus. Expected
// values come from the HD44780U datasheet (Figure 24, Table 4, Table 6) and hardware.md 6.
import t from 'tap';
import fc from 'fast-check';
import { SimI2cBus } from '../../../hal/sim/i2c.js';
import { memoryBusTrace } from '../../../hal/sim/trace.js';
import { Hd44780Display, type Hd44780Options } from '../../../hal/devices/hd44780/hd44780.js';
import { Hd44780Model, type Hd44780ModelOptions } from '../../../hal/devices/hd44780/hd44780.sim.js';
import { BACKSLASH_GLYPH, EURO_GLYPH, ROM_TABLES, TILDE_GLYPH } from '../../../hal/devices/hd44780/charset.js';
import { displayConformance } from '../../conformance/display.js';

const ADDR = 0x27;

async function rig(options: Hd44780Options & Hd44780ModelOptions = {}) {
  const trace = memoryBusTrace();
  const bus = new SimI2cBus({ name: 'i2c1', trace });
  const model = new Hd44780Model(options);
  bus.attach(ADDR, model);
  const lcd = await Hd44780Display.open({ device: await bus.open(ADDR), ...options });
  const writes = () => trace.entries.filter((e) => e.op === 'write').length;
  return { bus, model, lcd, trace, writes };
}

/** MJKDZ / GY-I2CLCD backpack: RS P6, RW P5, E P4, D4..D7 P0..P3, backlight P7 active low (hardware.md 6.2). */
const MJKDZ: Hd44780Options = { pins: { rs: 6, rw: 5, e: 4, d4: 0, d5: 1, d6: 2, d7: 3, backlight: 7 }, backlightActiveHigh: false };

t.test('initialisation: the model sees the datasheet Figure 24 sequence', async (t) => {
  const { model, lcd, bus } = await rig();
  const ops = model.ops.filter((o) => o.rs === 0 && o.rw === 0);
  // Steps 2-5: single pulses in 8-bit mode, DB3..DB0 read as 1 (pull-ups): 0x3 -> 0x3F.
  t.same(ops.slice(0, 4).map((o) => [o.bits, o.value >> 4]), [[8, 0x3], [8, 0x3], [8, 0x3], [8, 0x2]]);
  // Then 4-bit: function set 2 lines 5x8, display off, clear, entry mode increment, display on.
  t.same(ops.slice(4, 9).map((o) => [o.bits, o.value]), [[4, 0x28], [4, 0x08], [4, 0x01], [4, 0x06], [4, 0x0c]]);
  t.ok(ops[1]!.atUs - ops[0]!.atUs > 4100, 'more than 4.1 ms after the first function set');
  t.ok(ops[0]!.atUs > 40_000, 'more than 40 ms after power-on');
  t.equal(model.initialised, true);
  t.same(model.violations, []);
  await lcd.close();
  await bus.close();
});

t.test('a 1-row panel sets 1-line mode (N=0)', async (t) => {
  const { model, lcd, bus } = await rig({ cols: 16, rows: 1 });
  t.equal(model.ops.filter((o) => o.rs === 0 && o.bits === 4)[0]!.value, 0x20);
  await lcd.show(['ONE LINE']);
  t.same(model.text(), ['ONE LINE        ']);
  await lcd.close();
  await bus.close();
});

t.test('16x2: text lands at DDRAM 0x00 and 0x40', async (t) => {
  const { model, lcd, bus } = await rig();
  await lcd.show(['HELLO', 'WORLD']);
  t.equal(model.ddramAt(0x00), 0x48); // 'H'
  t.equal(model.ddramAt(0x40), 0x57); // 'W'
  t.same(model.text(), ['HELLO           ', 'WORLD           ']);
  t.same(lcd.text(), model.text());
  t.same(model.violations, []);
  await lcd.close();
  await bus.close();
});

t.test('bus speed: at 400 kHz the byte stream still leaves each instruction its 37/41 us', async (t) => {
  const fast = await rig({ busHz: 400_000 });
  await fast.lcd.show(['FAST MODE 400kHz', '0123456789ABCDEF']);
  t.same(fast.model.violations, [], 'two port writes (45 us) between E falls of successive transfers');
  await fast.lcd.close();
  await fast.bus.close();
  const tooFast = await rig({ busHz: 1_000_000 }); // beyond the PCF8574's rating: 18 us
  await tooFast.lcd.show(['TOO FAST']);
  t.ok(tooFast.model.violations.some((v) => v.kind === 'busy'), 'the model notices');
  await tooFast.lcd.close();
  await tooFast.bus.close();
});

t.test('20x4: rows start at 0x00, 0x40, 0x14, 0x54', async (t) => {
  const { model, lcd, bus } = await rig({ cols: 20, rows: 4 });
  const lines = ['ROW ZERO', 'ROW ONE', 'ROW TWO', 'ROW THREE 0123456789'];
  await lcd.show(lines);
  t.equal(String.fromCharCode(model.ddramAt(0x14)!), 'R');
  t.equal(String.fromCharCode(model.ddramAt(0x14 + 4)!), 'T');
  t.equal(String.fromCharCode(model.ddramAt(0x54 + 4)!), 'T');
  t.equal(String.fromCharCode(model.ddramAt(0x54 + 19)!), '9');
  t.same(model.text(), lines.map((l) => l.padEnd(20)));
  t.same(model.violations, []);
  await lcd.close();
  await bus.close();
});

t.test('16x4: rows start at 0x00, 0x40, 0x10, 0x50', async (t) => {
  const { model, lcd, bus } = await rig({ cols: 16, rows: 4 });
  await lcd.show(['a', 'b', 'c', 'd']);
  t.same([0x00, 0x40, 0x10, 0x50].map((a) => model.ddramAt(a)), [0x61, 0x62, 0x63, 0x64]);
  await lcd.close();
  await bus.close();
});

t.test('an update writes only the cells that changed', async (t) => {
  const { model, lcd, bus, writes } = await rig({ cols: 20, rows: 4 });
  await lcd.show(['AMOUNT', 'EUR 12.50', '', 'PRESS ENTER']);
  const cells = model.ddramWrites;
  const ops = model.ops.length;
  await lcd.show(['AMOUNT', 'EUR 12.59', '', 'PRESS ENTER']);
  t.equal(model.ddramWrites - cells, 1, 'one cell');
  t.same(
    model.ops.slice(ops).map((o) => [o.rs, o.value]),
    [[0, 0x80 | (0x40 + 8)], [1, 0x39]],
    'one Set DDRAM address, one data write',
  );
  await lcd.show(['AMOUNT', 'EUR 99.99', '', 'PRESS ENTER']);
  t.equal(model.ops.slice(ops + 2).filter((o) => o.rs === 0).length, 2, 'two runs (99 and 99) need two addresses');
  const before = writes();
  await lcd.show(['AMOUNT', 'EUR 99.99', '', 'PRESS ENTER']);
  t.equal(writes(), before, 'nothing changed: nothing sent');
  t.equal(model.text()[1], 'EUR 99.99'.padEnd(20));
  await lcd.close();
  await bus.close();
});

t.test('model: onTextChange reports each new screen once, whole, and nothing when the text stays', async (t) => {
  const { model, lcd, bus } = await rig({ cols: 16, rows: 2 });
  const seen: string[][] = [];
  const off = model.onTextChange((rows) => seen.push(rows));
  await lcd.show(['AMOUNT', 'CNY 12.50']);
  await lcd.show(['AMOUNT', 'CNY 12.50']);
  await lcd.setBacklight(false);
  await lcd.show(['APPROVED', '']);
  t.same(seen, [
    ['AMOUNT'.padEnd(16), 'CNY 12.50'.padEnd(16)],
    ['APPROVED'.padEnd(16), ' '.repeat(16)],
  ]);
  model.powerCycle();
  t.same(seen.at(-1), [' '.repeat(16), ' '.repeat(16)], 'a power cycle blanks the panel (display off after reset, datasheet p.23)');
  off();
  await lcd.selfTest();
  t.equal(seen.length, 3, 'nothing after unsubscribing');
  await lcd.close();
  await bus.close();
});

t.test('euro sign: defined in CGRAM and shown', async (t) => {
  const { model, lcd, bus } = await rig();
  await lcd.show(['€ 12.50']);
  const code = model.ddramAt(0x00)!;
  t.ok(code < 8, 'a CGRAM code (0x00-0x07)');
  t.same(model.glyph(code), [0b00111, 0b01000, 0b11110, 0b01000, 0b11110, 0b01000, 0b00111, 0b00000]);
  t.equal(model.text()[0], '€ 12.50'.padEnd(16));
  t.equal(lcd.text()[0], '€ 12.50'.padEnd(16));
  await lcd.close();
  await bus.close();
});

t.test('custom glyphs: up to 8, placed in CGRAM at slot*8, redefinition redraws', async (t) => {
  const { model, lcd, bus } = await rig({ rom: 'A02' });
  const bell = [0x04, 0x0e, 0x0e, 0x0e, 0x1f, 0x00, 0x04, 0x00];
  const slot = await lcd.defineGlyph('🔔', bell);
  t.same(model.glyph(slot), bell);
  t.same([...model.cgram.subarray(slot * 8, slot * 8 + 8)], bell, 'CGRAM address = slot * 8 (Table 5)');
  await lcd.show(['🔔 ring']);
  t.equal(model.ddramAt(0), slot);
  t.equal(model.text()[0]![0], '□', 'an unknown glyph shows the placeholder');
  for (let i = 0; i < 6; i++) await lcd.defineGlyph(String.fromCharCode(0x2460 + i), [1, 2, 3, 4, 5, 6, 7, 8]);
  await t.rejects(lcd.defineGlyph('x', bell), { code: 'HAL_INVALID_ARGUMENT' }, 'a ninth glyph needs a slot');
  await t.rejects(lcd.defineGlyph('y', [32, 0, 0, 0, 0, 0, 0, 0], 3), { code: 'HAL_INVALID_ARGUMENT' });
  await lcd.defineGlyph('€', bell, slot); // the euro moves into the bell's slot
  t.equal(lcd.text()[0]![0], '?', 'the bell is gone: its cell is redrawn with the fallback');
  t.equal(model.ddramAt(0), 0x3f);
  t.same(model.violations, []);
  await lcd.close();
  await bus.close();
});

t.test('ROM A00: backslash and tilde never print as yen and arrow; yen is 0x5C', async (t) => {
  const { model, lcd, bus } = await rig();
  await lcd.show(['a\\b~c¥°ä', 'жx']);
  t.ok(model.ddramAt(1)! < 8 && model.ddramAt(3)! < 8, '\\ and ~ use custom glyphs');
  t.not(model.ddramAt(1), 0x5c);
  t.not(model.ddramAt(3), 0x7e);
  t.equal(model.ddramAt(5), 0x5c, '¥ (Table 4 A00)');
  t.equal(model.ddramAt(6), 0xdf, '° (A00)');
  t.equal(model.ddramAt(7), 0xe1, 'ä (A00)');
  t.equal(model.ddramAt(0x40), 0x3f, 'a character the ROM lacks becomes ?');
  t.equal(lcd.text()[1], '?x'.padEnd(16));
  t.equal(lcd.text()[0], 'a\\b~c¥°ä'.padEnd(16));
  await lcd.close();
  await bus.close();
});

t.test('ROM A02: backslash, tilde and yen at their A02 codes', async (t) => {
  const { model, lcd, bus } = await rig({ rom: 'A02' });
  await lcd.show(['\\~¥£ü']);
  t.same([0, 1, 2, 3, 4].map((a) => model.ddramAt(a)), [0x5c, 0x7e, 0xa5, 0xa3, 0xfc]);
  t.equal(model.text()[0], '\\~¥£ü'.padEnd(16));
  await lcd.close();
  await bus.close();
});

t.test('backlight bit follows setBacklight (active high and active low)', async (t) => {
  for (const options of [{}, MJKDZ]) {
    const { model, lcd, bus } = await rig(options);
    t.equal(model.backlight, true, 'on after open');
    await lcd.setBacklight(false);
    t.equal(model.backlight, false);
    await lcd.show(['still off']);
    t.equal(model.backlight, false, 'text writes keep the backlight bit');
    await lcd.setBacklight(true);
    t.equal(model.backlight, true);
    await lcd.close();
    await bus.close();
  }
});

t.test('MJKDZ pin mapping works end to end', async (t) => {
  const { model, lcd, bus } = await rig({ ...MJKDZ, cols: 20, rows: 4 });
  await lcd.show(['MJKDZ', 'BACKPACK', 'GY-I2CLCD', '€1']);
  t.same(model.text(), ['MJKDZ', 'BACKPACK', 'GY-I2CLCD', '€1'].map((l) => l.padEnd(20)));
  t.same(model.violations, []);
  await lcd.close();
  await bus.close();
});

t.test('a model with a different pin map than the driver shows no sane text', async (t) => {
  const trace = memoryBusTrace();
  const bus = new SimI2cBus({ name: 'i2c1', trace });
  const model = new Hd44780Model(MJKDZ);
  bus.attach(ADDR, model);
  const lcd = await Hd44780Display.open({ device: await bus.open(ADDR) });
  await lcd.show(['HELLO']);
  t.not(model.text()[0], 'HELLO'.padEnd(16), 'the model decodes the wires, not the intent');
  await lcd.close();
  await bus.close();
});

t.test('a missing backpack is HAL_NACK naming the address', async (t) => {
  const bus = new SimI2cBus({ name: 'i2c1' });
  const device = await bus.open(0x3f);
  const err = await Hd44780Display.open({ device }).catch((e: unknown) => e);
  t.match(err, { code: 'HAL_NACK', message: /0x3F/ });
  await t.rejects(device.write(Uint8Array.of(0)), { code: 'HAL_CLOSED' }, 'the driver closed the handle it owned');
  await bus.close();
});

t.test('selfTest: re-initialises after a power cycle, restores the text; NACK when unplugged', async (t) => {
  let skewUs = 0;
  const nowUs = () => performance.now() * 1000 + skewUs;
  const { model, lcd, bus } = await rig({ nowUs });
  await lcd.show(['BEFORE', 'CYCLE']);
  model.powerCycle();
  t.equal(model.initialised, false);
  skewUs += 100_000; // the backpack has been powered for a while when the self test runs
  await lcd.selfTest();
  t.equal(model.initialised, true);
  t.same(model.text(), ['BEFORE          ', 'CYCLE           ']);
  t.equal(model.text()[0], lcd.text()[0]);
  t.same(model.violations, []);
  model.setPresent(false);
  await t.rejects(lcd.selfTest(), { code: 'HAL_NACK', message: /0x27/ });
  model.setPresent(true);
  await lcd.selfTest();
  await lcd.close();
  await t.rejects(lcd.show(['x']), { code: 'HAL_CLOSED' });
  await bus.close();
});

t.test('options out of range are refused', async (t) => {
  const bus = new SimI2cBus({ name: 'i2c1' });
  bus.attach(ADDR, new Hd44780Model());
  for (const bad of [{ cols: 7 }, { rows: 5 }, { cols: 40, rows: 4 }, { pins: { rs: 8 } }, { pins: { rs: 2 } }]) {
    await t.rejects(Hd44780Display.open({ device: await bus.open(ADDR), ...bad }), { code: 'HAL_INVALID_ARGUMENT' }, JSON.stringify(bad));
  }
  await bus.close();
});

// --- the model on its own, driven with raw port values ---------------------------------

const E = 0x04;
const RS = 0x01;
const BL = 0x08;
/** One E pulse on the common mapping: data + E, then data (the hd44780 library's style). */
const pulse = (nibble: number, rs = 0): number[] => [(nibble << 4) | BL | rs | E, (nibble << 4) | BL | rs];
const byte4 = (value: number, rs = 0): number[] => [...pulse(value >> 4, rs), ...pulse(value & 0xf, rs)];

function fakeClock() {
  let now = 0;
  return { nowUs: () => now, advance: (us: number) => void (now += us) };
}

/** The PCF8574 powers up with every pin high (E and RW too): a first write takes E low. */
function newModel(clock: { nowUs: () => number }): Hd44780Model {
  const model = new Hd44780Model({ nowUs: clock.nowUs });
  model.i2cWrite(Uint8Array.of(BL));
  return model;
}

function initModel(model: Hd44780Model, clock: { advance: (us: number) => void }): void {
  clock.advance(50_000);
  model.i2cWrite(Uint8Array.from(pulse(0x3)));
  clock.advance(5000);
  model.i2cWrite(Uint8Array.from(pulse(0x3)));
  clock.advance(1000);
  model.i2cWrite(Uint8Array.from([...pulse(0x3), ...pulse(0x2), ...byte4(0x28), ...byte4(0x0c)]));
}

t.test('model: flags data sent without the initialisation sequence', async (t) => {
  const clock = fakeClock();
  const model = newModel(clock);
  clock.advance(50_000);
  model.i2cWrite(Uint8Array.from([...byte4(0x28), ...byte4(0x41, RS)]));
  t.ok(model.violations.some((v) => v.kind === 'data-before-init'));
  t.equal(model.initialised, false);
});

t.test('model: flags a lost nibble', async (t) => {
  const clock = fakeClock();
  const model = newModel(clock);
  const seen: string[] = [];
  model.onViolation((v) => seen.push(v.kind));
  initModel(model, clock);
  t.same(model.violations, [], 'a clean init');
  model.i2cWrite(Uint8Array.from([...pulse(0x8), ...byte4(0x41, RS)])); // half a Set DDRAM address, then data
  t.ok(seen.includes('nibble-sync'));
});

t.test('model: flags init waits cut short and commands sent while busy', async (t) => {
  const clock = fakeClock();
  const model = newModel(clock);
  model.i2cWrite(Uint8Array.from([...pulse(0x3), ...pulse(0x3), ...pulse(0x3), ...pulse(0x2), ...byte4(0x28)]));
  const kinds = model.violations.map((v) => v.kind);
  t.ok(kinds.includes('power-on-wait'));
  t.ok(kinds.includes('init-timing'));
  const clock2 = fakeClock();
  const model2 = newModel(clock2);
  initModel(model2, clock2);
  model2.i2cWrite(Uint8Array.from([...byte4(0x01), ...byte4(0x41, RS)])); // clear needs 1.52 ms
  t.same(model2.violations.map((v) => v.kind), ['busy']);
});

t.test('model: flags RW high while the expander drives data lines', async (t) => {
  const clock = fakeClock();
  const model = newModel(clock);
  initModel(model, clock);
  model.i2cWrite(Uint8Array.of(BL | 0x02, BL | 0x02 | E, BL | 0x02));
  t.ok(model.violations.some((v) => v.kind === 'rw-contention'));
});

t.test('model: reads the busy flag and address counter through the expander (RW high, data lines released)', async (t) => {
  const clock = fakeClock();
  const model = newModel(clock);
  initModel(model, clock);
  clock.advance(1000);
  model.i2cWrite(Uint8Array.from([...byte4(0x80 | 0x45)]));
  clock.advance(1000);
  model.i2cWrite(Uint8Array.of(0xf0 | BL | 0x02, 0xf0 | BL | 0x02 | E));
  const [high] = model.i2cRead(1);
  model.i2cWrite(Uint8Array.of(0xf0 | BL | 0x02, 0xf0 | BL | 0x02 | E));
  const [low] = model.i2cRead(1);
  model.i2cWrite(Uint8Array.of(0xf0 | BL | 0x02));
  t.equal(((high! >> 4) << 4) | (low! >> 4), 0x45, 'BF=0, AC=0x45');
  t.same(model.violations, []);
});

t.test('model: decodes another library\'s byte stream (RPLCD: 4 one-byte writes per nibble)', async (t) => {
  const clock = fakeClock();
  const model = newModel(clock);
  initModel(model, clock);
  model.i2cWrite(Uint8Array.from(byte4(0x80))); // Set DDRAM address 0
  clock.advance(1000);
  const rplcd = (nibble: number, rs: number): void => {
    const v = (nibble << 4) | BL | rs;
    for (const b of [v, v & ~E, v | E, v & ~E]) model.i2cWrite(Uint8Array.of(b));
  };
  for (const ch of 'Hi') {
    rplcd(ch.charCodeAt(0) >> 4, RS);
    rplcd(ch.charCodeAt(0) & 0xf, RS);
  }
  t.equal(model.text()[0], 'Hi'.padEnd(16));
  t.same(model.violations, []);
});

t.test('model: power-on state is blank, display off, 8-bit', async (t) => {
  const model = new Hd44780Model();
  t.same(model.text(), [' '.repeat(16), ' '.repeat(16)]);
  t.equal(model.state.fourBit, false);
  t.equal(model.state.displayOn, false);
  model.i2cWrite(Uint8Array.of(0x08));
  t.same([...model.i2cRead(1)], [0x08], 'with RW low the port reads back what was written');
  model.setPresent(false);
  t.throws(() => model.i2cWrite(Uint8Array.of(0)), { code: 'HAL_NACK' });
});

for (const geometry of [{ cols: 16, rows: 2 }, { cols: 20, rows: 4 }]) {
  displayConformance(t, {
    name: `hd44780 ${geometry.cols}x${geometry.rows} on the sim model`,
    factory: async () => {
      const bus = new SimI2cBus({ name: 'i2c1' });
      const model = new Hd44780Model(geometry);
      bus.attach(ADDR, model);
      const display = await Hd44780Display.open({ device: await bus.open(ADDR), ...geometry });
      return { display, panelText: () => model.text(), cleanup: () => bus.close() };
    },
  });
}

// --- random input -------------------------------------------------------------------

t.test('random text: the panel shows exactly what the driver says it shows (A00 and A02)', async (t) => {
  for (const rom of ['A00', 'A02'] as const) {
    // Characters each ROM has (a table lookup), ones it lacks, and the custom-glyph ones.
    const alphabet = [...new Set(ROM_TABLES[rom].filter((ch, code) => code >= 0x10 && ch !== ' '))];
    const chars = fc.oneof(fc.constantFrom(...alphabet, '€', '\\', '~', ' '), fc.constantFrom('ж', '✓', '€', '¿', 'ß'));
    const lines = fc.array(fc.array(chars, { maxLength: 24 }).map((a) => a.join('')), { maxLength: 5 });
    const knownGlyphs = [
      { ch: '€', rows: EURO_GLYPH },
      { ch: '\\', rows: BACKSLASH_GLYPH },
      { ch: '~', rows: TILDE_GLYPH },
    ];
    const { model, lcd, bus } = await rig({ cols: 20, rows: 4, rom, knownGlyphs });
    await fc.assert(
      fc.asyncProperty(lines, async (ls) => {
        await lcd.show(ls);
        return JSON.stringify(model.text()) === JSON.stringify(lcd.text()) && model.violations.length === 0;
      }),
      { numRuns: 40 },
    );
    t.pass(`${rom}: 40 random screens`);
    await lcd.close();
    await bus.close();
  }
});

t.test('random port values never crash the model and keep it rendering its geometry', async (t) => {
  await fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 30 }), (writes) => {
      const clock = fakeClock();
      const model = new Hd44780Model({ nowUs: clock.nowUs, cols: 20, rows: 4 });
      for (const w of writes) {
        model.i2cWrite(w);
        clock.advance(500);
      }
      const text = model.text();
      return text.length === 4 && text.every((row) => [...row].length === 20) && model.i2cRead(2).length === 2;
    }),
    { numRuns: 200 },
  );
  t.pass('200 random port sequences');
});
