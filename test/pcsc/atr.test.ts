// ATR decoding against the rules of ISO/IEC 7816-3:2006 clause 8 and the basic ATRs of EMV
// Book 1 (v4.4) 8.3: each expected value is read off the standard's tables by hand, never
// taken from the parser's output.
import t from 'tap';
import fc from 'fast-check';
import { parseAtr, firstProtocol } from '../../emv/atr/atr.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { isEmvError } from '../../emv/errors.js';

t.test('no interface bytes: 3B 02 14 50', async (t) => {
  const atr = parseAtr(fromHex('3B021450'));
  t.equal(atr.convention, 'direct', 'TS 3B');
  t.equal(atr.t0, 0x02, 'Y1 = 0 (no TA1..TD1), K = 2');
  t.strictSame(atr.groups.map((g) => g.index), [1]);
  t.equal(toHex(atr.historical), '1450');
  t.strictSame(atr.protocols, [0], '8.2.3: no TD1 means T=0');
  t.equal(atr.tck, undefined, '8.2.5: only T=0 indicated, no TCK');
  t.equal(atr.fi, 372, 'Fi default (TA1 absent)');
  t.equal(atr.di, 1);
});

t.test('EMV basic ATR for a T=0 card: 3B 65 00 00 9C 11 01 01 03', async (t) => {
  // EMV Book 1 8.3 (T=0 basic ATR): T0 = 6x (TB1 and TC1 present), TB1 = 00 (no VPP), TC1 = 00.
  const atr = parseAtr(fromHex('3B6500009C11010103'));
  t.equal(atr.groups[0]!.ta, undefined);
  t.equal(atr.groups[0]!.tb, 0x00);
  t.equal(atr.groups[0]!.tc, 0x00);
  t.equal(atr.extraGuardTime, 0, 'TC1 = 00: N = 0');
  t.equal(toHex(atr.historical), '9C11010103', 'K = 5');
  t.strictSame(atr.protocols, [0]);
  t.equal(firstProtocol(atr), 0);
  t.equal(atr.waitingInteger, 10, 'WI default (TC2 absent)');
});

t.test('EMV basic ATR for a T=1 card: 3B E0 00 00 81 31 FE 45 EB', async (t) => {
  // EMV Book 1 8.3 (T=1 basic ATR): T0 = Ex, TB1 = 00, TC1 = 00, TD1 = 81 (TD2 follows, T=1),
  // TD2 = 31 (TA3 TB3 follow, T=1), TA3 = IFSC, TB3 = BWI/CWI, then TCK. TCK by hand:
  // E0^00^00^81^31^FE^45 = EB (8.2.5: XOR of T0..TCK is 00).
  const atr = parseAtr(fromHex('3BE000008131FE45EB'));
  t.strictSame(atr.protocols, [1]);
  t.equal(atr.tck, 0xeb);
  t.strictSame(atr.t1, { ifsc: 254, bwi: 4, cwi: 5, edc: 'lrc' }, '11.4: TA3 FE, TB3 45, no TC3 = LRC');
  t.equal(atr.groups.length, 3);
  t.equal(atr.groups[2]!.protocol, 1, 'group 3 announced by TD2 (T=1)');
  t.equal(firstProtocol(atr), 1);
});

t.test('inverse convention: TS 3F', async (t) => {
  t.equal(parseAtr(fromHex('3F600000')).convention, 'inverse');
});

t.test('TA1 gives Fi/f(max) and Di (ISO/IEC 7816-3 Tables 7 and 8)', async (t) => {
  const a = parseAtr(fromHex('3B1096'));
  t.strictSame([a.fi, a.fMaxMhz, a.di], [512, 5, 32], 'FI 9 -> 512, 5 MHz; DI 6 -> 32');
  const b = parseAtr(fromHex('3B1011'));
  t.strictSame([b.fi, b.fMaxMhz, b.di], [372, 5, 1], 'FI 1 -> 372, 5 MHz; DI 1 -> 1');
  const c = parseAtr(fromHex('3B1018'));
  t.equal(c.di, 12, 'DI 8 -> 12');
  const d = parseAtr(fromHex('3B10D4'));
  t.strictSame([d.fi, d.fMaxMhz, d.di], [2048, 20, 8], 'FI D -> 2048, 20 MHz; DI 4 -> 8');
});

t.test('TA2 = specific mode (8.3); T=15 global bytes need a TCK (8.2.5)', async (t) => {
  const s = parseAtr(fromHex('3B90111080'));
  t.strictSame(s.specificMode, { protocol: 0, canChange: false, implicitParameters: false }, 'TA2 80: T=0, bit 8 set: cannot change');
  t.equal(s.tck, undefined, 'TD1 indicates T=0 only: no TCK');
  // TD1 80 (TD2 follows, T=0), TD2 1F (TA3 follows, T=15), TA3 07; TCK = 80^80^1F^07 = 18.
  const g = parseAtr(fromHex('3B80801F0718'));
  t.strictSame(g.protocols, [0], 'T=15 is not a protocol');
  t.equal(g.tck, 0x18);
});

const malformed: Array<[string, string, RegExp]> = [
  ['', 'empty', /0 bytes/],
  ['3A021450', 'TS neither 3B nor 3F', /TS 3A/],
  ['3B10', 'TA1 announced, missing', /TA1 announced/],
  ['3B0214', 'two historical bytes announced, one present', /historical/],
  ['3BE000008131FE45', 'T=1 without TCK', /TCK missing/],
  ['3BE000008131FE45EA', 'TCK wrong', /TCK EA does not check/],
  ['3B021450AA', 'a byte after the historical bytes', /after the historical/],
  ['3B1071', 'FI 7 is reserved', /reserved/],
  ['3B1010', 'DI 0 is reserved', /reserved/],
  ['3B0F' + '00'.repeat(15) + '00'.repeat(17), 'longer than 33 bytes', /at most 33/],
];

t.test('malformed ATRs: EMV_ATR_MALFORMED naming the fault', async (t) => {
  for (const [hex, what, message] of malformed) {
    t.throws(() => parseAtr(fromHex(hex)), { code: 'EMV_ATR_MALFORMED', message }, what);
  }
});

t.test('random bytes: a decoded ATR or EMV_ATR_MALFORMED, nothing else', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (bytes) => {
      try {
        const atr = parseAtr(bytes);
        return atr.bytes.length === bytes.length && atr.protocols.length > 0;
      } catch (err) {
        return isEmvError(err, 'EMV_ATR_MALFORMED');
      }
    }),
    { numRuns: 5000 },
  );
  t.pass('5000 random inputs');
});

t.test('random well-formed ATRs decode to what was encoded', async (t) => {
  // Built by the 8.2 rules: Y nibbles, interface bytes, K historical bytes, TCK unless only T=0.
  const group = fc.record({ ta: fc.option(fc.integer({ min: 0, max: 255 })), tb: fc.option(fc.integer({ min: 0, max: 255 })), tc: fc.option(fc.integer({ min: 0, max: 255 })), t: fc.constantFrom(0, 1, 15) });
  fc.assert(
    fc.property(fc.array(group, { minLength: 0, maxLength: 3 }), fc.uint8Array({ maxLength: 15 }), fc.constantFrom(0x3b, 0x3f), (groups, hist, ts) => {
      // TA1 is left out: reserved FI/DI values are errors by design.
      const out: number[] = [ts];
      const y = (g: (typeof groups)[number] | undefined, hasTd: boolean, first: boolean): number =>
        (g?.ta !== null && g?.ta !== undefined && !first ? 1 : 0) | (g?.tb !== null && g?.tb !== undefined ? 2 : 0) | (g?.tc !== null && g?.tc !== undefined ? 4 : 0) | (hasTd ? 8 : 0);
      // group[0] gives the bytes of group 1, groups[i].t is the T of TD(i+1) announcing group i+2.
      const n = groups.length;
      const first = groups[0];
      out.push((y(first, n > 1, true) << 4) | hist.length);
      for (let i = 0; i < n; i++) {
        const g = groups[i]!;
        if (g.ta !== null && i > 0) out.push(g.ta);
        if (g.tb !== null) out.push(g.tb);
        if (g.tc !== null) out.push(g.tc);
        if (i < n - 1) out.push((y(groups[i + 1], i + 2 < n, false) << 4) | g.t);
      }
      out.push(...hist);
      const named = groups.slice(0, -1).map((g) => g.t);
      if (named.some((p) => p !== 0)) out.push(out.slice(1).reduce((a, b) => a ^ b, 0));
      const atr = parseAtr(Uint8Array.from(out));
      const protocols = [...new Set(named.filter((p) => p !== 15))];
      return toHex(atr.historical) === toHex(hist) && JSON.stringify(atr.protocols) === JSON.stringify(protocols.length ? protocols : [0]) && atr.convention === (ts === 0x3b ? 'direct' : 'inverse');
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 generated ATRs');
});
