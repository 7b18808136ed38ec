import t from 'tap';
import { fromHex, toHex } from '../../../emv/crypto/bytes.js';
import { hasOddParity, keyCheckValue, withOddParity } from '../../../emv/crypto/kcv.js';

t.test('TDES KCV: first 3 bytes of E(K, 0^8)', async (t) => {
  // The X9.24-1 Annex A BDK; its KCV 08D7B4 is printed wherever that test BDK is used (e.g. HSM manuals, X9.24 test kits).
  t.equal(toHex(keyCheckValue(fromHex('0123456789ABCDEFFEDCBA9876543210'))), '08D7B4');
  // TR-31:2018 A.7.2.2 and A.7.3.2 keys with the KCVs openemv/tr31's tests give for them (test/tr31_decrypt_test.c).
  t.equal(toHex(keyCheckValue(fromHex('3F419E1CB7079442AA37474C2EFBF8B8'))), '57C409');
  t.equal(toHex(keyCheckValue(fromHex('E8BC63E5479455E26577F715D587FE68'))), '9A4212');
  // Key and KCV produced by a Thales payShield 10k (openemv/tr31 test/tr31_decrypt_test.c, test 1).
  t.equal(toHex(keyCheckValue(fromHex('5DB50B454F8389ADCE573BE50861F2BF'))), '5C9405');
});

t.test('AES KCV: AES-CMAC over 16 zero bytes (X9.24-3-2017), 5 bytes', async (t) => {
  // TR-31:2018 A.7.4 AES key; payShield-generated AES-256 key (openemv/tr31 tests give the 3-byte prefixes).
  const k128 = keyCheckValue(fromHex('3F419E1CB7079442AA37474C2EFBF8B8'), 'aes');
  t.equal(k128.length, 5);
  t.equal(toHex(k128).slice(0, 6), '08793E');
  const k256 = keyCheckValue(fromHex('BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC'), 'aes');
  t.equal(toHex(k256).slice(0, 6), '0A00E3');
  t.equal(toHex(keyCheckValue(fromHex('3F419E1CB7079442AA37474C2EFBF8B8'), 'aes', 3)), '08793E');
});

t.test('KCV argument errors', async (t) => {
  t.throws(() => keyCheckValue(new Uint8Array(16), 'tdes', 9), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_BAD_ARGUMENT' });
  t.throws(() => keyCheckValue(new Uint8Array(10)), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_KEY_LENGTH' });
});

t.test('DES key parity (FIPS 46-3: each byte has an odd number of one bits)', async (t) => {
  t.ok(hasOddParity(fromHex('0123456789ABCDEFFEDCBA9876543210')), 'the classic test key has odd parity');
  t.notOk(hasOddParity(fromHex('0000000000000000')));
  t.equal(toHex(withOddParity(fromHex('0000000000000000'))), '0101010101010101');
  t.equal(toHex(withOddParity(fromHex('FFFE'))), 'FEFE');
  t.ok(hasOddParity(withOddParity(fromHex('00112233445566778899AABBCCDDEEFF'))));
});
