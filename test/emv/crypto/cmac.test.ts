import t from 'tap';
import { fromHex, toHex } from '../../../emv/crypto/bytes.js';
import { cmac, cmacSubkeys } from '../../../emv/crypto/cmac.js';

const M = '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';

t.test('AES-128 CMAC: NIST SP 800-38B D.1 (examples 1-4), also RFC 4493 4', async (t) => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  const { k1, k2 } = cmacSubkeys('aes', key);
  t.equal(toHex(k1), 'FBEED618357133667C85E08F7236A8DE');
  t.equal(toHex(k2), 'F7DDAC306AE266CCF90BC11EE46D513B');
  t.equal(toHex(cmac('aes', key, new Uint8Array())), 'BB1D6929E95937287FA37D129B756746');
  t.equal(toHex(cmac('aes', key, fromHex(M.slice(0, 32)))), '070A16B46B4D4144F79BDD9DD04A287C');
  t.equal(toHex(cmac('aes', key, fromHex(M.slice(0, 80)))), 'DFA66747DE9AE63030CA32611497C827');
  t.equal(toHex(cmac('aes', key, fromHex(M))), '51F0BEBF7E3B9D92FC49741779363CFE');
});

t.test('AES-192 and AES-256 CMAC: NIST SP 800-38B D.2 example 8, D.3 examples 11-12', async (t) => {
  const k192 = fromHex('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b');
  t.equal(toHex(cmac('aes', k192, fromHex(M))), 'A1D5DF0EED790F794D77589659F39A11');
  const k256 = fromHex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
  t.equal(toHex(cmac('aes', k256, fromHex(M.slice(0, 80)))), 'AAF3D8F1DE5640C232F5B169B9C911E6');
  t.equal(toHex(cmac('aes', k256, fromHex(M))), 'E1992190549F6ED5696A2C056C315410');
});

t.test('three-key TDES CMAC: NIST SP 800-38B D.4 examples 13-16 (corrected errata values)', async (t) => {
  const key = fromHex('8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5');
  const { k1, k2 } = cmacSubkeys('tdes', key);
  t.equal(toHex(k1), '9198E9D314E6535F');
  t.equal(toHex(k2), '2331D3A629CCA6A5');
  t.equal(toHex(cmac('tdes', key, new Uint8Array())), 'B7A688E122FFAF95');
  t.equal(toHex(cmac('tdes', key, fromHex(M.slice(0, 16)))), '8E8F293136283797');
  t.equal(toHex(cmac('tdes', key, fromHex(M.slice(0, 40)))), '743DDBE0CE2DC2ED');
  t.equal(toHex(cmac('tdes', key, fromHex(M.slice(0, 64)))), '33E6B1092400EAE5');
});

t.test('truncation and argument errors', async (t) => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  t.equal(toHex(cmac('aes', key, new Uint8Array(), 4)), 'BB1D6929');
  t.throws(() => cmac('aes', key, new Uint8Array(), 0), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_BAD_ARGUMENT' });
  t.throws(() => cmac('aes', key, new Uint8Array(), 17), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_BAD_ARGUMENT' });
  t.throws(() => cmac('tdes', new Uint8Array(8), new Uint8Array()), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_KEY_LENGTH' });
});
