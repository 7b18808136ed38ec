import t from 'tap';
import { decodeTlv, decodeOne, encodeTlv, findTlv, primitives, indexPrimitives, tagHex, parseTag, isValidTag, isConstructed, tagByteLength } from '../../emv/ber/tlv.js';
import { tlvFromJson, tlvToJson } from '../../emv/ber/json.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { EmvError, EMV_ERROR_CODES } from '../../emv/errors.js';
import { FIXTURES } from './fixtures/responses.js';

function errorOf(fn: () => unknown): EmvError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EmvError) return err;
    throw err;
  }
  throw new Error('expected an EmvError');
}

t.test('Book 3 Annex B1: tag coding', async (t) => {
  t.equal(tagByteLength(0x9f02), 2);
  t.ok(isConstructed(0x70), '70: bit 6 set, constructed');
  t.ok(isConstructed(0xbf0c), 'BF0C constructed');
  t.notOk(isConstructed(0x9f02), '9F02 primitive');
  t.ok(isValidTag(0x5f2a));
  t.notOk(isValidTag(0x9f), '9F alone announces a subsequent byte');
  t.notOk(isValidTag(0x9f8f), 'last tag byte with b8 set announces another byte');
  t.ok(isValidTag(0xdf8129), 'three-byte tag with b8 set in the middle byte');
  t.equal(tagHex(0x5a), '5A');
  t.equal(parseTag('9f02'), 0x9f02);
  t.throws(() => parseTag('9F'), { code: 'EMV_TLV_BAD_TAG' });
  t.throws(() => parseTag('00'), { code: 'EMV_TLV_BAD_TAG' });
});

t.test('Book 3 Annex B2: length coding, short and long form', async (t) => {
  // 0..127 one byte; 128..255 '81' + 1 byte; 256..65535 '82' + 2 bytes
  const cases: Array<[number, string]> = [
    [0, '00'],
    [127, '7F'],
    [128, '8180'],
    [255, '81FF'],
    [256, '820100'],
    [65535, '82FFFF'],
    [65536, '83010000'],
  ];
  for (const [len, header] of cases) {
    const enc = encodeTlv({ tag: 0x9f10, value: new Uint8Array(len) });
    t.equal(toHex(enc.subarray(2, 2 + header.length / 2)), header, `length ${len}`);
    const [node] = decodeTlv(enc);
    t.equal(node!.value.length, len);
  }
  // A non-minimal long form ('81 05') is still a valid definite length.
  t.equal(decodeTlv(fromHex('5A8105' + '4761739001'))[0]!.value.length, 5);
});

t.test('decodes every fixture into the structure the spec gives', async (t) => {
  const pse = decodeOne(fromHex(FIXTURES[0]!.hex));
  t.equal(pse.tag, 0x6f);
  t.equal(pse.children!.length, 2);
  t.equal(toHex(findTlv([pse], 0x84)!.value), '315041592E5359532E4444463031');
  t.equal(toHex(findTlv([pse], 0x5f2d)!.value), '7A68');
  const ppse = decodeOne(fromHex(FIXTURES[1]!.hex));
  t.equal(toHex(findTlv([ppse], 0x4f)!.value), 'A0000000031010', 'AID four levels down (6F/A5/BF0C/61)');
  const gpo1 = decodeOne(fromHex(FIXTURES[2]!.hex));
  t.equal(gpo1.children, undefined, 'format 1 is primitive');
  t.equal(toHex(gpo1.value), '180008010201');
  const rec = decodeOne(fromHex(FIXTURES[4]!.hex));
  t.equal(rec.value.length, 0x83);
  t.same(primitives([rec]).map((n) => tagHex(n.tag)), ['5A', '5F24', '5F25', '5F34', '8C', '90']);
});

t.test('values are views into the input, not copies', async (t) => {
  const input = fromHex(FIXTURES[3]!.hex);
  const [gpo] = decodeTlv(input);
  const afl = findTlv([gpo!], 0x94)!;
  t.equal(afl.value.buffer, input.buffer, 'same ArrayBuffer');
  t.equal(afl.value.byteOffset, input.byteOffset + 8, 'AFL value starts at byte 8');
  input[8] = 0x10;
  t.equal(afl.value[0], 0x10, 'a change to the input shows through');
  t.equal(afl.offset, 6, 'offset of the tag byte');
});

t.test('strict errors name the byte offset', async (t) => {
  const cases: Array<[string, string, number]> = [
    ['9F', 'EMV_TLV_TAG_TRUNCATED', 0],
    ['5A', 'EMV_TLV_LENGTH_TRUNCATED', 1],
    ['5A0812', 'EMV_TLV_VALUE_TRUNCATED', 0],
    ['5A8201', 'EMV_TLV_LENGTH_TRUNCATED', 1],
    ['5A8108', 'EMV_TLV_VALUE_TRUNCATED', 0],
    ['7080', 'EMV_TLV_INDEFINITE_LENGTH', 1],
    ['5A85' + '0000000001' + '00', 'EMV_TLV_LENGTH_TOO_LONG', 1],
    ['9F8181818101', 'EMV_TLV_TAG_TOO_LONG', 0],
    ['5A0100' + '00', 'EMV_TLV_BAD_TAG', 3],
    ['7009' + '5A02' + '1234' + '9F0206' + '1234', 'EMV_TLV_VALUE_TRUNCATED', 6],
    ['700A' + '5A02' + '1234', 'EMV_TLV_VALUE_TRUNCATED', 0],
  ];
  for (const [hex, code, offset] of cases) {
    const err = errorOf(() => decodeTlv(fromHex(hex)));
    t.equal(err.code, code, `${hex}: ${code}`);
    t.equal(err.offset, offset, `${hex}: offset ${offset}`);
    t.match(err.message, new RegExp(`offset ${offset}\\b`), 'the message names the offset');
    t.ok(code in EMV_ERROR_CODES);
  }
  // A child running past its template's end (but not past the input) is caught too.
  const err = errorOf(() => decodeTlv(fromHex('7003' + '5A0412345678')));
  t.equal(err.code, 'EMV_TLV_VALUE_TRUNCATED');
  t.match(err.message, /enclosing template ends at offset 5/);
});

t.test('decodeOne: trailing bytes are an error', async (t) => {
  const err = errorOf(() => decodeOne(fromHex('5A0112' + '9F0100')));
  t.equal(err.code, 'EMV_TLV_TRAILING_BYTES');
  t.equal(err.offset, 3);
  t.throws(() => decodeOne(new Uint8Array(0)), { code: 'EMV_TLV_TAG_TRUNCATED' });
  t.throws(() => decodeOne(fromHex('5A011200')), { code: 'EMV_TLV_BAD_TAG' }, 'strict: trailing 00');
  t.equal(decodeOne(fromHex('5A011200FF'), { lenient: true }).tag, 0x5a, 'lenient: trailing padding allowed');
});

t.test('lenient mode skips 00/FF padding between objects (Book 3 Annex B)', async (t) => {
  const padded = fromHex('00' + '7009' + '00' + '5A0112' + 'FF' + '9F3601' + '05' + '00FF00');
  t.throws(() => decodeTlv(padded), { code: 'EMV_TLV_BAD_TAG' });
  const nodes = decodeTlv(padded, { lenient: true });
  t.equal(nodes.length, 1);
  t.same(nodes[0]!.children!.map((c) => c.tag), [0x5a, 0x9f36]);
  t.equal(nodes[0]!.offset, 1);
});

t.test('nesting depth is not limited by the call stack', async (t) => {
  const depth = 100_000;
  // Built from the inside out: 5A 01 01 wrapped in 100,000 templates E1 <len>.
  const lengths: number[] = [3];
  for (let i = 1; i <= depth; i++) {
    const inner = lengths[i - 1]!;
    lengths.push(1 + (inner < 0x80 ? 1 : inner < 0x100 ? 2 : inner < 0x10000 ? 3 : 4) + inner);
  }
  const bytes = new Uint8Array(lengths[depth]!);
  let pos = 0;
  for (let i = depth; i >= 1; i--) {
    const len = lengths[i - 1]!;
    bytes[pos++] = 0xe1;
    const header = len >= 0x10000 ? [0x83, len >> 16, (len >> 8) & 0xff, len & 0xff] : len >= 0x100 ? [0x82, len >> 8, len & 0xff] : len >= 0x80 ? [0x81, len] : [len];
    bytes.set(header, pos);
    pos += header.length;
  }
  bytes.set([0x5a, 0x01, 0x01], pos);
  let n = decodeTlv(bytes)[0]!;
  let levels = 0;
  while (n.children !== undefined) {
    n = n.children[0]!;
    levels++;
  }
  t.equal(levels, depth);
  t.equal(n.tag, 0x5a);
  t.equal(findTlv(decodeTlv(bytes), 0x5a)?.value[0], 1);
  t.equal(tlvToJson(decodeTlv(bytes), () => '').length, 1, 'JSON conversion is iterative too');
  t.equal(Buffer.compare(encodeTlv(decodeTlv(bytes)), bytes), 0, 'and so is the encoder');
});

t.test('encoder: tags and children are checked', async (t) => {
  t.throws(() => encodeTlv({ tag: 0x9f, value: new Uint8Array(0) }), { code: 'EMV_TLV_BAD_TAG' });
  t.throws(() => encodeTlv({ tag: 0x5a, children: [] }), { code: 'EMV_TLV_NOT_CONSTRUCTED' });
  t.throws(() => encodeTlv({ tag: 0x5a } as unknown as Parameters<typeof encodeTlv>[0]), { code: 'EMV_TLV_BAD_INPUT' });
  t.equal(toHex(encodeTlv([{ tag: 0x70, children: [] }, { tag: 0x9f36, value: fromHex('0027') }])), '70009F36020027');
  t.equal(toHex(encodeTlv({ tag: 0xdf8129, value: fromHex('01') })), 'DF81290101', 'three-byte tag');
});

t.test('every fixture re-encodes to its own bytes', async (t) => {
  for (const f of FIXTURES) t.equal(toHex(encodeTlv(decodeTlv(fromHex(f.hex)))), f.hex.toUpperCase(), f.name);
});

t.test('JSON shape: round trip and errors with a path', async (t) => {
  const bytes = fromHex(FIXTURES[1]!.hex);
  const json = tlvToJson(decodeTlv(bytes), (tag) => (tag === 0x4f ? 'AID' : 'x'));
  t.match(json[0], { tag: '6F', name: 'x', children: [{ tag: '84', value: '325041592E5359532E4444463031' }, { tag: 'A5' }] });
  t.equal(toHex(encodeTlv(tlvFromJson(JSON.parse(JSON.stringify(json))))), toHex(bytes));
  t.throws(() => tlvFromJson([{ tag: '9F02', value: '0G' }]), { code: 'EMV_TLV_BAD_INPUT', message: /\$\[0\]\.value/ });
  t.throws(() => tlvFromJson({ tag: '70', children: [{ tag: 'zz', value: '' }] }), { code: 'EMV_TLV_BAD_INPUT', message: /\$\.children\[0\]\.tag/ });
  t.throws(() => tlvFromJson({ tag: '70', value: '', children: [] }), { code: 'EMV_TLV_BAD_INPUT', message: /exactly one/ });
  t.throws(() => tlvFromJson(7), { code: 'EMV_TLV_BAD_INPUT' });
});

t.test('indexPrimitives: values by tag across records, duplicates reported (Book 3 10.2)', async (t) => {
  const gpo = decodeTlv(fromHex(FIXTURES[3]!.hex));
  const { values, duplicates } = indexPrimitives(gpo);
  t.same([...values.keys()], [0x82, 0x94]);
  t.same(duplicates, []);
  const record = decodeTlv(fromHex('7006' + '5F340101' + '8200'));
  const again = indexPrimitives(record, values);
  t.equal(again.values, values, 'adds to the map it was given');
  t.equal(toHex(values.get(0x5f34)!), '01');
  t.same(again.duplicates, [0x82], 'AIP seen twice');
  t.equal(toHex(values.get(0x82)!), '1980', 'first occurrence kept');
});
