import t from 'tap';
import fc from 'fast-check';
import { base32Decode, base32Encode, hotp, provisioningUri, totp, verifyTotp } from '../../src/users/totp.js';

// RFC 6238 Appendix B: seed "12345678901234567890" (ASCII), HMAC-SHA-1, T0 = 0, X = 30, 8 digits.
const SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC6238_SHA1: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

t.test('RFC 6238 Appendix B test vectors (SHA-1 rows)', async (t) => {
  for (const [seconds, expected] of RFC6238_SHA1) {
    t.equal(totp(SEED, seconds * 1000, 8), expected, `T = ${seconds}`);
    // The 6-digit code is the same truncated value modulo 10^6 (RFC 4226 section 5.3).
    t.equal(totp(SEED, seconds * 1000), expected.slice(2), `T = ${seconds}, 6 digits`);
  }
});

t.test('RFC 4226 Appendix D HOTP values', async (t) => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => t.equal(hotp(SEED, counter), code, `count ${counter}`));
});

t.test('RFC 4648 section 10 base32 vectors', async (t) => {
  const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [plain, encoded] of vectors) {
    t.equal(base32Encode(Buffer.from(plain)), encoded, plain);
    t.equal(Buffer.from(base32Decode(`${encoded}======`.slice(0, Math.ceil(encoded.length / 8) * 8 || 0))!).toString(), plain);
  }
  t.equal(base32Decode('not base32!'), undefined);
  t.equal(base32Encode(SEED), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'the RFC seed in base32');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => Buffer.from(base32Decode(base32Encode(bytes))!).equals(Buffer.from(bytes))));
});

t.test('verification window of one step either side, and replay refusal', async (t) => {
  const at = 1111111111 * 1000; // step 37037037
  const step = Math.floor(1111111111 / 30);
  const current = totp(SEED, at);
  t.equal(verifyTotp(SEED, current, at), step);
  t.equal(verifyTotp(SEED, totp(SEED, at - 30_000), at), step - 1, 'previous step accepted');
  t.equal(verifyTotp(SEED, totp(SEED, at + 30_000), at), step + 1, 'next step accepted');
  t.equal(verifyTotp(SEED, totp(SEED, at - 60_000), at), undefined, 'two steps back refused');
  t.equal(verifyTotp(SEED, totp(SEED, at + 60_000), at), undefined, 'two steps ahead refused');
  t.equal(verifyTotp(SEED, current, at, step), undefined, 'the step already used is refused');
  t.equal(verifyTotp(SEED, '12345', at), undefined, 'five digits');
  t.equal(verifyTotp(SEED, '12345a', at), undefined, 'not digits');
});

t.test('provisioning URI (Key Uri Format)', async (t) => {
  const uri = provisioningUri(SEED, 'tech 1');
  t.match(uri, /^otpauth:\/\/totp\/POS%20terminal:tech%201\?/);
  const params = new URL(uri).searchParams;
  t.equal(params.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  t.equal(params.get('algorithm'), 'SHA1');
  t.equal(params.get('digits'), '6');
  t.equal(params.get('period'), '30');
});
