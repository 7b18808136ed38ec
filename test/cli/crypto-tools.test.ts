import t from 'tap';
import fc from 'fast-check';
import { runCli } from '../../src/cli/main.js';
import { captureIo as capture } from './fixtures/capture-io.js';

async function json(argv: string[]): Promise<Record<string, unknown>> {
  const io = capture();
  const code = await runCli(argv, io);
  if (code !== 0) throw new Error(`exit ${code}: ${io.stderr}`);
  return JSON.parse(io.stdout) as Record<string, unknown>;
}

async function fails(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, stderr: io.stderr, stdout: io.stdout };
}

const NOW = '4E6F77206973207468652074696D6520666F7220616C6C20'; // "Now is the time for all "

t.test('pos tools mac (ISO/IEC 9797-1 Annex B, X9.19)', async (t) => {
  t.same(await json(['tools', 'mac', '--alg', 'x9.19', '--key', '0123456789ABCDEFFEDCBA9876543210', '--data', NOW, '--json']), { mac: 'A1C72E74EA3FA9B6', alg: 'x9.19', pad: 1 });
  t.match(await json(['tools', 'mac', '--json', '--alg', 'iso9797-1-alg3', '--pad', '2', '--key', '0123456789ABCDEFFEDCBA9876543210', '--data', NOW]), { mac: 'E9086230CA3BE796' });
  t.match(await json(['tools', 'mac', '--alg', 'iso9797-1-alg1', '--key', '0123456789ABCDEF', '--data', NOW, '--json']), { mac: '70A30640CC76DD8B' });
  t.match(await json(['tools', 'mac', '--alg', 'cmac-aes', '--key', '2b7e151628aed2a6abf7158809cf4f3c', '--data', '6bc1bee22e409f96e93d7e117393172a', '--json']), { mac: '070A16B46B4D4144F79BDD9DD04A287C' });
  const people = capture();
  t.equal(await runCli(['tools', 'mac', '--alg', 'x9.19', '--key', '0123456789ABCDEFFEDCBA9876543210', '--data', NOW], people), 0);
  t.match(people.stdout, /^mac\s+A1C72E74EA3FA9B6$/m);
});

t.test('pos tools kcv', async (t) => {
  t.same(await json(['tools', 'kcv', '--key', '0123456789ABCDEFFEDCBA9876543210', '--json']), { kcv: '08D7B4', alg: 'tdes' });
  const aes = await json(['tools', 'kcv', '--key', '3F419E1CB7079442AA37474C2EFBF8B8', '--alg', 'aes', '--json']);
  t.match(aes.kcv, /^08793E[0-9A-F]{4}$/);
});

t.test('pos tools dukpt: TDES (X9.24-1:2009 A.4) and AES (X9.24-3-2017 supplement) keys', async (t) => {
  const tdes = await json(['tools', 'dukpt', '--bdk', '0123456789ABCDEFFEDCBA9876543210', '--ksn', 'FFFF9876543210E00001', '--json']);
  t.match(tdes, {
    ipek: '6AC292FAA1315B4D858AB3A3D7D5933A',
    pinKey: '042666B49184CF5C68DE9628D0397B36',
    macRequestKey: '042666B4918430A368DE9628D03984C9',
    macResponseKey: '042666B46E84CFA368DE96282F397BC9',
    dataRequestKey: '448D3F076D8304036A55A3D7E0055A78',
  });
  t.match(tdes.dataResponseKey, /^[0-9A-F]{32}$/);
  const aes = await json(['tools', 'dukpt', '--json', '--bdk', 'FEDCBA9876543210F1F1F1F1F1F1F1F1', '--ksn', '123456789012345600000001']);
  t.match(aes, {
    initialKey: '1273671EA26AC29AFA4D1084127652A1',
    pinKey: 'AF8CB133A78F8DC2D1359F18527593FB',
    macGenerationKey: 'A2DC23DE6FDE0824A2BC321E08E4B8B7',
    macVerificationKey: 'DBB463945B286C07CD3AD82EE96FD9C9',
    dataEncryptKey: 'A35C412EFD41FDB98B69797C02DCD08F',
    dataDecryptKey: '16292C6EA8F64C5420A0584BFBC577BE',
  });
  const aes256 = await json(['tools', 'dukpt', '--json', '--bdk', 'FEDCBA9876543210F1F1F1F1F1F1F1F1FEDCBA9876543210F1F1F1F1F1F1F1F1', '--ksn', '123456789012345600000001']);
  t.equal(aes256.pinKey, '8C1AB7BEE973829E30242E0BBBDD4946D540C98FC1B5BDCF94790001A23FD502', 'AES-256 working keys of the BDK type');
  const tdes2 = await json(['tools', 'dukpt', '--json', '--bdk', 'FEDCBA9876543210F1F1F1F1F1F1F1F1', '--ksn', '123456789012345600000001', '--key-type', 'tdes2']);
  t.equal(tdes2.pinKey, '630C706D9546E47D4449313F61C4D4AB');
});

t.test('pos tools pinblock encode and decode', async (t) => {
  t.match(await json(['tools', 'pinblock', 'encode', '--format', '0', '--pin', '1234', '--pan', '4012345678909', '--json']), { pinBlock: '041274EDCBA9876F' });
  t.match(await json(['tools', 'pinblock', '--json', 'encode', '--format', '0', '--pin', '1234', '--pan', '4012345678909', '--key', '042666B49184CF5C68DE9628D0397B36']), { pinBlock: '1B9C1845EB993A7A' });
  t.match(await json(['tools', 'pinblock', 'encode', '--format', '3', '--pin', '1234', '--pan', '4012345678909', '--fill', 'ABCDEFABCD', '--json']), { pinBlock: '341274B9F9B9D35D' });
  t.match(await json(['tools', 'pinblock', 'encode', '--format', '1', '--pin', '1234', '--fill', '0123456789', '--json']), { pinBlock: '1412340123456789' });
  t.match(
    await json(['tools', 'pinblock', 'encode', '--format', '4', '--pin', '1234', '--pan', '4111111111111111', '--fill', '2F69ADDE2E9E7ACE', '--key', 'AF8CB133A78F8DC2D1359F18527593FB', '--json']),
    { pinBlock: 'A912150391AB65A67E52883D81CE2D15' },
  );
  t.match(await json(['tools', 'pinblock', 'decode', '--format', '4', '--block', 'A912150391AB65A67E52883D81CE2D15', '--pan', '4111111111111111', '--key', 'AF8CB133A78F8DC2D1359F18527593FB', '--json']), { pin: '1234' });
  t.match(await json(['tools', 'pinblock', 'decode', '--format', '0', '--block', '1B9C1845EB993A7A', '--pan', '4012345678909', '--key', '042666B49184CF5C68DE9628D0397B36', '--json']), { pin: '1234' });
  t.match(await json(['tools', 'pinblock', 'decode', '--format', '0', '--block', '041274EDCBA9876F', '--pan', '4012345678909', '--json']), { pin: '1234' });
});

t.test('pos tools tr31 unwrap and wrap', async (t) => {
  const r = await json([
    'tools', 'tr31', 'unwrap', '--kbpk', '1D22BF32387C600AD97F9B97A51311AC', '--json',
    '--block', 'B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A52190E248719E24B433627',
  ]);
  t.match(r, { key: 'E8BC63E5479455E26577F715D587FE68', header: 'B0104B0TX12S0100KS1800604B120F9292800000', kcv: '9A4212' });
  const w = await json(['tools', 'tr31', 'wrap', '--kbpk', '88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6', '--key', '3F419E1CB7079442AA37474C2EFBF8B8', '--header', 'D0000P0AE00E0000', '--json']);
  t.match(w.block, /^D0112P0AE00E0000[0-9A-F]{96}$/);
  const back = await json(['tools', 'tr31', 'unwrap', '--kbpk', '88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6', '--block', w.block as string, '--json']);
  t.equal(back.key, '3F419E1CB7079442AA37474C2EFBF8B8');
});

t.test('mistakes: usage errors exit 2, bad data exits 1 with its code, never a stack trace', async (t) => {
  const usage: string[][] = [
    ['tools', 'mac', '--alg', 'x9.19', '--key', 'XYZ', '--data', '00'],
    ['tools', 'mac', '--alg', 'x9.19', '--key', 'ABC', '--data', '00'],
    ['tools', 'mac', '--alg', 'sha1', '--key', '00', '--data', '00'],
    ['tools', 'mac', '--alg', 'x9.19', '--data', '00'],
    ['tools', 'mac', '--alg', 'x9.19', '--key', '00', '--data', '00', '--pad', '3'],
    ['tools', 'kcv', '--key', '0123', '--alg', 'des'],
    ['tools', 'dukpt', '--bdk', '0123456789ABCDEFFEDCBA9876543210', '--ksn', 'FFFF9876543210E0'],
    ['tools', 'pinblock', 'encode', '--format', '2', '--pin', '1234', '--pan', '4012345678909'],
    ['tools', 'pinblock', 'encode', '--format', '0', '--pin', '1234'],
    ['tools', 'tr31', 'unwrap', '--kbpk', '00'],
  ];
  for (const argv of usage) {
    const r = await fails(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, /Run "pos tools/);
    t.equal(r.stdout, '');
  }
  const data: [string[], RegExp][] = [
    [['tools', 'kcv', '--key', '0123'], /EMV_CRYPTO_KEY_LENGTH/],
    [['tools', 'dukpt', '--bdk', '0123456789ABCDEFFEDCBA9876543210', '--ksn', 'FFFF9876543210E00000'], /KEY_KSN_INVALID/],
    [['tools', 'dukpt', '--bdk', '0123456789ABCDEFFEDCBA9876543210', '--ksn', 'FFFF9876543210EFF803'], /KEY_KSN_INVALID/],
    [['tools', 'pinblock', 'encode', '--format', '0', '--pin', '12', '--pan', '4012345678909'], /KEY_PIN_INVALID/],
    [['tools', 'pinblock', 'encode', '--format', '3', '--pin', '1234', '--pan', '4012345678909', '--fill', '0123456789'], /KEY_BAD_ARGUMENT/],
    [['tools', 'pinblock', 'decode', '--format', '0', '--block', '1B9C1845EB993A7A', '--pan', '4012345678909', '--key', '0123456789ABCDEFFEDCBA9876543210'], /KEY_PIN_BLOCK_INVALID/],
    [['tools', 'tr31', 'unwrap', '--kbpk', '1D22BF32387C600AD97F9B97A51311AC', '--block', 'B0104B0TX12S0100KS18'], /KEY_TR31_HEADER/],
    [['tools', 'tr31', 'unwrap', '--kbpk', '00112233445566778899AABBCCDDEEFF', '--block', 'B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E'], /KEY_TR31_MAC/],
  ];
  for (const [argv, code] of data) {
    const r = await fails(argv);
    t.equal(r.code, 1, argv.join(' '));
    t.match(r.stderr, code);
    t.notMatch(r.stderr, /at .*\.ts:\d+/);
  }
});

t.test('every tool has --help', async (t) => {
  for (const path of [['mac'], ['kcv'], ['dukpt'], ['pinblock'], ['pinblock', 'encode'], ['pinblock', 'decode'], ['tr31'], ['tr31', 'unwrap'], ['tr31', 'wrap']]) {
    const io = capture();
    t.equal(await runCli(['tools', ...path, '--help'], io), 0);
    t.match(io.stdout, new RegExp(`usage: pos tools ${path.join(' ')}`));
  }
});

t.test('random text as hex arguments: exit 1 or 2 with a message, never a crash or a stack', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 70 }), fc.constantFrom('kcv', 'mac', 'dukpt', 'tr31'), async (text, tool) => {
      const argv =
        tool === 'kcv'
          ? ['tools', 'kcv', '--key', text]
          : tool === 'mac'
            ? ['tools', 'mac', '--alg', 'x9.19', '--key', '0123456789ABCDEFFEDCBA9876543210', '--data', text]
            : tool === 'dukpt'
              ? ['tools', 'dukpt', '--bdk', '0123456789ABCDEFFEDCBA9876543210', '--ksn', text]
              : ['tools', 'tr31', 'unwrap', '--kbpk', '0123456789ABCDEFFEDCBA9876543210', '--block', text];
      const r = await fails(argv);
      if (r.code === 0) return tool === 'mac' || tool === 'kcv'; // valid hex is a valid MAC input; a valid key a KCV
      return (r.code === 1 || r.code === 2) && r.stderr.length > 0 && !/at .*\.(ts|js):\d+/.test(r.stderr);
    }),
    { numRuns: 150 },
  );
  t.pass('no crash');
});
