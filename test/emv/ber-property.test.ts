// Properties of the BER-TLV codec: encode then decode is the identity on generated trees,
// and decoding arbitrary bytes returns or throws EmvError, never anything else.
import t from 'tap';
import fc from 'fast-check';
import { decodeTlv, encodeTlv, type Tlv, type TlvInput } from '../../emv/ber/tlv.js';
import { toHex } from '../../emv/bytes.js';
import { EmvError } from '../../emv/errors.js';
import { tlvForest } from './fixtures/tlv-arbitrary.js';

type Plain = { tag: number; value: string } | { tag: number; children: Plain[] };

function plainInput(n: TlvInput): Plain {
  return 'children' in n ? { tag: n.tag, children: n.children.map(plainInput) } : { tag: n.tag, value: toHex(n.value) };
}
function plainDecoded(n: Tlv): Plain {
  return n.children !== undefined ? { tag: n.tag, children: n.children.map(plainDecoded) } : { tag: n.tag, value: toHex(n.value) };
}

t.test('decode(encode(tree)) is the tree', async (t) => {
  fc.assert(
    fc.property(tlvForest, (forest) => {
      const bytes = encodeTlv(forest);
      const back = decodeTlv(bytes).map(plainDecoded);
      t.same(back, forest.map(plainInput));
      // and encoding is deterministic: decode then encode gives the same bytes
      return toHex(encodeTlv(decodeTlv(bytes))) === toHex(bytes);
    }),
    { numRuns: 300 },
  );
});

function onlyEmvErrors(bytes: Uint8Array): boolean {
  for (const lenient of [false, true]) {
    try {
      decodeTlv(bytes, { lenient });
    } catch (err) {
      if (!(err instanceof EmvError)) return false;
      if (err.offset === undefined || err.offset < 0 || err.offset > bytes.length) return false;
    }
  }
  return true;
}

t.test('random bytes: a result or an EmvError with an offset inside the input', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), onlyEmvErrors), { numRuns: 5000 });
  t.pass('5000 random inputs');
});

t.test('corrupted encodings (truncated, a byte changed): a result or an EmvError', async (t) => {
  const corrupted = fc.tuple(tlvForest, fc.nat(), fc.nat({ max: 255 }), fc.boolean()).map(([forest, at, byte, cut]) => {
    const bytes = encodeTlv(forest);
    if (bytes.length === 0) return bytes;
    const i = at % bytes.length;
    if (cut) return bytes.subarray(0, i);
    const copy = Uint8Array.from(bytes);
    copy[i] = byte;
    return copy;
  });
  fc.assert(fc.property(corrupted, onlyEmvErrors), { numRuns: 2000 });
  t.pass('2000 corrupted inputs');
});
