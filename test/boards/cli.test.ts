// `pos board check`: "ok" and exit 0 for a valid profile; every problem and exit 1 otherwise.
import t from 'tap';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';

/** Runs `pos ...argv` in process; what it printed and its exit code. */
async function pos(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = { code: 0, stdout: '', stderr: '' };
  r.code = await runCli(argv, { out: (s) => void (r.stdout += s), err: (s) => void (r.stderr += s), stdin: async () => '' });
  return r;
}

const bad = path.relative(process.cwd(), path.join(path.dirname(new URL(import.meta.url).pathname), 'bad'));

t.test('a shipped profile is ok', async (t) => {
  const io = await pos('board', 'check', 'sim');
  t.equal(io.code, 0);
  t.match(io.stdout, /sim\.json: ok \(sim; 8 devices; roles: display=lcd, keypad=keypad, contactless=nfc, stripe=stripe, scanner=scanner, indicator=buzzer, printer=printer, contact=contact\)/);
  t.equal(io.stderr, '');
});

t.test('problems go to stderr, one per line, exit 1', async (t) => {
  const io = await pos('board', 'check', `${bad}/several.json`);
  t.equal(io.code, 1);
  const lines = io.stderr.trim().split('\n');
  t.equal(lines.length, 5);
  t.equal(lines[0], `${bad}/several.json: extra: unknown key; expected one of: model, description, buses, devices, roles, testFixtures`);
  t.equal(io.stdout, '');
});

t.test('--json, before or after the positional', async (t) => {
  const io = await pos('board', '--json', 'check', `${bad}/address-twice.json`);
  t.equal(io.code, 1);
  const out = JSON.parse(io.stdout) as { ok: boolean; code: string; problems: { path: string; message: string }[] };
  t.equal(out.ok, false);
  t.equal(out.code, 'BOARD_INVALID');
  t.strictSame(out.problems, [{ path: 'devices[1].address', message: '0x27 is already used by devices[0] ("lcd") on bus "i2c1"' }]);
  const ok = await pos('board', 'check', 'rpi4-pos', '--json');
  t.equal(ok.code, 0);
  const good = JSON.parse(ok.stdout) as { ok: boolean; roles: unknown };
  t.equal(good.ok, true);
  t.strictSame(good.roles, { display: 'lcd', keypad: 'keypad', contactless: 'nfc', stripe: 'stripe', scanner: 'scanner', indicator: 'buzzer', printer: 'printer', contact: 'contact' });
});

t.test('a missing board and a syntax error', async (t) => {
  const io = await pos('board', 'check', 'nope');
  t.equal(io.code, 1);
  t.match(io.stderr, /nope\.json: no such file; known boards: rpi4-pos, sim, sim-pcsc/);
  const syn = await pos('board', 'check', `${bad}/syntax.json`, '--json');
  t.equal(syn.code, 1);
  t.equal((JSON.parse(syn.stdout) as { code: string }).code, 'BOARD_SYNTAX');
});

t.test('usage and help', async (t) => {
  const io = await pos('board', 'check');
  t.equal(io.code, 2);
  t.match(io.stderr, /expected one profile/);
  const help = await pos('board', 'check', '--help');
  t.equal(help.code, 0);
  t.match(help.stdout, /usage: pos board check/);
  const list = await pos('board', 'list', '--json');
  t.equal(list.code, 0);
  t.strictSame(JSON.parse(list.stdout), ['rpi4-pos', 'sim', 'sim-pcsc']);
});
