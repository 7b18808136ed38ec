// The kernel caches recovered issuer and ICC public keys by the exact bytes they came from
// (emv/kernel/oda.ts). These tests tap the same virtual card again with one input of the
// recovery changed and check that the EMV rule for that input still decides, as it would
// with nothing cached: the certificate expiry against the transaction date (Book 2 5.3
// step 11 / 6.4 step 11), the static data the ICC certificate's hash covers (Book 2 6.4
// step 9), and the issuer certificate itself (Book 2 5.3 steps 2-5).
import t from 'tap';
import fc from 'fast-check';
import { createCard } from '../../../emv/cards/catalogue.js';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import { numberToBcd } from '../../../emv/bytes.js';
import { hasBit, TVR } from '../../../emv/kernel/bits.js';
import { TERMINAL, params } from './catalogue.js';
import type { TransactionParams } from '../../../emv/kernel/types.js';

type Mutate = (cmd: Uint8Array, rapdu: Uint8Array) => Uint8Array;

async function tap(p: TransactionParams, mutate: Mutate = (_c, r) => r) {
  const card = createCard('visa-offline', 'contactless');
  return runTransaction({ interface: 'contactless', params: p, config: TERMINAL, deps: { transceive: async (c) => mutate(c, card.transceive(c)) } });
}

t.test('a cached ICC key does not outlive its certificate expiry (Book 2 6.4 step 11)', async (t) => {
  // visa-offline: application and ICC certificate expire 12/2030 (certificate MMYY 1230).
  const first = await tap(params(1000));
  t.equal(first.outcome, 'approved', 'fDDA verifies on 2026-11-28');
  t.notOk(hasBit(first.tvr, TVR.DDA_FAILED));
  const later = await tap(params(1000, { date: '310115' }));
  t.ok(hasBit(later.tvr, TVR.DDA_FAILED), 'on 2031-01-15 the ICC certificate has expired: fDDA failed (TVR byte 1 bit 4)');
  t.equal(later.outcome, 'declined', 'qVSDC TC with fDDA failed and no CTQ online/contact bit: declined (C-3 5.5)');
  const again = await tap(params(1000));
  t.equal(again.outcome, 'approved', 'and back on the earlier date it verifies again');
});

t.test('a cached ICC key is tied to the static data its certificate hashes (Book 2 6.4 step 9)', async (t) => {
  await tap(params(1000));
  // SFI 2 record 1 is the ODA record: change one byte of the issuer country code (5F28 0840 -> 0841).
  const changed: Mutate = (c, r) => {
    if (c[1] !== 0xb2 || c[2] !== 1 || c[3] >> 3 !== 2) return r;
    const hex = Buffer.from(r).toString('hex').toUpperCase().replace('5F28020840', '5F28020841');
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  };
  const r = await tap(params(1000), changed);
  t.ok(hasBit(r.tvr, TVR.DDA_FAILED), 'the hash over the changed static data fails: fDDA failed');
  t.equal(r.outcome, 'declined');
});

t.test('a damaged issuer certificate after a good one still fails (Book 2 5.3)', async (t) => {
  await tap(params(1000));
  const damaged: Mutate = (c, r) => {
    if (c[1] !== 0xb2 || c[2] !== 1 || c[3] >> 3 !== 3) return r;
    const out = Uint8Array.from(r);
    out[out.length - 3]! ^= 0x01; // last byte of the certificate (90), before SW1 SW2
    return out;
  };
  const r = await tap(params(1000), damaged);
  t.ok(hasBit(r.tvr, TVR.DDA_FAILED), 'fDDA failed');
  t.equal(r.outcome, 'declined');
});

t.test('numberToBcd is format n: decimal digits, right justified, leading zeros (Book 3 4.3)', async (t) => {
  t.equal(Buffer.from(numberToBcd(1000, 6)).toString('hex'), '000000001000', 'Amount, Authorised 10.00 as 9F02 (n 12)');
  t.equal(Buffer.from(numberToBcd(978, 2)).toString('hex'), '0978', 'currency 978 as 5F2A (n 3)');
  t.throws(() => numberToBcd(12345, 2), { code: 'EMV_DATA_BAD_FORMAT' }, 'too many digits');
  t.throws(() => numberToBcd(-1, 2), { code: 'EMV_DATA_BAD_FORMAT' }, 'negative');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), (len, n) => {
      const digits = String(n);
      if (digits.length > len * 2) return;
      t.equal(Buffer.from(numberToBcd(n, len)).toString('hex'), digits.padStart(len * 2, '0'));
    }),
    { numRuns: 300 },
  );
});
