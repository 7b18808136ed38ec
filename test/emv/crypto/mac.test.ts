import t from 'tap';
import { fromHex, toHex } from '../../../emv/crypto/bytes.js';
import { macAlgorithm1, macAlgorithm3, pad, unpad2, x919Mac } from '../../../emv/crypto/mac.js';

// ISO/IEC 9797-1:2011 Annex B: K = 0123456789ABCDEF, K' = FEDCBA9876543210,
// data string 1 "Now is the time for all " (24 bytes), data string 2 "Now is the time for it" (22 bytes).
const s1 = new TextEncoder().encode('Now is the time for all ');
const s2 = new TextEncoder().encode('Now is the time for it');
const K = fromHex('0123456789ABCDEF');
const KK = fromHex('0123456789ABCDEFFEDCBA9876543210');

t.test('MAC algorithm 1 with DES: ISO/IEC 9797-1 Annex B.2 (and FIPS 113 / ANSI X9.9 for string 1)', async (t) => {
  // FIPS 113 / X9.9 publish the full 64-bit result for string 1; ISO/IEC 9797-1 Annex B prints the 32-bit MACs.
  t.equal(toHex(macAlgorithm1(K, s1, 1)), '70A30640CC76DD8B');
  t.equal(toHex(macAlgorithm1(K, s1, 1, 4)), '70A30640');
  t.equal(toHex(macAlgorithm1(K, s1, 2, 4)), '10E1F0F1');
  t.equal(toHex(macAlgorithm1(K, s2, 1, 4)), 'E45B3AD2');
  t.equal(toHex(macAlgorithm1(K, s2, 2, 4)), 'A924C721');
});

t.test('MAC algorithm 3 (retail MAC): ISO/IEC 9797-1:2011 Annex B.4; padding 1 is ANSI X9.19', async (t) => {
  t.equal(toHex(macAlgorithm3(KK, s1, 1)), 'A1C72E74EA3FA9B6');
  t.equal(toHex(macAlgorithm3(KK, s1, 2)), 'E9086230CA3BE796');
  t.equal(toHex(macAlgorithm3(KK, s2, 1)), '2E2B1428CC78254F');
  t.equal(toHex(macAlgorithm3(KK, s2, 2)), '5A692CE64F404145');
  t.equal(toHex(x919Mac(KK, s1)), 'A1C72E74EA3FA9B6', 'X9.19 pads with method 1 by default');
});

t.test('a changed message or key changes the MAC', async (t) => {
  const altered = Uint8Array.from(s1);
  altered[23] = altered[23]! ^ 1;
  t.not(toHex(x919Mac(KK, altered)), 'A1C72E74EA3FA9B6');
  t.not(toHex(x919Mac(fromHex('0123456789ABCDEFFEDCBA9876543200'), s1)), 'A1C72E74EA3FA9B6', 'a non-parity key bit matters');
});

t.test('padding methods 1 and 2 (ISO/IEC 9797-1 6.3)', async (t) => {
  t.equal(toHex(pad(new Uint8Array(), 1)), '0000000000000000', 'method 1 pads an empty string to one block');
  t.equal(toHex(pad(fromHex('0102030405060708'), 1)), '0102030405060708', 'method 1 adds nothing to a whole block');
  t.equal(toHex(pad(fromHex('0102030405060708'), 2)), '01020304050607088000000000000000', 'method 2 always adds 0x80');
  t.equal(toHex(pad(fromHex('01'), 2)), '0180000000000000');
  t.equal(toHex(unpad2(fromHex('0180000000000000'))), '01');
  t.throws(() => unpad2(fromHex('0100000000000000')), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_BAD_ARGUMENT' });
  t.throws(() => pad(new Uint8Array(1), 3 as 1), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_BAD_ARGUMENT' });
});

t.test('argument errors', async (t) => {
  t.throws(() => macAlgorithm3(K, s1), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_KEY_LENGTH' });
  t.throws(() => macAlgorithm3(KK, s1, 1, 2), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_BAD_ARGUMENT' });
  t.throws(() => macAlgorithm1(new Uint8Array(7), s1), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_KEY_LENGTH' });
});
