// Text encodings for the printer. Vectors: the Unicode consortium's CP437.TXT mapping
// table (IBM PC code page 437, Epson code table 0, esc_lt), and GB 18030-2005 code
// points (GB2312 two-byte codes 中 D6D0, 文 CEC4, 收据 CAD5 BEDD; € A2E3; the first
// four-byte code U+0080 = 81 30 81 30; ¥ U+00A5 = 81 30 84 36; the first supplementary
// code point U+10000 = 90 30 81 30).
import t from 'tap';
import fc from 'fast-check';
import { charColumns, encodeText, gb18030CharLength, loadTextCodec } from '../../../hal/devices/escpos/text-encoding.js';

const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

t.test('ascii', async (t) => {
  t.equal(h(await encodeText('Total 12.34', 'ascii')), Buffer.from('Total 12.34').toString('hex').toUpperCase());
  await t.rejects(encodeText('Café', 'ascii'), { code: 'HAL_INVALID_ARGUMENT', message: /U\+00E9 at position 3/ });
});

t.test('cp437 (CP437.TXT)', async (t) => {
  const vectors: [string, number][] = [
    ['Ç', 0x80], ['ü', 0x81], ['é', 0x82], ['£', 0x9c], ['ñ', 0xa4], ['½', 0xab],
    ['░', 0xb0], ['ß', 0xe1], ['µ', 0xe6], ['°', 0xf8], ['■', 0xfe], ['\u00a0', 0xff],
  ];
  const codec = await loadTextCodec('cp437');
  for (const [ch, b] of vectors) {
    t.same([...codec.encode(ch)], [b], `${ch} -> ${b.toString(16)}`);
    t.equal(codec.decode(Uint8Array.of(b)), ch, `${b.toString(16)} -> ${ch}`);
  }
  // The whole upper half round-trips and is a permutation of 0x80..0xFF.
  const upper = Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i);
  const text = codec.decode(upper);
  t.equal([...text].length, 128);
  t.same([...codec.encode(text)], [...upper]);
  t.throws(() => codec.encode('€'), { code: 'HAL_INVALID_ARGUMENT' }, 'CP437 has no euro sign');
});

t.test('gb18030 (GB 18030-2005)', async (t) => {
  const codec = await loadTextCodec('gb18030');
  const vectors: [string, string][] = [
    ['中', 'D6D0'],
    ['文', 'CEC4'],
    ['收据', 'CAD5BEDD'],
    ['€', 'A2E3'],
    ['¥', '81308436'],
    ['\u{10000}', '90308130'],
    ['A1 中', '413120D6D0'],
  ];
  for (const [text, bytes] of vectors) {
    t.equal(h(codec.encode(text)), bytes, `${text} -> ${bytes}`);
    t.equal(codec.decode(Buffer.from(bytes, 'hex')), text, `${bytes} -> ${text}`);
  }
  t.equal(gb18030CharLength(0xd6, 0xd0), 2, 'two-byte code (second byte 0x40..0xFE)');
  t.equal(gb18030CharLength(0x81, 0x30), 4, 'four-byte code (second byte 0x30..0x39)');
  t.equal(gb18030CharLength(0x41, 0x42), 1, 'ASCII');
  t.equal(gb18030CharLength(0x80, 0x30), 1, '0x80 does not start a code');
});

t.test('control characters are refused in every charset (they would be commands)', async (t) => {
  for (const cs of ['ascii', 'cp437', 'gb18030'] as const) {
    for (const bad of ['a\nb', 'x\x1bd\x05', '\x1dV\x00', 'tab\there', '\x7f', '\u0085']) {
      await t.rejects(encodeText(bad, cs), { code: 'HAL_INVALID_ARGUMENT' }, `${cs}: ${JSON.stringify(bad)}`);
    }
  }
  await t.rejects(encodeText('\ud800', 'gb18030'), { code: 'HAL_INVALID_ARGUMENT' }, 'lone surrogate');
});

t.test('no encoded text ever contains a byte below 0x20 (property)', async (t) => {
  const codecs = await Promise.all((['cp437', 'gb18030'] as const).map((c) => loadTextCodec(c)));
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      for (const codec of codecs) {
        let out: Uint8Array;
        try {
          out = codec.encode(s);
        } catch {
          continue;
        }
        if (out.some((b) => b < 0x20)) return false;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
  t.pass('held for 2000 random strings');
});

t.test('unknown charset', async (t) => {
  await t.rejects(loadTextCodec('utf-7' as never), { code: 'HAL_INVALID_ARGUMENT' });
});

t.test('column widths: CJK characters take two font-A cells', async (t) => {
  t.equal(charColumns('A'), 1);
  t.equal(charColumns('中'), 2);
  t.equal(charColumns('，'), 2, 'full-width comma');
  t.equal(charColumns('é'), 1);
});
