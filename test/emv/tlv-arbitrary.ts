// fast-check generators of well-formed BER-TLV trees (EMV Book 3 Annex B tag rules).
import fc from 'fast-check';
import type { TlvInput } from '../../emv/ber/tlv.js';

const CLASS = fc.integer({ min: 0, max: 3 });

function tagArb(constructed: boolean): fc.Arbitrary<number> {
  const cbit = constructed ? 0x20 : 0;
  const oneByte = fc
    .tuple(CLASS, fc.integer({ min: 0, max: 0x1e }))
    .map(([cls, num]) => (cls << 6) | cbit | num)
    .filter((b) => b !== 0);
  const first = CLASS.map((cls) => (cls << 6) | cbit | 0x1f);
  const twoBytes = fc.tuple(first, fc.integer({ min: 0x00, max: 0x7f })).map(([a, b]) => a * 0x100 + b);
  const threeBytes = fc.tuple(first, fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0, max: 0x7f })).map(([a, b, c]) => a * 0x10000 + b * 0x100 + c);
  return fc.oneof(oneByte, twoBytes, threeBytes);
}

export const primitiveTag = tagArb(false);
export const constructedTag = tagArb(true);

export const tlvTree: fc.Arbitrary<TlvInput> = fc.letrec<{ tree: TlvInput; prim: TlvInput; cons: TlvInput }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('prim'), tie('cons')),
  prim: fc.record({ tag: primitiveTag, value: fc.uint8Array({ maxLength: 300 }) }),
  cons: fc.record({ tag: constructedTag, children: fc.array(tie('tree'), { maxLength: 4 }) }),
})).tree;

export const tlvForest = fc.array(tlvTree, { minLength: 1, maxLength: 4 });
