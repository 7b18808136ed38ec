// `pos tools emv replay` (issue 10): the JSON shape the issue gives for a good, a divergent,
// an incomplete and a garbage trace; flags; people's output masks PANs; no stack traces.
import t, { type Test } from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { capture } from './fixtures/io.js';

const fixture = (name: string): string => new URL(`../emv/trace/fixtures/${name}`, import.meta.url).pathname;

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  return { code: await runCli(argv, io), stdout: io.stdout, stderr: io.stderr };
}

const OUTCOMES = ['approved', 'declined', 'online-request', 'try-another-interface', 'end-application', 'incomplete-trace'];

/** The shape issue 10 names: outcome, aid, oda { method, result }, tvr, tsi, steps, divergences. */
function shape(t: Tap, v: Record<string, unknown>): void {
  t.ok(OUTCOMES.includes(v.outcome as string), `outcome ${String(v.outcome)}`);
  t.ok(v.aid === null || /^[0-9A-F]{10,32}$/.test(v.aid as string), 'aid: uppercase hex or null');
  const oda = v.oda as { method: string; result: string };
  t.ok(['none', 'sda', 'dda', 'fdda', 'cda'].includes(oda.method), 'oda.method');
  t.ok(['success', 'failed', 'not-performed', 'unverifiable'].includes(oda.result), 'oda.result');
  t.ok(v.tvr === null || /^[0-9A-F]{10}$/.test(v.tvr as string), 'tvr');
  t.ok(v.tsi === null || /^[0-9A-F]{4}$/.test(v.tsi as string), 'tsi');
  t.ok(Array.isArray(v.steps), 'steps');
  t.ok(Array.isArray(v.divergences), 'divergences');
}
type Tap = Test;

let dir = '';
t.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'replay-'));
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

t.test('good trace', async (t) => {
  const r = await run(['tools', 'emv', 'replay', fixture('contact-t0-padding.apdu'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as Record<string, unknown>;
  shape(t, v);
  t.match(v, { outcome: 'online-request', aid: 'A0000000031010', oda: { method: 'none', result: 'not-performed' }, tvr: '8000000000', tsi: '6800', divergences: [] });
  t.match((v.steps as Array<{ step: string }>)[0], { step: 'application-selection' });
});

t.test('divergent trace and flags (before or after the file)', async (t) => {
  const r = await run(['tools', 'emv', 'replay', '--amount', '1500', fixture('several-applications.apdu'), '--json', '--contact']);
  t.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as Record<string, unknown>;
  shape(t, v);
  t.match(v, { outcome: 'online-request', aid: 'A0000000032010', divergences: [{ kind: 'data-differs', command: /^80AE80001D000000001500/ }] });
  const skip = path.join(dir, 'skip.apdu');
  await writeFile(skip, (await readFile(fixture('contactless-gpo-6986.apdu'), 'utf8')) + '> 80CA9F3600\n< 9F3602000190 00\n');
  const s = JSON.parse((await run(['tools', 'emv', 'replay', skip, '--json'])).stdout) as Record<string, unknown>;
  t.match(s, { outcome: 'try-another-interface', divergences: [{ kind: 'skipped', command: '80CA9F3600' }] });
});

t.test('incomplete trace', async (t) => {
  const cut = path.join(dir, 'cut.apdu');
  const text = await readFile(fixture('contact-t0-padding.apdu'), 'utf8');
  await writeFile(cut, text.slice(0, text.indexOf('> 80AE')) + '> 80AE80001D000000001000000000000000025080000000000978261128001122334400\n');
  const r = await run(['tools', 'emv', 'replay', cut, '--json']);
  t.equal(r.code, 0);
  const v = JSON.parse(r.stdout) as Record<string, unknown>;
  shape(t, v);
  t.match(v, { outcome: 'incomplete-trace', aid: null, divergences: [{ kind: 'unanswered' }] });
});

t.test('garbage: JSON still printed, outcome incomplete-trace, the line named, exit 1, no stack', async (t) => {
  const bad = path.join(dir, 'bad.apdu');
  await writeFile(bad, '# fine\n> 00A4040000\nthis is not a trace line\n');
  const r = await run(['tools', 'emv', 'replay', bad, '--json']);
  t.equal(r.code, 1);
  const v = JSON.parse(r.stdout) as Record<string, unknown>;
  shape(t, v);
  t.match(v, { outcome: 'incomplete-trace', error: { code: 'EMV_TRACE_MALFORMED', line: 3 } });
  t.match(r.stderr, /line 3/);
  t.notMatch(r.stderr, /\bat .*\.ts:\d+/, 'no stack trace');
  const bin = path.join(dir, 'bin.apdu');
  await writeFile(bin, Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x3e, 0x20, 0x80]));
  const b = await run(['tools', 'emv', 'replay', bin, '--json']);
  t.equal(b.code, 1);
  t.match(JSON.parse(b.stdout), { outcome: 'incomplete-trace' });
});

t.test('usage errors and unreadable files', async (t) => {
  for (const argv of [
    ['tools', 'emv', 'replay', '--json'],
    ['tools', 'emv', 'replay', fixture('contact-t0-padding.apdu'), '--contact', '--contactless'],
    ['tools', 'emv', 'replay', fixture('contact-t0-padding.apdu'), '--amount', '1.50'],
    ['tools', 'emv', 'replay', fixture('contact-t0-padding.apdu'), '--currency', 'EUR'],
    ['tools', 'emv', 'replay', fixture('contact-t0-padding.apdu'), '--date', '261332'],
    ['tools', 'emv', 'replay', fixture('contact-t0-padding.apdu'), '--un', '1122'],
  ]) {
    const r = await run(argv);
    t.not(r.code, 0, argv.slice(3).join(' '));
    t.equal(r.stdout, '');
  }
  const r = await run(['tools', 'emv', 'replay', path.join(dir, 'missing.apdu')]);
  t.equal(r.code, 1);
  t.match(r.stderr, /cannot read .*ENOENT/);
  const help = await run(['tools', 'emv', 'replay', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /incomplete-trace/);
});

t.test('people output: the steps and divergences, PANs masked', async (t) => {
  const r = await run(['tools', 'emv', 'replay', fixture('contact-t0-padding.apdu')]);
  t.equal(r.code, 0);
  t.match(r.stdout, /^outcome\s+online-request \(at first-generate-ac\)$/m);
  t.match(r.stdout, /^ {2}read-application-data$/m);
  t.match(r.stdout, /^divergences\s+none$/m);
  t.notMatch(r.stdout, /4761739001010119/);
});
