// pos tools emv: published vectors from the test data of pyemv (github.com/knovichikhin/pyemv,
// tests/test_kd_hsm.py and the kd module docstring), which checks them against a payment HSM.
import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { capture } from './fixtures/io.js';

/** Runs `pos` in memory: exit code, stdout, stderr. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  return { code: await runCli(argv, io), stdout: io.stdout, stderr: io.stderr };
}

const json = (argv: string[]): Promise<Record<string, unknown>> =>
  run(argv).then((r) => (r.code === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : Promise.reject(new Error(`exit ${r.code}: ${r.stderr}`))));

const IMK = '0123456789ABCDEFFEDCBA9876543210';

t.test('icc-key: option A (EMV Book 2 A1.4.1), pyemv kd docstring', async (t) => {
  t.match(await json(['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '99012345678901234', '--psn', '45', '--json']), { iccMasterKey: '67F8292358083E5EA7AB7FDA58D53B6B' });
  t.match(await json(['tools', 'emv', 'icc-key', '--json', '--imk', IMK.toLowerCase(), '--pan', '99012345678901234', '--psn', '45', '--option', 'a']), { iccMasterKey: '67F8292358083E5EA7AB7FDA58D53B6B' }, 'flags in any order, lowercase hex in');
  // Option B for a 16-digit PAN is option A (A1.4.2); a 17-digit PAN differs.
  const a = await json(['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '12345678901234567', '--psn', '45', '--json']);
  const b = await json(['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '12345678901234567', '--psn', '45', '--option', 'b', '--json']);
  t.not(a.iccMasterKey, b.iccMasterKey);
  const people = capture();
  t.equal(await runCli(['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '99012345678901234', '--psn', '45'], people), 0);
  t.match(people.stdout, /^iccMasterKey\s+67F8292358083E5EA7AB7FDA58D53B6B$/m);
});

t.test('session-key, arqc, arpc chain: pyemv test_derive_icc_mk_b_sha_pad (ATC 001C)', async (t) => {
  const mk = (await json(['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '000000000000000005', '--psn', '23', '--option', 'b', '--json'])).iccMasterKey as string;
  const sk = (await json(['tools', 'emv', 'session-key', '--key', mk, '--atc', '001C', '--json'])).sessionKey as string;
  t.match(sk, /^[0-9A-F]{32}$/);
  const data = '0000000040000000000000000124800004800001241911050152BF45851800001C06011203A0B800';
  t.match(await json(['tools', 'emv', 'arqc', '--key', sk, '--data', data, '--json']), { cryptogram: '8CAD6F2489C640B1' });
  t.match(await json(['tools', 'emv', 'arpc', '--key', sk, '--arqc', '8CAD6F2489C640B1', '--csu', '00000000', '--prop', '12345678', '--json']), { arpc: 'E39F1876' });
  const withUn = await json(['tools', 'emv', 'session-key', '--key', mk, '--atc', '001C', '--un', '11223344', '--json']);
  t.not(withUn.sessionKey, sk, 'the unpredictable number changes the Mastercard-style key');
});

t.test('arqc and arpc method 1: pyemv test_derive_icc_mk_a_psn (ARPC under the ICC master key)', async (t) => {
  const mk = (await json(['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '12345678901234567', '--psn', '45', '--json'])).iccMasterKey as string;
  t.match(await json(['tools', 'emv', 'arpc', '--key', mk, '--arqc', '19C1FBC83EBDC0D5', '--arc', '0000', '--json']), { arpc: '78A372523FA35A03' });
  const p1 = await json(['tools', 'emv', 'arqc', '--key', IMK, '--data', '00', '--pad', '1', '--json']);
  const p2 = await json(['tools', 'emv', 'arqc', '--key', IMK, '--data', '00', '--json']);
  t.not(p1.cryptogram, p2.cryptogram, 'padding method matters');
});

t.test('bad arguments: usage error, non-zero exit, nothing on stdout, no stack trace', async (t) => {
  const cases: string[][] = [
    ['tools', 'emv', 'icc-key', '--pan', '12345678901234567', '--json'],
    ['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '12AB', '--json'],
    ['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '12345678901234567', '--psn', '4', '--json'],
    ['tools', 'emv', 'icc-key', '--imk', IMK, '--pan', '12345678901234567', '--option', 'c', '--json'],
    ['tools', 'emv', 'icc-key', '--imk', '0123', '--pan', '12345678901234567', '--json'],
    ['tools', 'emv', 'session-key', '--key', IMK, '--atc', '01', '--json'],
    ['tools', 'emv', 'session-key', '--key', IMK, '--atc', '0001', '--un', 'XYZ1', '--json'],
    ['tools', 'emv', 'arqc', '--key', IMK, '--data', '00', '--pad', '3', '--json'],
    ['tools', 'emv', 'arpc', '--key', IMK, '--arqc', '19C1FBC83EBDC0D5', '--json'],
    ['tools', 'emv', 'arpc', '--key', IMK, '--arqc', '19C1FBC83EBDC0D5', '--arc', '0000', '--csu', '00000000', '--json'],
    ['tools', 'emv', 'arpc', '--key', IMK, '--arqc', '19C1FBC83EBDC0D5', '--arc', '0000', '--prop', '00', '--json'],
    ['tools', 'emv', 'arpc', '--key', IMK, '--arqc', '19C1', '--arc', '0000', '--json'],
    ['tools', 'emv', 'arqc', '--bogus'],
  ];
  for (const argv of cases) {
    const r = await run(argv);
    t.not(r.code, 0, argv.join(' '));
    t.equal(r.stdout, '');
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const help = capture();
  t.equal(await runCli(['tools', 'emv', 'arpc', '--help'], help), 0);
  t.match(help.stdout, /--csu/);
});
