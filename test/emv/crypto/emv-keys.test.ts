import t from 'tap';
import { fromHex, toHex } from '../../../emv/crypto/bytes.js';
import {
  arpcMethod1, arpcMethod2, computeCryptogram, deriveCommonSessionKey, deriveIccMasterKey, deriveSessionKey, produceArpc, verifyArqc,
} from '../../../emv/crypto/emv-keys.js';
import { isEmvCryptoError } from '../../../emv/crypto/errors.js';
import { hasOddParity, keyCheckValue } from '../../../emv/crypto/kcv.js';

// Published vectors: the test data of pyemv (github.com/knovichikhin/pyemv, tests/test_kd_hsm.py
// and the kd module docstring), which checks them against a payment HSM. They print key check
// values of 2 bytes (TDES KCV: 3DES(K)[00..00], leftmost bytes) for the derived keys.
const IMK = fromHex('0123456789ABCDEFFEDCBA9876543210');
const kcv2 = (k: Uint8Array): string => toHex(keyCheckValue(k, 'tdes', 2));
const R = fromHex('1234567890123456');
const DATA16 = fromHex('0123456789ABCDEF0123456789ABCDEF');

t.test('ICC master key option A (EMV Book 2 A1.4.1): pyemv kd docstring and test_derive_icc_mk_a_psn', async (t) => {
  t.equal(kcv2(IMK), '08D7', 'issuer master key KCV as published');
  t.equal(toHex(deriveIccMasterKey(IMK, '99012345678901234', '45', 'a')), '67F8292358083E5EA7AB7FDA58D53B6B');
  const mk = deriveIccMasterKey(IMK, '12345678901234567', '45', 'a');
  t.equal(kcv2(mk), 'FF08');
  t.ok(hasOddParity(mk));
  const sk = deriveCommonSessionKey(mk, R);
  t.equal(kcv2(sk), 'DF82', 'common session key (A1.3) from R = 1234567890123456');
  const arqc = computeCryptogram(sk, DATA16);
  t.equal(toHex(arqc), '19C1FBC83EBDC0D5', 'ARQC: MAC algorithm 3, padding method 2');
  t.equal(toHex(arpcMethod1(mk, arqc, fromHex('0000'))), '78A372523FA35A03', 'ARPC method 1 under MK');
  t.equal(toHex(arpcMethod1(sk, arqc, fromHex('0000'))), 'C3620580668E5B65', 'ARPC method 1 under SK (test_derive_common_sk)');
});

t.test('option A with no PSN means PSN 00 (pyemv test_derive_icc_mk_a_no_psn)', async (t) => {
  const mk = deriveIccMasterKey(IMK, '12345678901234567', undefined, 'a');
  t.same(mk, deriveIccMasterKey(IMK, '12345678901234567', '00', 'a'));
  const sk = deriveCommonSessionKey(mk, R);
  t.equal(kcv2(sk), '3F4F');
  const arqc = computeCryptogram(sk, DATA16);
  t.equal(toHex(arqc), '8698A7319324FD93');
  t.equal(toHex(arpcMethod1(mk, arqc, fromHex('0000'))), 'BEA11C8F4A47EF6F');
});

t.test('ICC master key option B (EMV Book 2 A1.4.2): pyemv test_derive_icc_mk_b_*', async (t) => {
  // A 16-digit PAN under option B is option A (A1.4.2).
  const mk16 = deriveIccMasterKey(IMK, '1234567890123456', undefined, 'b');
  t.equal(kcv2(mk16), 'BAB0');
  const sk16 = deriveCommonSessionKey(mk16, R);
  t.equal(kcv2(sk16), 'BC19');
  const arqc16 = computeCryptogram(sk16, DATA16);
  t.equal(toHex(arqc16), '0CE77D211CB5459A');
  t.equal(toHex(arpcMethod2(sk16, arqc16, fromHex('00000000'))), '8CD9AA5D', 'ARPC method 2');

  const mk17 = deriveIccMasterKey(IMK, '12345678901234567', '45', 'b');
  t.equal(kcv2(mk17), '0BAF');
  const sk17 = deriveCommonSessionKey(mk17, R);
  t.equal(kcv2(sk17), '4262');
  const arqc17 = computeCryptogram(sk17, DATA16);
  t.equal(toHex(arqc17), '5760EE07B4FA65D1');
  t.equal(toHex(arpcMethod2(sk17, arqc17, fromHex('00000000'))), '106B81D9');

  t.equal(kcv2(deriveIccMasterKey(IMK, '12345678901234567', undefined, 'b')), '4626');
  const mk18 = deriveIccMasterKey(IMK, '123456789012345679', '00', 'b');
  t.equal(kcv2(mk18), 'C2F3');
  t.equal(toHex(computeCryptogram(deriveCommonSessionKey(mk18, R), DATA16)), 'DC95BCE3EBBE0296');
});

t.test('option B decimalisation of hash letters (pyemv test_derive_icc_mk_b_sha_pad)', async (t) => {
  const mk = deriveIccMasterKey(IMK, '000000000000000005', '23', 'b');
  t.equal(kcv2(mk), 'DD73');
  const sk = deriveSessionKey(mk, fromHex('001C'));
  t.equal(kcv2(sk), '04F8', 'R = ATC || 00..00 (common session key for ATC 001C)');
  const data = fromHex('0000000040000000000000000124800004800001241911050152BF45851800001C06011203A0B800');
  const arqc = computeCryptogram(sk, data);
  t.equal(toHex(arqc), '8CAD6F2489C640B1');
  t.equal(toHex(arpcMethod2(sk, arqc, fromHex('00000000'), fromHex('12345678'))), 'E39F1876', 'ARPC method 2 with proprietary data');
  const produced = produceArpc(sk, arqc, { method: 2, csu: fromHex('00000000'), proprietaryAuthData: fromHex('12345678') });
  t.equal(toHex(produced.issuerAuthenticationData), 'E39F18760000000012345678', 'tag 91 = ARPC || CSU || proprietary data');

  const check = verifyArqc({ imk: IMK, pan: '000000000000000005', psn: '23', atc: fromHex('001C'), cdolData: data, arqc, option: 'b' });
  t.ok(check.ok, 'host-side verification of the published ARQC');
  t.equal(kcv2(check.sessionKey), '04F8');
  const bad = Uint8Array.from(arqc);
  bad[7]! ^= 1;
  t.notOk(verifyArqc({ imk: IMK, pan: '000000000000000005', psn: '23', atc: fromHex('001C'), cdolData: data, arqc: bad, option: 'b' }).ok);
  t.notOk(verifyArqc({ imk: IMK, pan: '000000000000000005', psn: '23', atc: fromHex('001C'), cdolData: data, arqc, option: 'a' }).ok, 'option A gives another key');
});

t.test('Mastercard session key derivation: R = ATC || 00 00 || UN (M/Chip SKD)', async (t) => {
  const mk = deriveIccMasterKey(IMK, '12345678901234567', '45', 'a');
  const sk = deriveSessionKey(mk, fromHex('1234'), fromHex('90123456'));
  // R = 1234 0000 90123456: byte 3 replaced by F0 / 0F, which the published R above also exercises.
  t.same(sk, deriveCommonSessionKey(mk, fromHex('1234000090123456')));
  t.not(toHex(sk), toHex(deriveSessionKey(mk, fromHex('1234'))));
});

t.test('method 1 issuer authentication data is ARPC || ARC (Book 3 tag 91)', async (t) => {
  const sk = deriveCommonSessionKey(deriveIccMasterKey(IMK, '12345678901234567', '45'), R);
  const out = produceArpc(sk, fromHex('19C1FBC83EBDC0D5'), { method: 1, arc: fromHex('3030') });
  t.equal(out.issuerAuthenticationData.length, 10);
  t.equal(toHex(out.issuerAuthenticationData.subarray(8)), '3030');
});

t.test('bad argument shapes throw EmvCryptoError', async (t) => {
  const bad = (f: () => unknown, msg: string): void => {
    let caught: unknown;
    try {
      f();
    } catch (e) {
      caught = e;
    }
    t.ok(isEmvCryptoError(caught), msg);
  };
  bad(() => deriveIccMasterKey(IMK.subarray(0, 8), '12345678901234567', '45'), 'short IMK');
  bad(() => deriveIccMasterKey(IMK, '1234X', '45'), 'non-digit PAN');
  bad(() => deriveIccMasterKey(IMK, '12345678901234567', '4'), 'one-digit PSN');
  bad(() => deriveSessionKey(IMK, fromHex('01')), 'short ATC');
  bad(() => deriveSessionKey(IMK, fromHex('0001'), fromHex('01')), 'short UN');
  bad(() => arpcMethod1(IMK, fromHex('01'), fromHex('0000')), 'short ARQC');
  bad(() => arpcMethod1(IMK, fromHex('0102030405060708'), fromHex('00')), 'short ARC');
  bad(() => arpcMethod2(IMK, fromHex('0102030405060708'), fromHex('00')), 'short CSU');
  bad(() => arpcMethod2(IMK, fromHex('0102030405060708'), fromHex('00000000'), new Uint8Array(9)), 'long proprietary data');
});
