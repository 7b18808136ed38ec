// The sim board boots for real: the idle screen is read back from the LCD model's display
// memory (it got there through the HD44780 driver and the PCF8574), and key presses made
// on the keypad model's matrix arrive as key events through the keypad driver.
import t from 'tap';
import { buildTerminal } from '../../src/board/build.js';
import { TerminalApp } from '../../src/app/terminal-app.js';
import type { Hd44780Model } from '../../hal/devices/hd44780/hd44780.sim.js';
import type { SimKeypad } from '../../src/board/parts/matrix-keypad.js';
import type { KeyEvent } from '../../hal/roles/keypad.js';
import { memoryBusTrace } from '../../hal/sim/trace.js';
import { until } from '../until.js';

const fixedNow = (): Date => new Date(2026, 10, 28, 9, 5, 0);

t.test('boot to the idle screen on the sim board', async (t) => {
  const trace = memoryBusTrace();
  const terminal = await buildTerminal('sim', { trace });
  t.same(terminal.failed, [], 'every device opened');
  const app = new TerminalApp(terminal, { merchantName: 'TEST MERCHANT', version: '0.1.0', now: fixedNow });
  const { inService, results } = await app.start();
  t.equal(inService, true);
  t.same(results.map((r) => [r.device, r.ok]), [['lcd', true], ['keypad', true], ['nfc', true], ['stripe', true], ['scanner', true], ['buzzer', true], ['printer', true], ['contact', true]], 'every role present and answering');
  const lcd = terminal.models.lcd as Hd44780Model;
  t.same(lcd.text(), ['   TEST MERCHANT    ', '       READY        ', '  TAP INSERT SWIPE  ', '2026-11-28     09:05']);
  t.same(lcd.violations, [], 'the driver never broke the HD44780 protocol');
  t.ok(trace.entries.some((e) => e.bus === 'i2c1' && e.addr === 0x27), 'the text went over I2C to the backpack');
  t.ok(trace.entries.some((e) => e.bus === 'spi0'), 'the reader was talked to over SPI');
  await app.stop();
  await terminal.close();
});

t.test('keys pressed on the model arrive through the driver, once each, in order', async (t) => {
  const terminal = await buildTerminal('sim');
  const app = new TerminalApp(terminal, { merchantName: 'TEST', version: '0.1.0', now: fixedNow });
  await app.start();
  const got: string[] = [];
  let waiter: ((key: string) => void) | undefined;
  app.onKeyEvent((e: KeyEvent) => {
    got.push(e.key);
    waiter?.(e.key);
  });
  // A finger holds each key until the terminal has it (however loaded the machine), then lets go.
  const nextKey = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no key event within 10 s (got ${got.join(' ')})`)), 10_000);
      waiter = (k) => {
        clearTimeout(timer);
        resolve(k);
      };
    });
  const keypad = terminal.models.keypad as SimKeypad;
  for (const k of ['1', '2', 'CLEAR', 'ENTER']) {
    const seen = nextKey();
    await keypad.model.press(keypad.label(k)!, { bounce: 3 });
    t.equal(await seen, k);
    await keypad.model.release(keypad.label(k)!, { bounce: 3 });
    // The driver has seen the release once it rests again (every row driven low).
    await until(() => keypad.driverResting() !== false, 'the keypad driver at rest');
  }
  t.same(got, ['1', '2', 'CLEAR', 'ENTER'], 'each key once, in order');
  await app.stop();
  await terminal.close();
});

t.test('a missing LCD keeps the terminal out of service and says which device', async (t) => {
  const terminal = await buildTerminal('sim');
  (terminal.models.lcd as Hd44780Model).setPresent(false);
  const app = new TerminalApp(terminal, { merchantName: 'TEST', version: '0.1.0', now: fixedNow });
  const { inService, results } = await app.start();
  t.equal(inService, false);
  const lcd = results.find((r) => r.device === 'lcd');
  t.equal(lcd?.ok, false);
  t.match(lcd?.error, /HAL_NACK/);
  t.equal(app.status.state, 'out-of-service');
  await app.stop();
  await terminal.close();
});

t.test('a reader that does not answer: out of service, the screen names it', async (t) => {
  const terminal = await buildTerminal('sim');
  const app = new TerminalApp(terminal, { merchantName: 'TEST', version: '0.1.0', now: fixedNow });
  const nfc = terminal.devices.find((d) => d.name === 'nfc')!;
  await nfc.driver.close();
  const { inService } = await app.start();
  t.equal(inService, false);
  const lcd = terminal.models.lcd as Hd44780Model;
  t.equal(lcd.text()[0]!.trim(), 'OUT OF SERVICE');
  t.match(lcd.text()[1], /^nfc: /);
  await app.stop();
  await terminal.close();
});
