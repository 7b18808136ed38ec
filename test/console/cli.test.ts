// `pos console` on a real pseudo-terminal: a data folder with no users (a real board's first
// boot) gets the first-boot setup, then a technician signs in; SIGTERM stops it.
import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { LinuxSerialOpener } from '../../hal/linux/serial.js';
import { DEFAULT_SERIAL } from '../../hal/serial.js';
import { spawn } from 'node:child_process';
import { base32Decode, totp } from '../../src/users/totp.js';
import { FarEnd } from './helpers.js';

async function pos(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = { code: 0, stdout: '', stderr: '' };
  r.code = await runCli(argv, { out: (s) => void (r.stdout += s), err: (s) => void (r.stderr += s), stdin: async () => '' });
  return r;
}

t.test('--help and bad arguments', async (t) => {
  const help = await pos('console', '--help');
  t.equal(help.code, 0);
  t.match(help.stdout, 'usage: pos console');
  t.match(help.stdout, '--device PATH');
  const bad = await pos('console', 'extra', '--data', t.testdir());
  t.match(bad, { code: 2, stderr: /unexpected argument "extra"/ });
  const baud = await pos('console', '--baud', '1234', '--data', t.testdir());
  t.match(baud, { code: 2, stderr: /--baud: one of 9600, 19200, 38400, 57600, 115200; got "1234"/ });
  const missing = await pos('console', '--device', '/dev/pos-no-such-tty', '--data', t.testdir());
  t.match(missing, { code: 1, stderr: /cannot open \/dev\/pos-no-such-tty/ });
  t.notMatch(missing.stderr, /\n\s+at /, 'no stack trace');
});

t.test('first boot over a pty, sign-in, SIGTERM', async (t) => {
  // socat without wait-slave: both ttys exist at once, so the command opens one by its path
  // while the test opens the other (the way picocom would).
  const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => void socat.kill('SIGTERM'));
  let stderr = '';
  socat.stderr.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat: ${stderr}`)), 5000);
    socat.once('error', reject);
    socat.stderr.on('data', (text: string) => {
      stderr += text;
      if (/starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const [consolePath, technicianPath] = [...stderr.matchAll(/PTY is (\/dev\/\S+)/g)].map((m) => m[1]!);
  t.match([consolePath, technicianPath], [/^\/dev\/pts\/\d+$/, /^\/dev\/pts\/\d+$/]);
  const technicianEnd = await new LinuxSerialOpener().open(technicianPath!, { ...DEFAULT_SERIAL });
  const dataDir = t.testdir();
  const running = pos('console', '--device', consolePath!, '--data', dataDir);
  const far = new FarEnd(technicianEnd);
  await far.answer(['admin user ID: ', 'boss'], ['new password for boss: ', 'Quiet-Harbour#61'], ['again: ', 'Quiet-Harbour#61'], ['technician user ID: ', 'fixer'], ['new password for fixer: ', 'Quiet-Harbour#62'], ['again: ', 'Quiet-Harbour#62']);
  const shown = await far.expect('login: ');
  const secret = /secret ([A-Z2-7]+)/.exec(shown)![1]!;
  await far.line('fixer');
  await far.answer(['password: ', 'Quiet-Harbour#62'], ['one-time code: ', totp(base32Decode(secret)!, Date.now())]);
  t.match(await far.expect('fixer@pos> '), 'welcome, fixer (technician)');
  await far.line('version');
  t.match(await far.expect('fixer@pos> '), /pos \d+\.\d+\.\d+/);
  process.emit('SIGTERM');
  const r = await running;
  t.equal(r.code, 0);
  t.match(r.stdout, `pos console: serving ${consolePath} at 115200 8N1`);
  t.match(r.stdout, 'pos console: stopped');
  await technicianEnd.close();
});
