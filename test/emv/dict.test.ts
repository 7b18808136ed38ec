// The tag dictionary against EMV Book 3 Annex A / Book 4 Annex A / Book C-3 entries.
import t from 'tap';
import { DATA_ELEMENTS, TAG, allDataElements, dataElement, checkDataElement } from '../../emv/dict/tags.js';
import { isConstructed, isValidTag, tagHex } from '../../emv/ber/tlv.js';
import { fromHex } from '../../emv/bytes.js';

t.test('one entry per tag, every tag a valid BER tag', async (t) => {
  const seen = new Map<number, string>();
  for (const [key, d] of Object.entries(DATA_ELEMENTS)) {
    t.notOk(seen.has(d.tag), `${tagHex(d.tag)} defined once (${key}${seen.has(d.tag) ? ' and ' + seen.get(d.tag) : ''})`);
    seen.set(d.tag, key);
    t.ok(isValidTag(d.tag), `${key}: ${tagHex(d.tag)} is a valid tag`);
    t.ok(d.length[0] <= d.length[1], `${key}: length range`);
  }
  t.equal(allDataElements().length, Object.keys(DATA_ELEMENTS).length);
});

t.test('templates named by an entry are constructed tags known to the dictionary', async (t) => {
  for (const d of allDataElements()) {
    for (const tpl of d.templates) {
      t.ok(isConstructed(tpl), `${tagHex(d.tag)} in ${tagHex(tpl)}: constructed`);
      t.ok(dataElement(tpl), `${tagHex(tpl)} is in the dictionary`);
    }
  }
});

t.test('constants are the spec tags', async (t) => {
  t.equal(TAG.AMOUNT_AUTHORISED, 0x9f02);
  t.equal(TAG.TVR, 0x95);
  t.equal(TAG.TSI, 0x9b);
  t.equal(TAG.TTQ, 0x9f66);
  t.equal(TAG.CTQ, 0x9f6c);
  t.equal(TAG.FFI, 0x9f6e);
  t.equal(TAG.CARD_PRODUCT_IDENTIFICATION, 0x9f63);
  t.equal(TAG.LOAD_LOG_ENTRY, 0xdf4d);
  t.equal(TAG.TRACK2_EQUIVALENT_DATA, 0x57);
});

t.test('entries follow Book 3 Annex A: source, format, length', async (t) => {
  // [tag, source, format, min bytes, max bytes]
  const expected: Array<[number, string, string, number, number]> = [
    [0x9f02, 'terminal', 'n', 6, 6], // Amount, Authorised: n 12
    [0x5a, 'card', 'cn', 1, 10], // PAN: cn var up to 19 digits
    [0x9f26, 'card', 'b', 8, 8], // Application Cryptogram
    [0x82, 'card', 'b', 2, 2], // AIP
    [0x95, 'terminal', 'b', 5, 5], // TVR
    [0x9f37, 'terminal', 'b', 4, 4], // Unpredictable Number
    [0x5f2a, 'terminal', 'n', 2, 2], // Transaction Currency Code: n 3
    [0x9a, 'terminal', 'n', 3, 3], // Transaction Date: n 6 YYMMDD
    [0x50, 'card', 'ans', 1, 16], // Application Label
    [0x4f, 'card', 'b', 5, 16], // AID
    [0x91, 'issuer', 'b', 8, 16], // Issuer Authentication Data
    [0x8a, 'issuer', 'an', 2, 2], // Authorisation Response Code
    [0x57, 'card', 'b', 1, 19], // Track 2 Equivalent Data
    [0x9f66, 'terminal', 'b', 4, 4], // TTQ (Book C-3)
    [0x9f6c, 'card', 'b', 2, 2], // CTQ (Book C-3)
  ];
  for (const [tag, source, format, min, max] of expected) {
    t.match(dataElement(tag), { source, format, length: [min, max] }, tagHex(tag));
  }
  t.equal(dataElement(0x9f7f), undefined, 'unknown tag');
  t.match(dataElement(0x9f6e)!.aka, /Mastercard/, 'scheme-dependent meanings are noted');
});

t.test('checkDataElement: format and length rules', async (t) => {
  t.doesNotThrow(() => checkDataElement(0x9f02, fromHex('000000001000')));
  t.throws(() => checkDataElement(0x9f02, fromHex('0000000010')), { code: 'EMV_DATA_BAD_FORMAT' }, 'n 12 must be 6 bytes');
  t.throws(() => checkDataElement(0x9f02, fromHex('00000000100A')), { code: 'EMV_DATA_BAD_FORMAT', offset: 5 }, 'non-decimal nibble');
  t.doesNotThrow(() => checkDataElement(0x5a, fromHex('4761739001010010')));
  t.doesNotThrow(() => checkDataElement(0x5a, fromHex('476173900101001F')), 'cn: odd digit count padded with F');
  t.doesNotThrow(() => checkDataElement(0x5a, fromHex('4761739001FFFFFF')));
  t.throws(() => checkDataElement(0x5a, fromHex('47617390F1010010')), { code: 'EMV_DATA_BAD_FORMAT' }, 'cn: a digit after the padding');
  t.doesNotThrow(() => checkDataElement(0x9f1c, Buffer.from('TERM0001')));
  t.throws(() => checkDataElement(0x9f1c, Buffer.from('TERM-001')), { code: 'EMV_DATA_BAD_FORMAT' }, 'an: no punctuation');
  t.doesNotThrow(() => checkDataElement(0x50, Buffer.from('VISA CREDIT')), 'ans: space allowed');
  t.throws(() => checkDataElement(0x50, fromHex('0A')), { code: 'EMV_DATA_BAD_FORMAT' }, 'ans: control character');
  t.throws(() => checkDataElement(0x5f55, Buffer.from('C1')), { code: 'EMV_DATA_BAD_FORMAT' }, 'a: letters only');
  t.doesNotThrow(() => checkDataElement(0x9f7f, fromHex('FF')), 'unknown tags pass');
});
