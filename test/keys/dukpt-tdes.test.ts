import t from 'tap';
import { fromHex, toHex } from '../../emv/crypto/bytes.js';
import {
  DukptTdesTerminal,
  dataKeyOneWay,
  deriveIpek,
  deriveTransactionKey,
  isValidCounter,
  ksnCounter,
  ksnWithCounter,
  nextCounter,
  variantKey,
  workingKeys,
} from '../../src/keys/dukpt-tdes.js';
import { popcount } from '../../src/keys/dukpt-registers.js';
import { PinBuffer, encipherPinBlock, encodePinBlock } from '../../src/keys/pin-block.js';

// ANSI X9.24-1:2009 Annex A.4 "DUKPT Test Data Examples" (values as carried by openemv/dukpt
// test/dukpt_tdes_test.c): BDK, initial KSN, IPEK; PIN 1234, PAN 4012345678909.
const BDK = fromHex('0123456789ABCDEFFEDCBA9876543210');
const IKSN = fromHex('FFFF9876543210E00000');
const IPEK = '6AC292FAA1315B4D858AB3A3D7D5933A';
const CLEAR_PIN_BLOCK = '041274EDCBA9876F';

// A.4.2 initial sequence: counters 1..0x15, transaction keys and enciphered PIN blocks.
const INITIAL: [number, string, string][] = [
  [0x01, '042666B49184CFA368DE9628D0397BC9', '1B9C1845EB993A7A'],
  [0x02, 'C46551CEF9FD24B0AA9AD834130D3BC7', '10A01C8D02C69107'],
  [0x03, '0DF3D9422ACA56E547676D07AD6BADFA', '18DC07B94797B466'],
  [0x04, '279C0F6AEED0BE652B2C733E1383AE91', '0BC79509D5645DF7'],
  [0x05, '5F8DC6D2C845C125508DDC048093B83F', '5BC0AF22AD87B327'],
  [0x06, '5E415CB0BAF9F03CD0C14B63FB62FF43', 'A16DF70AE36158D8'],
  [0x07, '0C8F780B7C8B49D0AE84A9EB2A6CE660', '27711C16CB257F8E'],
  [0x08, '27F66D5244FF62E1AA6F6120EDEB4280', '50E55547A5027551'],
  [0x09, '27E31064FDC565698900E2057F658E7E', '536CF7F678ACFC8D'],
  [0x0a, '6CF2500A22507C7CC776CEADC1E33014', 'EDABBA23221833FE'],
  [0x0b, '3E8260BA04B2D620C01482B3819A18B7', '2328981C57B4BDBA'],
  [0x0c, 'B716E1E11CF53D80726CAEE75C3A624F', '038D03CC926CF286'],
  [0x0d, 'E072EDF95340535FB6C581C58FBF2533', '6C8AA97088B62C68'],
  [0x0e, 'A80046087F5B8F245AAD95E18429084F', 'F17C9E1D72CD4950'],
  [0x0f, '93DD5B956C4878472E453AAEFD32A5AA', 'B170F6E7F7F2F64A'],
  [0x10, '59598DCBD9BD94C094165CE453585F57', 'D5D9638559EF53D6'],
  [0x11, '2B5F01F4F0CC05EA639D523231BF1BA2', 'D544F8CDD292C863'],
  [0x12, '9CF640F279C2AEE615F725EEEAC2CBAF', '7A21BD10F36DC41D'],
  [0x13, 'C3DF489FDF1153B4F03DE97C27DC4C2F', '78649BD17D0DFA60'],
  [0x14, '658488507721B3F14737FA93F923CBD2', '7E7E16EA0C31AD56'],
  [0x15, 'E161D1956A61F6D2F37AFD7F9CC3699A', '72105C22EBC791E6'],
];

// A.4.3 rollover sequence: counters around the 10-one-bit limit.
const ROLLOVER: [number, string, string][] = [
  [0x0ff800, 'F9CDFEBF4F5B1D9EB3EC12454527E176', '33365F5CC6F23C35'],
  [0x0ff801, '5BEE92627E97825C911BF619DF72CA3B', '3A86BF003F835C9D'],
  [0x0ff802, '64CA2F8AB93F61B01620B00BF77C7301', '3DB977D05C36DF3F'],
  [0x0ff804, '35A168695B3BA83307E871C42021DD37', 'BA83243305712099'],
  [0x0ff808, '12C380FCB72ED3C26FC6079AF63F4787', 'B0DA04AC90A36D85'],
  [0x0ff810, 'D8007C833A1E3C49C6889B97A68C54FF', '2CF02BD9C309EEDA'],
  [0x0ff820, 'A9C9FF9B735FDD49591F296B0BF0FD70', '9D1E2F77AEEE81C6'],
  [0x0ff840, '0E3E221062CB5E03A384602783A004FA', '40870B0F8BA2011C'],
  [0x0ff880, 'CA8225C587124DFBB87F279C0BE29727', '22E340D6ABB40981'],
  [0x0ff900, '906AAC1751D4971A144D52C76C6E1F97', '1A4C10AFBA03A430'],
  [0x0ffa00, '2B9E2CE7C2750337E10B54D2989EA6AF', '849763B43E5F9CFF'],
  [0x0ffc00, 'F9430DF975082491C77BE4EF4FDB91EE', 'DEFC6F09F8927B71'],
  [0x100000, 'AA4D58DB653EC74A48C75F2F047DD2B5', '73EC88AD0AC5830E'],
];

function pinBlockUnder(txnKey: Uint8Array): string {
  const pin = PinBuffer.fromString('1234');
  t.equal(toHex(encodePinBlock(0, pin, '4012345678909')), CLEAR_PIN_BLOCK);
  return toHex(encipherPinBlock(0, pin, '4012345678909', variantKey(txnKey, 'pin'), undefined, true));
}

t.test('IPEK from BDK and initial KSN (X9.24-1:2009 A.4)', async (t) => {
  t.equal(toHex(deriveIpek(BDK, IKSN)), IPEK);
  t.equal(toHex(deriveIpek(BDK, fromHex('FFFF9876543210E00008'))), IPEK, 'the counter is masked off');
});

t.test('direct derivation: A.4.2 initial sequence keys and PIN blocks', async (t) => {
  const ipek = fromHex(IPEK);
  for (const [counter, key, block] of INITIAL) {
    const ksn = ksnWithCounter(IKSN, counter);
    const txn = deriveTransactionKey(ipek, ksn);
    t.equal(toHex(txn), key, `transaction key ${counter}`);
    t.equal(pinBlockUnder(txn), block, `PIN block ${counter}`);
  }
});

t.test('terminal (future key registers): A.4.2 sequence in order, KSNs advancing', async (t) => {
  const term = DukptTdesTerminal.load(fromHex(IPEK), IKSN);
  t.equal(toHex(term.currentKsn), 'FFFF9876543210E00001');
  for (const [counter, key, block] of INITIAL) {
    const tx = term.nextTransaction();
    t.equal(tx.counter, counter);
    t.equal(toHex(tx.ksn), toHex(ksnWithCounter(IKSN, counter)));
    t.equal(toHex(tx.key), key);
    t.equal(pinBlockUnder(tx.key), block);
  }
});

t.test('A.4.3 rollover sequence: direct, and the terminal skipping counters with more than 10 one bits', async (t) => {
  const ipek = fromHex(IPEK);
  for (const [counter, key, block] of ROLLOVER) {
    const txn = deriveTransactionKey(ipek, ksnWithCounter(IKSN, counter));
    t.equal(toHex(txn), key, `direct ${counter.toString(16)}`);
    t.equal(pinBlockUnder(txn), block);
  }
  // Put a terminal at counter 0FF800 (register of bit 11 holds its key; the bit-20 register
  // still holds the key of 100000 from the load) and let it run: it must produce exactly
  // the published KSN sequence, skipping e.g. 0FF803 (11 one bits).
  const loaded = DukptTdesTerminal.load(ipek, IKSN).exportState();
  const state = Uint8Array.from(loaded);
  const regs = state.subarray(10);
  new DataView(regs.buffer, regs.byteOffset).setUint32(0, 0x0ff800);
  regs.set(fromHex(ROLLOVER[0]![1]), 8 + 11 * 16);
  const term = DukptTdesTerminal.importState(state);
  for (const [counter, key] of ROLLOVER) {
    const tx = term.nextTransaction();
    t.equal(tx.counter.toString(16), counter.toString(16));
    t.equal(toHex(tx.key), key);
  }
});

t.test('working keys of transaction key 1: variants and the data key one-way function', async (t) => {
  // Counter-1 variants of the A.4 transaction key, as published by DUKPT test suites
  // (e.g. the node "dukpt" package's test data: pin, mac, data for FFFF9876543210E00001/2).
  const txn = fromHex('042666B49184CFA368DE9628D0397BC9');
  const w = workingKeys(txn);
  t.equal(toHex(w.pinKey), '042666B49184CF5C68DE9628D0397B36');
  t.equal(toHex(w.macRequestKey), '042666B4918430A368DE9628D03984C9');
  t.equal(toHex(w.macResponseKey), '042666B46E84CFA368DE96282F397BC9');
  t.equal(toHex(w.dataRequestKey), '448D3F076D8304036A55A3D7E0055A78');
  t.equal(toHex(dataKeyOneWay(variantKey(fromHex('C46551CEF9FD24B0AA9AD834130D3BC7'), 'dataRequest'))), 'F1BE73B36135C5C26CF937D50ABBE5AF');
  t.equal(toHex(w.dataResponseKey), toHex(dataKeyOneWay(variantKey(txn, 'dataResponse'))));
  t.not(toHex(w.dataResponseKey), toHex(variantKey(txn, 'dataResponse')), 'the one-way function changes the variant key');
});

t.test('counter rules: valid counters only, at most 10 one bits, 21 bits, exhaustion', async (t) => {
  t.notOk(isValidCounter(0), 'counter 0 is the initial KSN, not a transaction');
  t.ok(isValidCounter(0x0ff801), '10 one bits');
  t.notOk(isValidCounter(0x0ff803), '11 one bits');
  t.notOk(isValidCounter(0x200000), '22 bits');
  t.equal(nextCounter(0x0ff801), 0x0ff802, 'skips 0FF803..0FF801+1 with 11 bits');
  t.equal(nextCounter(0x0ffc00), 0x100000);
  t.equal(nextCounter(0x1ff800), null, 'the last valid counter has no successor');
  // Walk the whole counter space: every counter visited is valid, none is missed.
  let c: number | null = 1;
  let n = 0;
  let last = 0;
  while (c !== null) {
    if (popcount(c) > 10 || c <= last) break;
    last = c;
    n++;
    c = nextCounter(c);
  }
  t.equal(n, 1048575, 'sum of C(21,k) for k = 1..10 counters');
  t.equal(last, 0x1ff800);
});

t.test('terminal exhaustion is reported', async (t) => {
  const ipek = fromHex(IPEK);
  const state = DukptTdesTerminal.load(ipek, IKSN).exportState();
  const regs = state.subarray(10);
  new DataView(regs.buffer, regs.byteOffset).setUint32(0, 0x1ff800);
  const lastKsn = ksnWithCounter(IKSN, 0x1ff800);
  regs.set(deriveTransactionKey(ipek, lastKsn), 8 + 11 * 16);
  const term = DukptTdesTerminal.importState(state);
  const tx = term.nextTransaction();
  t.equal(toHex(tx.ksn), toHex(lastKsn));
  t.ok(term.exhausted);
  t.throws(() => term.nextTransaction(), { name: 'KeyError', code: 'KEY_DUKPT_EXHAUSTED' });
  t.throws(() => term.currentKsn, { code: 'KEY_DUKPT_EXHAUSTED' });
});

t.test('state export and import: a restarted terminal continues where it stopped', async (t) => {
  const a = DukptTdesTerminal.load(fromHex(IPEK), IKSN);
  for (let i = 0; i < 5; i++) a.nextTransaction();
  const b = DukptTdesTerminal.importState(a.exportState());
  for (const [counter, key] of INITIAL.slice(5, 10)) {
    const ta = a.nextTransaction();
    const tb = b.nextTransaction();
    t.equal(tb.counter, counter);
    t.equal(toHex(tb.key), key);
    t.equal(toHex(ta.key), key);
  }
  b.destroy();
  t.ok(b.exhausted, 'a destroyed terminal hands out nothing');
  t.throws(() => b.nextTransaction(), { code: 'KEY_DUKPT_EXHAUSTED' });
});

t.test('bad input is a clear error', async (t) => {
  t.throws(() => deriveIpek(new Uint8Array(8), IKSN), { code: 'KEY_BAD_LENGTH' });
  t.throws(() => deriveIpek(BDK, new Uint8Array(9)), { code: 'KEY_BAD_LENGTH' });
  t.throws(() => deriveTransactionKey(fromHex(IPEK), IKSN), { code: 'KEY_KSN_INVALID' }, 'counter 0');
  t.throws(() => deriveTransactionKey(fromHex(IPEK), ksnWithCounter(IKSN, 0x0ff803)), { code: 'KEY_KSN_INVALID' }, '11 one bits');
  t.throws(() => DukptTdesTerminal.load(fromHex(IPEK), fromHex('FFFF9876543210E00001')), { code: 'KEY_KSN_INVALID' });
  t.throws(() => DukptTdesTerminal.importState(new Uint8Array(20)), { code: 'KEY_DUKPT_STATE' });
  t.equal(ksnCounter(fromHex('FFFF9876543210FFFFFF')), 0x1fffff);
});
