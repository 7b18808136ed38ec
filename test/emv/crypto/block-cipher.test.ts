import t from 'tap';
import fc from 'fast-check';
import {
  aesDecryptCbc,
  aesEncryptCbc,
  aesEncryptEcb,
  decryptCbc,
  decryptEcb,
  desDecryptEcb,
  desEncryptEcb,
  encryptCbc,
  encryptEcb,
  tdesDecryptEcb,
  tdesEncryptEcb,
} from '../../../emv/crypto/block-cipher.js';
import { fromHex, toHex } from '../../../emv/crypto/bytes.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

t.test('single DES (as EDE with K||K): the classic FIPS 81 / X9.9 example', async (t) => {
  // FIPS PUB 81 Appendix B: key 0123456789ABCDEF, "Now is t" -> 3FA40E8A984D4815.
  const key = fromHex('0123456789ABCDEF');
  t.equal(toHex(desEncryptEcb(key, ascii('Now is t'))), '3FA40E8A984D4815');
  t.equal(toHex(desDecryptEcb(key, fromHex('3FA40E8A984D4815'))), toHex(ascii('Now is t')));
  // An 8-byte key through the generic TDES entry point is the same single DES.
  t.equal(toHex(tdesEncryptEcb(key, ascii('Now is t'))), '3FA40E8A984D4815');
});

t.test('three-key TDES ECB: NIST SP 800-67 Rev. 1 Appendix B example', async (t) => {
  const key = fromHex('0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123');
  const plain = ascii('The qufck brown fox jump');
  const cipher = 'A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900';
  t.equal(toHex(tdesEncryptEcb(key, plain)), cipher);
  t.equal(toHex(tdesDecryptEcb(key, fromHex(cipher))), toHex(plain));
});

t.test('two-key TDES equals three-key TDES with K3 = K1', async (t) => {
  const k1 = fromHex('0123456789ABCDEF');
  const k2 = fromHex('FEDCBA9876543210');
  const data = ascii('12345678abcdefgh');
  const two = tdesEncryptEcb(new Uint8Array([...k1, ...k2]), data);
  const three = tdesEncryptEcb(new Uint8Array([...k1, ...k2, ...k1]), data);
  t.equal(toHex(two), toHex(three));
});

t.test('AES ECB and CBC: NIST SP 800-38A F.1.1, F.2.1, F.2.2', async (t) => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  const plain = fromHex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51');
  t.equal(toHex(aesEncryptEcb(key, plain)), '3AD77BB40D7A3660A89ECAF32466EF97F5D3D58503B9699DE785895A96FDBAAF');
  const iv = fromHex('000102030405060708090a0b0c0d0e0f');
  const cbc = aesEncryptCbc(key, plain, iv);
  t.equal(toHex(cbc), '7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2');
  t.equal(toHex(aesDecryptCbc(key, cbc, iv)), toHex(plain));
});

t.test('random keys and data: decrypt inverts encrypt (ECB and CBC, every key size)', async (t) => {
  const sizes: [('tdes' | 'aes'), number, number][] = [
    ['tdes', 8, 8],
    ['tdes', 16, 8],
    ['tdes', 24, 8],
    ['aes', 16, 16],
    ['aes', 24, 16],
    ['aes', 32, 16],
  ];
  for (const [alg, klen, bs] of sizes) {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: klen, maxLength: klen }), fc.integer({ min: 0, max: 8 }), fc.uint8Array({ minLength: bs, maxLength: bs }), (key, blocks, iv) => {
        const data = new Uint8Array(blocks * bs).map((_, i) => (i * 7 + key[0]!) & 0xff);
        const ecb = encryptEcb(alg, key, data);
        const cbc = encryptCbc(alg, key, data, iv);
        return toHex(decryptEcb(alg, key, ecb)) === toHex(data) && toHex(decryptCbc(alg, key, cbc, iv)) === toHex(data);
      }),
      { numRuns: 40 },
    );
  }
  t.pass('round trips hold');
});

t.test('bad keys, data and IVs are clear errors', async (t) => {
  t.throws(() => tdesEncryptEcb(new Uint8Array(15), new Uint8Array(8)), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_KEY_LENGTH' });
  t.throws(() => aesEncryptEcb(new Uint8Array(20), new Uint8Array(16)), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_KEY_LENGTH' });
  t.throws(() => desEncryptEcb(new Uint8Array(16), new Uint8Array(8)), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_KEY_LENGTH' });
  t.throws(() => tdesEncryptEcb(new Uint8Array(16), new Uint8Array(7)), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_DATA_LENGTH' });
  t.throws(() => aesEncryptCbc(new Uint8Array(16), new Uint8Array(16), new Uint8Array(8)), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_IV_LENGTH' });
  t.throws(() => fromHex('ABC'), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_HEX' });
  t.throws(() => fromHex('GG'), { name: 'EmvCryptoError', code: 'EMV_CRYPTO_HEX' });
});
