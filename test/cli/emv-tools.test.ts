// `pos tools tlv|apdu|track` through runCli in-process, plus one run of the real CLI in a
// child process (node with the same TypeScript import hook tap runs this test under).
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { capture } from './fixtures/io.js';
import { FIXTURES } from '../emv/fixtures/responses.js';

async function run(argv: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture(stdin);
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const PPSE = FIXTURES[1]!.hex;
const STACK = /at .*\.(ts|js):\d+/;

t.test('every new command has --help', async (t) => {
  for (const path of [['tools'], ['tools', 'tlv'], ['tools', 'tlv', 'decode'], ['tools', 'tlv', 'encode'], ['tools', 'apdu', 'decode'], ['tools', 'track', 'decode']]) {
    const r = await run([...path, '--help']);
    t.equal(r.code, 0, path.join(' '));
    t.match(r.stdout, new RegExp(`usage: pos ${path.join(' ')}`));
  }
  const r = await run(['tools', '--help']);
  t.match(r.stdout, /tlv\s+BER-TLV/);
  t.match(r.stdout, /apdu/);
  t.match(r.stdout, /track/);
});

t.test('tlv decode: annotated tree', async (t) => {
  const r = await run(['tools', 'tlv', 'decode', PPSE]);
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.match(r.stdout, /^6F \(45\) File Control Information \(FCI\) Template\n {2}84 \(14\) Dedicated File \(DF\) Name: 325041592E5359532E4444463031\n {2}A5 \(27\) FCI Proprietary Template\n {4}BF0C/);
  t.match(r.stdout, /\n {8}4F \(7\) Application Dedicated File \(ADF\) Name \(AID\): A0000000031010\n/);
  t.match(r.stdout, /50 \(4\) Application Label: "VISA"/);
  t.match(r.stdout, /9F2A \(1\) Kernel Identifier: 03/);
});

t.test('tlv decode: hex split over arguments, flags after positionals, lowercase, stdin', async (t) => {
  const a = await run(['tools', 'tlv', 'decode', '9f36', '02', '0027', '--json']);
  t.same(JSON.parse(a.stdout), [{ tag: '9F36', name: 'Application Transaction Counter (ATC)', value: '0027' }]);
  const b = await run(['tools', 'tlv', 'decode', '--json'], `${PPSE}\n`);
  t.equal(b.code, 0);
  t.equal(JSON.parse(b.stdout)[0].tag, '6F');
});

t.test('tlv decode --json: the shape of the issue', async (t) => {
  const r = await run(['tools', 'tlv', 'decode', '--json', FIXTURES[3]!.hex]);
  t.equal(r.code, 0);
  t.same(JSON.parse(r.stdout), [
    {
      tag: '77',
      name: 'Response Message Template Format 2',
      children: [
        { tag: '82', name: 'Application Interchange Profile (AIP)', value: '1980' },
        { tag: '94', name: 'Application File Locator (AFL)', value: '08010100100103011801020' + '0' },
      ],
    },
  ]);
});

t.test('tlv decode: malformed input exits non-zero with the byte offset, no stack', async (t) => {
  const r = await run(['tools', 'tlv', 'decode', '6F1A8407A0000000031010']);
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /EMV_TLV_VALUE_TRUNCATED: value of tag 6F at offset 0/);
  t.notMatch(r.stderr, STACK);
  const pad = await run(['tools', 'tlv', 'decode', '5A0112' + '00']);
  t.match(pad.stderr, /offset 3/);
  t.equal((await run(['tools', 'tlv', 'decode', '--lenient', '5A0112' + '00FF'])).code, 0, '--lenient skips padding');
  const hex = await run(['tools', 'tlv', 'decode', 'XYZ']);
  t.equal(hex.code, 2, 'bad hex is a usage error');
  t.equal((await run(['tools', 'tlv', 'decode'])).code, 2, 'nothing to decode');
});

t.test('tlv decode: a pasted status word 9000 gets a hint on stderr', async (t) => {
  const r = await run(['tools', 'tlv', 'decode', FIXTURES[3]!.hex + '9000']);
  t.equal(r.code, 0);
  t.match(r.stderr, /look like a status word/);
  t.equal((await run(['tools', 'tlv', 'decode', FIXTURES[3]!.hex])).stderr, '');
});

t.test('tlv decode: PAN masked unless --reveal', async (t) => {
  const r = await run(['tools', 'tlv', 'decode', '5A084761739001010010']);
  t.match(r.stdout, /476173\*{6}0010/);
  t.notMatch(r.stdout, /4761739001010010/);
  t.match((await run(['tools', 'tlv', 'decode', '5A084761739001010010', '--reveal'])).stdout, /4761739001010010/);
});

t.test('tlv encode: JSON on stdin -> hex; decode --json | encode is the identity', async (t) => {
  for (const f of FIXTURES) {
    const json = (await run(['tools', 'tlv', 'decode', '--json', f.hex])).stdout;
    const r = await run(['tools', 'tlv', 'encode'], json);
    t.equal(r.code, 0, f.name);
    t.equal(r.stdout, `${f.hex.toUpperCase()}\n`, f.name);
  }
  const j = await run(['tools', 'tlv', 'encode', '--json'], '{"tag":"9f02","value":"000000001000"}');
  t.same(JSON.parse(j.stdout), { hex: '9F0206000000001000' });
  const bad = await run(['tools', 'tlv', 'encode'], '[{"tag":"5A","children":[]}]');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /EMV_TLV_NOT_CONSTRUCTED/);
  const shape = await run(['tools', 'tlv', 'encode'], '[{"tag":"5A"}]');
  t.match(shape.stderr, /EMV_TLV_BAD_INPUT: \$\[0\]: needs exactly one of "value" or "children"/);
  t.equal((await run(['tools', 'tlv', 'encode'], 'not json')).code, 2);
  t.equal((await run(['tools', 'tlv', 'encode'], '')).code, 2);
});

t.test('apdu decode: commands', async (t) => {
  const sel = await run(['tools', 'apdu', 'decode', '00A404000E325041592E5359532E444446303100']);
  t.equal(sel.code, 0);
  t.match(sel.stdout, /^command SELECT\n {2}CLA 00 {2}INS A4 {2}P1 04 {2}P2 00 {2}\(case 4\)\n {2}Lc 14 {2}data 325041592E5359532E4444463031\n {2}Le 256\n/);
  t.match(sel.stdout, /first or only occurrence/);
  const rr = await run(['tools', 'apdu', 'decode', '00B2011400', '--json']);
  t.match(JSON.parse(rr.stdout), { kind: 'command', name: 'READ RECORD', ins: 'B2', p1: '01', p2: '14', case: 2, le: 256 });
  t.match((await run(['tools', 'apdu', 'decode', '00B2011400'])).stdout, /record 1 of SFI 2/);
  t.match((await run(['tools', 'apdu', 'decode', '80AE8000020000' + '00'])).stdout, /requests ARQC/);
  const verify = await run(['tools', 'apdu', 'decode', '0020008008241234FFFFFFFFFF']);
  t.notMatch(verify.stdout, /241234/, 'the PIN block is hidden');
  t.match(verify.stdout, /8 bytes of PIN data, hidden/);
  const gpo = await run(['tools', 'apdu', 'decode', '80A8000006830436004000' + '00']);
  t.match(gpo.stdout, /83 \(4\) Command Template/);
});

t.test('apdu decode: responses with status word meaning and data tree', async (t) => {
  const r = await run(['tools', 'apdu', 'decode', FIXTURES[3]!.hex + '9000']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^response, 20 data bytes\n {2}SW 9000: normal processing/);
  t.match(r.stdout, /\n {2}77 \(18\) Response Message Template Format 2\n {4}82 \(2\)/);
  const nf = await run(['tools', 'apdu', 'decode', '6A82', '--json']);
  t.same(JSON.parse(nf.stdout), { kind: 'response', data: '', sw: '6A82', meaning: 'wrong parameters: file or application not found' });
  const forced = await run(['tools', 'apdu', 'decode', '--response', '00B2010C00']);
  t.match(forced.stdout, /response, 3 data bytes\n {2}SW 0C00: unknown status word/);
  const junk = await run(['tools', 'apdu', 'decode', '1234']);
  t.equal(junk.code, 2);
  t.match(junk.stderr, /use --command or --response/);
  const short = await run(['tools', 'apdu', 'decode', '--command', '00A4']);
  t.equal(short.code, 1);
  t.match(short.stderr, /EMV_APDU_BAD_COMMAND/);
});

t.test('track decode: people output masks, --json shape', async (t) => {
  const r = await run(['tools', 'track', 'decode', '%B4111111111111111^DOE/JOHN^2512201123456789?']);
  t.equal(r.code, 0);
  t.match(r.stdout, /PAN +411111\*{6}1111 \(16 digits, Luhn OK\)/);
  t.match(r.stdout, /name +DOE\/JOHN/);
  t.match(r.stdout, /service code +201\n +2: international interchange, IC/);
  t.match(r.stdout, /chip card +yes/);
  t.notMatch(r.stdout, /4111111111111111|123456789/);
  const j = await run(['tools', 'track', 'decode', '--json', ';4111111111111111=25121010000000000000?8']);
  t.match(JSON.parse(j.stdout), { source: 'track2', pan: '411111******1111', name: null, expiry: '2512', serviceCode: '101', chipCapable: false, luhnValid: true, discretionary: null });
  const rev = await run(['tools', 'track', 'decode', '4761739001010010D25122011143804400000F', '--json', '--reveal']);
  t.match(JSON.parse(rev.stdout), { source: 'track2-equivalent', pan: '4761739001010010', expiry: '2512', serviceCode: '201', chipCapable: true, discretionary: '1143804400000' });
  const bad = await run(['tools', 'track', 'decode', ';4111111111111111=2513201?']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /EMV_TRACK_BAD_EXPIRY/);
  t.notMatch(bad.stderr, STACK);
  t.equal((await run(['tools', 'track', 'decode'])).code, 2);
});

const hook = process.execArgv.find((a) => a.includes('@tapjs/typescript'));
t.test('the real CLI in a child process: exit codes, stdout, stderr', { skip: hook === undefined && 'needs tap\'s TypeScript import hook' }, async (t) => {
  if (hook === undefined) return;
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', NODE_OPTIONS: '' };
  const pos = (...argv: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [hook, main, ...argv], { env, timeout: 45_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  // Both children at once: each spends most of its time compiling TypeScript.
  const [ok, bad] = await Promise.all([pos('tools', 'tlv', 'decode', '9F3602', '0027', '--json'), pos('tools', 'tlv', 'decode', '9F3603', '0027')]);
  t.equal(ok.status, 0, ok.stderr);
  t.same(JSON.parse(ok.stdout), [{ tag: '9F36', name: 'Application Transaction Counter (ATC)', value: '0027' }]);
  t.equal(bad.status, 1);
  t.equal(bad.stdout, '');
  t.match(bad.stderr, /^pos tools tlv decode: EMV_TLV_VALUE_TRUNCATED: .*offset 0/);
  t.notMatch(bad.stderr, STACK);
});
