// The generic device test (STYLE.md "Tests"; Zephyr's generic sensor test): for every
// device of the sim profile, a state set in the chip model is read through the real driver
// on the real sim bus, and a state set through the driver is read back from the model.
// The expected device list is written out here, so a device cannot silently opt out.
import t, { type Test } from 'tap';
import { buildTerminal } from '../../src/board/build.js';
import type { Terminal } from '../../src/board/terminal.js';
import type { SimKeypad } from '../../src/board/parts/matrix-keypad.js';
import type { Hd44780Model } from '../../hal/devices/hd44780/hd44780.sim.js';
import type { Pn532Model } from '../../hal/devices/pn532/pn532.sim.js';
import type { MagstripeModel } from '../../hal/devices/magstripe/magstripe.sim.js';
import type { CodeScannerModel } from '../../hal/devices/code-scanner/code-scanner.sim.js';
import type { BuzzerModel } from '../../hal/devices/buzzer/buzzer.sim.js';
import type { EscPosPrinterModel } from '../../hal/devices/escpos/escpos.sim.js';
import type { StripeReadError, StripeSwipe } from '../../hal/roles/stripe.js';
import type { CodeScan } from '../../hal/roles/scanner.js';
import { echoCard } from '../conformance/contactless.js';
import type { SimPcscContext } from '../../hal/sim/pcsc.js';
import { until } from '../until.js';

const EXPECTED = ['lcd', 'keypad', 'nfc', 'stripe', 'scanner', 'buzzer', 'printer', 'contact'] as const;
type DeviceName = (typeof EXPECTED)[number];

/** Waits for the first event a subscription delivers (bounded, so a lost event fails the test instead of hanging it). */
function next<T>(subscribe: (deliver: (v: T) => void) => () => void, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within 10 s`));
    }, 10_000);
    const off = subscribe((v) => {
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

const CASES: Record<DeviceName, (t: Test, terminal: Terminal) => Promise<void>> = {
  async lcd(t, terminal) {
    const model = terminal.models.lcd as Hd44780Model;
    const display = terminal.roles.display!;
    await display.show(['HELLO', 'WORLD 42', '', 'A-Z 0-9']);
    // 20x4 panel (sim.json): every line padded with blanks to 20 cells, read from DDRAM.
    t.same(model.text(), ['HELLO               ', 'WORLD 42            ', '                    ', 'A-Z 0-9             '], 'driver show() -> panel memory');
    t.same(display.text(), model.text(), 'the driver reports what the panel shows');
    await display.setBacklight(false);
    t.equal(model.backlight, false, 'driver backlight off -> backpack P3 low');
    await display.setBacklight(true);
    t.equal(model.backlight, true, 'driver backlight on -> backpack P3 high');
    model.setPresent(false);
    await t.rejects(display.selfTest(), { code: 'HAL_NACK' }, 'model unplugged -> the driver sees no ACK');
    model.setPresent(true);
  },

  async keypad(t, terminal) {
    const sim = terminal.models.keypad as SimKeypad;
    const keypad = terminal.roles.keypad!;
    // sim.json layout: row 1 "1 2 3 CANCEL", row 4 "F1 0 00 ENTER".
    t.same([...keypad.keys].sort(), [...sim.keys].sort(), 'the driver knows every key of the matrix');
    for (const key of ['5', 'ENTER', 'CANCEL']) {
      const seen = next<{ key: string }>((l) => keypad.onKey(l), `key ${key}`);
      await sim.model.press(sim.label(key)!, { bounce: 3 });
      t.equal((await seen).key, key, `contact ${key} closed on the matrix -> key event ${key}`);
      await sim.model.release(sim.label(key)!, { bounce: 3 });
      // The driver has seen the release once it rests again (every row driven low).
      await until(() => sim.driverResting() !== false, 'the keypad driver at rest');
    }
  },

  async nfc(t, terminal) {
    const model = terminal.models.nfc as Pn532Model;
    const reader = terminal.roles.contactless!;
    const card = echoCard([0x04, 0x16, 0xc6, 0xc2, 0xd7, 0x38, 0x81]);
    model.insertCard(card);
    const info = await reader.waitForCard({ timeoutMs: 5000 });
    t.equal(hex(info.uid), '0416C6C2D73881', 'UID of the card in the field');
    t.equal(hex(info.atqa), '0044');
    t.equal(info.sak, 0x20, 'SAK: ISO/IEC 14443-4 compliant');
    t.equal(hex(info.ats!), '0578807002', 'ATS including TL');
    t.equal(info.protocol, 'iso14443-4');
    // The echo card returns the command data with SW 90 00 (test/conformance/contactless.ts).
    const rapdu = await reader.transceive(Uint8Array.from([0x00, 0xca, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc]));
    t.equal(hex(rapdu), 'AABBCC9000', 'APDU through the chip to the card and back');
    t.equal(card.commands, 1, 'the card saw exactly one command');
    model.removeCard(card);
    await reader.waitForRemoval({ timeoutMs: 5000 });
    t.same(model.cards, [], 'field empty');
  },

  async stripe(t, terminal) {
    const model = terminal.models.stripe as MagstripeModel;
    const reader = terminal.roles.stripe!;
    // ISO/IEC 7813 test card layout (track 1 format B, track 2), sentinels included.
    const swipe: StripeSwipe = { track1: '%B4111111111111111^TEST/CARD^3012101000000000000000000?', track2: ';4111111111111111=30121010000000000000?' };
    const got = next<StripeSwipe>((l) => reader.onSwipe(l), 'swipe');
    await model.swipe(swipe);
    t.same(await got, swipe, 'raw tracks exactly as on the card');
    const error = next<StripeReadError>((l) => reader.onError(l), 'read error');
    await model.badSwipe('missing-end', { track2: swipe.track2! });
    t.equal((await error).reason, 'bad-sentinel', 'a swipe without its end sentinel is a read error');
  },

  async scanner(t, terminal) {
    const model = terminal.models.scanner as CodeScannerModel;
    const scanner = terminal.roles.scanner!;
    const got = next<CodeScan>((l) => scanner.onScan(l), 'scan');
    await model.scan('134567890123456789');
    const scan = await got;
    t.equal(scan.code, '134567890123456789', 'the 18-digit code as scanned, without terminator');
    // sim.json configures the scanner with aimPrefix: the QR identifier ]Q1 (ISO/IEC 15424) comes first.
    t.equal(scan.symbology, ']Q1', 'AIM symbology identifier');
  },

  async buzzer(t, terminal) {
    const model = terminal.models.buzzer as BuzzerModel;
    const indicator = terminal.roles.indicator!;
    const before = model.beeps.length;
    await indicator.signal('success');
    const beeps = model.beeps.slice(before);
    t.equal(beeps.length, 1, "'success' is one beep (hal/roles/indicator.ts)");
    t.ok(beeps[0]!.durationMs >= 100, "'success' sounds at least 100 ms (hal/roles/indicator.ts)");
    t.equal(model.sounding, false, 'silent afterwards');
    await indicator.setLed('ready');
    t.same(model.leds, { green: true, red: false }, "'ready' lights green only");
    await indicator.setLed('error');
    t.same(model.leds, { green: false, red: true }, "'error' lights red only");
    await indicator.setLed('off');
    t.same(model.leds, { green: false, red: false });
  },

  async printer(t, terminal) {
    const model = terminal.models.printer as EscPosPrinterModel;
    const printer = terminal.roles.printer!;
    const result = await printer.print({
      lines: [
        { kind: 'text', text: 'TOTAL 12.50', style: { bold: true } },
        { kind: 'qr', data: 'https://example.com/r/1', errorCorrection: 'M', moduleSize: 4 },
        { kind: 'feed', lines: 2 },
      ],
    });
    t.equal(result.progress.state, 'complete');
    const plain = { underline: 0, width: 1, height: 1 };
    t.same(
      model.items(),
      [
        { kind: 'text', text: 'TOTAL 12.50', align: 'left', spans: [{ text: 'TOTAL 12.50', bold: true, ...plain }] },
        { kind: 'qr', data: 'https://example.com/r/1', model: 2, moduleSize: 4, errorCorrection: 'M', align: 'center' },
        { kind: 'feed', lines: 2 },
      ],
      'driver print -> what the model put on paper',
    );
    t.match(model.text(), /^TOTAL 12\.50\n/, 'the paper reads the text');
    model.runOutAfter(0);
    const status = await printer.status();
    t.equal(status.paperOut, true, 'model out of paper -> DLE EOT 4 paper-end bits -> paperOut');
    t.equal(status.ready, false);
    model.loadPaper();
    t.equal((await printer.status()).paperOut, false, 'paper loaded again');
  },
  async contact(t, terminal) {
    // Model -> driver: a card in the sim PC/SC reader powers up with its ATR (EMV basic T=1
    // ATR, ISO/IEC 7816-3) and answers an APDU through the contact role.
    const pcsc = terminal.models.contact as SimPcscContext;
    const reader = terminal.roles.contact!;
    const atr = Uint8Array.from(Buffer.from('3BE000008131FE45EB', 'hex'));
    pcsc.insert('Sim Contact Reader 00 00', { atr, transceive: (c: Uint8Array) => Uint8Array.from([...c.subarray(0, 2), 0x90, 0x00]) });
    await reader.waitForCard({ timeoutMs: 10_000 });
    const info = await reader.powerUp();
    t.equal(hex(info.atr.bytes), '3BE000008131FE45EB', 'the ATR the card gave');
    t.equal(info.protocol, 'T=1');
    t.equal(hex(await reader.transceive(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x00))), '00A49000', 'the card answered through the driver');
    await reader.powerDown();
  },
};

t.test('every device of the sim profile is covered, none silently skipped', async (t) => {
  const terminal = await buildTerminal('sim');
  t.teardown(() => terminal.close());
  t.same(terminal.failed, [], 'every device opened');
  t.same(terminal.devices.map((d) => d.name), [...EXPECTED], 'the sim profile holds exactly the expected devices');
  t.same(Object.keys(CASES), [...EXPECTED], 'a case for each');
  t.same(Object.keys(terminal.models), [...EXPECTED], 'each has a chip model');
});

for (const name of EXPECTED) {
  t.test(`${name}: model <-> driver`, async (t) => {
    const terminal = await buildTerminal('sim');
    t.teardown(() => terminal.close());
    t.ok(terminal.models[name], `model for ${name}`);
    await CASES[name](t, terminal);
  });
}
