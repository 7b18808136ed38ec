// Offline PIN at the terminal (EMV Book 3 10.5.1, 6.5.12; Book 2 7.1): the kernel asks the
// application's PIN pad, the engine builds the VERIFY data from the keypad's PinBuffer
// (plaintext format 2 block, or enciphered under the ICC key after GET CHALLENGE), and the
// virtual cards of the catalogue check it against their PIN (1234, try limit 3).
import t, { type Test } from 'tap';
import { PinBuffer } from '../../src/keys/pin-block.js';
import { offlinePinBlock, offlinePinVerifyData } from '../../src/keys/offline-pin.js';
import type { EngineUi } from '../../src/txn/types.js';
import { makeRig, present, startHost, type Rig } from './fixtures/rig.js';

async function setup(t: Test): Promise<Rig> {
  const host = await startHost();
  const rig = await makeRig({ port: host.port });
  t.teardown(async () => {
    await rig.close();
    await host.close();
  });
  return rig;
}

type Asked = Parameters<NonNullable<EngineUi['offlinePin']>>[0];

t.test('the plaintext offline PIN block (Book 3 Table 24): 2, length, digits, F filler', async (t) => {
  t.equal(Buffer.from(offlinePinBlock(PinBuffer.fromString('1234'))).toString('hex').toUpperCase(), '241234FFFFFFFFFF');
  t.equal(Buffer.from(offlinePinBlock(PinBuffer.fromString('123456789012'))).toString('hex').toUpperCase(), '2C123456789012FF');
  t.throws(() => offlinePinBlock(PinBuffer.fromString('123')), { code: 'KEY_PIN_INVALID' });
  t.throws(() => offlinePinVerifyData(PinBuffer.fromString('1234'), { enciphered: true }), { code: 'KEY_BAD_ARGUMENT' }, 'enciphered without the ICC key and challenge');
});

t.test('plaintext offline PIN card, right PIN: the card verifies it, the receipt says PIN VERIFIED', async (t) => {
  const rig = await setup(t);
  const asked: Asked[] = [];
  const { result } = await rig.run({ type: 'sale', amount: 2500 }, present('offline-pin', 'insert'), { offlinePins: ['1234'], offlineAsked: asked });
  t.equal(result.status, 'approved', result.reason ?? '');
  t.equal(asked.length, 1, 'asked once');
  t.equal(asked[0]?.amount, 2500);
  t.equal(result.receipt?.cvm, 'offline-pin');
});

t.test('plaintext offline PIN card, a wrong PIN first: asked again with the tries left, then the right PIN', async (t) => {
  const rig = await setup(t);
  const asked: Asked[] = [];
  const { result } = await rig.run({ type: 'sale', amount: 2500 }, present('offline-pin', 'insert'), { offlinePins: ['9999', '1234'], offlineAsked: asked });
  t.equal(result.status, 'approved', result.reason ?? '');
  t.equal(asked.length, 2, 'asked twice');
  // The card answered 63C2 to the wrong PIN (Book 3 6.5.12: 63Cx, x tries left).
  t.equal(asked[1]?.triesLeft, 2, 'the second prompt knows 2 tries are left');
  t.equal(asked[1]?.retry, true, 'and that the PIN before was wrong');
  t.notOk(asked[0]?.retry, 'the first prompt is no retry');
  t.equal(result.receipt?.cvm, 'offline-pin');
});

t.test('enciphered offline PIN card (GET CHALLENGE, VERIFY P2 88 under the ICC key): right PIN approved', async (t) => {
  const rig = await setup(t);
  const { result } = await rig.run({ type: 'sale', amount: 2500 }, present('offline-enciphered-pin', 'insert'), { offlinePins: ['1234'] });
  t.equal(result.status, 'approved', result.reason ?? '');
  t.equal(result.receipt?.cvm, 'offline-pin');
});

t.test('the cardholder cancels at the offline PIN prompt: the transaction is cancelled, nothing charged', async (t) => {
  const rig = await setup(t);
  const { result } = await rig.run({ type: 'sale', amount: 2500 }, present('offline-pin', 'insert'), { offlinePins: [] });
  t.equal(result.status, 'cancelled');
  t.equal((await rig.journal.totals(rig.journal.openBatch ?? 1)).byCurrency.CNY?.count ?? 0, 0, 'nothing in the batch');
});
