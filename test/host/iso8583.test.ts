// ISO 8583 packager: golden frames derived by hand from jPOS's standard packager
// definitions (jpos/jPOS: jpos/src/dist/cfg/packager/iso87binary.xml and
// jpos/src/main/java/org/jpos/iso/packager/ISO87APackager.java), round trips, strict
// unpacking errors, and random input.
import t from 'tap';
import fc from 'fast-check';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IsoMessage, responseMti } from '../../src/host/iso8583/message.js';
import { loadLayout, layoutFromXml, layoutFromJson } from '../../src/host/iso8583/layout.js';
import { pack, unpack } from '../../src/host/iso8583/packager.js';
import { HostError } from '../../src/host/errors.js';
import { ISO87_FIELDS } from '../../src/host/iso8583/iso87-fields.js';

const binary = loadLayout('binary');
const ascii = loadLayout('ascii');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

const signOn = (): IsoMessage =>
  new IsoMessage('0800', { 7: '1128104530', 11: '000001', 41: 'TERM0001', 70: '001' });

t.test('0800 sign-on, binary layout: BCD numerics, binary bitmaps, secondary bitmap for field 70', async (t) => {
  // MTI IFB_NUMERIC(4): 08 00. Bitmap: bit 1 (secondary), 7, 11, 41 -> 82 20 00 00 00 80 00 00;
  // secondary: bit 70 -> 04 00 .. 00. Field 7 IFB_NUMERIC(10), 11 IFB_NUMERIC(6),
  // 41 IF_CHAR(8) ASCII, 70 IFB_NUMERIC(3) padded left to 00 01.
  const golden = '0800 8220000000800000 0400000000000000 1128104530 000001 5445524D30303031 0001';
  const frame = pack(binary, signOn());
  t.equal(hex(frame), golden.replace(/ /g, ''));
  t.same(unpack(binary, frame).toJSON(), signOn().toJSON());
});

t.test('0800 sign-on, ASCII layout: hex-ASCII bitmap, ASCII numerics', async (t) => {
  const golden = '0800' + '82200000008000000400000000000000' + '1128104530' + '000001' + 'TERM0001' + '001';
  const frame = pack(ascii, signOn());
  t.equal(Buffer.from(frame).toString('latin1'), golden);
  t.same(unpack(ascii, frame).toJSON(), signOn().toJSON());
});

const icc = bytes('9F2608C2A3F1B8A4D6E7F8 9F2701 80 9F360200 12 9505 0000008000');

function sale(layout = binary): IsoMessage {
  const m = new IsoMessage('0200', {
    2: '4761739001010119',
    3: '000000',
    4: '000000012345',
    11: '000123',
    22: '071',
    35: '4761739001010119=25122011143857589',
    41: 'TERM0001',
    49: '156',
  });
  m.set(52, bytes('0123456789ABCDEF'));
  m.setBytes(layout, 55, icc);
  m.set(64, bytes('1122334455667788'));
  return m;
}

t.test('0200 with PAN, track 2, PIN block, ICC data and MAC, binary layout', async (t) => {
  const f55 = hex(icc);
  const golden = [
    '0200',
    '7020040020809201', // bits 2 3 4 | 11 | 22 | - | 35 | 41 | 49 52 55 | 64 (hand-computed)
    '16 4761739001010119', // IFB_LLNUM: BCD length 16, BCD digits
    '000000',
    '000000012345',
    '000123',
    '0071', // IFB_NUMERIC(3) pad left
    '34 4761739001010119D25122011143857589', // track 2, "=" as nibble D
    '5445524D30303031',
    '313536', // IF_CHAR(3) "156"
    '0123456789ABCDEF', // IFB_BINARY(8)
    '00' + (icc.length.toString().padStart(2, '0')) + ' ' + f55, // IFB_LLLBINARY: 2-byte BCD length
    '1122334455667788',
  ].join('');
  t.equal(icc.length, 27);
  const frame = pack(binary, sale());
  t.equal(hex(frame), golden.replace(/ /g, ''));
  const back = unpack(binary, frame);
  t.same(back.toJSON(), sale().toJSON());
  t.same(hex(back.bytes(55)!), f55, 'field 55 reads back as TLV bytes');
});

t.test('0200 on the ASCII layout: field 55 travels as LLLCHAR of hex digits, 52/64 as hex', async (t) => {
  const frame = Buffer.from(pack(ascii, sale(ascii))).toString('latin1');
  t.match(frame, /^02007020040020809201/);
  t.ok(frame.includes('164761739001010119'), 'LLNUM: "16" + digits');
  t.ok(frame.includes('054' + hex(icc)), 'field 55: LLL "054" = 27 bytes as 54 hex characters');
  t.ok(frame.endsWith('0123456789ABCDEF' + '054' + hex(icc) + '1122334455667788'));
  t.same(hex(unpack(ascii, Buffer.from(frame, 'latin1')).bytes(55)!), hex(icc));
});

t.test('odd-length BCD LLNUM is padded on the right (jPOS pad="false")', async (t) => {
  const m = new IsoMessage('0100', { 2: '6212345678901234567' });
  t.equal(hex(pack(binary, m)), '0100' + '4000000000000000' + '19' + '62123456789012345670');
  t.equal(unpack(binary, pack(binary, m)).text(2), '6212345678901234567');
});

t.test('IFB_AMOUNT and IFA_AMOUNT keep the C/D sign', async (t) => {
  const m = new IsoMessage('0200', { 28: 'D00000150' });
  t.equal(hex(pack(binary, m)), '0200' + '0000001000000000' + '44' + '00000150');
  t.equal(Buffer.from(pack(ascii, m)).toString('latin1'), '0200' + '0000001000000000' + 'D00000150');
  t.equal(unpack(binary, pack(binary, m)).text(28), 'D00000150');
});

t.test('a primary-bitmap-only message has no secondary bitmap', async (t) => {
  const m = new IsoMessage('0810', { 39: '00' });
  t.equal(hex(pack(binary, m)), '0810' + '0000000002000000' + '3030');
});

t.test('pack refuses what the layout cannot carry', async (t) => {
  t.throws(() => pack(binary, new IsoMessage('0200', { 4: '12A' })), { code: 'HOST_PACK', field: 4 });
  t.throws(() => pack(binary, new IsoMessage('0200', { 4: '1234567890123' })), { code: 'HOST_PACK', field: 4 });
  t.throws(() => pack(binary, new IsoMessage('0200', { 41: 'TOO-LONG-ID' })), { code: 'HOST_PACK', field: 41 });
  t.throws(() => pack(binary, new IsoMessage('0200', { 52: bytes('0011') })), { code: 'HOST_PACK', field: 52 });
  t.throws(() => pack(binary, new IsoMessage('02X0')), { code: 'HOST_PACK', field: 0 });
  t.throws(() => pack(binary, new IsoMessage('0200').set(1, 'x')), { code: 'HOST_PACK' });
});

t.test('strict unpacking: every defect names the field and the offset', async (t) => {
  const frame = pack(binary, sale());
  t.throws(() => unpack(binary, frame.subarray(0, frame.length - 3)), { code: 'HOST_UNPACK', field: 64 });
  const extra = new Uint8Array([...frame, 0]);
  t.throws(() => unpack(binary, extra), { code: 'HOST_UNPACK', offset: frame.length, message: /left over/ });
  const badDigit = Uint8Array.from(frame);
  badDigit[19] = 0x0a; // first byte of field 3 (processing code): nibble A
  t.throws(() => unpack(binary, badDigit), { code: 'HOST_UNPACK', field: 3 });
  const badLen = Uint8Array.from(frame);
  badLen[10] = 0x99; // field 2 length 99 > 19
  t.throws(() => unpack(binary, badLen), { code: 'HOST_UNPACK', field: 2, offset: 10 });
  // A bitmap naming a field the layout lacks.
  const sparse = layoutFromJson({ name: 'tiny', fields: { 0: { class: 'IFB_NUMERIC', length: 4 }, 1: { class: 'IFB_BITMAP', length: 16 }, 3: { class: 'IFB_NUMERIC', length: 6 } } });
  t.throws(() => unpack(sparse, bytes('0200 6000000000000000 000000 16')), { code: 'HOST_UNPACK', field: 2 });
  t.throws(() => unpack(ascii, Buffer.from('0800ZZ', 'latin1')), { code: 'HOST_UNPACK' });
  t.throws(() => unpack(binary, new Uint8Array(0)), { code: 'HOST_UNPACK', field: 0 });
});

t.test('a GenericPackager XML describing the binary layout packs the same frames', async (t) => {
  const xml = [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    '<!DOCTYPE isopackager PUBLIC "-//jPOS/jPOS Generic Packager DTD 1.0//EN" "http://jpos.org/dtd/generic-packager-1.0.dtd">',
    '<!-- a test packager written for this project -->',
    '<isopackager>',
    '  <isofield id="1" length="16" name="BIT MAP" class="org.jpos.iso.IFB_BITMAP"/>',
    ...ISO87_FIELDS.map(([id, , cls, len, name]) => `  <isofield id="${id}" length="${len}" name="${name.replace(/&/g, '&amp;')}" pad="${cls === 'IFB_LLNUM' ? 'false' : 'true'}" class="org.jpos.iso.${cls}"/>`),
    '</isopackager>',
  ].join('\n');
  const dir = mkdtempSync(path.join(tmpdir(), 'layout-'));
  const file = path.join(dir, 'acquirer.xml');
  writeFileSync(file, xml);
  const fromXml = loadLayout(file);
  t.equal(fromXml.bitmap, 'binary');
  t.equal(hex(pack(fromXml, sale())), hex(pack(binary, sale())));
  t.equal(hex(pack(fromXml, signOn())), hex(pack(binary, signOn())));
  t.throws(() => layoutFromXml('<isopackager><isofield id="2" length="19"/></isopackager>', 'x.xml'), { code: 'HOST_LAYOUT', message: /without "class"/ });
  t.throws(() => layoutFromXml('<isopackager><isofield id="2" length="19" class="org.jpos.iso.IFX_WHAT"/><isofield id="0" length="4" class="IFA_NUMERIC"/></isopackager>'), { code: 'HOST_LAYOUT', message: /unsupported class/ });
  t.throws(() => layoutFromXml('<isopackager><isofieldpackager id="48"/></isopackager>'), { code: 'HOST_LAYOUT', message: /not supported/ });
  t.throws(() => loadLayout('nope'), { code: 'HOST_LAYOUT', message: /unknown layout/ });
});

t.test('a JSON layout with explicit formats (EBCDIC, binary length prefix)', async (t) => {
  const layout = layoutFromJson({
    name: 'ebcdic-test',
    bitmap: 'binary',
    fields: {
      0: { content: 'n', length: 4, lengthDigits: 0, lengthEncoding: 'ascii', dataEncoding: 'ebcdic', padLeft: true },
      2: { content: 'n', length: 19, lengthDigits: 2, lengthEncoding: 'ebcdic', dataEncoding: 'ebcdic', padLeft: false },
      48: { class: 'IFB_LLHCHAR', length: 255 },
    },
  });
  const m = new IsoMessage('0100', { 2: '4111', 48: 'AB' });
  // EBCDIC digits are F0..F9; IFB_LLHCHAR has a one-byte binary length.
  t.equal(hex(pack(layout, m)), 'F0F1F0F0' + '4000000000010000' + 'F0F4F4F1F1F1' + '02' + '4142');
  t.same(unpack(layout, pack(layout, m)).toJSON(), m.toJSON());
});

t.test('round trips of generated messages on both layouts', async (t) => {
  const numeric = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
  const arb = fc.record({
    mti: fc.constantFrom('0100', '0200', '0400', '0800', '0500', '0320'),
    f2: fc.stringMatching(/^[0-9]{12,19}$/),
    f4: numeric(12),
    f11: numeric(6),
    f37: fc.stringMatching(/^[A-Z0-9]{12}$/),
    f43: fc.stringMatching(/^[ -~]{0,40}$/),
    f48: fc.stringMatching(/^[ -~]{0,120}$/),
    f55: fc.uint8Array({ minLength: 0, maxLength: 255 }),
    f128: fc.option(fc.uint8Array({ minLength: 8, maxLength: 8 })),
  });
  fc.assert(
    fc.property(arb, (r) => {
      for (const layout of [binary, ascii]) {
        const m = new IsoMessage(r.mti, { 2: r.f2, 4: r.f4, 11: r.f11, 37: r.f37, 43: r.f43.trimEnd(), 48: r.f48 });
        m.setBytes(layout, 55, r.f55);
        if (r.f128) m.set(128, r.f128);
        const back = unpack(layout, pack(layout, m));
        const expected = m.toJSON();
        expected.fields['43'] = expected.fields['43']!.padEnd(40, ' ');
        if (JSON.stringify(back.toJSON()) !== JSON.stringify(expected)) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass('500 generated messages round-trip on both layouts');
});

t.test('random frames: only HostError, never a crash or a hang', async (t) => {
  let errors = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (frame) => {
      for (const layout of [binary, ascii]) {
        try {
          unpack(layout, frame);
        } catch (err) {
          if (!(err instanceof HostError)) throw err;
          errors++;
        }
      }
    }),
    { numRuns: 3000 },
  );
  // Mutations of a valid frame reach deeper into the field decoders.
  const valid = pack(binary, sale());
  fc.assert(
    fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: valid.length }), (at, v, cut) => {
      const f = Uint8Array.from(valid);
      f[at] = v;
      try {
        unpack(binary, f.subarray(0, cut));
      } catch (err) {
        if (!(err instanceof HostError)) throw err;
      }
    }),
    { numRuns: 3000 },
  );
  t.ok(errors > 0);
});

t.test('response MTI', async (t) => {
  t.equal(responseMti('0100'), '0110');
  t.equal(responseMti('0200'), '0210');
  t.equal(responseMti('0401'), '0410');
  t.equal(responseMti('0800'), '0810');
  t.throws(() => responseMti('08x0'), { code: 'HOST_PACK' });
});

t.test('0400 reversal with field 90 (original data elements), both layouts, by hand', async (t) => {
  const f90 = '0200' + '000123' + '1128104530' + '0'.repeat(22); // original MTI, STAN, date/time, 2 x 11 zero-filled ids (n42)
  const rev = new IsoMessage('0400', { 2: '4761739001010010', 3: '000000', 4: '000000001000', 11: '000124', 39: '68', 41: 'TERM0001', 49: '156', 90: f90 });
  // Primary: bits 1 (secondary) 2 3 4 | 11 | - | - | 39 | 41 | 49 | - -> F0 20 00 00 02 80 80 00;
  // secondary: bit 90 = bit 26 of it -> 00 00 00 40 00 00 00 00.
  const binaryGolden = '0400' + 'F020000002808000' + '0000004000000000' + '16' + '4761739001010010' + '000000' + '000000001000' + '000124' + '3638' + '5445524D30303031' + '313536' + f90;
  t.equal(hex(pack(binary, rev)), binaryGolden);
  const asciiGolden = '0400' + 'F0200000028080000000004000000000' + '164761739001010010' + '000000' + '000000001000' + '000124' + '68' + 'TERM0001' + '156' + f90;
  t.equal(Buffer.from(pack(ascii, rev)).toString('latin1'), asciiGolden);
  t.same(unpack(binary, bytes(binaryGolden)).toJSON(), rev.toJSON());
  t.same(unpack(ascii, Buffer.from(asciiGolden, 'latin1')).toJSON(), rev.toJSON());
});

t.test('0500 reconciliation totals (fields 74-77, 86-89, 97), binary layout, by hand', async (t) => {
  const { reconciliation } = await import('../../src/host/messages.js');
  const m = reconciliation(
    { batchNumber: 1, currency: '156', creditCount: 0, creditAmountMinor: 0, creditReversalCount: 0, creditReversalAmountMinor: 0, debitCount: 2, debitAmountMinor: 3000, debitReversalCount: 0, debitReversalAmountMinor: 0 },
    'MERCHANT0000001',
  );
  const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex').toUpperCase();
  const golden =
    '0500' +
    '8000000000408010' + // bits 1 (secondary) | 42 | 49 | 60
    '0078078080000000' + // secondary: 74 75 76 77 | 86 87 88 | 89 | 97
    ascii('MERCHANT0000001') +
    ascii('156') +
    '0006' + ascii('000001') + // IFB_LLLCHAR: 2-byte BCD length
    '0000000000' + '0000000000' + '0000000002' + '0000000000' + // IFB_NUMERIC(10) counts
    '0000000000000000' + '0000000000000000' + '0000000000003000' + '0000000000000000' + // IFB_NUMERIC(16) amounts
    '43' + '0000000000003000'; // IFB_AMOUNT(17): "C" then 16 BCD digits
  t.equal(hex(pack(binary, m)), golden);
  t.same(unpack(binary, bytes(golden)).toJSON(), m.toJSON());
});
