// Random input to every parser of the data layer: a result or an EmvError, never another
// exception; the human decoders never throw at all.
import t from 'tap';
import fc from 'fast-check';
import { parseDol, buildDol } from '../../emv/dol/dol.js';
import { parseCommand, parseResponse } from '../../emv/apdu/apdu.js';
import { decodeTlv } from '../../emv/ber/tlv.js';
import { allDataElements } from '../../emv/dict/tags.js';
import { describeValue, formatTlvTree } from '../../emv/strings/describe.js';
import { EmvError } from '../../emv/errors.js';

const onlyEmvError = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch (err) {
    return err instanceof EmvError;
  }
};

const bytes = fc.uint8Array({ maxLength: 64 });

t.test('parseDol / buildDol', async (t) => {
  fc.assert(fc.property(bytes, (b) => onlyEmvError(() => buildDol(parseDol(b), () => new Uint8Array([0x12, 0x34])))), { numRuns: 3000 });
  t.pass('3000 random DOLs');
});

t.test('parseCommand / parseResponse', async (t) => {
  fc.assert(fc.property(bytes, (b) => onlyEmvError(() => parseCommand(b)) && onlyEmvError(() => parseResponse(b))), { numRuns: 3000 });
  t.pass('3000 random APDUs');
});

t.test('describeValue never throws, for every dictionary tag and random values', async (t) => {
  const tags = fc.constantFrom(...allDataElements().map((d) => d.tag), 0x9f7f, 0xdf01);
  fc.assert(
    fc.property(tags, bytes, fc.boolean(), (tag, value, reveal) => {
      const d = describeValue(tag, value, { reveal, currency: 156 });
      return typeof d.text === 'string' && d.details.every((l) => typeof l === 'string');
    }),
    { numRuns: 5000 },
  );
  t.pass('5000 random values');
});

t.test('formatTlvTree never throws on anything that decodes', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      let nodes;
      try {
        nodes = decodeTlv(b, { lenient: true });
      } catch (err) {
        return err instanceof EmvError;
      }
      return typeof formatTlvTree(nodes) === 'string';
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 random inputs');
});
