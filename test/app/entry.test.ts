// Amount and text entry on a digit keypad, free of I/O.
import t from 'tap';
import fc from 'fast-check';
import { ALPHA_GROUPS, AMOUNT_MAX_DIGITS, AmountEntry, TextEntry, alphaKeysFor, formatAmount, keysToType } from '../../src/app/entry.js';

t.test('amount: digits shift in from the right, in minor units', async (t) => {
  const a = new AmountEntry();
  for (const k of ['1', '2', '3', '4']) t.ok(a.key(k));
  t.equal(a.value, 1234);
  t.equal(formatAmount(a.value, 'CNY', 2), 'CNY 12.34');
  t.ok(a.clear());
  t.equal(a.value, 123);
  t.ok(a.key('00'));
  t.equal(a.value, 12300, '"00" enters two zeros');
  t.notOk(a.key('ENTER'));
  t.notOk(a.key('F1'));
  while (a.clear());
  t.equal(a.value, 0);
  t.notOk(a.clear(), 'nothing left to clear');
  t.ok(a.key('0'));
  t.equal(a.value, 0, 'leading zeros stay zero');
});

t.test('amount display per ISO 4217 minor-unit exponent', async (t) => {
  // ISO 4217: JPY has 0 decimals, CNY/USD/EUR 2, BHD (Bahraini dinar) 3.
  t.equal(formatAmount(1234, 'JPY', 0), 'JPY 1234');
  t.equal(formatAmount(1234, 'CNY', 2), 'CNY 12.34');
  t.equal(formatAmount(5, 'USD', 2), 'USD 0.05');
  t.equal(formatAmount(0, 'EUR', 2), 'EUR 0.00');
  t.equal(formatAmount(1234, 'BHD', 3), 'BHD 1.234');
  t.equal(formatAmount(7, 'BHD', 3), 'BHD 0.007');
  t.equal(formatAmount(-150, 'CNY', 2), 'CNY -1.50');
});

t.test('amount: at most 12 digits (ISO 8583 field 4 is n12), then keys are refused', async (t) => {
  t.equal(AMOUNT_MAX_DIGITS, 12);
  const a = new AmountEntry();
  for (let i = 0; i < 12; i++) t.ok(a.key('9'));
  t.notOk(a.key('9'));
  t.notOk(a.key('00'));
  t.equal(a.value, 999_999_999_999);
  const b = new AmountEntry(4);
  t.ok(b.key('1'));
  t.ok(b.key('00'));
  t.notOk(b.key('00'), '"00" that would make 5 digits is refused whole');
  t.equal(b.value, 100);
  t.equal(new AmountEntry(12, 5000).value, 5000, 'an initial amount (refund, completion)');
  t.throws(() => new AmountEntry(0));
});

t.test('amount entry never leaves integer minor units within the digit limit, whatever is keyed', async () => {
  const keys = fc.constantFrom('0', '1', '5', '9', '00', 'CLEAR', 'ENTER', 'CANCEL', 'FUNC', 'F1', '');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.array(keys, { maxLength: 60 }), (max, seq) => {
      const a = new AmountEntry(max);
      for (const k of seq) if (k === 'CLEAR') a.clear();
      else a.key(k);
      return Number.isSafeInteger(a.value) && a.value >= 0 && String(a.value).length <= max;
    }),
  );
});

t.test('text entry: ALPHA turns the last digit into the letters of its key (ITU-T E.161)', async (t) => {
  // E.161 assigns ABC to 2, DEF to 3, GHI to 4, JKL to 5, MNO to 6, PQRS to 7, TUV to 8, WXYZ to 9.
  const e161: Record<string, string> = { '2': 'abc', '3': 'def', '4': 'ghi', '5': 'jkl', '6': 'mno', '7': 'pqrs', '8': 'tuv', '9': 'wxyz' };
  for (const [digit, letters] of Object.entries(e161)) {
    t.equal(ALPHA_GROUPS[digit]!.slice(1, 1 + letters.length), letters, `key ${digit}`);
    t.equal(ALPHA_GROUPS[digit]!.slice(1 + letters.length), letters.toUpperCase());
  }
  const e = new TextEntry(32, { alpha: true, masked: false });
  const type = (text: string): void => {
    for (const ch of text) {
      const k = alphaKeysFor(ch)!;
      e.key(k.digit, 'F1');
      for (let i = 0; i < k.presses; i++) e.key('F1', 'F1');
    }
  };
  type('cashier-test');
  t.equal(e.value, 'cashier-test');
  t.ok(e.clear());
  t.equal(e.value, 'cashier-tes');
  t.notOk(e.key('F1', 'F1'), 'ALPHA right after CLEAR does not change a typed character');
  e.key('8', 'F1');
  e.key('F1', 'F1');
  t.equal(e.value, 'cashier-test');
  const s = new TextEntry(8, { alpha: true, masked: true });
  s.key('7', 'F1');
  t.equal(s.shown, '*', 'a masked digit never shows');
  s.key('F1', 'F1');
  t.equal(s.shown, 'p', 'a letter being chosen shows, to see which one');
  s.key('3', 'F1');
  t.equal(s.shown, '**');
  t.equal(s.value, 'p3');
  s.wipe();
  t.equal(s.value, '');
  const offered = new TextEntry(32, { alpha: true, masked: false }, 'sa');
  t.equal(offered.value, 'sa', 'an offered value');
  t.notOk(offered.key('F1', 'F1'), 'is not cycled');
  offered.key('2', 'F1');
  t.equal(offered.value, 'sa2');
  const digits = new TextEntry(4, { alpha: false, masked: false });
  t.notOk(digits.key('F1', 'F1'));
  for (const k of ['1', '2', '3', '4', '5']) digits.key(k, undefined);
  t.equal(digits.value, '1234', 'max length');
});

t.test('every character of every group can be typed back', async (t) => {
  for (const group of Object.values(ALPHA_GROUPS)) {
    for (const ch of group) {
      const k = alphaKeysFor(ch)!;
      const e = new TextEntry(4, { alpha: true, masked: false });
      e.key(k.digit, 'F1');
      for (let i = 0; i < k.presses; i++) e.key('F1', 'F1');
      t.equal(e.value, ch);
    }
  }
  t.equal(alphaKeysFor('~'), undefined);
});

t.test('keysToType: the presses that type a text, typed back into a field', async (t) => {
  t.same(keysToType('c1', 'F1'), ['2', 'F1', 'F1', 'F1', '1']);
  t.equal(keysToType('a~', 'F1'), undefined);
  for (const text of ['cashier-test', 'Test-only-Adm1n!', 'super-test', '2580']) {
    const e = new TextEntry(64, { alpha: true, masked: true });
    for (const k of keysToType(text, 'ALPHA')!) e.key(k, 'ALPHA');
    t.equal(e.value, text);
  }
});
