// The same inputs through the independent npm ber-tlv package (a devDependency): both
// decoders agree on every fixture and on every generated input both accept.
import t from 'tap';
import fc from 'fast-check';
import berTlv from 'ber-tlv';
import { decodeTlv, encodeTlv, tagHex, type Tlv, type TlvInput } from '../../emv/ber/tlv.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { EmvError } from '../../emv/errors.js';
import { FIXTURES } from './fixtures/responses.js';
import { tlvForest } from './fixtures/tlv-arbitrary.js';

type Plain = { tag: string; value: string } | { tag: string; children: Plain[] };

function fromOurs(n: Tlv): Plain {
  return n.children !== undefined ? { tag: tagHex(n.tag), children: n.children.map(fromOurs) } : { tag: tagHex(n.tag), value: toHex(n.value) };
}
function fromTheirs(n: berTlv.ITlv): Plain {
  return n.type === berTlv.TlvType.CONSTRUCTED ? { tag: n.tag, children: n.items.map(fromTheirs) } : { tag: n.tag, value: n.value.toString('hex').toUpperCase() };
}
function toTheirs(n: TlvInput): berTlv.ITlv {
  return 'children' in n ? berTlv.TlvFactory.constructedTlv(tagHex(n.tag), n.children.map(toTheirs)) : berTlv.TlvFactory.primitiveTlv(tagHex(n.tag), Buffer.from(n.value));
}

function theirs(bytes: Uint8Array): Plain[] | undefined {
  try {
    return berTlv.TlvFactory.parse(Buffer.from(bytes)).map(fromTheirs);
  } catch {
    return undefined;
  }
}
function ours(bytes: Uint8Array): Plain[] | undefined {
  try {
    return decodeTlv(bytes).map(fromOurs);
  } catch (err) {
    if (err instanceof EmvError) return undefined;
    throw err;
  }
}

t.test('every fixture: same tree from both decoders', async (t) => {
  for (const f of FIXTURES) {
    const bytes = fromHex(f.hex);
    const a = ours(bytes);
    t.ok(a, `${f.name} decodes`);
    t.same(a, theirs(bytes), `${f.name} (${f.spec})`);
  }
});

t.test('generated trees serialised by ber-tlv: both accept and agree (>= 1000 inputs)', async (t) => {
  let agreed = 0;
  fc.assert(
    fc.property(tlvForest, (forest) => {
      const theirBytes = berTlv.TlvFactory.serialize(forest.map(toTheirs));
      const a = ours(theirBytes);
      const b = theirs(theirBytes);
      if (a === undefined || b === undefined) return false;
      t.same(a, b);
      // our encoder writes the same bytes as theirs (minimal lengths on both sides)
      if (toHex(encodeTlv(forest)) !== theirBytes.toString('hex').toUpperCase()) return false;
      agreed++;
      return true;
    }),
    { numRuns: 1200 },
  );
  t.ok(agreed >= 1000, `${agreed} inputs accepted by both and identical`);
});

t.test('random bytes: whenever both accept, they agree', async (t) => {
  let both = 0;
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
      const a = ours(bytes);
      const b = a === undefined ? undefined : theirs(bytes);
      if (a === undefined || b === undefined) return true;
      both++;
      t.same(a, b);
      return true;
    }),
    { numRuns: 3000 },
  );
  t.ok(both > 0, `${both} random inputs accepted by both`);
});
