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

t.test('every shipped scheme key passes its published checksum', async (t) => {
  t.same([...new Set(SCHEME_CA_KEYS.map((k) => k.scheme))].sort(), ['amex', 'discover', 'jcb', 'mastercard', 'unionpay', 'visa'], 'the six schemes the issue names');
  for (const k of SCHEME_CA_KEYS) {
    // Book 2 11.2.2: the hash input is RID (5) | index (1) | modulus | exponent, computed here independently of the loader.
    const sha1 = createHash('sha1').update(Buffer.from(k.rid + k.index + k.modulus + k.exponent, 'hex')).digest('hex').toUpperCase();
    t.equal(sha1, k.checksum, `${k.scheme} ${k.index}: published checksum`);
    t.equal(k.rid, RIDS[k.scheme], `${k.scheme} ${k.index}: the scheme's RID`);
    t.ok([1024, 1152, 1408, 1984].includes((k.modulus.length / 2) * 8), `${k.scheme} ${k.index}: an EMV key length`);
    const v = verifyCaKey(k, new Date(Date.UTC(2015, 0, 1)));
    t.ok(v.ok, `${k.scheme} ${k.index}: loads (before its expiry)`);
  }
});

t.test('loading on a day: expired keys refused with the reason, 1984-bit keys in use', async (t) => {
  const { keys, refused } = loadCaKeys(SCHEME_CA_KEYS, DAY);
  t.ok(keys.length >= 5, 'the current keys load');
  for (const k of keys) t.equal(k.modulus.length, 248, `${k.rid} ${k.index.toString(16)}: 1984-bit keys are the current ones in 2026`);
  for (const r of refused) {
    t.equal(r.code, 'KEY_CAPK_EXPIRED');
    t.match(r.message, /^CA key A[0-9]{9} index [0-9A-F]{2} \([a-z]+\): expired on 20[0-9]{2}-[0-9]{2}-[0-9]{2}; refused$/);
  }
  const visa09 = verifyCaKey(SCHEME_CA_KEYS.find((k) => k.rid === 'A000000003' && k.index === '09')!, new Date(Date.UTC(2030, 11, 31)));
  t.ok(visa09.ok, 'valid through its expiry day');
  const after = verifyCaKey(SCHEME_CA_KEYS.find((k) => k.rid === 'A000000003' && k.index === '09')!, new Date(Date.UTC(2031, 0, 1)));
  t.match(after, { ok: false, code: 'KEY_CAPK_EXPIRED', message: /A000000003 index 09 \(visa\): expired on 2030-12-31/ });
});

t.test('a wrong checksum is refused with a clear message', async (t) => {
  const k = SCHEME_CA_KEYS.find((x) => x.scheme === 'mastercard' && x.index === '06')!;
  const flipped: CaKeyRecord = { ...k, modulus: k.modulus.slice(0, -1) + (k.modulus.endsWith('F') ? 'E' : 'F') };
  t.match(verifyCaKey(flipped, DAY), { ok: false, code: 'KEY_CAPK_CHECKSUM', message: /^CA key A000000004 index 06 \(mastercard\): checksum F910A1504D5FFB793D94F3B500765E1ABCAD72D9 does not match the key .*mistyped or altered; refused$/ });
  t.match(verifyCaKey({ ...k, checksum: '00'.repeat(20) }, DAY), { ok: false, code: 'KEY_CAPK_CHECKSUM' });
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
