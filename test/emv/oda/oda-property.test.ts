// Random and damaged input to the ODA recovery functions: always a typed outcome, never an
// exception (Book 2 failures are outcomes the kernel records in the TVR).
import fc from 'fast-check';
import t from 'tap';
import { TEST_ICC_KEYS, TEST_ISSUER_KEYS } from '../../../emv/cards/test-issuer-keys.js';
import { certifyIccKey, recoverIccPublicKey, recoverIssuerPublicKey, verifyDynamicSignature, verifySda } from '../../../emv/oda/oda.js';
import { publicOf } from '../../../emv/oda/rsa.js';
import { testCaKey } from '../../../emv/oda/test-ca-keys.js';

const TODAY = new Date(Date.UTC(2026, 10, 28));
const PAN = '4761739001010010';
const CA = testCaKey('A000000003', 0xe3)!;
const ISSUER = publicOf(TEST_ISSUER_KEYS.visa);
const ICC = publicOf(TEST_ICC_KEYS.visa);

t.test('random certificates and signatures give { ok: false } with a reason', async () => {
  const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
  fc.assert(
    fc.property(fc.oneof(bytes(CA.modulus.length), fc.uint8Array({ maxLength: 300 })), fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }), fc.uint8Array({ maxLength: 4 }), (cert, rem, exp) => {
      const r = recoverIssuerPublicKey(CA, cert, rem, exp, PAN, TODAY);
      return r.ok === false && typeof r.reason === 'string';
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.oneof(bytes(ISSUER.modulus.length), fc.uint8Array({ maxLength: 300 })), fc.uint8Array({ maxLength: 64 }), (cert, stat) => {
      const a = recoverIccPublicKey(ISSUER, cert, undefined, Uint8Array.of(3), stat, PAN, TODAY);
      const b = verifySda(ISSUER, cert, stat);
      return !a.ok && !b.ok;
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.oneof(bytes(ICC.modulus.length), fc.uint8Array({ maxLength: 200 })), fc.uint8Array({ maxLength: 32 }), (sdad, dyn) => !verifyDynamicSignature(ICC, sdad, dyn).ok),
    { numRuns: 300 },
  );
});

t.test('any single flipped bit in a valid ICC certificate is caught', async (t) => {
  const stat = Uint8Array.of(1, 2, 3, 4);
  const good = certifyIccKey(TEST_ISSUER_KEYS.visa, { pan: PAN, expiry: '1230', serial: Uint8Array.of(0, 0, 2), key: ICC, staticData: stat });
  t.ok(recoverIccPublicKey(ISSUER, good.certificate, good.remainder, Uint8Array.of(3), stat, PAN, TODAY).ok);
  fc.assert(
    fc.property(fc.nat({ max: good.certificate.length * 8 - 1 }), (bit) => {
      const c = Uint8Array.from(good.certificate);
      c[bit >> 3]! ^= 1 << (bit & 7);
      return !recoverIccPublicKey(ISSUER, c, good.remainder, Uint8Array.of(3), stat, PAN, TODAY).ok;
    }),
    { numRuns: 200 },
  );
});
