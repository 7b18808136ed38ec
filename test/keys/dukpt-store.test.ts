import t from 'tap';
import { fromHex, toHex } from '../../emv/crypto/bytes.js';
import { SecretDeviceKeyProvider } from '../../src/keys/device-key.js';
import { StoredDukpt } from '../../src/keys/dukpt-store.js';
import { KeyStore, MemoryKeyStoreBackend, type KeyStoreBackend } from '../../src/keys/key-store.js';
import { PinBuffer, decipherPinBlock } from '../../src/keys/pin-block.js';

const deviceKey = new SecretDeviceKeyProvider('test-device-secret', 'test-salt-0001');

t.test('TDES: install from the X9.24-1 A.4 IPEK, erase it, persist registers across a restart', async (t) => {
  const backend = new MemoryKeyStoreBackend();
  const store = await KeyStore.open({ backend, deviceKey });
  await store.put('test-ipek', fromHex('6AC292FAA1315B4D858AB3A3D7D5933A'), { usage: 'dukpt-initial-key', algorithm: 'tdes', ksn: 'FFFF9876543210E00000' });
  const d = await StoredDukpt.install(store, 'test-ipek', 'test-dukpt');
  t.equal(d.kind, 'tdes');
  await t.rejects(store.info('test-ipek'), { code: 'KEY_STORE_NOT_FOUND' }, 'the initial key is gone');
  const first = await d.encipherPin(PinBuffer.fromString('1234'), '4012345678909');
  t.equal(toHex(first.ksn), 'FFFF9876543210E00001');
  t.equal(toHex(first.pinBlock), '1B9C1845EB993A7A');
  // Restart: a new store over the same records continues at the next KSN.
  const reopened = await StoredDukpt.open(await KeyStore.open({ backend, deviceKey }), 'test-dukpt');
  const second = await reopened.encipherPin(PinBuffer.fromString('1234'), '4012345678909');
  t.equal(toHex(second.ksn), 'FFFF9876543210E00002');
  t.equal(toHex(second.pinBlock), '10A01C8D02C69107');
});

t.test('a failed state write gives no PIN block and does not advance', async (t) => {
  const backend = new MemoryKeyStoreBackend();
  let failWrites = false;
  const flaky: KeyStoreBackend = {
    read: (n) => backend.read(n),
    remove: (n) => backend.remove(n),
    list: () => backend.list(),
    write: async (n, r) => {
      if (failWrites) throw new Error('disk full');
      return backend.write(n, r);
    },
  };
  const store = await KeyStore.open({ backend: flaky, deviceKey });
  await store.put('test-ipek', fromHex('6AC292FAA1315B4D858AB3A3D7D5933A'), { usage: 'dukpt-initial-key', algorithm: 'tdes', ksn: 'FFFF9876543210E00000' });
  const d = await StoredDukpt.install(store, 'test-ipek', 'test-dukpt');
  failWrites = true;
  const pin = PinBuffer.fromString('1234');
  await t.rejects(d.encipherPin(pin, '4012345678909'), { message: 'disk full' });
  t.equal(pin.length, 0, 'the PIN is wiped even on failure');
  failWrites = false;
  const r = await d.encipherPin(PinBuffer.fromString('1234'), '4012345678909');
  t.equal(toHex(r.ksn), 'FFFF9876543210E00001', 'the counter did not move');
});

t.test('AES: install from the X9.24-3 AES-128 initial key; format 4 under the counter-1 PIN key', async (t) => {
  const store = await KeyStore.open({ backend: new MemoryKeyStoreBackend(), deviceKey });
  await store.put('test-ik', fromHex('1273671EA26AC29AFA4D1084127652A1'), { usage: 'dukpt-initial-key', algorithm: 'aes', ksn: '1234567890123456' });
  const d = await StoredDukpt.install(store, 'test-ik', 'test-dukpt-aes');
  t.equal(d.kind, 'aes');
  const r = await d.encipherPin(PinBuffer.fromString('1234'), '4111111111111111');
  t.equal(toHex(r.ksn), '123456789012345600000001');
  t.equal(decipherPinBlock(4, r.pinBlock, '4111111111111111', fromHex('AF8CB133A78F8DC2D1359F18527593FB')).reveal(), '1234');
});

t.test('an initial key without a KSN, or of another usage, is refused', async (t) => {
  const store = await KeyStore.open({ backend: new MemoryKeyStoreBackend(), deviceKey });
  await store.put('test-ipek', fromHex('6AC292FAA1315B4D858AB3A3D7D5933A'), { usage: 'dukpt-initial-key', algorithm: 'tdes' });
  await t.rejects(StoredDukpt.install(store, 'test-ipek', 'x'), { code: 'KEY_DUKPT_STATE' });
  await store.put('test-pin', fromHex('6AC292FAA1315B4D858AB3A3D7D5933A'), { usage: 'pin', algorithm: 'tdes' });
  await t.rejects(StoredDukpt.install(store, 'test-pin', 'x'), { code: 'KEY_USAGE' });
  await t.rejects(StoredDukpt.open(store, 'test-pin'), { code: 'KEY_USAGE' });
});
