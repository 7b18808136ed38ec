// `pos config get|set|reset|list` on a data folder.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';

/** Runs `pos ...argv` in process; what it printed and its exit code. */
async function pos(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = { code: 0, stdout: '', stderr: '' };
  r.code = await runCli(argv, { out: (s) => void (r.stdout += s), err: (s) => void (r.stderr += s), stdin: async () => '' });
  return r;
}

t.test('set, get, list, reset on a data folder', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-cli-config-'));
  t.strictSame(await pos('config', 'get', 'currency', '--data', dir), { code: 0, stdout: 'CNY\n', stderr: '' });
  t.strictSame(await pos('config', 'set', 'currency', '840', '--data', dir, '--by', 'tech1'), { code: 0, stdout: 'currency: CNY -> USD\n', stderr: '' });
  t.strictSame(await pos('config', 'set', '--data', dir, 'console.baudRate', '9600'), { code: 0, stdout: 'console.baudRate: 115200 -> 9600\n', stderr: '' });
  t.strictSame(await pos('config', 'set', 'host.tls', 'on', '--data', dir), { code: 0, stdout: 'host.tls: false -> true\n', stderr: '' });
  t.strictSame(await pos('config', 'set', 'host.tls', 'true', '--data', dir), { code: 0, stdout: 'host.tls: unchanged (true)\n', stderr: '' });
  const json = await pos('config', 'get', 'console.baudRate', '--data', dir, '--json');
  t.strictSame(JSON.parse(json.stdout), { key: 'console.baudRate', value: 9600, isDefault: false });
  const list = await pos('config', 'list', '--data', dir);
  t.match(list.stdout, /^currency +USD\n/m);
  t.match(list.stdout, /^locale +en {2}\(default\)\n/m);
  t.match(list.stdout, /^terminal\.id +\(not set\) {2}\(default\)\n/m);
  const history = readFileSync(path.join(dir, 'config-history.jsonl'), 'utf8').trim().split('\n');
  t.equal(history.length, 3);
  t.match(JSON.parse(history[0]!), { by: 'tech1', key: 'currency', old: 'CNY', new: 'USD' });
  t.strictSame(await pos('config', 'reset', 'currency', '--data', dir), { code: 0, stdout: 'currency: USD -> CNY (default)\n', stderr: '' });
});

t.test('$POS_DATA is the default data folder', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-cli-config-'));
  const saved = process.env.POS_DATA;
  process.env.POS_DATA = dir;
  t.teardown(() => {
    if (saved === undefined) delete process.env.POS_DATA;
    else process.env.POS_DATA = saved;
  });
  t.equal((await pos('config', 'set', 'locale', 'zh')).code, 0);
  t.match(readFileSync(path.join(dir, 'config.json'), 'utf8'), /"locale": "zh"/);
});

t.test('mistakes: a message naming the key, exit 1; usage errors exit 2', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-cli-config-'));
  t.strictSame(await pos('config', 'set', 'currency', 'XYZ', '--data', dir), {
    code: 1,
    stdout: '',
    stderr: 'pos config set: CONFIG_INVALID: currency: expected one of CNY, USD, EUR (ISO 4217 alpha or numeric), got "XYZ"\n',
  });
  const unknown = await pos('config', 'get', 'merchant.nam', '--data', dir);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /CONFIG_UNKNOWN_KEY: merchant\.nam: unknown key; known keys: merchant\.address, merchant\.categoryCode, merchant\.id, merchant\.name/);
  t.equal((await pos('config', 'set', 'currency', '--data', dir)).code, 2);
  const help = await pos('config', 'set', '--help');
  t.match(help.stdout, /usage: pos config set/);
});
