import t from 'tap';
import { checkRecord, containsClearPan, mdrFee, summarise, addToTotals, type BatchTotalsState } from '../../src/journal/index.js';
import { outcome, pending, TEST_PAN } from './fixtures/journal-fixture.js';

const code = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

t.test('the guard refuses what DESIGN "Data rules" says is never stored', async (t) => {
  t.equal(code(() => checkRecord(pending('a', 100))), undefined, 'a pending sale with the PAN in its pan field passes');
  const forbidden: Record<string, unknown> = {
    track2: `${TEST_PAN}=25122011234567890`,
    track1: 'B4761739001010010^TEST/CARD^2512201',
    track: 'x',
    cvv: '123',
    cvc2: '123',
    pin: '1234',
    pinBlock: '041234FFFFFFFFFF',
    '57': '4761739001010010D2512201',
    '5A': TEST_PAN,
    track2Equivalent: 'x',
  };
  for (const [name, value] of Object.entries(forbidden)) {
    t.equal(code(() => checkRecord({ ...pending('a', 1), [name]: value })), 'JOURNAL_SENSITIVE', `field "${name}" refused`);
    t.equal(code(() => checkRecord({ type: 'audit', at: 'x', event: { nested: { [name]: value } } })), 'JOURNAL_SENSITIVE', `nested field "${name}" refused`);
  }
  t.equal(code(() => checkRecord({ ...pending('a', 1), maskedPan: TEST_PAN })), 'JOURNAL_SENSITIVE', 'a clear PAN in another field is refused');
  t.equal(code(() => checkRecord({ type: 'audit', at: 'x', event: { note: `card ${TEST_PAN} used` } })), 'JOURNAL_SENSITIVE', 'a PAN inside text is refused');
  t.equal(code(() => checkRecord({ type: 'audit', at: 'x', event: { n: 4761739001010010 } })), 'JOURNAL_SENSITIVE', 'a PAN as a number is refused');
  t.equal(code(() => checkRecord({ type: 'reversal-owed', at: 'x', item: { id: '1' }, iso: { '52': '0123456789ABCDEF' } })), 'JOURNAL_SENSITIVE', 'ISO 8583 field 52 (PIN block) refused');
  t.equal(code(() => checkRecord({ type: 'reversal-owed', at: 'x', item: { id: '1' }, iso: { '35': `${TEST_PAN}=2512` } })), 'JOURNAL_SENSITIVE', 'ISO 8583 field 35 (track 2) refused');
  t.equal(code(() => checkRecord({ type: 'reversal-owed', at: 'x', item: { id: '1' }, iso: { '90': '020000012311281203450000000000000000000000' } })), undefined, 'field 90 (42 digits) is not a PAN');
});

t.test('a cryptogram (9F26, any 8 bytes, EMV Book 3 Annex A) that reads as Luhn-valid digits is stored', async (t) => {
  // 4761739001010010 passes Luhn: as a PAN anywhere else it is refused (above); as the 8
  // bytes 47 61 73 90 01 01 00 10 of an ARQC it is an ordinary cryptogram.
  const arqc = '4761739001010010';
  t.ok(containsClearPan(arqc), 'the digits pass Luhn');
  t.equal(code(() => checkRecord({ ...outcome('a', 1), cryptogram: arqc, cryptogramType: 'ARQC' })), undefined, 'the outcome record passes');
  t.equal(code(() => checkRecord({ ...outcome('a', 1), cryptogram: '47617390010100' })), 'JOURNAL_RECORD', '7 bytes: refused');
  t.equal(code(() => checkRecord({ ...outcome('a', 1), cryptogram: '4761739001010010AB' })), 'JOURNAL_RECORD', '9 bytes: refused');
  t.equal(code(() => checkRecord({ ...outcome('a', 1), cryptogram: '4761739001O10010' })), 'JOURNAL_RECORD', 'not hex: refused');
  t.equal(code(() => checkRecord({ ...outcome('a', 1), reason: `ARQC ${arqc}` })), 'JOURNAL_SENSITIVE', 'the same digits in free text are still refused');
  t.equal(code(() => checkRecord({ type: 'audit', at: 'x', event: { cryptogram: arqc } })), 'JOURNAL_SENSITIVE', 'only the top-level cryptogram field is a byte string');
});

t.test('record shape', async (t) => {
  t.equal(code(() => checkRecord({ ...pending('a', 1), amount: 1.5 })), 'JOURNAL_RECORD', 'money is integer minor units');
  t.equal(code(() => checkRecord({ ...pending('a', 1), amount: -1 })), 'JOURNAL_RECORD');
  t.equal(code(() => checkRecord({ type: 'nope', at: 'x' })), 'JOURNAL_RECORD');
  t.equal(code(() => checkRecord(null)), 'JOURNAL_RECORD');
  t.equal(code(() => checkRecord({ ...pending('a', 1), pan: '47617390010100AB' })), 'JOURNAL_RECORD');
});

t.test('containsClearPan: Luhn (ISO/IEC 7812-1 Annex B) on runs of 13-19 digits', async (t) => {
  t.ok(containsClearPan('4111111111111111'), 'the classic Visa test number');
  t.notOk(containsClearPan('4111111111111112'), 'wrong check digit');
  t.notOk(containsClearPan('411111111111'), '12 digits is not a PAN');
  t.ok(containsClearPan('x5555555555554444y'), 'Mastercard test number inside text');
});

t.test('MDR fee: exact integer arithmetic, half away from zero', async (t) => {
  // 0.38 % of 1234 = 4.6892 -> 5; 0.6 % of 250 = 1.5 -> 2; 0.6 % of 249 = 1.494 -> 1.
  t.equal(mdrFee(1234, 0.38), 5);
  t.equal(mdrFee(250, 0.6), 2);
  t.equal(mdrFee(249, 0.6), 1);
  t.equal(mdrFee(-250, 0.6), -2, 'a negative net gives a negative fee, rounded the same way');
  // 0.0001 % of 5,000,000 = 5 exactly.
  t.equal(mdrFee(5_000_000, 0.0001), 5);
  t.equal(mdrFee(Number.MAX_SAFE_INTEGER, 100), Number.MAX_SAFE_INTEGER, 'no overflow (BigInt)');
});

t.test('totals: sales and completions in, refunds and voids out, training and declines not counted', async (t) => {
  const s: BatchTotalsState = { batch: 1, rows: {} };
  addToTotals(s, outcome('1', 1000));
  addToTotals(s, outcome('2', 500, { scheme: 'visa' }));
  addToTotals(s, outcome('3', 200, { txnType: 'refund' }));
  addToTotals(s, outcome('4', 700, { result: 'declined' }));
  addToTotals(s, outcome('5', 900, { training: true }));
  addToTotals(s, outcome('6', 300, { currency: 'USD', scheme: 'visa' }));
  addToTotals(s, outcome('7', 1000, { txnType: 'void' }));
  addToTotals(s, outcome('8', 50, { txnType: 'preauth' }));
  const r = summarise(s, { unionpay: 0.38, visa: 0.6 });
  const cny = r.byCurrency.CNY!;
  t.equal(cny.net, 1000 + 500 - 200 - 1000);
  t.equal(cny.count, 4, 'the preauth moves no money');
  t.same(cny.byType.sale, { count: 2, amount: 1500 });
  t.same(cny.byType.preauth, { count: 1, amount: 50 });
  t.equal(cny.byScheme.unionpay!.net, 1000 - 200 - 1000);
  t.equal(cny.byScheme.visa!.fee, 3, '0.6 % of 500');
  t.equal(r.byCurrency.USD!.net, 300);
  t.equal(r.byCurrency.USD!.fee, 2, '0.6 % of 300 = 1.8 -> 2');
});
