// `pos cards` and `pos run --control / --host` as a person or a script uses them.
import t from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { capture } from '../cli/fixtures/io.js';
import { spawnPos, tsHook, waitForOutput } from '../cli/fixtures/spawn-cli.js';
import { connectControl } from '../../src/control/client.js';
import { parseHostAddress } from '../../src/board/start.js';

// Spawning the CLI from source (TypeScript compiled on the fly) takes tens of seconds on a loaded machine.
t.setTimeout(300_000);

t.test('pos cards --json: every card with its schemes, vias and purpose', async (t) => {
  const io = capture();
  t.equal(await runCli(['cards', '--json'], io), 0, io.stderr);
  const list = JSON.parse(io.stdout) as { name: string; schemes: string[]; vias: string[]; description: string; expected: string }[];
  const byName = new Map(list.map((c) => [c.name, c]));
  t.same(byName.get('visa-online')?.vias, ['tap', 'insert', 'swipe']);
  t.same(byName.get('visa-online')?.schemes, ['visa']);
  t.same(byName.get('unionpay-online')?.schemes, ['unionpay']);
  t.same(byName.get('offline-pin')?.vias, ['insert', 'swipe'], 'offline PIN is a contact-chip CVM (EMV Book 3 10.5): no tap');
  t.ok(list.every((c) => c.description && c.expected && c.vias.length > 0), 'each says what it is for');
  t.equal(new Set(list.map((c) => c.name)).size, list.length, 'names are unique');
});

t.test('pos cards: a table for people; --help', async (t) => {
  const io = capture();
  t.equal(await runCli(['cards'], io), 0);
  t.match(io.stdout, /^visa-online +visa +tap\/insert\/swipe/m);
  t.match(io.stdout, /expected: /);
  const help = capture();
  t.equal(await runCli(['cards', '--help'], help), 0);
  t.match(help.stdout, /--json/);
});

t.test('--host ADDR:PORT is parsed; a bad one is a usage error', async (t) => {
  t.same(parseHostAddress('127.0.0.1:8583'), { host: '127.0.0.1', port: 8583 });
  t.same(parseHostAddress('acquirer.example:10000'), { host: 'acquirer.example', port: 10000 });
  t.same(parseHostAddress('[::1]:8583'), { host: '::1', port: 8583 });
  for (const bad of ['127.0.0.1', ':8583', '127.0.0.1:0', '127.0.0.1:65536', 'a b:1', 'host:port']) t.throws(() => parseHostAddress(bad), bad);
  const io = capture();
  t.equal(await runCli(['run', '--host', 'nowhere', '--no-ui'], io), 2);
  t.match(io.stderr, /--host: expected ADDR:PORT/);
});

t.test('pos run --control on the sim board: a client drives it; SIGTERM removes the socket; a path in use is refused', { skip: tsHook ? false : 'needs the TypeScript hook' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-run-control-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sock = path.join(dir, 'control.sock');
  const child = spawnPos(['run', '--board', 'sim', '--data', dir, '--control', sock, '--host', '127.0.0.1:9', '--no-ui']);
  t.teardown(() => child.kill('SIGKILL'));
  await waitForOutput(child, /pos: control channel: .*control\.sock[\s\S]*acquirer: 127\.0\.0\.1:9 \(--host/, 120_000);
  const c = await connectControl(sock);
  // With a transaction engine the application starts at sign-in (src/app: an operator signs in first).
  const lcd = await c.waitFor((e) => 'lcd' in e && e.lcd.some((r) => r.includes('SIGN IN')), { since: 0, ms: 60_000 });
  t.ok(lcd, 'the sign-in screen, read from the LCD model');
  t.match(await c.request({ press: '1' }), { ok: 'press' });
  t.match(await c.request({ state: true }), { ok: 'state' });
  t.notOk(existsSync(path.join(dir, 'host-sim-ledger.json')), 'with --host the embedded simulator is not started');

  // A second terminal on the same socket path is refused.
  const second = spawnPos(['run', '--board', 'sim', '--data', path.join(dir, 'second'), '--control', sock, '--no-ui']);
  let err = '';
  second.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => second.on('exit', r));
  t.equal(code, 1, 'exit 1');
  t.match(err, /CONTROL_PATH_IN_USE/);
  t.notMatch(err, /at .*\.ts:\d+/, 'no stack trace');

  c.close();
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  child.kill('SIGTERM');
  t.equal(await exited, 0);
  t.notOk(existsSync(sock), 'the socket file is removed at exit');
});

t.test('pos run --control refuses a path that is a regular file', { skip: tsHook ? false : 'needs the TypeScript hook' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-run-control-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'notes.txt');
  writeFileSync(file, 'x');
  const io = capture();
  t.equal(await runCli(['run', '--board', 'sim', '--data', dir, '--control', file, '--no-ui'], io), 1);
  t.match(io.stderr, /CONTROL_PATH_IN_USE: .*not a socket/);
  t.ok(existsSync(file));
});
