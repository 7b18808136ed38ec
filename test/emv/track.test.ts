// ISO/IEC 7813 tracks, Luhn (ISO/IEC 7812-1 Annex B), PAN masking (PCI DSS 3.3), service
// codes (hardware.md 8.1), Track 2 Equivalent Data (EMV Book 3 Annex A, tag 57).
import t from 'tap';
import fc from 'fast-check';
import { parseTrack, parseTrack1, parseTrack2, parseTrack2Equivalent, track1Lrc, track2Lrc, isExpired, expiryMonth, checkExpiry } from '../../emv/track/track.js';
import { luhnValid, luhnCheckDigit, maskPan } from '../../emv/track/pan.js';
import { decodeServiceCode, isChipCard } from '../../emv/track/service-code.js';
import { fromHex } from '../../emv/bytes.js';
import { EmvError } from '../../emv/errors.js';

t.test('LRC worked examples (hardware.md 8.1)', async (t) => {
  t.equal(track1Lrc('%ABC123?').charCodeAt(0) - 0x20, 0x2a, '%ABC123? -> 2A');
  t.equal(track2Lrc(';12345?').charCodeAt(0) - 0x30, 0x5, ';12345? -> 5');
  t.equal(track2Lrc(';4111111111111111=25121010000000000000?').charCodeAt(0) - 0x30, 0x8);
});

t.test('Luhn (ISO/IEC 7812-1 Annex B)', async (t) => {
  t.ok(luhnValid('79927398713'), 'the textbook example');
  t.equal(luhnCheckDigit('7992739871'), 3);
  t.ok(luhnValid('4111111111111111'));
  t.notOk(luhnValid('4111111111111112'));
  t.ok(luhnValid('4761739001010010'), 'Visa test card PAN');
  t.notOk(luhnValid(''));
  t.notOk(luhnValid('4111 1111'));
  t.equal(luhnCheckDigit('411111111111111'), 1);
});

t.test('maskPan: at most first 6 and last 4', async (t) => {
  t.equal(maskPan('4111111111111111'), '411111******1111');
  t.equal(maskPan('6212345678901234567'), '621234*********4567', '19 digits');
  t.equal(maskPan('4111111111119'), '411111***1119', '13 digits: 3 hidden');
  t.equal(maskPan('123456789012'), '123******012', '12 digits: a quarter shown at each end');
  t.equal(maskPan('12345678'), '12****78');
  t.equal(maskPan('123'), '***');
  t.equal(maskPan(''), '');
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9]{0,19}$/), (pan) => {
      const m = maskPan(pan);
      const shown = m.replace(/\*/g, '').length;
      return m.length === pan.length && shown <= 10 && (pan.length < 4 || shown <= pan.length / 2 || pan.length >= 13);
    }),
  );
});

t.test('track 1 with sentinels', async (t) => {
  const t1 = parseTrack1('%B4111111111111111^DOE/JOHN^2512201123456789?');
  t.match(t1, { source: 'track1', pan: '4111111111111111', name: 'DOE/JOHN', expiry: '2512', serviceCode: '201', discretionary: '123456789', luhnValid: true, chipCapable: true });
  t.same(parseTrack1('B4111111111111111^DOE/JOHN^2512201123456789'), t1, 'reader stripped the sentinels');
  const framed = '%B4111111111111111^DOE/JOHN^2512201123456789?';
  t.equal(parseTrack1(framed + track1Lrc(framed)).pan, '4111111111111111', 'with a valid LRC');
  t.equal(parseTrack1('%B4111111111111111^SMITH/JANE MS             ^2512101?').name, 'SMITH/JANE MS', 'padded name trimmed');
});

t.test('track 2 with sentinels and LRC', async (t) => {
  const t2 = parseTrack2(';4111111111111111=25121010000000000000?8');
  t.match(t2, { source: 'track2', pan: '4111111111111111', name: undefined, expiry: '2512', serviceCode: '101', discretionary: '0000000000000', chipCapable: false });
  t.equal(parseTrack('4111111111111111=2512201').serviceCode, '201');
  t.equal(parseTrack('%B4111111111111111^DOE/JOHN^2512201?').source, 'track1');
});

t.test('Track 2 Equivalent Data (tag 57): D separator, F pad', async (t) => {
  const t57 = parseTrack2Equivalent(fromHex('4761739001010010D25122011143804400000F'));
  t.match(t57, { source: 'track2-equivalent', pan: '4761739001010010', expiry: '2512', serviceCode: '201', discretionary: '1143804400000', chipCapable: true, luhnValid: true });
  t.equal(parseTrack2Equivalent(fromHex('4761739001010010D2512201')).discretionary, '', 'even number of nibbles: no pad');
  t.throws(() => parseTrack2Equivalent(fromHex('4761739001010010E2512201')), { code: 'EMV_TRACK_CHARACTER' });
  t.throws(() => parseTrack2Equivalent(fromHex('476173900101001025122011')), { code: 'EMV_TRACK_FORMAT' });
  t.throws(() => parseTrack2Equivalent(fromHex('47617390F1010010D2512201')), { code: 'EMV_TRACK_CHARACTER' }, 'F only as the last nibble');
  t.throws(() => parseTrack2Equivalent(new Uint8Array(20)), { code: 'EMV_TRACK_LENGTH' });
});

t.test('validation errors carry codes', async (t) => {
  const cases: Array<[string, string]> = [
    ['%B4111111111111111^DOE/JOHN^2512201', 'EMV_TRACK_SENTINEL'],
    ['%B4111111111111111^DOE/JOHN^2512201?XY', 'EMV_TRACK_SENTINEL'],
    ['%B4111111111111111^doe/john^2512201?', 'EMV_TRACK_CHARACTER'],
    ['%A4111111111111111^DOE/JOHN^2512201?', 'EMV_TRACK_FORMAT'],
    ['%B4111111111111111^DOE/JOHN2512201?', 'EMV_TRACK_FORMAT'],
    ['%B4111111111111111^D^2512201?', 'EMV_TRACK_LENGTH'],
    ['%B41111111111111111111^DOE/JOHN^2512201?', 'EMV_TRACK_BAD_PAN'],
    ['%B4111111111111111^DOE/JOHN^2513201?', 'EMV_TRACK_BAD_EXPIRY'],
    ['%B4111111111111111^DOE/JOHN^25122?', 'EMV_TRACK_FORMAT'],
    ['%B4111111111111111^DOE/JOHN^2512201?A', 'EMV_TRACK_LRC'],
    ['%B4111111111111111^' + 'X'.repeat(26) + '^2512201' + '1'.repeat(30) + '?', 'EMV_TRACK_LENGTH'],
    [';4111111111111111=2512201?0', 'EMV_TRACK_LRC'],
    [';4111111111111111=2512201', 'EMV_TRACK_SENTINEL'],
    [';4111111111111111D2512201?', 'EMV_TRACK_CHARACTER'],
    [';4111111111111111=2512201=1?', 'EMV_TRACK_FORMAT'],
    [';411111=2512201?', 'EMV_TRACK_BAD_PAN'],
    [';4111111111111111=25122010000000000000000?', 'EMV_TRACK_LENGTH'],
    ['4111111111111111=2512201?', 'EMV_TRACK_SENTINEL'],
    ['', 'EMV_TRACK_LENGTH'],
    ['%E?', 'EMV_TRACK_FORMAT'],
    [';E?', 'EMV_TRACK_FORMAT'],
  ];
  for (const [text, code] of cases) {
    t.throws(() => parseTrack(text), { code }, `${JSON.stringify(text)}: ${code}`);
  }
  t.throws(() => parseTrack('%E?'), { message: /read error/ }, 'a reader\'s E for an unreadable track (hardware.md 8.2)');
});

t.test('random text: a result or an EmvError', async (t) => {
  const alphabet = fc.constantFrom(...'%;?^=BD0123456789/ AZaz'.split(''));
  const trackish = fc.array(alphabet, { maxLength: 90 }).map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 90 }), trackish), (text) => {
      try {
        const r = parseTrack(text);
        return /^[0-9]{8,19}$/.test(r.pan) && /^[0-9]{4}$/.test(r.expiry) && /^[0-9]{3}$/.test(r.serviceCode);
      } catch (err) {
        return err instanceof EmvError;
      }
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
      try {
        parseTrack2Equivalent(bytes);
        return true;
      } catch (err) {
        return err instanceof EmvError;
      }
    }),
    { numRuns: 2000 },
  );
  t.pass('5000 random inputs');
});

t.test('service code digits (hardware.md 8.1)', async (t) => {
  t.match(decodeServiceCode('201'), { interchange: 'international', chipCapable: true, authorisation: 'normal', services: 'any', pin: 'none' });
  t.match(decodeServiceCode('101'), { chipCapable: false });
  t.match(decodeServiceCode('620'), { interchange: 'national', chipCapable: true, authorisation: 'online', pin: 'required' });
  t.match(decodeServiceCode('503'), { interchange: 'national', services: 'atm-only', pin: 'required' });
  t.match(decodeServiceCode('726'), { interchange: 'private', authorisation: 'online', pin: 'when-pin-pad-present' });
  t.match(decodeServiceCode('999'), { interchange: 'test', services: 'reserved' });
  t.match(decodeServiceCode('305'), { interchange: 'reserved', services: 'goods-and-services', pin: 'required' });
  t.match(decodeServiceCode('201').meaning[0], /^2: .*chip/);
  t.throws(() => decodeServiceCode('20'), { code: 'EMV_TRACK_FORMAT' });
  t.ok(isChipCard('201'));
  t.ok(isChipCard('601'));
  t.notOk(isChipCard('101'));
  t.notOk(isChipCard('501'));
});

t.test('expiry: valid through the last day of the month', async (t) => {
  t.same(expiryMonth('2512'), { year: 2025, month: 12 });
  t.notOk(isExpired('2512', new Date(2025, 11, 31, 23, 59)));
  t.ok(isExpired('2512', new Date(2026, 0, 1)));
  t.ok(isExpired('2401', new Date(2025, 0, 1)));
  t.notOk(isExpired('3001', new Date(2025, 0, 1)));
  t.throws(() => checkExpiry('2500'), { code: 'EMV_TRACK_BAD_EXPIRY' });
  t.throws(() => isExpired('25', new Date()), { code: 'EMV_TRACK_BAD_EXPIRY' });
});
