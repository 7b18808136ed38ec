// Online PIN on the keypad (EngineUi.onlinePin): digits go into a PinBuffer, the LCD and
// every key listener see '*' only, nothing of the PIN reaches a log line, and the block comes
// out under the terminal's DUKPT key from the key store, seeded from the sim's TEST keys.
import t from 'tap';
import { QUICK, rig, type Rig } from './helpers.js';
import { KeyStore, MemoryKeyStoreBackend } from '../../src/keys/key-store.js';
import { SecretDeviceKeyProvider } from '../../src/keys/device-key.js';
import { openDukptPinEncipherment, seedTestPinKey } from '../../src/app/services.js';
import { TEST_HOST_KEYS } from '../../src/board/acquirer.js';
import { decipherPinBlock } from '../../src/keys/pin-block.js';
import { deriveIpek, deriveTransactionKey, variantKey } from '../../src/keys/dukpt-tdes.js';
import { fromHex, toHex } from '../../emv/crypto/bytes.js';
import { setLogLevel, setLogSink } from '../../src/log.js';

t.setTimeout(600_000);

const logs: string[] = [];
setLogLevel('debug');
setLogSink((line) => logs.push(line));

async function pinRig(t: Parameters<typeof rig>[0]): Promise<Rig> {
  const keys = await KeyStore.open({ backend: new MemoryKeyStoreBackend(), deviceKey: new SecretDeviceKeyProvider('pin-test', 'test-salt-0001') });
  await seedTestPinKey(keys, TEST_HOST_KEYS);
  const r = await rig(t, { pin: await openDukptPinEncipherment(keys) });
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await r.screen('idle');
  return r;
}

/** The acquirer's side (X9.24-1): BDK -> IPEK -> transaction key for this KSN -> PIN variant -> ISO format 0 block. */
function hostReads(block: Uint8Array, ksn: Uint8Array, pan: string): string {
  const ipek = deriveIpek(fromHex(TEST_HOST_KEYS.bdk), ksn);
  const key = variantKey(deriveTransactionKey(ipek, ksn), 'pin');
  return decipherPinBlock(0, block, pan, key).reveal();
}

t.test('the PIN typed on the keypad becomes the X9.24-1 A.4.2 block; masked on the LCD; never in a log', async (t) => {
  const r = await pinRig(t);
  t.teardown(() => r.close());
  // X9.24-1:2009 A.4.2: BDK 0123456789ABCDEFFEDCBA9876543210, KSN FFFF9876543210E00001,
  // PIN 1234, PAN 4012345678909 -> enciphered PIN block 1B9C1845EB993A7A.
  r.engine.next = { pin: true, pan: '4012345678909' };
  const keysBefore = r.keyEvents.length;
  await r.press('2', '5', '0', '0', 'ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  const empty = await r.screen('pin');
  t.match(empty.join('\n'), /ENTER PIN[\s\S]*CNY 25\.00/);
  const shown: string[] = [];
  for (const d of ['1', '2', '3', '4']) {
    await r.press(d);
    shown.push((await r.screen('pin', new RegExp(`^ *\\*{${shown.length + 1}} *$`, 'm')))[2]!.trim());
  }
  t.same(shown, ['*', '**', '***', '****'], 'each digit shows as a star');
  await r.press('ENTER');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  const pin = r.engine.pins[0];
  t.ok(pin && typeof pin === 'object');
  if (pin && typeof pin === 'object') {
    t.equal(toHex(pin.ksn), 'FFFF9876543210E00001');
    t.equal(toHex(pin.pinBlock), '1B9C1845EB993A7A');
  }
  const pinViews = r.views.filter((v) => v.screen === 'pin');
  t.ok(pinViews.length >= 5);
  for (const v of pinViews) {
    t.match(v.lines[2], /^ *\** *$/, 'the PIN row has stars only');
    t.notMatch(v.lines.join('|'), /1234/, 'no PIN in the view');
  }
  const afterAmount = r.keyEvents.slice(keysBefore + 5);
  t.same(afterAmount.slice(0, 5), ['*', '*', '*', '*', 'ENTER'], 'key listeners (control channel) get stars for PIN digits');

  // A second PIN, checked the way the acquirer reads it, and the logs of both.
  r.engine.next = { pin: true };
  await r.press('9', 'ENTER');
  await r.screen('present-card');
  r.engine.present('tap');
  await r.screen('pin');
  await r.press('7', '3', '9', '5', 'ENTER');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  const second = r.engine.pins[1];
  if (second && typeof second === 'object') {
    t.equal(toHex(second.ksn), 'FFFF9876543210E00002', 'the next KSN');
    t.equal(hostReads(second.pinBlock, second.ksn, '4761739001010010'), '7395');
  } else t.fail('no PIN block');
  t.ok(logs.length > 0, 'the logger was captured');
  const bodies = logs.map((l) => l.replace(/^\S+ /, ''));
  t.same(bodies.filter((l) => /1234|7395/.test(l)), [], 'no log line carries a PIN');
});

t.test('PIN entry: too short, CLEAR, at most 12 digits, no bypass unless allowed, CANCEL aborts', async (t) => {
  const r = await pinRig(t);
  t.teardown(() => r.close());
  r.engine.next = { pin: true };
  await r.press('1', 'ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  await r.screen('pin');
  await r.press('ENTER');
  await r.screen('pin', /PIN: 4 TO 12 DIGITS/);
  t.equal(r.engine.pins.length, 0, 'no bypass when the kernel does not allow it');
  await r.press('1', '2', '3', 'ENTER');
  await r.screen('pin', /PIN: 4 TO 12 DIGITS/);
  await r.press('CLEAR', 'CLEAR');
  await r.screen('pin', /^ *\* *$/m);
  await r.press(...'12345678901'.split(''), '00');
  await r.screen('pin', /^ *\*{12} *$/m);
  await r.press('5');
  t.match(r.app.view().lines[2], /^ *\*{12} *$/, 'a 13th digit is refused');
  await r.press('CANCEL');
  await r.screen('result', /CANCELLED/);
  t.same(r.engine.pins, ['cancelled']);
  t.match(r.app.view().txn, { status: 'cancelled' });
  await r.press('ENTER');
  await r.screen('idle');
  // Bypass allowed: ENTER with no digit.
  r.engine.next = { pin: true, bypassAllowed: true };
  await r.press('2', 'ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  await r.screen('pin', /ENTER=NO PIN/);
  await r.press('ENTER');
  await r.screen('customer-copy');
  t.same(r.engine.pins, ['cancelled', 'bypassed']);
  await r.press('CANCEL');
});

t.test('no PIN key loaded: a clear error, not a crash', async (t) => {
  const keys = await KeyStore.open({ backend: new MemoryKeyStoreBackend(), deviceKey: new SecretDeviceKeyProvider('pin-test', 'test-salt-0001') });
  await t.rejects(openDukptPinEncipherment(keys), { code: 'KEY_STORE_NOT_FOUND' });
  await seedTestPinKey(keys, TEST_HOST_KEYS);
  await seedTestPinKey(keys, TEST_HOST_KEYS);
  t.same((await keys.list()).map((k) => [k.name, k.usage, k.ksn]), [['pin-dukpt-initial', 'dukpt-initial-key', 'FFFF9876543210E00000']], 'seeded once');
  await openDukptPinEncipherment(keys);
  t.same((await keys.list()).map((k) => k.name), ['pin-dukpt'], 'installed: the initial key is erased (X9.24-1 A.2)');
  await seedTestPinKey(keys, TEST_HOST_KEYS);
  t.same((await keys.list()).map((k) => k.name), ['pin-dukpt'], 'not seeded again over live registers');
});
