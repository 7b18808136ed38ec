// `pos vpcd-card` without pcscd: the list of contact test cards, usage mistakes and an
// unreachable vpcd end with a message and an exit code, never a stack trace. Serving a
// card to the real pcscd is in pcscd.test.ts.
import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { TEST_CARDS } from '../../emv/cards/catalogue.js';
import { capture } from '../cli/fixtures/io.js';

const STACK = /at .*\.(ts|js):\d+/;

t.test('--list names every catalogue card with a contact interface', async (t) => {
  const io = capture();
  t.equal(await runCli(['vpcd-card', '--list', '--json'], io), 0, io.stderr);
  const want = TEST_CARDS.filter((c) => c.interfaces.includes('contact')).map((c) => c.name);
  t.strictSame(JSON.parse(io.stdout), want);
  t.ok(want.includes('offline-pin') && !want.includes('nonexistent'), 'contact-only cards are listed');
});

t.test('--help', async (t) => {
  const io = capture();
  t.equal(await runCli(['vpcd-card', '--help'], io), 0);
  t.match(io.stdout, /usage: pos vpcd-card/);
  t.match(io.stdout, /--protocol/);
});

t.test('mistakes: exit 2 with a message on stderr', async (t) => {
  for (const [argv, message] of [
    [[], /missing NAME/],
    [['no-such-card'], /no contact test card named "no-such-card" \(known: visa-online, /],
    [['visa-online', '--protocol', 'T=2'], /--protocol: expected T=1 or T=0/],
    [['visa-online', '--port', '70000'], /--port: expected 1\.\.65535/],
    [['visa-online', '--wait=-1'], /--wait: expected milliseconds/],
  ] as const) {
    const io = capture();
    t.equal(await runCli(['vpcd-card', ...argv], io), 2, argv.join(' '));
    t.match(io.stderr, message);
    t.notMatch(io.stderr, STACK);
    t.equal(io.stdout, '');
  }
});

t.test('vpcd not listening: exit 1, HAL_NOT_FOUND naming what to start', async (t) => {
  const io = capture();
  // Port 1: nothing listens there (a pcscd test may own vpcd's real port meanwhile).
  t.equal(await runCli(['vpcd-card', 'visa-online', '--port', '1'], io), 1);
  t.match(io.stderr, /HAL_NOT_FOUND: vpcd 127\.0\.0\.1:1: ECONNREFUSED \(is pcscd with vsmartcard-vpcd running\?\)/);
  t.notMatch(io.stderr, STACK);
});
