import t from 'tap';
import { fromHex, toHex } from '../../emv/crypto/bytes.js';
import {
  DukptAesTerminal,
  aesKsnCounter,
  aesKsnWithCounter,
  aesWorkingKeys,
  deriveAesDukptKey,
  deriveAesInitialKey,
  deriveAesTransactionKey,
  deriveAesWorkingKey,
  isValidAesCounter,
  nextAesCounter,
} from '../../src/keys/dukpt-aes.js';

// ANSI X9.24-3-2017 Annex B / supplement test vectors (BDKs, initial key ID, initial keys and
// transaction derivation keys as carried by openemv/dukpt test/dukpt_aes128_test.c and
// test/dukpt_aes256_test.c; working keys as listed by several public AES DUKPT test suites).
const BDK128 = fromHex('FEDCBA9876543210F1F1F1F1F1F1F1F1');
const BDK256 = fromHex('FEDCBA9876543210F1F1F1F1F1F1F1F1FEDCBA9876543210F1F1F1F1F1F1F1F1');
const IKID = fromHex('1234567890123456');
const IK128 = '1273671EA26AC29AFA4D1084127652A1';
const IK256 = 'CE9CE0C101D1138F97FB6CAD4DF045A7083D4EAE2D35A31789D01CCF0949550F';

const TXN128: [number, string][] = [
  [1, '4F21B565BAD9835E112B6465635EAE44'],
  [2, '2F34D68DE10F68D38091A73B9E7C437C'],
  [3, '031504E530365CF81264238540518318'],
  [4, '0EEFC7ADA628BA68878DA9165A8A1887'],
  [5, 'C2A7AC328A5DA2D6002D62465BFC028B'],
  [6, 'D30F7D9351DA58448A2F5E92B4EE3B7D'],
  [7, 'A8253CEED9AC042C54F75D35C8352278'],
  [8, '718EE6CF0B27E53D5F7AF99C4D8146A2'],
  [0x1fffe, 'E21E8C8D347F8561A2BE752DAA85A111'],
  [0x20000, 'F7AE9025468A25D37B7249CFFED224C8'],
  [0x20001, '692C8EA4013645135B36497131DF9D2C'],
  [0xfffe2000, '48E585B694EB0B18D5C35443E163C0BA'],
  [0xfffe4000, '396C2C7CA1EA701C03B86B7D41F0C562'],
  [0xfffe8000, '0387625F189B58AE03EF0E8CCA41105E'],
  [0xffff0000, 'F6BA59389BD14A9855BE9727E7C52E3C'],
];

const TXN256: [number, string][] = [
  [1, '54AC2B32B145EA4A554CB8BC44B17467063A799856B1CCC2A138D36E8DBF78B3'],
  [8, '20A796D5077D51B8E7613893A4F095B134E02917DC84BD391F3661D0873FF308'],
  [0x20000, 'D62DDA94A47D7DA5D763443B4ECB15EA8DD62E0E4F915958BA459591F8312E37'],
  [0xffff0000, '6D6DB7AAAE8B3EA90E57A39E4BBA71E173B21B446B30A78D64BFC6A8806C55EE'],
];

t.test('initial keys from AES-128 and AES-256 BDKs (X9.24-3-2017 B.1)', async (t) => {
  t.equal(toHex(deriveAesInitialKey(BDK128, IKID)), IK128);
  t.equal(toHex(deriveAesInitialKey(BDK256, IKID)), IK256);
});

t.test('transaction derivation keys, direct from the initial key', async (t) => {
  for (const [c, key] of TXN128) t.equal(toHex(deriveAesTransactionKey(fromHex(IK128), aesKsnWithCounter(IKID, c))), key, `AES-128 counter ${c.toString(16)}`);
  for (const [c, key] of TXN256) t.equal(toHex(deriveAesTransactionKey(fromHex(IK256), aesKsnWithCounter(IKID, c))), key, `AES-256 counter ${c.toString(16)}`);
});

t.test('working keys for every usage, AES-128 BDK, counter 1', async (t) => {
  const ksn = aesKsnWithCounter(IKID, 1);
  const txn = fromHex('4F21B565BAD9835E112B6465635EAE44');
  const expected: [Parameters<typeof deriveAesWorkingKey>[2], string][] = [
    ['pinEncryption', 'AF8CB133A78F8DC2D1359F18527593FB'],
    ['macGeneration', 'A2DC23DE6FDE0824A2BC321E08E4B8B7'],
    ['macVerification', 'DBB463945B286C07CD3AD82EE96FD9C9'],
    ['macBoth', '85675439D18D7F1158BD8E3EAA3D502B'],
    ['dataEncrypt', 'A35C412EFD41FDB98B69797C02DCD08F'],
    ['dataDecrypt', '16292C6EA8F64C5420A0584BFBC577BE'],
    ['dataBoth', 'A308E080DD15A1B741F1721BF67DE11C'],
    ['keyEncryption', '36A724B7BEFA5A25F5E7B5782A4554A2'],
  ];
  for (const [usage, key] of expected) t.equal(toHex(deriveAesWorkingKey(txn, ksn, usage)), key, usage);
  const all = aesWorkingKeys(txn, ksn);
  t.equal(toHex(all.pinKey), 'AF8CB133A78F8DC2D1359F18527593FB');
  t.equal(toHex(all.dataDecryptKey), '16292C6EA8F64C5420A0584BFBC577BE');
});

t.test('working keys: counter 8, AES-256, and TDES working keys from an AES-128 BDK', async (t) => {
  const ksn8 = aesKsnWithCounter(IKID, 8);
  const txn8 = fromHex('718EE6CF0B27E53D5F7AF99C4D8146A2');
  t.equal(toHex(deriveAesWorkingKey(txn8, ksn8, 'pinEncryption')), '4D9DF3FBEE3448FC3E676D04320A90F5');
  t.equal(toHex(deriveAesWorkingKey(txn8, ksn8, 'macGeneration')), '6FD572E5D59E618875F193484F9178FB');
  t.equal(toHex(deriveAesWorkingKey(txn8, ksn8, 'dataEncrypt')), '650F34204ABD4E57764D61AC3D266FB1');
  const ksn1 = aesKsnWithCounter(IKID, 1);
  const txn256 = fromHex(TXN256[0]![1]);
  t.equal(toHex(deriveAesWorkingKey(txn256, ksn1, 'pinEncryption')), '8C1AB7BEE973829E30242E0BBBDD4946D540C98FC1B5BDCF94790001A23FD502');
  t.equal(toHex(deriveAesWorkingKey(txn256, ksn1, 'macGeneration')), '61DABDF4B340CF461EE860B1D1AB55357142BD2D6977306859CF49AEFE8F1549');
  t.equal(toHex(deriveAesWorkingKey(txn256, ksn1, 'dataEncrypt')), '71EB36C9A6B7F801D1D1700C29741FC5A5C4E9B45D742DA7AF6992B8AA29AF58');
  const txn1 = fromHex('4F21B565BAD9835E112B6465635EAE44');
  t.equal(toHex(deriveAesWorkingKey(txn1, ksn1, 'pinEncryption', 'tdes2')), '630C706D9546E47D4449313F61C4D4AB');
  t.equal(toHex(deriveAesWorkingKey(txn1, ksn1, 'macGeneration', 'tdes2')), '5D8FD787E8A796D07035FFCA9B5800BB');
  t.equal(toHex(deriveAesWorkingKey(txn1, ksn1, 'pinEncryption', 'tdes3')), 'EA8B3F37EB9B15831167EF2977FD8762D9B5913F35766F6A');
});

t.test('derivation data layout (X9.24-3-2017 6.3.2): the update key of the supplement', async (t) => {
  // Derivation data 01 01 0002 0002 0080 90123456 FFFFFFFF under the published derivation key
  // of the update key gives the published key encryption key (AES-128 and 2TDEA flavours).
  const dk = fromHex('36C6EBBCC0536FC91C1D50660D4F82AE');
  const ctx = fromHex('90123456FFFFFFFF');
  t.equal(toHex(deriveAesDukptKey(dk, 'keyEncryption', 'aes128', ctx)), '9A9770AEE1ACD1B13473D0463A1883B9');
  t.equal(toHex(deriveAesDukptKey(dk, 'keyEncryption', 'tdes2', ctx)), '4744A5ECBC62B5C4BB76FBEAE1E244A3');
});

t.test('terminal registers give the same keys as direct derivation, in KSN order', async (t) => {
  const ik = fromHex(IK128);
  const term = DukptAesTerminal.load(ik, IKID);
  t.equal(toHex(term.currentKsn), '123456789012345600000001');
  for (const [c, key] of TXN128.slice(0, 8)) {
    const tx = term.nextTransaction();
    t.equal(tx.counter, c);
    t.equal(toHex(tx.key), key);
  }
  // Further along, spot-check against direct derivation.
  for (let i = 0; i < 300; i++) {
    const tx = term.nextTransaction();
    if (i % 50 === 0) t.equal(toHex(tx.key), toHex(deriveAesTransactionKey(ik, tx.ksn)), `counter ${tx.counter}`);
  }
  const again = DukptAesTerminal.importState(term.exportState());
  const a = term.nextTransaction();
  const b = again.nextTransaction();
  t.equal(b.counter, a.counter);
  t.equal(toHex(b.key), toHex(a.key));
});

t.test('counter rules: at most 16 one bits, 32-bit counter, exhaustion', async (t) => {
  t.ok(isValidAesCounter(0x1fffe));
  t.notOk(isValidAesCounter(0x1ffff), '17 one bits');
  t.notOk(isValidAesCounter(0));
  t.equal(nextAesCounter(0x1fffe), 0x20000, 'skips 1FFFF, as the supplement notes');
  t.equal(nextAesCounter(0xfffe2000), 0xfffe4000);
  t.equal(nextAesCounter(0xffff0000), null, 'the last transaction');
  // Terminal at the last counter: hands out its key, then reports exhaustion.
  const ik = fromHex(IK128);
  const state = DukptAesTerminal.load(ik, IKID).exportState();
  const regs = state.subarray(9);
  new DataView(regs.buffer, regs.byteOffset).setUint32(0, 0xffff0000);
  regs.set(fromHex('F6BA59389BD14A9855BE9727E7C52E3C'), 8 + 16 * 16);
  const term = DukptAesTerminal.importState(state);
  const tx = term.nextTransaction();
  t.equal(toHex(tx.ksn), '1234567890123456FFFF0000');
  t.equal(toHex(tx.key), 'F6BA59389BD14A9855BE9727E7C52E3C');
  t.ok(term.exhausted);
  t.throws(() => term.nextTransaction(), { name: 'KeyError', code: 'KEY_DUKPT_EXHAUSTED' });
});

t.test('bad input is a clear error', async (t) => {
  t.throws(() => deriveAesInitialKey(new Uint8Array(20), IKID), { code: 'KEY_BAD_LENGTH' });
  t.throws(() => deriveAesInitialKey(BDK128, new Uint8Array(7)), { code: 'KEY_BAD_LENGTH' });
  t.throws(() => deriveAesTransactionKey(fromHex(IK128), aesKsnWithCounter(IKID, 0x1ffff)), { code: 'KEY_KSN_INVALID' });
  t.throws(() => aesKsnCounter(new Uint8Array(10)), { code: 'KEY_BAD_LENGTH' });
  t.throws(() => DukptAesTerminal.importState(new Uint8Array(9)), { code: 'KEY_DUKPT_STATE' });
});
