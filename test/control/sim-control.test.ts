// The control channel on the sim board, over its real Unix socket with two clients: each
// request acts on a chip model (the far end of a wire) and the terminal's real drivers see
// the result; each event comes from a model (LCD display memory, printer paper, buzzer line).
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildTerminal } from '../../src/board/build.js';
import { SteppedClock } from '../../hal/sim/clock.js';
import { simHands, watchSimBoard } from '../../src/board/sim-hands.js';
import { ControlHub } from '../../src/control/hub.js';
import { listenControl } from '../../src/control/socket-server.js';
import { connectControl } from '../../src/control/client.js';
import type { ControlEvent } from '../../src/control/protocol.js';
import { PPSE_NAME, PSE_NAME, selectByName } from '../../emv/apdu/apdu.js';
import { decodeServiceCode } from '../../emv/track/service-code.js';
import { parseTrack2 } from '../../emv/track/track.js';
import { luhnValid } from '../../emv/track/pan.js';
import type { StripeSwipe } from '../../hal/roles/stripe.js';
import type { CodeScan } from '../../hal/roles/scanner.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const sw = (r: Uint8Array): string => hex(r.subarray(r.length - 2));

const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-control-'));
const sock = path.join(dir, 'control.sock');
// The buzzer and its model keep time by a stepped clock: a beep is measured as long as the
// driver played it, so naming it cannot depend on how late the host's timers fire.
const terminal = await buildTerminal('sim', { clock: new SteppedClock() });
const hub = new ControlHub({ hands: simHands(terminal), state: () => ({ screen: 'idle', txn: null }) });
const watch = watchSimBoard(terminal, (e) => hub.publish(e), { receiptDir: path.join(dir, 'receipts') });
const server = await listenControl(hub, sock);
const a = await connectControl(sock);
const b = await connectControl(sock);
t.teardown(async () => {
  a.close();
  b.close();
  await server.close();
  watch.close();
  await terminal.close();
  rmSync(dir, { recursive: true, force: true });
});

const isLcd = (e: ControlEvent): e is { lcd: string[] } => 'lcd' in e;

t.test('the socket belongs to its owner only', async (t) => {
  t.equal(statSync(sock).mode & 0o777, 0o600);
});

t.test('press: the key goes through the keypad matrix and the keypad driver reports it; the reply goes to the requester only', async (t) => {
  const keys: string[] = [];
  const off = terminal.roles.keypad!.onKey((e) => keys.push(e.key));
  const seenByB: unknown[] = [];
  const offB = b.onMessage((m) => seenByB.push(m));
  t.match(await a.request({ press: '5' }), { ok: 'press' });
  t.match(await a.request({ press: 'ENTER' }), { ok: 'press' });
  off();
  offB();
  t.same(keys, ['5', 'ENTER'], 'each key once, in order');
  t.notOk(seenByB.some((m) => typeof m === 'object' && m !== null && 'ok' in m), 'the other client got no reply');
  const bad = await a.request({ press: 'X' });
  t.equal('error' in bad && bad.error.code, 'CONTROL_UNKNOWN_KEY', 'a label the layout does not have');
});

t.test('lcd: what the driver writes reaches both clients as the rows of the LCD model', async (t) => {
  const sinceA = a.events.length;
  const sinceB = b.events.length;
  await terminal.roles.display!.show(['HELLO', 'CONTROL']);
  const want = ['HELLO'.padEnd(20), 'CONTROL'.padEnd(20), ' '.repeat(20), ' '.repeat(20)];
  const ea = await a.waitFor((e) => isLcd(e) && e.lcd[0] === want[0], { since: sinceA });
  const eb = await b.waitFor((e) => isLcd(e) && e.lcd[0] === want[0], { since: sinceB });
  t.same(ea, { lcd: want });
  t.same(eb, { lcd: want });
  const late = await connectControl(sock);
  t.same(await late.waitFor(isLcd, { since: 0 }), { lcd: want }, 'a client that connects later gets the screen as it is');
  late.close();
});

t.test('present tap: the card is in the PN532 field; the reader activates it and the PPSE answers', async (t) => {
  t.match(await a.request({ present: { card: 'visa-online', via: 'tap' } }), { ok: 'present' });
  const nfc = terminal.roles.contactless!;
  await nfc.waitForCard({ timeoutMs: 10_000 });
  const r = await nfc.transceive(selectByName(PPSE_NAME));
  t.equal(sw(r), '9000', 'SELECT 2PAY.SYS.DDF01 (EMV Book B 3.3) answered 9000');
  t.match(hex(r), /4F07A0000000031010/, 'the FCI lists the Visa AID A0000000031010 (tag 4F)');
  await nfc.release();
  t.match(await a.request({ remove: true }), { ok: 'remove' });
  await nfc.waitForRemoval({ timeoutMs: 10_000 });
  t.pass('after remove the field is empty');
});

t.test('present insert: the card sits in the sim contact reader with an EMV basic ATR and answers the PSE', async (t) => {
  const contact = terminal.roles.contact!;
  t.match(await a.request({ present: { card: 'offline-pin', via: 'insert' } }), { ok: 'present' });
  await contact.waitForCard({ timeoutMs: 10_000 });
  const info = await contact.powerUp();
  t.equal(hex(info.atr.bytes), '3BE000008131FE45EB', 'EMV Book 1 8.3 basic ATR, T=1');
  const r = await contact.transceive(selectByName(PSE_NAME));
  t.equal(sw(r), '9000', 'SELECT 1PAY.SYS.DDF01 (EMV Book 1 12.2.2) answered 9000');
  await contact.powerDown();
  const removed = new Promise<void>((resolve) => contact.onCardRemoved(() => resolve()));
  await a.request({ remove: true });
  await removed;
  t.equal(contact.cardPresent, false, 'remove takes it out of the slot');
});

t.test('present swipe: the stripe driver delivers track 2 of a chip card (service code 2xx)', async (t) => {
  const swiped = new Promise<StripeSwipe>((resolve) => terminal.roles.stripe!.onSwipe(resolve));
  t.match(await a.request({ present: { card: 'unionpay-online', via: 'swipe' } }), { ok: 'present' });
  const swipe = await swiped;
  t.ok(swipe.track2, 'track 2 read');
  const track = parseTrack2(swipe.track2!);
  t.ok(luhnValid(track.pan), 'a Luhn-valid PAN (ISO/IEC 7812-1)');
  t.equal(track.pan.length, 19, 'the 19-digit UnionPay PAN');
  t.equal(track.serviceCode[0], '2', 'service code 2xx');
  t.equal(decodeServiceCode(track.serviceCode).chipCapable, true, 'an integrated circuit card (ISO/IEC 7813 service code digit 1)');
});

t.test('present: unknown card and a via the card does not have are errors to the requester', async (t) => {
  const unknown = await a.request({ present: { card: 'no-such-card', via: 'tap' } });
  t.equal('error' in unknown && unknown.error.code, 'CONTROL_UNKNOWN_CARD');
  const contactOnly = await a.request({ present: { card: 'offline-pin', via: 'tap' } });
  t.equal('error' in contactOnly && contactOnly.error.code, 'CONTROL_UNSUPPORTED_VIA', 'offline-pin is a contact-only chip (no contactless interface)');
  t.match('error' in contactOnly && contactOnly.error.message, /insert, swipe/);
});

t.test('scan: the code scanner driver reports the code', async (t) => {
  const scanned = new Promise<CodeScan>((resolve) => terminal.roles.scanner!.onScan(resolve));
  t.match(await a.request({ scan: '286843562145321589' }), { ok: 'scan' });
  t.equal((await scanned).code, '286843562145321589');
  const bad = await a.request({ scan: 'line\nbreak' });
  t.equal('error' in bad && bad.error.code, 'CONTROL_BAD_REQUEST', 'a control character would end the scanner line early');
});

t.test('paper out / in: the printer driver reads it from the printer status (DLE EOT 4)', async (t) => {
  await a.request({ paper: 'out' });
  t.equal((await terminal.roles.printer!.status()).paperOut, true);
  await a.request({ paper: 'in' });
  t.equal((await terminal.roles.printer!.status()).paperOut, false);
});

t.test('receipt: what the printer put on paper up to the cut, as text and a PNG picture, to every client', async (t) => {
  const since = b.events.length;
  await terminal.roles.printer!.print({ lines: [{ kind: 'text', text: 'TEST MERCHANT' }, { kind: 'text', text: 'SALE        12.50' }, { kind: 'cut' }] });
  const e = (await b.waitFor((x) => 'receipt' in x, { since })) as { receipt: { text: string; png: string | null } };
  t.match(e.receipt.text, /^TEST MERCHANT\nSALE {8}12\.50/);
  if (e.receipt.png === null) t.comment('no PNG: @napi-rs/canvas is not loadable here');
  else t.same([...readFileSync(e.receipt.png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file (PNG signature, ISO/IEC 15948 5.2)');
  const sinceNext = b.events.length;
  await terminal.roles.printer!.print({ lines: [{ kind: 'text', text: 'SECOND' }, { kind: 'cut' }] });
  const next = (await b.waitFor((x) => 'receipt' in x, { since: sinceNext })) as { receipt: { text: string } };
  t.equal(next.receipt.text.trim(), 'SECOND', 'the next receipt holds only its own lines');
});

t.test('beep: the buzzer line heard as the Indicator patterns', async (t) => {
  const indicator = terminal.roles.indicator!;
  for (const pattern of ['success', 'error', 'key', 'attention'] as const) {
    const since = a.events.length;
    await indicator.signal(pattern);
    t.same(await a.waitFor((e) => 'beep' in e, { since }), { beep: pattern }, pattern);
  }
});

t.test('state answers the requester only', async (t) => {
  const sinceB = b.events.length;
  const since = a.events.length;
  await a.request({ state: true });
  t.same(await a.waitFor((e) => 'state' in e, { since }), { state: { screen: 'idle', txn: null } });
  // b asks too: the hub sends the state event before the reply, and b's socket keeps order,
  // so once b has its reply it holds its own state event and anything sent to it before.
  await b.request({ state: true });
  t.equal(b.events.slice(sinceB).filter((e) => 'state' in e).length, 1, 'the other client got only the state it asked for');
});

t.test('malformed input: an error to that client, the channel keeps working', async (t) => {
  const errors: unknown[] = [];
  const off = a.onMessage((m) => 'error' in m && errors.push(m));
  const seenByB: unknown[] = [];
  const offB = b.onMessage((m) => seenByB.push(m));
  a.sendRaw('{not json\n');
  a.sendRaw('[1,2,3]\n');
  a.sendRaw(`{"press": "${'9'.repeat(70_000)}"}\n`);
  t.match(await a.request({ state: true }), { ok: 'state' }, 'the next request is served');
  off();
  offB();
  t.same(
    errors.map((e) => (e as { error: { code: string } }).error.code),
    ['CONTROL_BAD_JSON', 'CONTROL_BAD_REQUEST', 'CONTROL_LINE_TOO_LONG'],
  );
  t.same(seenByB, [], 'nothing reached the other client');
});

t.test('a client that disconnects mid-request does not disturb the others', async (t) => {
  const c = await connectControl(sock);
  c.sendRaw('{"press": "1"}\n');
  c.close();
  t.match(await b.request({ press: '2' }), { ok: 'press' });
});

t.test('the path: refused while in use or not a socket; a socket left by a dead process is replaced', async (t) => {
  await t.rejects(listenControl(hub, sock), { code: 'CONTROL_PATH_IN_USE' }, 'our own live socket');
  const file = path.join(dir, 'plain-file');
  writeFileSync(file, 'keep me');
  await t.rejects(listenControl(hub, file), { code: 'CONTROL_PATH_IN_USE' });
  t.equal(readFileSync(file, 'utf8'), 'keep me', 'the file is left alone');
  // A process that died (SIGKILL) leaves its socket file behind.
  const stale = path.join(dir, 'stale.sock');
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  await new Promise((r) => child.on('exit', r));
  t.ok(existsSync(stale), 'the dead process left its socket');
  const again = await listenControl(hub, stale);
  const c = await connectControl(stale);
  t.match(await c.request({ state: true }), { ok: 'state' }, 'served on the replaced socket');
  c.close();
  await again.close();
  t.notOk(existsSync(stale), 'removed at close');
});

t.test('close removes the socket file', async (t) => {
  const extra = path.join(dir, 'extra.sock');
  const s = await listenControl(hub, extra);
  t.ok(existsSync(extra));
  const c = await connectControl(extra);
  await s.close();
  c.close();
  t.notOk(existsSync(extra));
});
