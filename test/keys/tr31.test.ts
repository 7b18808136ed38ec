import t from 'tap';
import fc from 'fast-check';
import { fromHex, toHex } from '../../emv/crypto/bytes.js';
import { decryptCbc } from '../../emv/crypto/block-cipher.js';
import { isKeyError } from '../../src/keys/errors.js';
import { deriveTr31Keys, encodeTr31Header, parseTr31Header, unwrapTr31, wrapTr31, type Tr31Header } from '../../src/keys/tr31.js';

// Published key blocks: TR-31:2018 Annex A.7.2.2, A.7.3.2 and A.7.4, and Thales payShield
// 10k blocks, as carried by openemv/tr31 test/tr31_decrypt_test.c.
const VECTORS: { name: string; kbpk: string; block: string; key: string }[] = [
  {
    name: 'TR-31:2018 A.7.2.2 (version B, PIN key)',
    kbpk: 'DD7515F2BFC17F85CE48F3CA25CB21F6',
    block: 'B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E',
    key: '3F419E1CB7079442AA37474C2EFBF8B8',
  },
  {
    name: 'TR-31:2018 A.7.3.2 (version B, BDK with KS optional block)',
    kbpk: '1D22BF32387C600AD97F9B97A51311AC',
    block: 'B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A52190E248719E24B433627',
    key: 'E8BC63E5479455E26577F715D587FE68',
  },
  {
    name: 'TR-31:2018 A.7.4 (version D, AES-256 KBPK)',
    kbpk: '88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6',
    block: 'D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A27E8E31DA05F7425509593D03A457DC34',
    key: '3F419E1CB7079442AA37474C2EFBF8B8',
  },
  {
    name: 'payShield 10k, version B',
    kbpk: 'EFE0853B256B583D868F251CE99EA1D9',
    block: 'B0080K0TN00N00001C414014375212C24995E405B5EE052CB92B67F455EA2680F6751088F9F1C228',
    key: '5DB50B454F8389ADCE573BE50861F2BF',
  },
  {
    name: 'payShield 10k, version D, AES-256 key',
    kbpk: '4141414141414141414141414141414141414141414141414141414141414141',
    block: 'D0144D0AN00N0000127862F945C2DED04530FAF7CDBC8B0BA10C7AA79BD5E0C2C5D6AC173BF588E4B19ACF1357178D50EA0AB193228E13958304FC6149632DFDCADF3A5B3D57E814',
    key: 'BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC',
  },
];

t.test('published key blocks unwrap to the published keys', async (t) => {
  for (const v of VECTORS) {
    const r = unwrapTr31(fromHex(v.kbpk), v.block);
    t.equal(toHex(r.key), v.key, v.name);
  }
});

t.test('header fields of TR-31:2018 A.7.3.2', async (t) => {
  const r = unwrapTr31(fromHex(VECTORS[1]!.kbpk), VECTORS[1]!.block);
  t.equal(r.headerText, 'B0104B0TX12S0100KS1800604B120F9292800000');
  t.match(r.header, { version: 'B', length: 104, keyUsage: 'B0', algorithm: 'T', modeOfUse: 'X', keyVersion: '12', exportability: 'S', reserved: '00' });
  t.same(r.header.optionalBlocks, [{ id: 'KS', data: '00604B120F9292800000' }]);
});

t.test('wrap reproduces the published blocks given their padding (MAC-then-encrypt order, key derivation)', async (t) => {
  for (const v of VECTORS) {
    const kbpk = fromHex(v.kbpk);
    const { header, headerLength } = parseTr31Header(v.block);
    // The padding is the tail of the published payload: decipher it to learn it.
    const version = header.version as 'B' | 'D';
    const macHex = version === 'B' ? 16 : 32;
    const body = v.block.slice(headerLength);
    const { kbek } = deriveTr31Keys(version, kbpk);
    const payload = decryptCbc(version === 'B' ? 'tdes' : 'aes', kbek, fromHex(body.slice(0, -macHex)), fromHex(body.slice(-macHex)));
    const padding = payload.slice(2 + v.key.length / 2);
    t.equal(wrapTr31(kbpk, header, fromHex(v.key), { padding }), v.block, v.name);
  }
});

t.test('wrap then unwrap round-trips random keys (B with 2- and 3-key KBPK, D with every AES KBPK)', async (t) => {
  const cases: [string, number, number[]][] = [
    ['B', 16, [8, 16, 24]],
    ['B', 24, [16, 24]],
    ['D', 16, [16, 32]],
    ['D', 24, [16, 24]],
    ['D', 32, [16, 24, 32]],
  ];
  for (const [version, kbpkLength, keyLengths] of cases) {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: kbpkLength, maxLength: kbpkLength }), fc.constantFrom(...keyLengths), fc.uint8Array({ minLength: 32, maxLength: 32 }), (kbpk, klen, material) => {
        const key = material.slice(0, klen);
        const header: Omit<Tr31Header, 'length'> = {
          version,
          keyUsage: 'P0',
          algorithm: version === 'B' ? 'T' : 'A',
          modeOfUse: 'E',
          keyVersion: '00',
          exportability: 'E',
          optionalBlocks: [{ id: 'KS', data: 'FFFF9876543210E00000' }],
          reserved: '00',
        };
        const block = wrapTr31(kbpk, header, key);
        const r = unwrapTr31(kbpk, block);
        return toHex(r.key) === toHex(key) && r.headerText.length % (version === 'B' ? 8 : 16) === 0;
      }),
      { numRuns: 25 },
    );
  }
  t.pass('round trips hold');
});

t.test('a changed character, a wrong KBPK or a cut block is refused', async (t) => {
  const v = VECTORS[0]!;
  const kbpk = fromHex(v.kbpk);
  t.throws(() => unwrapTr31(fromHex('DD7515F2BFC17F85CE48F3CA25CB21F7'.replace('F7', 'E6')), v.block), { code: 'KEY_TR31_MAC' });
  // Every single-character change anywhere in the block must be caught (header or payload or MAC).
  for (let i = 0; i < v.block.length; i++) {
    const c = v.block[i]!;
    const swapped = v.block.slice(0, i) + (c === 'A' ? 'B' : 'A') + v.block.slice(i + 1);
    try {
      unwrapTr31(kbpk, swapped);
      t.fail(`change at ${i} was accepted`);
    } catch (err) {
      if (!isKeyError(err)) t.fail(`change at ${i} threw ${String(err)}`);
    }
  }
  t.throws(() => unwrapTr31(kbpk, v.block.slice(0, -2)), { code: 'KEY_TR31_HEADER' });
  t.throws(() => unwrapTr31(kbpk, v.block.replace(/^B/, 'A')), { code: 'KEY_TR31_UNSUPPORTED' });
  t.throws(() => unwrapTr31(kbpk, v.block.replace(/^B/, 'C')), { code: 'KEY_TR31_UNSUPPORTED' });
  t.throws(() => unwrapTr31(new Uint8Array(8), v.block), { code: 'KEY_BAD_LENGTH' });
  t.throws(() => unwrapTr31(fromHex(VECTORS[2]!.kbpk).subarray(0, 20), VECTORS[2]!.block), { code: 'KEY_BAD_LENGTH' });
});

t.test('malformed headers get KEY_TR31_HEADER with what is wrong', async (t) => {
  const bad: [string, RegExp][] = [
    ['', /too short/],
    ['B0080P0TE00E00', /too short/],
    ['B00X0P0TE00E0000', /length field/],
    ['B0080P0TE00EX000', /optional blocks/],
    ['B0080p0TE00E0000', /key usage/],
    ['B0080P0TE00E0100KS', /past the end/],
    ['B0080P0TE00E0100KSZZ', /hex/],
    ['B0080P0TE00E0100KS02', /shorter than/],
    ['B0080P0TE00E0100KS0000', /length of length is zero/],
    ['B0080P0TE00E0000\u0001', /printable/],
  ];
  for (const [text, why] of bad) t.throws(() => parseTr31Header(text), { code: 'KEY_TR31_HEADER', message: why }, JSON.stringify(text));
});

t.test('optional blocks: extended length encoding round-trips', async (t) => {
  const data = 'X'.repeat(300);
  const header: Omit<Tr31Header, 'length'> = { version: 'D', keyUsage: 'D0', algorithm: 'A', modeOfUse: 'B', keyVersion: '00', exportability: 'N', optionalBlocks: [{ id: 'HM', data }], reserved: '00' };
  const text = encodeTr31Header(header, 1234);
  // X9.143 6.3 extended length: 00, length of length 04, length 0136 = 2 + 2 + 2 + 4 + 300.
  t.match(text, /^D1234D0AB00N0100HM00040136X/);
  t.same(parseTr31Header(text).header.optionalBlocks, [{ id: 'HM', data }]);
  const kbpk = new Uint8Array(32).fill(7);
  const r = unwrapTr31(kbpk, wrapTr31(kbpk, header, new Uint8Array(16).fill(1)));
  t.equal(r.header.optionalBlocks[0]!.data, data);
});

t.test('random text as a key block: a KeyError, never a crash', async (t) => {
  const kbpk = fromHex('DD7515F2BFC17F85CE48F3CA25CB21F6');
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.stringMatching(/^[BD][0-9]{4}[A-Z0-9]{11}[0-9A-F]{0,80}$/)), (text) => {
      try {
        unwrapTr31(kbpk, text);
        return false;
      } catch (err) {
        return isKeyError(err);
      }
    }),
    { numRuns: 500 },
  );
  t.pass('only KeyErrors');
});
