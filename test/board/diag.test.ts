// `pos diag` and runDiagnostics on the sim board: unattended it passes with nobody at the
// terminal; a fault injected in a chip model fails the check of that device (and only the
// checks that depend on it); the interactive steps report what a person did, a swipe only
// as its masked PAN (PCI DSS: first 6, last 4).
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { buildTerminal } from '../../src/board/build.js';
import { runDiagnostics, type DiagCheck } from '../../src/board/diag.js';
import type { SimKeypad } from '../../src/board/parts/matrix-keypad.js';
import type { Hd44780Model } from '../../hal/devices/hd44780/hd44780.sim.js';
import type { EscPosPrinterModel } from '../../hal/devices/escpos/escpos.sim.js';
import type { Pn532Model } from '../../hal/devices/pn532/pn532.sim.js';
import type { MagstripeModel } from '../../hal/devices/magstripe/magstripe.sim.js';
import type { CodeScannerModel } from '../../hal/devices/code-scanner/code-scanner.sim.js';
import { parseBusTrace } from '../../hal/sim/trace.js';
import { capture } from '../cli/fixtures/io.js';
import { echoCard } from '../conformance/contactless.js';
import { until } from '../until.js';

const DEVICES = ['lcd', 'keypad', 'nfc', 'stripe', 'scanner', 'buzzer', 'printer', 'contact'];
const failing = (checks: readonly DiagCheck[]): string[] => checks.filter((c) => !c.ok).map((c) => `${c.device}/${c.check}`);
const find = (checks: readonly DiagCheck[], device: string, check: string): DiagCheck | undefined => checks.find((c) => c.device === device && c.check === check);

t.test('pos diag --board sim --json: every check passes unattended, exit 0, bus trace written', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'diag-'));
  const tracePath = path.join(dir, 'bus.jsonl');
  const io = capture();
  const code = await runCli(['diag', '--board', 'sim', '--json', '--trace-bus', tracePath], io);
  t.equal(code, 0, io.stderr);
  const report = JSON.parse(io.stdout) as { board: string; ok: boolean; checks: DiagCheck[] };
  t.same(Object.keys(report), ['board', 'ok', 'checks']);
  t.equal(report.board, 'sim');
  t.equal(report.ok, true);
  t.same(failing(report.checks), []);
  t.same(
    report.checks.filter((c) => c.check === 'self test').map((c) => c.device),
    DEVICES,
    'a self test for every device',
  );
  for (const [device, check] of [['lcd', 'test pattern'], ['printer', 'status'], ['printer', 'test page'], ['nfc', 'poll'], ['buzzer', 'beep'], ['stripe', 'idle line'], ['scanner', 'idle line']]) {
    t.ok(find(report.checks, device!, check!), `${device} ${check}`);
  }
  t.equal(find(report.checks, 'nfc', 'poll')?.detail, 'no card', 'no card is a pass');
  t.equal(find(report.checks, 'printer', 'test page')?.detail.startsWith('10 of 10 lines printed'), true, 'the whole page (with the GB18030 line) printed');
  const trace = parseBusTrace(readFileSync(tracePath, 'utf8'));
  t.ok(trace.some((e) => e.bus === 'i2c1' && e.addr === 0x27 && e.op === 'write'), 'LCD traffic on I2C 0x27');
  t.ok(trace.some((e) => e.bus === 'spi0' && e.op === 'transfer'), 'reader traffic on SPI');
  t.ok(trace.some((e) => e.bus === 'ttyPrinter' && e.op === 'write'), 'printer traffic on its serial line');
  t.ok(trace.some((e) => e.bus === 'gpio' && e.line === 'GPIO17' && e.op === 'set'), 'buzzer line driven');
});

t.test('pos diag: table, --help, and a bad board', async (t) => {
  const help = capture();
  t.equal(await runCli(['diag', '--help'], help), 0);
  t.match(help.stdout, /--interactive/);
  t.match(help.stdout, /--trace-bus/);
  const bad = capture();
  t.equal(await runCli(['diag', '--board', 'no-such-board'], bad), 1);
  t.match(bad.stderr, /no-such-board/);
  t.notMatch(bad.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

t.test('printer out of paper: the printer checks fail and name it, the rest pass', async (t) => {
  const terminal = await buildTerminal('sim');
  t.teardown(() => terminal.close());
  const model = terminal.models.printer as EscPosPrinterModel;
  model.runOutAfter(0);
  const checks = await runDiagnostics(terminal, { interactive: false, printerCharset: 'gb18030' });
  t.same(failing(checks), ['printer/self test', 'printer/status', 'printer/test page']);
  t.match(find(checks, 'printer', 'status')?.detail, /^paper-out/);
  t.match(find(checks, 'printer', 'test page')?.detail, /not printed/);
  t.same(model.items(), [], 'nothing reached the paper');
});

t.test('LCD unplugged: the LCD checks fail with HAL_NACK, the rest pass', async (t) => {
  const terminal = await buildTerminal('sim');
  t.teardown(() => terminal.close());
  (terminal.models.lcd as Hd44780Model).setPresent(false);
  const checks = await runDiagnostics(terminal, { interactive: false });
  t.same(failing(checks), ['lcd/self test', 'lcd/test pattern']);
  t.match(find(checks, 'lcd', 'self test')?.detail, /HAL_NACK/);
  t.match(find(checks, 'lcd', 'test pattern')?.detail, /HAL_NACK/);
});

t.test('a card in the field: the poll reports its UID and ATS', async (t) => {
  const terminal = await buildTerminal('sim');
  t.teardown(() => terminal.close());
  (terminal.models.nfc as Pn532Model).insertCard(echoCard([0x04, 0x16, 0xc6, 0xc2, 0xd7, 0x38, 0x81]));
  const checks = await runDiagnostics(terminal, { interactive: false, pollMs: 10_000 });
  const poll = find(checks, 'nfc', 'poll');
  t.equal(poll?.ok, true);
  t.equal(poll?.detail, 'UID 0416C6C2D73881, ATQA 0044, SAK 20, ATS 0578807002 (iso14443-4)');
});

t.test('the LCD shows the screen it had before the test pattern', async (t) => {
  const terminal = await buildTerminal('sim');
  t.teardown(() => terminal.close());
  const before = ['  IDLE SCREEN', '', '', 'line 4'];
  await terminal.roles.display!.show(before);
  const checks = await runDiagnostics(terminal, { interactive: false });
  t.equal(find(checks, 'lcd', 'test pattern')?.ok, true);
  t.same((terminal.models.lcd as Hd44780Model).text(), ['  IDLE SCREEN       ', '                    ', '                    ', 'line 4              ']);
});

t.test('interactive: keys echoed until CANCEL, a tap, a swipe (masked PAN only), a scan', async (t) => {
  const terminal = await buildTerminal('sim');
  t.teardown(() => terminal.close());
  const keypad = terminal.models.keypad as SimKeypad;
  const track2 = ';4761739001010119=22122011143804400000?';
  const prompts: string[] = [];
  let echoed: ((text: string) => void) | undefined;
  // A finger holds each key until the terminal echoed it (however loaded the machine), then lets go.
  const typeKey = async (key: string): Promise<void> => {
    // A press lands only once the driver has seen the previous release: it rests again
    // (every row driven low). After CANCEL the check is over and nobody waits for that.
    await until(() => keypad.driverResting() !== false, 'the keypad driver at rest');
    const seen = new Promise<void>((resolve) => (echoed = (text) => text === `key ${key}` && resolve()));
    await keypad.model.press(keypad.label(key)!, { bounce: 3 });
    await seen;
    await keypad.model.release(keypad.label(key)!, { bounce: 3 });
  };
  // The person at the terminal does what each prompt asks.
  const act = async (text: string): Promise<void> => {
    echoed?.(text);
    if (text.includes('CANCEL ends')) for (const k of ['1', '2', 'CANCEL']) await typeKey(k);
    else if (text.includes('tap a card')) (terminal.models.nfc as Pn532Model).insertCard(echoCard([0x08, 0x01, 0x02, 0x03]));
    else if (text.includes('swipe a card')) await (terminal.models.stripe as MagstripeModel).swipe({ track2 });
    else if (text.includes('scan a code')) await (terminal.models.scanner as CodeScannerModel).scan('HELLO-123');
  };
  const checks = await runDiagnostics(terminal, {
    interactive: true,
    waitMs: 10_000,
    prompt: (text) => {
      prompts.push(text);
      void act(text);
    },
  });
  t.same(failing(checks), []);
  t.equal(find(checks, 'keypad', 'key echo')?.detail, 'keys: 1 2 CANCEL');
  t.match(find(checks, 'nfc', 'tap')?.detail, /^UID 08010203, /);
  // Visa test PAN 4761739001010119 masked to first 6 and last 4 (emv/track maskPan).
  t.equal(find(checks, 'stripe', 'swipe')?.detail, 'PAN 476173******0119');
  t.notMatch(JSON.stringify(checks) + prompts.join('\n'), /4761739001010119|=2212/, 'neither the PAN nor the track anywhere');
  t.equal(find(checks, 'scanner', 'scan')?.detail, ']Q1 "HELLO-123"', 'the sim scanner sends the AIM identifier its profile says');
});

t.test('interactive with nobody there: each step fails after its wait, naming what was missing', async (t) => {
  const terminal = await buildTerminal('sim');
  t.teardown(() => terminal.close());
  const checks = await runDiagnostics(terminal, { interactive: true, waitMs: 300 });
  t.same(failing(checks), ['keypad/key echo', 'nfc/tap', 'stripe/swipe', 'scanner/scan']);
  t.match(find(checks, 'stripe', 'swipe')?.detail, /no swipe/);
});
