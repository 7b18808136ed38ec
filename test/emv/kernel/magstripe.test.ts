// Contactless mag-stripe mode (EMV Contactless Book C-2, Kernel 2; Mastercard PayPass
// M/Stripe): the CVC3 the card computes, the dynamic Track 1 / Track 2 the kernel builds
// from the card's PCVC3 / PUNATC / NATC bitmaps, and the mastercard-magstripe test card end
// to end, directly and through the PN532 driver and model: online request, entry mode 91.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { computeCvc3, deriveIccMasterKey } from '../../../emv/crypto/emv-keys.js';
import { keyCheckValue } from '../../../emv/crypto/kcv.js';
import { fromHex, toHex } from '../../../emv/bytes.js';
import { CardFault } from '../../../emv/kernel/card-io.js';
import { dynamicTrack1, dynamicTrack2, fillDiscretionary, numericUnpredictableNumber, unDigitCount, type TrackBitmaps } from '../../../emv/kernel/magstripe.js';
import { createCard, simContactlessCard, testCard, TEST_CVC3_MASTER_KEY } from '../../../emv/cards/catalogue.js';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import type { KernelOutcome, TerminalConfig } from '../../../emv/kernel/types.js';
import { openReader } from '../../devices/pn532/rig.js';
import { TERMINAL, params, pinPad } from './catalogue.js';
import { HANG_MS } from '../../until.js';

t.test('CVC3: the published example of pyemv (cvv.generate_cvc3 docstring)', async (t) => {
  // IMK-CVC3 01234567899876543210012345678998, PAN 5123456789012345, PSN 00, option A (ICC key KCV BB8F);
  // Track 2 template 5123456789012345D35121010000000000000F, ATC 005E, UN 00000899 -> CVC3 29488.
  const key = deriveIccMasterKey(fromHex('01234567899876543210012345678998'), '5123456789012345', '00', 'a');
  t.equal(toHex(keyCheckValue(key, 'tdes', 2)), 'BB8F', 'ICC CVC3 key as published');
  t.equal(computeCvc3(key, fromHex('5123456789012345D35121010000000000000F'), fromHex('00000899'), fromHex('005E')), 29488);
  t.throws(() => computeCvc3(key.subarray(0, 8), fromHex('00'), fromHex('00000899'), fromHex('005E')), { code: 'EMV_CRYPTO_KEY_LENGTH' });
  t.throws(() => computeCvc3(key, fromHex('00'), fromHex('000899'), fromHex('005E')), { code: 'EMV_CRYPTO_BAD_ARGUMENT' });
});

const T2: TrackBitmaps = { pcvc3: fromHex('000E'), punatc: fromHex('0E70'), natc: 3 };
const T1: TrackBitmaps = { pcvc3: fromHex('00000000000E'), punatc: fromHex('000000000E70'), natc: 3 };

t.test('dynamic Track 2 worked by hand from the Book C-2 placement rules', async (t) => {
  // PUNATC 0E70: 6 bits, NATC 3 -> nUN 3. Discretionary data 13 digits, positions counted from the right (bit 1 = position 0):
  // pos 0 <- nUN (3); PCVC3 000E: pos 1-3 <- the 3 least significant CVC3 digits (29488 -> 488);
  // PUNATC bits 5-7 (pos 4-6), the NATC least significant ones <- ATC 005E = 94 -> 094; bits 10-12 (pos 9-11) <- UN digits 899.
  t.equal(unDigitCount(T2), 3);
  const v = { cvc3: 29488, unDigits: '00000899', atc: 0x5e, nUN: 3 };
  t.equal(fillDiscretionary('0000000000000', T2, v), '0' + '899' + '00' + '094' + '488' + '3');
  t.equal(toHex(dynamicTrack2(fromHex('5123456789012345D35121010000000000000F'), T2, v)), '5123456789012345D3512101' + '0899000944883' + 'F');
  // Track 1: 16 discretionary characters, same bitmaps in 6 bytes, CVC3 (Track1) 12345 -> 345.
  t.equal(
    dynamicTrack1(Uint8Array.from(Buffer.from('B5123456789012345^SMITH/JOHN^3512101' + '0'.repeat(16), 'latin1')), T1, { ...v, cvc3: 12345 }),
    'B5123456789012345^SMITH/JOHN^3512101' + '0000' + '899' + '00' + '094' + '345' + '3',
  );
});

t.test('the Unpredictable Number (Numeric) has nUN digits, right justified (9F6A, n 8)', async (t) => {
  // 11223344 = 287454020: 3 digits -> 020.
  t.same(numericUnpredictableNumber(fromHex('11223344'), 3), { digits: '00000020', value: fromHex('00000020') });
  t.same(numericUnpredictableNumber(fromHex('FFFFFFFF'), 8), { digits: '94967295', value: fromHex('94967295') });
  t.same(numericUnpredictableNumber(fromHex('FFFFFFFF'), 0), { digits: '00000000', value: fromHex('00000000') });
});

t.test('bitmaps that do not fit the card data are a card data error (CardFault), never a crash', async (t) => {
  const v = { cvc3: 1, unDigits: '00000001', atc: 1, nUN: 3 };
  t.throws(() => unDigitCount({ ...T2, natc: 7 }), CardFault, 'NATC above the PUNATC bits: nUN < 0');
  t.throws(() => unDigitCount({ pcvc3: T2.pcvc3, punatc: fromHex('FFFF'), natc: 0 }), CardFault, 'nUN 16 > 8');
  t.throws(() => fillDiscretionary('0000000000000', { ...T2, pcvc3: fromHex('0010') }, v), CardFault, 'PCVC3 overlaps PUNATC');
  t.throws(() => fillDiscretionary('0000000000000', { ...T2, pcvc3: fromHex('0001') }, v), CardFault, 'bit 1 is the nUN digit');
  t.throws(() => fillDiscretionary('00000', T2, v), CardFault, 'bits beyond the discretionary data');
  t.throws(() => dynamicTrack2(fromHex('5123456789012345'), T2, v), CardFault, 'no separator');
  t.throws(() => dynamicTrack1(Uint8Array.from(Buffer.from('%B512^X^35', 'latin1')), T1, v), CardFault, 'not B PAN ^ name ^ ...');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.nat(9), (track, pcvc3, punatc, natc) => {
      const m = { pcvc3, punatc, natc };
      try {
        const n = unDigitCount(m);
        dynamicTrack2(track, m, { ...v, nUN: n });
      } catch (err) {
        if (!(err instanceof CardFault)) throw err;
      }
    }),
    { numRuns: 500 },
  );
});

/** What the mastercard-magstripe card must give for this tap, from its profile and the C-2 rules. */
function expectedTracks(r: KernelOutcome): { track2: string; track1: string } {
  const card = testCard('mastercard-magstripe');
  const a = card.profile.applications[0]!;
  const key = deriveIccMasterKey(fromHex(TEST_CVC3_MASTER_KEY), a.pan, a.psn, 'a');
  const staticTrack2 = `${a.pan}D${a.expiry.slice(0, 4)}${a.serviceCode}${'0'.repeat(13)}F`;
  const staticTrack1 = `B${a.pan}^TEST/CARDHOLDER^${a.expiry.slice(0, 4)}${a.serviceCode}${'0'.repeat(16)}`;
  const un = fromHex('00000020'); // nUN 3 from PUNATC 0E70 / NATC 3; 287454020 -> 020
  const atc = r.atc!;
  const cvc3 = (track: Uint8Array): string => String(computeCvc3(key, track, un, atc)).padStart(3, '0').slice(-3);
  const atc3 = String((atc[0]! << 8) | atc[1]!).padStart(3, '0').slice(-3);
  // This card's bitmaps (emv/cards personalise: PCVC3 bits 2-4, PUNATC bits 5-7 ATC and 10-12 UN): see the worked example above.
  const dd = (width: number, c: string): string => '0'.repeat(width - 12) + '020' + '00' + atc3 + c + '3';
  return {
    track2: `${a.pan}D${a.expiry.slice(0, 4)}${a.serviceCode}${dd(13, cvc3(fromHex(staticTrack2)))}F`,
    track1: `B${a.pan}^TEST/CARDHOLDER^${a.expiry.slice(0, 4)}${a.serviceCode}${dd(16, cvc3(Uint8Array.from(Buffer.from(staticTrack1, 'latin1'))))}`,
  };
}

function assertMagstripe(t: Test, r: KernelOutcome, cvm: string): void {
  t.equal(r.outcome, 'online-request', 'mag-stripe mode always goes online (Book C-2)');
  t.equal(r.entryMode, '91', 'POS entry mode 91: contactless mag-stripe');
  t.equal(r.interface, 'contactless');
  t.equal(r.stoppedAt, 'first-generate-ac');
  t.equal(r.cryptogram, undefined, 'no application cryptogram');
  t.equal(r.field55, undefined, 'no ICC data for field 55');
  t.equal(r.cvm && toHex(r.cvm.bytes), cvm, 'CVM results');
  const want = expectedTracks(r);
  t.equal(r.account?.track2 && toHex(r.account.track2), want.track2, 'dynamic Track 2: CVC3, UN and ATC in place (for field 35)');
  t.equal(r.account?.track1, want.track1, 'dynamic Track 1');
  t.equal(r.events.filter((e) => e.kind === 'card-removable').length, 1, 'card-removal point once, after COMPUTE CRYPTOGRAPHIC CHECKSUM');
  t.notMatch(JSON.stringify({ ...r, account: undefined }), /5413330089/, 'the PAN only in `account`');
}

t.test('mastercard-magstripe over a direct transceive: under and over the CVM required limit', async (t) => {
  for (const [amount, cvm] of [[1000, '1F0002'], [6000, '020000']] as const) {
    const card = createCard('mastercard-magstripe', 'contactless');
    const r = await runTransaction({ interface: 'contactless', params: params(amount), config: TERMINAL, deps: { transceive: async (c) => card.transceive(c), pin: pinPad([]) } });
    assertMagstripe(t, r, cvm);
  }
});

t.test('mastercard-magstripe tapped on the PN532 (driver + model on a sim SPI bus)', async (t) => {
  const rig = await openReader('spi');
  t.teardown(() => rig.close());
  rig.model.insertCard(simContactlessCard(createCard('mastercard-magstripe', 'contactless')));
  await rig.reader.waitForCard({ timeoutMs: HANG_MS });
  const r = await runTransaction({ interface: 'contactless', params: params(1000), config: TERMINAL, deps: { transceive: (c) => rig.reader.transceive(c) } });
  assertMagstripe(t, r, '1F0002');
});

t.test('without mag-stripe mode for the AID the kernel does not run it', async (t) => {
  const config: TerminalConfig = { ...TERMINAL, aids: TERMINAL.aids.map((a) => ({ ...a, contactless: { ...a.contactless, magstripeMode: false } })) };
  const card = createCard('mastercard-magstripe', 'contactless');
  const r = await runTransaction({ interface: 'contactless', params: params(1000), config, deps: { transceive: async (c) => card.transceive(c) } });
  t.equal(r.entryMode, '07');
  t.notOk(card.commands.includes('COMPUTE CRYPTOGRAPHIC CHECKSUM'));
});
