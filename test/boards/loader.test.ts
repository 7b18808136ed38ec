// The board loader against a folder of bad profiles, one per kind of mistake (issue 2
// "Acceptance"): each must fail with BOARD_INVALID (or SYNTAX) and name the JSON path and
// what was expected. The expected lines are written from the rules, not copied
// from the loader's output.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBoard, validateProfile, listBoards } from '../../boards/loader.js';
import { BoardError, isBoardError, type BoardErrorCode } from '../../boards/errors.js';
import { keyGrid, type MatrixKeypadProps } from '../../hal/devices/matrix-keypad/binding.js';
import type { Hd44780Props } from '../../hal/devices/hd44780/binding.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const badDir = path.join(here, 'bad');
const KNOWN_COMPATIBLES = 'hitachi,hd44780-pcf8574, generic,matrix-keypad, nxp,pn532, generic,magstripe-serial, generic,code-scanner-serial, generic,gpio-buzzer, epson,escpos, pcsc,reader';
const ROLES = 'display, keypad, contactless, contact, printer, stripe, scanner, indicator';

function failure(nameOrPath: string): BoardError {
  try {
    loadBoard(nameOrPath);
  } catch (err) {
    if (err instanceof BoardError) return err;
    throw err;
  }
  throw new Error(`${nameOrPath} loaded, but it should have failed`);
}

/** [file, code, every problem as "path: message"] */
const cases: Array<[string, BoardErrorCode, string[]]> = [
  ['unknown-key', 'BOARD_INVALID', ['vendor: unknown key; expected one of: model, description, buses, devices, roles, testFixtures']],
  [
    'unknown-prop',
    'BOARD_INVALID',
    ['devices[0].props.colums: unknown key; expected one of: cols, rows, pins, backlightActiveHigh, rom (did you mean "cols"?)'],
  ],
  ['unknown-compatible', 'BOARD_INVALID', [`devices[0].compatible: unknown "hitachi,hd44780"; expected one of: ${KNOWN_COMPATIBLES}`]],
  ['missing-bus', 'BOARD_INVALID', ['devices[0].bus: missing; hitachi,hd44780-pcf8574 needs an i2c bus (buses: i2c1, gpio)']],
  ['unknown-bus', 'BOARD_INVALID', ['devices[0].bus: no bus "i2c0" in buses (buses: i2c1, gpio)']],
  ['pn532-interface-mismatch', 'BOARD_INVALID', ['devices[0].props.interface: "spi" needs a spi bus; the device sits on an i2c bus']],
  ['wrong-bus-kind', 'BOARD_INVALID', ['devices[0].bus: "spi0" is a spi bus; hitachi,hd44780-pcf8574 needs an i2c bus']],
  [
    'missing-address',
    'BOARD_INVALID',
    ["devices[0].address: missing; expected the device's 7-bit I2C address (usually 0x27; allowed 0x20-0x27 or 0x38-0x3f)"],
  ],
  // I2C-bus specification UM10204 3.1.12: 0x00-0x02 and 0x78-0x7f are reserved.
  ['address-out-of-range', 'BOARD_INVALID', ['devices[0].address: 0x78 is out of range; expected a 7-bit address from 0x03 to 0x77']],
  // PCF8574 0x20-0x27, PCF8574A 0x38-0x3f (NXP datasheet; hardware.md 6.1).
  [
    'address-not-allowed',
    'BOARD_INVALID',
    ['devices[0].address: 0x50 is not an address hitachi,hd44780-pcf8574 can have; expected 0x20-0x27 or 0x38-0x3f'],
  ],
  ['address-twice', 'BOARD_INVALID', ['devices[1].address: 0x27 is already used by devices[0] ("lcd") on bus "i2c1"']],
  [
    'gpio-twice',
    'BOARD_INVALID',
    ['devices[1].props.cols[0]: pinctrl-bcm2711:5 is already used (as GPIO5) by devices[1] ("keys") at devices[1].props.rows[0]'],
  ],
  // hardware.md 0 risk 1: sysfs number = base 512 + BCM offset on a Pi 4.
  [
    'sysfs-number',
    'BOARD_INVALID',
    ['devices[1].props.rows[0]: 517 is a bare number (a sysfs number? 512 + 5 on a Pi 4); name the line "GPIO5" or {"chip": "pinctrl-bcm2711", "line": 5}'],
  ],
  ['role-missing-device', 'BOARD_INVALID', ['roles.display: no device named "screen" (devices: lcd, keys)']],
  ['role-cannot-fill', 'BOARD_INVALID', ['roles.keypad: "lcd" (hitachi,hd44780-pcf8574) cannot be the keypad; it can be: display']],
  ['unknown-role', 'BOARD_INVALID', [`roles.buzzer: unknown role; expected one of: ${ROLES}`]],
  ['duplicate-device-name', 'BOARD_INVALID', ['devices[1].name: "lcd" is already the name of devices[0]']],
  ['props-type', 'BOARD_INVALID', ['devices[0].props.cols: expected an integer from 8 to 40 (write a number, or hex as "0x27"), got "twenty"']],
  ['props-range', 'BOARD_INVALID', ['devices[0].props.rows: expected an integer from 1 to 4, got 5']],
  ['props-enum', 'BOARD_INVALID', ['devices[0].props.rom: expected one of "A00", "A02", got "A01"']],
  ['props-required', 'BOARD_INVALID', ['devices[1].props.layout: missing; expected an array of 1 to 8 items']],
  ['layout-shape', 'BOARD_INVALID', ['devices[1].props.layout[1]: 2 keys but cols has 3 lines']],
  ['pins-distinct', 'BOARD_INVALID', ['devices[0].props.pins.d7: P7 is already used by pins.backlight; each signal needs its own expander bit']],
  [
    'no-gpio-bus',
    'BOARD_INVALID',
    ['buses: devices[1] ("keys") uses GPIO lines but no bus has kind "gpio"; add e.g. "gpio": {"kind": "gpio", "backend": "sim"}'],
  ],
  [
    'fixture-absent-used',
    'BOARD_INVALID',
    ['testFixtures.i2c.absentAddress: 0x27 is used by devices[0] ("lcd") on bus "i2c1"; expected an address with no device'],
  ],
  // JSON.parse would silently keep the second "display".
  ['duplicate-key', 'BOARD_INVALID', ['roles.display: appears twice in its object (again at line 10); JSON keeps only the last, so write it once']],
  ['not-an-object', 'BOARD_INVALID', ['expected a JSON object with model, buses, devices and roles, got ["sim"]']],
  // The trailing comma after "buses": {} on line 3; V8 reports where it expected a name.
  ['syntax', 'BOARD_SYNTAX', ['invalid JSON at line 4, column 1: Expected double-quoted property name']],
];

t.test('each bad profile fails with every expected problem, one per line', async (t) => {
  for (const [name, code, expected] of cases) {
    const file = path.join(badDir, `${name}.json`);
    const err = failure(file);
    t.equal(err.code, code, `${name}: code`);
    t.strictSame(
      err.problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)),
      expected,
      `${name}: problems`,
    );
    t.strictSame(err.message.split('\n'), expected.map((line) => `${err.file}: ${line}`), `${name}: message`);
    t.equal(err.file, path.relative(process.cwd(), file), `${name}: the file is named relative to the working directory`);
  }
});

t.test('every file in the bad folder has a case', async (t) => {
  t.strictSame(listBoards(badDir), [...cases.map(([name]) => name), 'several'].sort());
});

t.test('a profile with several mistakes reports all of them at once', async (t) => {
  const err = failure(path.join(badDir, 'several.json'));
  t.equal(err.code, 'BOARD_INVALID');
  t.strictSame(
    err.problems.map((p) => `${p.path}: ${p.message}`),
    [
      'extra: unknown key; expected one of: model, description, buses, devices, roles, testFixtures',
      'devices[0].address: 0xc8 is out of range; expected a 7-bit address from 0x03 to 0x77',
      'devices[0].props.rows: expected an integer from 1 to 4, got 0',
      'devices[1].props.cols[1]: line names are case-sensitive; expected "GPIO16", got "gpio16"',
      'roles.printer: "keys" (generic,matrix-keypad) cannot be the printer; it can be: keypad',
    ],
  );
});

t.test('names resolve in boards/; a missing one lists the known boards', async (t) => {
  const err = failure('rpi9');
  t.equal(err.code, 'BOARD_NOT_FOUND');
  t.match(err.message, /rpi9\.json: no such file; known boards: .*rpi4-pos.*sim/);
  t.equal(failure('../etc/passwd-like name').code, 'BOARD_NOT_FOUND');
  t.equal(failure(path.join(badDir, 'no-such-file.json')).code, 'BOARD_NOT_FOUND');
  t.equal(failure(badDir + '/').code, 'BOARD_UNREADABLE', 'a directory is not a profile');
});

t.test('a custom boards folder', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'boards-'));
  writeFileSync(path.join(dir, 'tiny.json'), JSON.stringify({ model: 'tiny', buses: {}, devices: [] }));
  const board = loadBoard('tiny', { boardsDir: dir });
  t.equal(board.name, 'tiny');
  t.strictSame(board.devices, []);
  t.strictSame(board.roles, {});
});

t.test('the shipped profiles load, normalised, with defaults applied', async (t) => {
  const sim = loadBoard('sim');
  t.equal(sim.name, 'sim');
  t.strictSame(sim.roles, { display: 'lcd', keypad: 'keypad', contactless: 'nfc', stripe: 'stripe', scanner: 'scanner', indicator: 'buzzer', printer: 'printer', contact: 'contact' });
  const lcd = sim.devices.find((d) => d.name === 'lcd')!;
  t.equal(lcd.address, 0x27, '"0x27" becomes the number 39');
  t.equal(lcd.bus, 'i2c1');
  const lcdProps = lcd.props as unknown as Hd44780Props;
  t.equal(lcdProps.cols, 20);
  t.equal(lcdProps.rows, 4);
  // The common backpack map (hardware.md 6.2): P0=RS, P1=RW, P2=E, P3=BL, P4..P7=D4..D7.
  t.strictSame(lcdProps.pins, { rs: 0, rw: 1, e: 2, backlight: 3, d4: 4, d5: 5, d6: 6, d7: 7 });
  t.equal(lcdProps.backlightActiveHigh, true);
  t.equal(lcdProps.rom, 'A00');
  const keypad = sim.devices.find((d) => d.name === 'keypad')!;
  t.equal(keypad.bus, 'gpio', 'a GPIO device is put on the board\'s gpio bus');
  const kp = keypad.props as unknown as MatrixKeypadProps;
  t.equal(kp.debounceMs, 20);
  t.equal(kp.scanIntervalMs, 5);
  t.strictSame(kp.rows, ['GPIO5', 'GPIO6', 'GPIO13', 'GPIO19']);
  t.strictSame(kp.cols, ['GPIO12', 'GPIO16', 'GPIO20', 'GPIO21']);
  const keys = keyGrid(kp).flat();
  for (const key of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'ENTER', 'CANCEL', 'CLEAR', 'FUNC']) t.ok(keys.includes(key), `sim keypad has ${key}`);
  t.strictSame(sim.testFixtures.i2c, { bus: 'i2c1', presentAddress: 0x27, absentAddress: 0x3f });
  t.strictSame(sim.buses.i2c1, { name: 'i2c1', kind: 'i2c', backend: 'sim' });

  const pi = loadBoard('rpi4-pos');
  t.strictSame(pi.buses.i2c1?.device, '/dev/i2c-1');
  t.equal(pi.buses.i2c1?.backend, 'linux');
  t.equal(pi.buses.gpio?.backend, 'linux');
  const piKeys = pi.devices.find((d) => d.name === 'keypad')!.props as unknown as MatrixKeypadProps;
  // The 4x4 membrane legend 123A/456B/789C/*0#D (hardware.md 9) with the default key names.
  t.strictSame(keyGrid(piKeys), [
    ['1', '2', '3', 'F1'],
    ['4', '5', '6', 'F2'],
    ['7', '8', '9', 'CLEAR'],
    ['CANCEL', '0', 'ENTER', 'FUNC'],
  ]);
  // Pi header (hardware.md 10.1): ID EEPROM GPIO0/1, I2C1 GPIO2/3, 1-Wire GPIO4, SPI0 GPIO7-11,
  // UART0 GPIO14/15, SPI1 and PCM GPIO16-21; the keypad avoids them all.
  const busPins = new Set([0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21]);
  for (const ref of [...piKeys.rows, ...piKeys.cols]) {
    const line = typeof ref === 'string' ? Number(ref.slice(4)) : ref.line;
    t.notOk(busPins.has(line), `keypad line ${line} is not a bus pin`);
  }
});

t.test('validateProfile checks parsed JSON without a file', async (t) => {
  t.throws(() => validateProfile(null, 'x.json'), { code: 'BOARD_INVALID', message: 'x.json: expected a JSON object with model, buses, devices and roles, got null' });
  const ok = validateProfile({ model: 'm', buses: { s: { kind: 'serial', backend: 'linux', device: '/dev/ttyS0', baudRate: '0x2580' } }, devices: [] }, 'boards/m.json');
  t.equal(ok.name, 'm');
  t.equal(ok.buses.s?.baudRate, 9600);
});

t.test('bus mistakes', async (t) => {
  const problems = (buses: unknown): string[] => {
    try {
      validateProfile({ model: 'm', buses, devices: [] }, 'b.json');
      return [];
    } catch (err) {
      if (!isBoardError(err, 'BOARD_INVALID')) throw err;
      return err.problems.map((p) => `${p.path}: ${p.message}`);
    }
  };
  t.strictSame(problems({ a: { kind: 'usb' } }), ['buses.a.kind: expected one of "i2c", "spi", "serial", "gpio", got "usb"']);
  t.strictSame(problems({ a: { kind: 'i2c', backend: 'linux' } }), ['buses.a.device: missing; a linux bus needs an I2C adapter node like "/dev/i2c-1"']);
  t.strictSame(problems({ a: { kind: 'i2c', device: '/dev/i2c-1' } }), ['buses.a.device: a sim bus has no device node; remove it or set "backend": "linux"']);
  t.strictSame(problems({ a: { kind: 'i2c', baudRate: 9600 } }), ['buses.a.baudRate: only serial buses have a baud rate; this is an i2c bus']);
  t.strictSame(problems({ a: { kind: 'serial' } }), ['buses.a.baudRate: missing; expected the baud rate, e.g. 9600 or 115200']);
  t.strictSame(problems({ a: { kind: 'gpio' }, b: { kind: 'gpio' } }), ['buses.b: only one bus of kind "gpio" per board ("a" is one already); each line names its chip']);
  t.strictSame(problems({ a: { kind: 'spi', backend: 'linux', device: '/dev/spidev0.0' } }), [
    'buses.a.device: expected an SPI bus like "/dev/spidev0" (the chip select comes from the device), got "/dev/spidev0.0"',
  ]);
});
