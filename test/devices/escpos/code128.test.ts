// CODE128 symbols for the PNG renderer (ISO/IEC 15417): each symbol 11 modules, the stop
// 13; bar modules of every symbol sum to an even number (the symbology's parity rule);
// checksum (start + sum of position x value) mod 103, worked by hand below.
import t from 'tap';
import { CODE128_PATTERNS, code128Values, code128Widths } from '../../../hal/devices/escpos/code128.js';

t.test('the pattern table', async (t) => {
  t.equal(CODE128_PATTERNS.length, 107);
  t.equal(new Set(CODE128_PATTERNS).size, 107, 'all distinct');
  CODE128_PATTERNS.forEach((p, v) => {
    const w = [...p].map(Number);
    t.equal(w.reduce((a, b) => a + b, 0), v === 106 ? 13 : 11, `value ${v} width`);
    const bars = w.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0);
    t.equal(bars % 2, 0, `value ${v}: even bar modules`);
  });
  t.equal(CODE128_PATTERNS[104], '211214', 'Start B');
  t.equal(CODE128_PATTERNS[105], '211232', 'Start C');
});

t.test('values and checksum', async (t) => {
  // "PJJ123C" in set B: P=48 J=42 J=42 1=17 2=18 3=19 C=35;
  // 104 + 48*1 + 42*2 + 42*3 + 17*4 + 18*5 + 19*6 + 35*7 = 879; 879 mod 103 = 55.
  t.same(code128Values('PJJ123C', 'B'), [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]);
  // "123456" in set C: 12 34 56; 105 + 12 + 68 + 168 = 353; 353 mod 103 = 44.
  t.same(code128Values('123456', 'C'), [105, 12, 34, 56, 44, 106]);
  // Set A control characters: NUL is value 64 (hardware.md; ISO/IEC 15417 table 1).
  t.same(code128Values('A\x00', 'A'), [103, 33, 64, (103 + 33 + 128) % 103, 106]);
  t.equal(code128Values('123', 'C'), undefined, 'odd digit count');
  t.equal(code128Values('a', 'A'), undefined, 'lowercase is not in set A');
  t.equal(code128Widths(code128Values('123456', 'C')!).reduce((a, b) => a + b, 0), 11 * 5 + 13);
});
