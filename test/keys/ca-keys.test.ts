// CA public keys (issue 10; EMV Book 2 11.2.2, Table 23): every shipped scheme key passes
// its published checksum (SHA-1 over RID || index || modulus || exponent); a key with a
// wrong checksum or past its expiry is refused with a clear message; the store keeps
// `capk` changes in the data folder and feeds the kernel only active keys.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toHex } from '../../emv/bytes.js';
import { CaKeyStore, loadCaKeys, parseCaKeyFile, TEST_CA_KEY_RECORDS, verifyCaKey, type CaKeyRecord } from '../../src/keys/ca-keys.js';
import { SCHEME_CA_KEYS } from '../../src/keys/scheme-ca-keys.js';

const DAY = new Date(Date.UTC(2026, 10, 28));
const RIDS: Record<string, string> = { visa: 'A000000003', mastercard: 'A000000004', amex: 'A000000025', discover: 'A000000152', jcb: 'A000000065', unionpay: 'A000000333' };

// EMVCo's published sunset for 1408-bit scheme keys, the one expiry found in two independent
// sources (Forte release note 1327-2; cardspot.hu "PKI key expiration", quoting EMVCo).
const SUNSET_1408 = '2024-12-31';
const bits = (k: CaKeyRecord): number => (k.modulus.length / 2) * 8;
const key = (rid: string, index: string): CaKeyRecord => SCHEME_CA_KEYS.find((k) => k.rid === rid && k.index === index)!;
const utc = (yymmdd: string, days = 0): Date => new Date(Date.UTC(2000 + Number(yymmdd.slice(0, 2)), Number(yymmdd.slice(2, 4)) - 1, Number(yymmdd.slice(4, 6)) + days));

t.test('every shipped scheme key passes its published checksum', async (t) => {
  t.same([...new Set(SCHEME_CA_KEYS.map((k) => k.scheme))].sort(), ['amex', 'discover', 'jcb', 'mastercard', 'unionpay', 'visa'], 'the six schemes the issue names');
  for (const k of SCHEME_CA_KEYS) {
    // Book 2 11.2.2: the hash input is RID (5) | index (1) | modulus | exponent, computed here independently of the loader.
    const sha1 = createHash('sha1').update(Buffer.from(k.rid + k.index + k.modulus + k.exponent, 'hex')).digest('hex').toUpperCase();
    t.equal(sha1, k.checksum, `${k.scheme} ${k.index}: published checksum`);
    t.equal(k.rid, RIDS[k.scheme], `${k.scheme} ${k.index}: the scheme's RID`);
    t.ok([1024, 1152, 1408, 1984].includes(bits(k)), `${k.scheme} ${k.index}: an EMV key length`);
    const v = verifyCaKey(k, new Date(Date.UTC(2015, 0, 1)));
    t.ok(v.ok, `${k.scheme} ${k.index}: loads (before its expiry)`);
  }
});

t.test('on 2026-11-28: the 1408-bit keys are refused as expired, the 1984-bit keys load', async (t) => {
  const k1408 = SCHEME_CA_KEYS.filter((k) => bits(k) === 1408);
  t.same(k1408.map((k) => `${k.scheme} ${k.index}`).sort(), ['amex 0F', 'discover 04', 'jcb 12', 'mastercard 05', 'unionpay 03', 'visa 08'], 'one 1408-bit key per scheme');
  for (const k of k1408) {
    t.match(verifyCaKey(k, DAY), { ok: false, code: 'KEY_CAPK_EXPIRED', message: `CA key ${k.rid} index ${k.index} (${k.scheme}): expired on ${SUNSET_1408}; refused` }, `${k.scheme} ${k.index}: expired`);
  }
  const k1984 = SCHEME_CA_KEYS.filter((k) => bits(k) === 1984);
  t.same(k1984.map((k) => `${k.scheme} ${k.index}`).sort(), ['amex 10', 'discover 05', 'jcb 14', 'mastercard 06', 'unionpay 04', 'visa 09'], 'one 1984-bit key per scheme');
  // Every expiry published for these keys (Forte, SHHam12) is after 2026-11-28.
  for (const k of k1984) t.ok(verifyCaKey(k, DAY).ok, `${k.scheme} ${k.index}: 1984-bit key in use`);
  const { keys, refused } = loadCaKeys(SCHEME_CA_KEYS, DAY);
  t.same(keys.map((k) => `${k.rid}:${k.index.toString(16).toUpperCase().padStart(2, '0')}`).sort(), k1984.map((k) => `${k.rid}:${k.index}`).sort(), 'the kernel gets the 1984-bit keys only');
  t.equal(refused.length, 6);
  for (const r of refused) t.match(r, { code: 'KEY_CAPK_EXPIRED', message: /^CA key A[0-9]{9} index [0-9A-F]{2} \([a-z]+\): expired on 2024-12-31; refused$/ });
});

t.test('Book 2: the expiry date is the last day a key is valid', async (t) => {
  for (const k of SCHEME_CA_KEYS) {
    t.ok(verifyCaKey(k, utc(k.expiry)).ok, `${k.scheme} ${k.index}: accepted on its expiry day ${k.expiry}`);
    t.match(verifyCaKey(k, utc(k.expiry, 1)), { ok: false, code: 'KEY_CAPK_EXPIRED' }, `${k.scheme} ${k.index}: refused the day after`);
  }
  const visa09 = key('A000000003', '09');
  t.ok(verifyCaKey({ ...visa09, expiry: '281231' }, new Date(Date.UTC(2028, 11, 31, 23, 59, 59))).ok, 'the whole last day, to its last second');
  t.match(verifyCaKey({ ...visa09, expiry: '281231' }, new Date(Date.UTC(2029, 0, 1))), { ok: false, code: 'KEY_CAPK_EXPIRED', message: 'CA key A000000003 index 09 (visa): expired on 2028-12-31; refused' });
  t.ok(verifyCaKey({ ...visa09, expiry: '280229' }, new Date(Date.UTC(2028, 1, 29))).ok, 'a leap day expiry is a valid date');
});

t.test('a wrong checksum is refused with a clear message', async (t) => {
  for (const k of SCHEME_CA_KEYS) {
    // One modulus byte flipped (XOR FF) in the middle of the key: the SHA-1 of Book 2 Table 23 no longer matches.
    const at = Math.floor(k.modulus.length / 4) * 2;
    const flipped = (0xff ^ parseInt(k.modulus.slice(at, at + 2), 16)).toString(16).toUpperCase().padStart(2, '0');
    const bad: CaKeyRecord = { ...k, modulus: k.modulus.slice(0, at) + flipped + k.modulus.slice(at + 2) };
    t.match(verifyCaKey(bad, utc(k.expiry)), { ok: false, code: 'KEY_CAPK_CHECKSUM', message: `CA key ${k.rid} index ${k.index} (${k.scheme}): checksum ${k.checksum} does not match the key` }, `${k.scheme} ${k.index}`);
  }
  const k = key('A000000004', '06');
  t.match(verifyCaKey({ ...k, checksum: '00'.repeat(20) }, DAY), { ok: false, code: 'KEY_CAPK_CHECKSUM', message: /mistyped or altered; refused$/ });
  t.match(verifyCaKey({ ...k, exponent: '05' }, DAY), { ok: false, code: 'KEY_CAPK_FORMAT', message: /exponent must be 03 or 010001/ });
  t.match(verifyCaKey({ ...k, expiry: '301331' }, DAY), { ok: false, code: 'KEY_CAPK_FORMAT', message: /expiry must be a date YYMMDD/ });
  t.match(verifyCaKey({ ...k, rid: 'A0000004' }, DAY), { ok: false, code: 'KEY_CAPK_FORMAT', message: /rid must be 10 hex digits/ });
});

t.test('the simulator test keys are marked test and verify', async (t) => {
  t.ok(TEST_CA_KEY_RECORDS.length > 0);
  for (const r of TEST_CA_KEY_RECORDS) {
    const v = verifyCaKey(r, DAY);
    t.ok(v.ok && v.key.test, `${r.rid} ${r.index}: test key`);
  }
});

t.test('the store: add, remove, import, persisted; the kernel gets active keys only', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'capk-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await CaKeyStore.open(dir);
  const active = store.kernelKeys(DAY);
  t.ok(active.every((k) => k.modulus.length === 248), 'shipped: only the unexpired 1984-bit keys');
  t.notOk(active.some((k) => toHex(k.rid) === 'A000000003' && k.index === 0xe1), 'test keys only when asked for');
  t.ok(store.kernelKeys(DAY, { includeTest: true }).some((k) => toHex(k.rid) === 'A000000003' && k.index === 0xe1));
  // Re-adding a shipped key with a later expiry (a scheme extended it): checksum checked, replaces the shipped entry.
  const visa08 = SCHEME_CA_KEYS.find((k) => k.rid === 'A000000003' && k.index === '08')!;
  await store.add({ ...visa08, expiry: '271231' }, DAY);
  t.ok(store.kernelKeys(DAY).some((k) => toHex(k.rid) === 'A000000003' && k.index === 0x08), 'extended key in use');
  await t.rejects(store.add({ ...visa08, checksum: '11'.repeat(20) }, DAY), { code: 'KEY_CAPK_CHECKSUM' });
  t.ok(await store.remove('a000000004', '06', DAY), 'shipped key removed');
  t.notOk(await store.remove('A000000004', '77', DAY), 'unknown key');
  const again = await CaKeyStore.open(dir);
  t.ok(again.kernelKeys(DAY).some((k) => toHex(k.rid) === 'A000000003' && k.index === 0x08), 'persisted: added');
  t.notOk(again.kernelKeys(DAY).some((k) => toHex(k.rid) === 'A000000004' && k.index === 0x06), 'persisted: removed');
  t.match(JSON.parse(await readFile(path.join(dir, 'ca-keys.json'), 'utf8')), { v: 1, removed: ['A000000004:06'] });
  t.same(parseCaKeyFile(JSON.stringify({ keys: [visa08] })), [visa08]);
  t.throws(() => parseCaKeyFile('{'), { code: 'KEY_CAPK_FORMAT' });
  t.throws(() => parseCaKeyFile('{"x":1}'), { code: 'KEY_CAPK_FORMAT' });
});
