import { createHash } from 'node:crypto';
import t from 'tap';
import { TEST_CA_PRIVATE_KEYS, TEST_ICC_KEYS, TEST_ISSUER_KEYS } from '../../../emv/cards/test-issuer-keys.js';
import { isEmvError } from '../../../emv/errors.js';
import {
  caKeyChecksum, cdaDynamicData, certificateExpired, certifyIccKey, certifyIssuerKey, recoverIccPublicKey, recoverIssuerPublicKey,
  signDynamicData, signStaticData, verifyDynamicSignature, verifySda, type CaPublicKey, type RsaPrivateKeyHex,
} from '../../../emv/oda/oda.js';
import { publicOf, rsaRecover, rsaSign } from '../../../emv/oda/rsa.js';
import { TEST_CA_KEYS, testCaKey } from '../../../emv/oda/test-ca-keys.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const sha1 = (...parts: Uint8Array[]): Uint8Array => {
  const x = createHash('sha1');
  for (const p of parts) x.update(p);
  return new Uint8Array(x.digest());
};
const TODAY = new Date(Date.UTC(2026, 10, 28));
const PAN = '4761739001010010';
const caPriv = TEST_CA_PRIVATE_KEYS.find((k) => k.rid === 'A000000003' && k.index === 0xe3)!;
const CA: CaPublicKey = testCaKey('A000000003', 0xe3)!;
const ISSUER = TEST_ISSUER_KEYS.visa;
const ICC = TEST_ICC_KEYS.visa;
const STATIC = h('5A0847617390010100105F24033012319F4A0182 3C00');

t.test('test CA keys: sizes 1024..1984, exponent 3, checksums per Book 2 11.2.2, private halves match', async (t) => {
  t.equal(TEST_CA_KEYS.length, 12);
  t.same([...new Set(TEST_CA_KEYS.map((k) => k.modulus.length * 8))].sort((a, b) => a - b), [1024, 1152, 1408, 1984]);
  for (const k of TEST_CA_KEYS) {
    t.ok(k.test);
    t.equal(hex(k.exponent), '03');
    t.same(k.checksum, sha1(h(k.rid), Uint8Array.of(k.index), k.modulus, k.exponent));
    const priv = TEST_CA_PRIVATE_KEYS.find((p) => p.rid === k.rid && p.index === k.index)!;
    t.equal(priv.key.n, hex(k.modulus));
  }
  t.equal(caKeyChecksum(CA).length, 20);
});

t.test('raw RSA: sign then recover is the identity; a block not below the modulus is refused', async (t) => {
  const block = new Uint8Array(CA.modulus.length);
  block[0] = 0x6a;
  block.fill(0x5c, 1);
  t.same(rsaRecover(CA, rsaSign(caPriv.key, block)), block);
  t.equal(rsaRecover(CA, new Uint8Array(CA.modulus.length).fill(0xff)), undefined, 'value >= n');
  t.equal(rsaRecover(CA, new Uint8Array(10)), undefined, 'wrong length');
});

/** Builds an issuer certificate per EMV Book 2 Table 6 by hand, with fields the test can spoil. */
function issuerCert(o: { format?: number; id?: string; expiry?: string; hashAlg?: number; spoilHash?: boolean; signer?: RsaPrivateKeyHex } = {}): { cert: Uint8Array; rem: Uint8Array } {
  const signer = o.signer ?? caPriv.key;
  const nca = signer.n.length / 2;
  const issuer = publicOf(ISSUER);
  const ni = issuer.modulus.length;
  const inCert = issuer.modulus.subarray(0, nca - 36);
  const rem = issuer.modulus.slice(nca - 36);
  const body = Uint8Array.from([
    o.format ?? 0x02, ...h((o.id ?? '476173').padEnd(8, 'F')), ...h(o.expiry ?? '1230'), ...h('000001'), o.hashAlg ?? 0x01, 0x01, ni, 1, ...inCert,
  ]);
  const hash = sha1(body, rem, h('03'));
  if (o.spoilHash === true) hash[0]! ^= 1;
  const x = Uint8Array.from([0x6a, ...body, ...hash, 0xbc]);
  t.equal(x.length, nca, 'Table 6 block is exactly NCA long');
  return { cert: rsaSign(signer, x), rem };
}

t.test('issuer public key recovery (Book 2 5.3) from a hand-built Table 6 certificate', async (t) => {
  const { cert, rem } = issuerCert();
  const r = recoverIssuerPublicKey(CA, cert, rem, h('03'), PAN, TODAY);
  t.ok(r.ok);
  if (r.ok) {
    t.same(r.key.modulus, publicOf(ISSUER).modulus, 'modulus = leftmost digits || remainder');
    t.equal(r.key.issuerIdentifier, '476173');
    t.equal(r.key.expiry, '1230');
    t.equal(hex(r.key.serial), '000001');
  }
  // The signing helper produces the same block.
  const made = certifyIssuerKey(caPriv.key, { issuerIdentifier: '476173', expiry: '1230', serial: h('000001'), key: publicOf(ISSUER) });
  t.same(made.certificate, cert, 'certifyIssuerKey matches Table 6 (RSA without padding is deterministic)');
  t.same(made.remainder, rem);
});

t.test('every issuer certificate failure reason comes from a crafted certificate', async (t) => {
  const reason = (c: { cert: Uint8Array; rem?: Uint8Array }, ca: CaPublicKey | undefined = CA, pan = PAN): string => {
    const r = recoverIssuerPublicKey(ca, c.cert, c.rem, h('03'), pan, TODAY);
    return r.ok ? 'ok' : r.reason;
  };
  t.equal(reason(issuerCert({ spoilHash: true })), 'hash');
  t.equal(reason(issuerCert({ expiry: '1025' })), 'expired', 'October 2025 is before 28 November 2026');
  t.equal(reason(issuerCert({ expiry: '1126' })), 'ok', 'valid through the last day of November 2026');
  t.equal(reason(issuerCert({ id: '541333' })), 'pan-mismatch');
  t.equal(reason(issuerCert({ format: 0x04 })), 'cert-format', 'format byte must be 02');
  t.equal(reason(issuerCert({ hashAlg: 0x02 })), 'algorithm');
  const noCa = issuerCert();
  t.same(recoverIssuerPublicKey(testCaKey('A000000003', 0x99), noCa.cert, noCa.rem, h('03'), PAN, TODAY), { ok: false, reason: 'unknown-ca' }, 'index 99 is not in the TEST set');
  t.equal(reason(issuerCert(), testCaKey('A000000003', 0xe4)), 'length', 'certificate of 176 bytes under a 248-byte CA key');
  t.equal(reason(issuerCert(), testCaKey('A000000004', 0xe3)), 'cert-format', 'same size, other CA: garbage recovered');
  t.equal(reason({ cert: issuerCert().cert }), 'remainder-missing');
  const c = issuerCert();
  const revoked = recoverIssuerPublicKey(CA, c.cert, c.rem, h('03'), PAN, TODAY, [{ rid: 'A000000003', index: 0xe3, serial: '000001' }]);
  t.same(revoked, { ok: false, reason: 'revoked' });
  let caught: unknown;
  try {
    recoverIssuerPublicKey(CA, c.cert, c.rem, h('03'), 'not a pan', TODAY);
  } catch (e) {
    caught = e;
  }
  t.ok(isEmvError(caught, 'EMV_TRACK_BAD_PAN'), 'a PAN that is not digits is a caller error');
});

t.test('ICC key: certify, recover (Book 2 6.4 / Table 14) and the failure reasons', async (t) => {
  const issuer = publicOf(ISSUER);
  const icc = certifyIccKey(ISSUER, { pan: PAN, expiry: '1230', serial: h('000002'), key: publicOf(ICC), staticData: STATIC });
  t.equal(icc.certificate.length, issuer.modulus.length);
  t.equal(icc.remainder.length, 128 - (issuer.modulus.length - 42), 'remainder is NIC - (NI - 42) bytes');
  const ok = recoverIccPublicKey(issuer, icc.certificate, icc.remainder, h('03'), STATIC, PAN, TODAY);
  t.ok(ok.ok);
  if (ok.ok) t.same(ok.key.modulus, publicOf(ICC).modulus);
  // The recovered block carries the PAN as cn 10 padded with F (Table 14).
  const x = rsaRecover(issuer, icc.certificate)!;
  t.equal(hex(x.subarray(0, 12)), '6A044761739001010010FFFF');
  const reason = (r: { ok: boolean; reason?: string }): string | undefined => (r.ok ? 'ok' : r.reason);
  t.equal(reason(recoverIccPublicKey(issuer, icc.certificate, icc.remainder, h('03'), h('00'), PAN, TODAY)), 'hash', 'other static data');
  t.equal(reason(recoverIccPublicKey(issuer, icc.certificate, icc.remainder, h('03'), STATIC, '4761739001010028', TODAY)), 'pan-mismatch');
  const old = certifyIccKey(ISSUER, { pan: PAN, expiry: '0126', serial: h('000002'), key: publicOf(ICC), staticData: STATIC });
  t.equal(reason(recoverIccPublicKey(issuer, old.certificate, old.remainder, h('03'), STATIC, PAN, TODAY)), 'expired');
  const wrongFormat = certifyIssuerKey(ISSUER, { issuerIdentifier: '476173', expiry: '1230', serial: h('000002'), key: publicOf(ICC) });
  t.equal(reason(recoverIccPublicKey(issuer, wrongFormat.certificate, wrongFormat.remainder, h('03'), h(''), PAN, TODAY)), 'cert-format', 'format 02 where 04 is due');
});

t.test('SDA (Book 2 5.4, Table 7)', async (t) => {
  const issuer = publicOf(ISSUER);
  const ssad = signStaticData(ISSUER, h('DAC1'), STATIC);
  const x = rsaRecover(issuer, ssad)!;
  t.equal(hex(x.subarray(0, 5)), '6A0301DAC1');
  t.equal(hex(x.subarray(5, 6)), 'BB', 'pad pattern BB');
  t.same(x.subarray(x.length - 21, x.length - 1), sha1(x.subarray(1, x.length - 21), STATIC));
  const r = verifySda(issuer, ssad, STATIC);
  t.ok(r.ok);
  if (r.ok) t.equal(hex(r.dac), 'DAC1');
  t.same(verifySda(issuer, ssad, h('00')), { ok: false, reason: 'hash' });
  t.same(verifySda(issuer, ssad.subarray(1), STATIC), { ok: false, reason: 'length' });
});

t.test('dynamic signatures: DDA (Table 17) and CDA (Table 19)', async (t) => {
  const icc = publicOf(ICC);
  const un = h('11223344');
  const dda = signDynamicData(ICC, h('080102030405060708'), un);
  const x = rsaRecover(icc, dda)!;
  t.equal(hex(x.subarray(0, 4)), '6A050109', 'header, format 05, SHA-1, LDD 9');
  const r = verifyDynamicSignature(icc, dda, un);
  t.ok(r.ok);
  if (r.ok) {
    t.equal(hex(r.iccDynamicNumber), '0102030405060708');
    t.equal(r.cryptogram, undefined);
  }
  t.same(verifyDynamicSignature(icc, dda, h('11223345')), { ok: false, reason: 'hash' });
  const tdhc = sha1(h('AABB'));
  const cda = signDynamicData(ICC, cdaDynamicData(h('0102030405060708'), 0x80, h('1122334455667788'), tdhc), un);
  const c = verifyDynamicSignature(icc, cda, un);
  t.ok(c.ok);
  if (c.ok) {
    t.equal(c.cryptogramInfo, 0x80);
    t.equal(hex(c.cryptogram!), '1122334455667788');
    t.same(c.txnDataHashCode, tdhc);
  }
  const issuerSigned = signDynamicData(ISSUER, h('080102030405060708'), un);
  t.same(verifyDynamicSignature(icc, issuerSigned, un), { ok: false, reason: 'length' });
  t.same(verifyDynamicSignature(icc, signStaticData(ICC, h('0000'), un), un), { ok: false, reason: 'cert-format' }, 'an SSAD (format 03) is not an SDAD');
  const shortNumber = signDynamicData(ICC, h('0101'), un);
  t.same(verifyDynamicSignature(icc, shortNumber, un), { ok: false, reason: 'dynamic-data' }, 'ICC dynamic number of 1 byte');
});

t.test('certificate expiry: valid through the end of the month, YY < 50 is 20YY', async (t) => {
  t.notOk(certificateExpired('1126', new Date(Date.UTC(2026, 10, 30))));
  t.ok(certificateExpired('1126', new Date(Date.UTC(2026, 11, 1))));
  t.notOk(certificateExpired('1249', TODAY));
  t.ok(certificateExpired('1299', TODAY), '99 is 1999');
  t.ok(certificateExpired('1326', TODAY), 'month 13 is not a date');
});
