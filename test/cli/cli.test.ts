import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { captureIo as capture } from './fixtures/capture-io.js';

t.test('unknown command exits 2 with a listing on stderr', async (t) => {
  const io = capture();
  const code = await runCli(['frobnicate'], io);
  t.equal(code, 2);
  t.match(io.stderr, /unknown command/);
  t.match(io.stderr, /tools/);
  t.equal(io.stdout, '');
});

t.test('--help lists subcommands', async (t) => {
  const io = capture();
  t.equal(await runCli(['--help'], io), 0);
  t.match(io.stdout, /usage: pos/);
  t.match(io.stdout, /tools/);
});

t.test('unknown option is a usage error, not a stack trace', async (t) => {
  const io = capture();
  t.equal(await runCli(['--bogus'], io), 2);
  t.match(io.stderr, /Unknown option/i);
  t.notMatch(io.stderr, /at .*\.ts:\d+/);
});

t.test('a flag value before the subcommand name is not taken for the subcommand', async (t) => {
  const io = capture();
  const dir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'cli-'));
  t.equal(await runCli(['config', '--data', dir, 'list', '--json'], io), 0, io.stderr);
  t.match(io.stdout, /merchant/);
});
