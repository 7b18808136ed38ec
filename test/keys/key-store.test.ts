import t from 'tap';
import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fromHex, toHex, xor } from '../../emv/crypto/bytes.js';
import { keyCheckValue } from '../../emv/crypto/kcv.js';
import { DEVICE_KEY_FILE, FileDeviceKeyProvider, SecretDeviceKeyProvider, deviceKeyFromSecret } from '../../src/keys/device-key.js';
import { FileKeyStoreBackend, KeyStore, MemoryKeyStoreBackend, type KeyComponent } from '../../src/keys/key-store.js';

// Test keys only: the X9.24-1 Annex A BDK (KCV 08D7B4) and TR-31:2018 A.7.3.2 material.
const TEST_BDK = fromHex('0123456789ABCDEFFEDCBA9876543210');
const TEST_KBPK = fromHex('1D22BF32387C600AD97F9B97A51311AC');
const TR31_BDK_BLOCK = 'B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A52190E248719E24B433627';

const secretProvider = new SecretDeviceKeyProvider('test-device-secret', 'test-salt-0001');

async function memoryStore(): Promise<{ store: KeyStore; backend: MemoryKeyStoreBackend }> {
  const backend = new MemoryKeyStoreBackend();
  return { store: await KeyStore.open({ backend, deviceKey: secretProvider }), backend };
}

t.test('put, info, list, get and delete; KCVs shown, never keys', async (t) => {
  const { store } = await memoryStore();
  const info = await store.put('test-bdk', TEST_BDK, { usage: 'bdk', algorithm: 'tdes' });
  t.match(info, { name: 'test-bdk', usage: 'bdk', algorithm: 'tdes', length: 16, kcv: '08D7B4', source: 'clear' });
  t.notMatch(JSON.stringify(await store.list()), /0123456789ABCDEF/i, 'the listing carries no key');
  const got = await store.get('test-bdk', 'bdk');
  t.equal(toHex(got.key), toHex(TEST_BDK));
  await t.rejects(store.get('test-bdk', 'pin'), { code: 'KEY_USAGE' });
  await t.rejects(store.put('test-bdk', TEST_BDK, { usage: 'bdk', algorithm: 'tdes' }), { code: 'KEY_STORE_EXISTS' });
  t.equal((await store.put('test-bdk', TEST_KBPK, { usage: 'kek', algorithm: 'tdes', replace: true })).usage, 'kek');
  t.equal(await store.delete('test-bdk'), true);
  await t.rejects(store.info('test-bdk'), { code: 'KEY_STORE_NOT_FOUND' });
  t.equal(await store.delete('test-bdk'), false);
});

t.test('names and key lengths are checked', async (t) => {
  const { store } = await memoryStore();
  for (const name of ['', '../etc/passwd', 'a/b', '.hidden', 'x'.repeat(65), 'sp ace']) {
    await t.rejects(store.put(name, TEST_BDK, { usage: 'pin', algorithm: 'tdes' }), { code: 'KEY_STORE_NAME' }, JSON.stringify(name));
  }
  await t.rejects(store.put('k', new Uint8Array(15), { usage: 'pin', algorithm: 'tdes' }), { code: 'KEY_BAD_LENGTH' });
  await t.rejects(store.put('k', new Uint8Array(20), { usage: 'pin', algorithm: 'aes' }), { code: 'KEY_BAD_LENGTH' });
  await t.rejects(store.put('k', TEST_BDK, { usage: 'nonsense' as 'pin', algorithm: 'tdes' }), { code: 'KEY_BAD_ARGUMENT' });
});

t.test('tampering with a record is detected', async (t) => {
  const { store, backend } = await memoryStore();
  await store.put('test-pin-key', TEST_BDK, { usage: 'pin', algorithm: 'tdes' });
  const original = backend.records.get('test-pin-key')!;
  for (const at of [0, 4, 20, 40, original.length - 1]) {
    const edited = Uint8Array.from(original);
    edited[at] = edited[at]! ^ 0x01;
    backend.records.set('test-pin-key', edited);
    await t.rejects(store.get('test-pin-key'), { code: 'KEY_STORE_TAMPERED' }, `byte ${at} flipped`);
  }
  backend.records.set('test-pin-key', original.slice(0, 30));
  await t.rejects(store.get('test-pin-key'), { code: 'KEY_STORE_TAMPERED' }, 'truncated');
  backend.records.set('test-pin-key', original);
  backend.records.set('test-mac-key', original);
  await t.rejects(store.get('test-mac-key'), { code: 'KEY_STORE_TAMPERED' }, 'a record copied under another name');
  const other = await KeyStore.open({ backend, deviceKey: new SecretDeviceKeyProvider('another-device', 'test-salt-0001') });
  await t.rejects(other.get('test-pin-key'), { code: 'KEY_STORE_TAMPERED' }, 'under another device key');
  await t.rejects(store.list(), { code: 'KEY_STORE_TAMPERED' }, 'a listing does not hide a tampered record');
});

t.test('TR-31 key injection under a stored KEK', async (t) => {
  const { store } = await memoryStore();
  await store.put('test-kbpk', TEST_KBPK, { usage: 'kek', algorithm: 'tdes' });
  const info = await store.importKeyBlock('test-bdk', TR31_BDK_BLOCK, 'test-kbpk');
  t.match(info, { usage: 'bdk', algorithm: 'tdes', kcv: '9A4212', source: 'tr31', ksn: '00604B120F9292800000' });
  t.match(info.tr31, { keyUsage: 'B0', modeOfUse: 'X', keyVersion: '12', exportability: 'S' });
  await t.rejects(store.importKeyBlock('x', TR31_BDK_BLOCK.replace(/7$/, '8'), 'test-kbpk'), { code: 'KEY_TR31_MAC' });
  await t.rejects(store.info('x'), { code: 'KEY_STORE_NOT_FOUND' }, 'nothing stored after a failed import');
  await t.rejects(store.importKeyBlock('y', TR31_BDK_BLOCK, 'test-bdk'), { code: 'KEY_USAGE' }, 'the KBPK must be a KEK');
  await t.rejects(store.importKeyBlock('y', TR31_BDK_BLOCK, 'missing'), { code: 'KEY_STORE_NOT_FOUND' });
});

t.test('key components: two or three custodians, each confirmed by its KCV', async (t) => {
  const { store } = await memoryStore();
  const c1 = fromHex('1111111111111111A2A2A2A2A2A2A2A2');
  const c2 = xor(TEST_BDK, c1);
  const comp = (value: Uint8Array, custodian: string): KeyComponent => ({ value, kcv: keyCheckValue(value), custodian });
  const info = await store.importComponents('test-bdk', [comp(c1, 'alice'), comp(c2, 'bob')], { usage: 'bdk', algorithm: 'tdes' });
  t.equal(info.kcv, '08D7B4', 'the combined key is the X9.24-1 test BDK');
  t.equal(info.source, 'components');

  const c3 = fromHex('0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F');
  const three = await store.importComponents('test-bdk-3', [comp(c1, 'a'), comp(xor(c2, c3), 'b'), comp(c3, 'c')], { usage: 'bdk', algorithm: 'tdes' });
  t.equal(three.kcv, '08D7B4');

  const wrong = { ...comp(c2, 'bob'), kcv: fromHex('000000') };
  await t.rejects(store.importComponents('k1', [comp(c1, 'alice'), wrong], { usage: 'bdk', algorithm: 'tdes' }), { code: 'KEY_KCV_MISMATCH', message: /component 2/ });
  await t.rejects(store.info('k1'), { code: 'KEY_STORE_NOT_FOUND' });
  await t.rejects(store.importComponents('k2', [comp(c1, 'alice'), comp(c2, 'alice')], { usage: 'bdk', algorithm: 'tdes' }), { code: 'KEY_COMPONENTS' });
  await t.rejects(store.importComponents('k3', [comp(c1, 'alice')], { usage: 'bdk', algorithm: 'tdes' }), { code: 'KEY_COMPONENTS' });
  await t.rejects(store.importComponents('k4', [comp(c1, 'a'), comp(c1, 'b')], { usage: 'bdk', algorithm: 'tdes' }), { code: 'KEY_COMPONENTS', message: /all-zero/ });
  await t.rejects(store.importComponents('k5', [comp(c1, 'a'), comp(c1.subarray(0, 8), 'b')], { usage: 'bdk', algorithm: 'tdes' }), { code: 'KEY_COMPONENTS' });
  const a1 = fromHex('000102030405060708090A0B0C0D0E0F');
  const a2 = fromHex('3F419E1CB7079442AA37474C2EFBF8B8');
  const aes = await store.importComponents('test-aes-key', [{ value: a1, kcv: keyCheckValue(a1, 'aes') }, { value: xor(a1, a2), kcv: keyCheckValue(xor(a1, a2), 'aes') }], { usage: 'pin', algorithm: 'aes' });
  t.equal(aes.kcv.slice(0, 6), '08793E', 'AES KCV of the TR-31:2018 A.7.4 key');
});

t.test('file backend: atomic 0600 records, no key bytes on disk, device.key 0600', async (t) => {
  const dataDir = t.testdir({});
  const keysDir = path.join(dataDir, 'keys');
  const deviceKey = new FileDeviceKeyProvider({ dataDir });
  const store = await KeyStore.open({ backend: new FileKeyStoreBackend({ dir: keysDir }), deviceKey });
  t.equal((await stat(path.join(dataDir, DEVICE_KEY_FILE))).mode & 0o777, 0o600);
  t.equal((await readFile(path.join(dataDir, DEVICE_KEY_FILE))).length, 32);
  await store.put('test-bdk', TEST_BDK, { usage: 'bdk', algorithm: 'tdes' });
  await store.put('test-bdk', TEST_BDK, { usage: 'bdk', algorithm: 'tdes', replace: true });
  t.same(await readdir(keysDir), ['test-bdk.key'], 'no temporary files left behind');
  const file = path.join(keysDir, 'test-bdk.key');
  t.equal((await stat(file)).mode & 0o777, 0o600);
  const raw = await readFile(file);
  t.equal(raw.indexOf(Buffer.from(TEST_BDK)), -1, 'the key bytes are not on disk');
  t.notMatch(raw.toString('latin1'), /0123456789ABCDEF|08D7B4/i, 'neither hex key nor metadata in clear');

  const reopened = await KeyStore.open({ backend: new FileKeyStoreBackend({ dir: keysDir }), deviceKey: new FileDeviceKeyProvider({ dataDir }) });
  t.equal((await reopened.info('test-bdk')).kcv, '08D7B4', 'a restarted store reads its keys');

  raw[raw.length - 3] = raw[raw.length - 3]! ^ 0x40;
  await writeFile(file, raw);
  await t.rejects(reopened.get('test-bdk'), { code: 'KEY_STORE_TAMPERED' }, 'an edited file is refused');
  t.equal(await reopened.deleteAll(), 1);
  t.same(await reopened.list(), []);
});

t.test('device key file: refused when others may read it or when its size is wrong', async (t) => {
  const dataDir = path.join(t.testdir({}), 'not-yet-made');
  const p = new FileDeviceKeyProvider({ dataDir });
  const first = await p.deviceKey();
  t.equal(toHex(await p.deviceKey()), toHex(first), 'stable across calls');
  await chmod(path.join(dataDir, DEVICE_KEY_FILE), 0o644);
  await t.rejects(p.deviceKey(), { code: 'KEY_DEVICE_KEY', message: /chmod 600/ });
  await t.rejects(KeyStore.open({ backend: new MemoryKeyStoreBackend(), deviceKey: p }), { code: 'KEY_DEVICE_KEY' });
  await writeFile(path.join(dataDir, DEVICE_KEY_FILE), Buffer.alloc(16), { mode: 0o600 });
  await chmod(path.join(dataDir, DEVICE_KEY_FILE), 0o600);
  await t.rejects(p.deviceKey(), { code: 'KEY_DEVICE_KEY', message: /32 bytes/ });
});

t.test('deviceKeyFromSecret: scrypt, deterministic, salted', async (t) => {
  const a = await deviceKeyFromSecret('secret', 'salt-salt');
  t.equal(a.length, 32);
  t.equal(toHex(await deviceKeyFromSecret('secret', 'salt-salt')), toHex(a));
  t.not(toHex(await deviceKeyFromSecret('secret', 'salt-pepper')), toHex(a));
  t.not(toHex(await deviceKeyFromSecret('secreT', 'salt-salt')), toHex(a));
  await t.rejects(deviceKeyFromSecret('', 'salt-salt'), { code: 'KEY_DEVICE_KEY' });
  await t.rejects(deviceKeyFromSecret('secret', 'short'), { code: 'KEY_DEVICE_KEY' });
});
