// DOL parsing and building, EMV Book 3 5.4 (rules for missing data, padding and truncation).
import t from 'tap';
import { buildDol, parseDol, dolDataLength } from '../../emv/dol/dol.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { EmvError } from '../../emv/errors.js';

const terminal: Record<string, string> = {
  '9F66': '36004000', // TTQ, b 4
  '9F02': '000000001000', // Amount, Authorised: n 12 = 6 bytes, 10.00
  '9F37': '12345678', // Unpredictable Number, b 4
  '5F2A': '0156', // Transaction Currency Code, n 3
  '9F1C': '5445524D30303031', // Terminal Identification, an 8: "TERM0001"
  '5A': '4761739001010010', // PAN, cn
  '70': '5A00', // a template: never used as DOL data
};
const source = (tag: number): Uint8Array | undefined => {
  const hex = terminal[tag.toString(16).toUpperCase()];
  return hex === undefined ? undefined : fromHex(hex);
};

t.test('parseDol: tag + one-byte length entries', async (t) => {
  const entries = parseDol(fromHex('9F66049F02069F37045F2A02'));
  t.same(entries, [
    { tag: 0x9f66, length: 4 },
    { tag: 0x9f02, length: 6 },
    { tag: 0x9f37, length: 4 },
    { tag: 0x5f2a, length: 2 },
  ]);
  t.equal(dolDataLength(entries), 16);
  t.same(parseDol(new Uint8Array(0)), []);
});

t.test('parseDol: malformed lists name the offset', async (t) => {
  for (const [hex, offset] of [
    ['9F', 0],
    ['9F02', 2],
    ['9F0206' + '9F37', 5],
    ['00' + '04', 0],
  ] as const) {
    const err = t.throws(() => parseDol(fromHex(hex))) as unknown as EmvError;
    t.equal(err.code, 'EMV_DOL_MALFORMED', hex);
    t.equal(err.offset, offset, `${hex} at ${offset}`);
  }
});

t.test('exact lengths: values concatenated in DOL order, no tags or lengths', async (t) => {
  const data = buildDol(fromHex('9F66049F02069F37045F2A02'), source);
  t.equal(toHex(data), '36004000' + '000000001000' + '12345678' + '0156');
});

t.test('rule: data the terminal does not have is filled with 00', async (t) => {
  // 9F03 Amount Other absent; 9F7F unknown to the dictionary and absent
  t.equal(toHex(buildDol(fromHex('9F0306' + '9F7F03' + '5F2A02'), source)), '000000000000' + '000000' + '0156');
});

t.test('rule: a constructed tag in a DOL gives 00 bytes', async (t) => {
  t.equal(toHex(buildDol(fromHex('7002'), source)), '0000');
});

t.test('format n: longer data loses leftmost bytes, shorter gets leading 00', async (t) => {
  t.equal(toHex(buildDol(fromHex('9F0204'), source)), '00001000', 'truncated on the left');
  t.equal(toHex(buildDol(fromHex('9F0208'), source)), '0000' + '000000001000', 'padded on the left');
  t.equal(toHex(buildDol(fromHex('5F2A01'), source)), '56');
});

t.test('format cn: shorter data is padded with trailing F, longer loses rightmost bytes', async (t) => {
  t.equal(toHex(buildDol(fromHex('5A0A'), source)), '4761739001010010FFFF');
  t.equal(toHex(buildDol(fromHex('5A04'), source)), '47617390');
});

t.test('other formats (an, b): trailing 00 padding, rightmost truncation', async (t) => {
  t.equal(toHex(buildDol(fromHex('9F1C0A'), source)), '5445524D303030310000', 'an padded right with 00');
  t.equal(toHex(buildDol(fromHex('9F1C04'), source)), '5445524D', 'an truncated on the right: "TERM"');
  t.equal(toHex(buildDol(fromHex('9F3702'), source)), '1234', 'b truncated on the right');
  t.equal(toHex(buildDol(fromHex('9F6606'), source)), '360040000000', 'b padded right');
});

t.test('formatOf override and zero-length entries', async (t) => {
  t.equal(toHex(buildDol(fromHex('9F3706'), source, { formatOf: () => 'n' })), '000012345678');
  t.equal(toHex(buildDol(fromHex('9F3700' + '5F2A02'), source)), '0156');
  t.equal(toHex(buildDol([{ tag: 0x9f37, length: 4 }], source)), '12345678', 'pre-parsed entries');
});
