import t from 'tap';
import fc from 'fast-check';
import { fromHex, toHex } from '../../emv/crypto/bytes.js';
import {
  PinBuffer,
  decipherPinBlock,
  decodePinBlock,
  encipherPinBlock,
  encodePinBlock,
  panBlock03,
  panBlock4,
  parseFillNibbles,
  type PinBlockFormat,
} from '../../src/keys/pin-block.js';
import { isKeyError } from '../../src/keys/errors.js';

const pinOf = (s: string): PinBuffer => PinBuffer.fromString(s);

t.test('format 0: X9.24-1:2009 A.4 clear PIN block and further published examples', async (t) => {
  // PIN 1234, PAN 4012345678909 -> 041274EDCBA9876F (X9.24-1:2009 A.4).
  t.equal(toHex(encodePinBlock(0, pinOf('1234'), '4012345678909')), '041274EDCBA9876F');
  // Examples from the psec project's tests (tests/test_pinblock.py), ISO 9564-1 format 0.
  t.equal(toHex(encodePinBlock(0, pinOf('1234'), '5555555551234567')), '041261AAAAEDCBA9');
  t.equal(toHex(encodePinBlock(0, pinOf('123456789012'), '5555555551234567')), '0C1261032D8226A9');
  t.equal(decodePinBlock(0, fromHex('091261032D8DCBA9'), '5555555551234567').reveal(), '123456789');
});

t.test('format 0 enciphered under the DUKPT PIN key of X9.24-1:2009 A.4 counter 1', async (t) => {
  const key = fromHex('042666B49184CF5C68DE9628D0397B36');
  t.equal(toHex(encipherPinBlock(0, pinOf('1234'), '4012345678909', key)), '1B9C1845EB993A7A');
  t.equal(decipherPinBlock(0, fromHex('1B9C1845EB993A7A'), '4012345678909', key).reveal(), '1234');
});

t.test('formats 1 and 3 with fixed fill, as ISO 9564-1 9.3.3 and 9.3.5 define them (worked by hand)', async (t) => {
  // Format 1: 1 | N | PIN | fill (transaction field), no PAN.
  t.equal(toHex(encodePinBlock(1, pinOf('1234'), undefined, parseFillNibbles('0123456789'))), '1412340123456789');
  // Format 3: (3 | N | PIN | fill A-F) XOR (0000 | 12 PAN digits without check digit):
  // 341234ABCDEFABCD XOR 0000401234567890 = 341274B9F9B9D35D.
  t.equal(toHex(encodePinBlock(3, pinOf('1234'), '4012345678909', parseFillNibbles('ABCDEFABCD'))), '341274B9F9B9D35D');
  t.equal(decodePinBlock(3, fromHex('341274B9F9B9D35D'), '4012345678909').reveal(), '1234');
  t.equal(decodePinBlock(1, fromHex('1412340123456789')).reveal(), '1234');
});

t.test('format 4: X9.24-3-2017 supplement "Calculation of AES PIN Block Format 4"', async (t) => {
  // PIN 1234, PAN 4111111111111111, random 2F69ADDE2E9E7ACE, PIN key of AES-128 DUKPT counter 1.
  t.equal(toHex(encodePinBlock(4, pinOf('1234'), undefined, fromHex('2F69ADDE2E9E7ACE'))), '441234AAAAAAAAAA2F69ADDE2E9E7ACE');
  t.equal(toHex(panBlock4('4111111111111111')), '44111111111111111000000000000000');
  const key = fromHex('AF8CB133A78F8DC2D1359F18527593FB');
  const block = encipherPinBlock(4, pinOf('1234'), '4111111111111111', key, fromHex('2F69ADDE2E9E7ACE'));
  t.equal(toHex(block), 'A912150391AB65A67E52883D81CE2D15');
  t.equal(decipherPinBlock(4, block, '4111111111111111', key).reveal(), '1234');
  // PAN block examples of openemv/pinblock test/pinblock_format4_test.c (short PAN padded left).
  t.equal(toHex(panBlock4('123456789')), '00001234567890000000000000000000');
  t.equal(toHex(panBlock4('411111111111111')), '34111111111111110000000000000000');
});

t.test('the PAN block of formats 0 and 3 (ISO 9564-1 9.3.1)', async (t) => {
  t.equal(toHex(panBlock03('4012345678909')), '0000401234567890');
  t.equal(toHex(panBlock03('12345')), '0000000000001234', 'a short PAN is padded left with zeros');
  t.throws(() => panBlock03('4012A45678909'), { code: 'KEY_PAN_INVALID' });
});

t.test('PIN buffer: keypad entry, correction, and wiping', async (t) => {
  const pin = new PinBuffer();
  for (const d of [1, 2, 3, 9]) pin.push(d);
  pin.backspace();
  pin.push(4);
  t.equal(pin.length, 4);
  t.ok(pin.complete);
  const view = pin.withDigits((d) => d);
  t.same([...view], [1, 2, 3, 4]);
  const block = encipherPinBlock(0, pin, '4012345678909', fromHex('042666B49184CF5C68DE9628D0397B36'), undefined, true);
  t.equal(toHex(block), '1B9C1845EB993A7A');
  t.same([...view], [0, 0, 0, 0], 'the digits are zeroed in place');
  t.equal(pin.length, 0);
  t.throws(() => pin.push(10), { code: 'KEY_PIN_INVALID' });
  const full = pinOf('123456789012');
  t.throws(() => full.push(1), { code: 'KEY_PIN_INVALID' }, 'no 13th digit');
  t.throws(() => encodePinBlock(0, pinOf('1234').withDigits(() => new PinBuffer()), '4012345678909'), { code: 'KEY_PIN_INVALID' });
  t.throws(() => PinBuffer.fromString('123'), { code: 'KEY_PIN_INVALID' });
  t.throws(() => PinBuffer.fromString('12a4'), { code: 'KEY_PIN_INVALID' });
});

t.test('decoded PIN blocks are checked field by field', async (t) => {
  const pan = '5555555551234567';
  t.throws(() => decodePinBlock(0, fromHex('241261AAAAEDCBA9'), pan), { code: 'KEY_PIN_BLOCK_INVALID' }, 'control field');
  t.throws(() => decodePinBlock(0, fromHex('0F1261AAAAEDCBA9'), pan), { code: 'KEY_PIN_BLOCK_INVALID' }, 'length 15');
  t.throws(() => decodePinBlock(0, fromHex('021261AAAAEDCBA9'), pan), { code: 'KEY_PIN_BLOCK_INVALID' }, 'length 2');
  t.throws(() => decodePinBlock(0, fromHex('041261AAAAEDCBAA'), pan), { code: 'KEY_PIN_BLOCK_INVALID' }, 'fill not F');
  t.throws(() => decodePinBlock(0, fromHex('051261AAAAEDCBA9'), pan), { code: 'KEY_PIN_BLOCK_INVALID' }, 'non-digit PIN');
  t.throws(() => decodePinBlock(0, fromHex('041261AAAAEDCB'), pan), { code: 'KEY_BAD_LENGTH' });
  t.throws(() => decodePinBlock(0, fromHex('041261AAAAEDCBA9')), { code: 'KEY_PAN_INVALID' });
  t.throws(() => decodePinBlock(3, fromHex('3412340000000000'), '0000000000000'), { code: 'KEY_PIN_BLOCK_INVALID' }, 'format 3 fill must be A-F');
  t.throws(() => decipherPinBlock(4, new Uint8Array(8), '4111111111111111', new Uint8Array(16)), { code: 'KEY_BAD_LENGTH' });
});

t.test('fill arguments are checked', async (t) => {
  t.throws(() => encodePinBlock(3, pinOf('1234'), '4012345678909', parseFillNibbles('0123456789')), { code: 'KEY_BAD_ARGUMENT' }, 'format 3 needs A-F');
  t.throws(() => encodePinBlock(1, pinOf('1234'), undefined, parseFillNibbles('012')), { code: 'KEY_BAD_ARGUMENT' }, 'wrong count');
  t.throws(() => encodePinBlock(0, pinOf('1234'), '4012345678909', parseFillNibbles('FFFFFFFFFF')), { code: 'KEY_BAD_ARGUMENT' });
  t.throws(() => encodePinBlock(4, pinOf('1234'), undefined, fromHex('0102')), { code: 'KEY_BAD_ARGUMENT' });
  t.throws(() => parseFillNibbles('xy'), { code: 'KEY_BAD_ARGUMENT' });
});

t.test('random PINs and PANs round-trip through every format; random fill stays in range', async (t) => {
  const tdes = fromHex('0123456789ABCDEFFEDCBA9876543210');
  const aes = fromHex('AF8CB133A78F8DC2D1359F18527593FB');
  fc.assert(
    fc.property(
      fc.stringMatching(/^[0-9]{4,12}$/),
      fc.stringMatching(/^[0-9]{13,19}$/),
      fc.constantFrom<PinBlockFormat>(0, 1, 3, 4),
      (pin, pan, format) => {
        const key = format === 4 ? aes : tdes;
        const block = encipherPinBlock(format, pinOf(pin), pan, key);
        return decipherPinBlock(format, block, pan, key).reveal() === pin;
      },
    ),
    { numRuns: 200 },
  );
  // Format 3 fill digits are A-F (ISO 9564-1 9.3.5.2), format 1 fill any nibble; every value shows up.
  const seen3 = new Set<string>();
  const seen1 = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const clear = toHex(encodePinBlock(3, pinOf('1234'), '0000000000000'));
    t.match(clear, /^341234[A-F]{10}$/);
    for (const c of clear.slice(6)) seen3.add(c);
    for (const c of toHex(encodePinBlock(1, pinOf('1234'))).slice(6)) seen1.add(c);
  }
  t.equal(seen3.size, 6, 'all of A-F used');
  t.equal(seen1.size, 16, 'all 16 nibbles used');
  const a = toHex(encodePinBlock(4, pinOf('1234')));
  const b = toHex(encodePinBlock(4, pinOf('1234')));
  t.equal(a.slice(0, 16), '441234AAAAAAAAAA');
  t.not(a.slice(16), b.slice(16), 'format 4 random halves differ');
});

t.test('random bytes as enciphered blocks give a PIN or a KeyError, never a crash', async (t) => {
  const key = fromHex('0123456789ABCDEFFEDCBA9876543210');
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 20 }), fc.constantFrom<PinBlockFormat>(0, 1, 3, 4), (bytes, format) => {
      try {
        const pin = decipherPinBlock(format, bytes, '4012345678909', format === 4 ? fromHex('AF8CB133A78F8DC2D1359F18527593FB') : key);
        return pin.length >= 4 && pin.length <= 12;
      } catch (err) {
        return isKeyError(err);
      }
    }),
    { numRuns: 300 },
  );
  t.pass('no crash');
});
