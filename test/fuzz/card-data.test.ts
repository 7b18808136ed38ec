// Fuzzing the parsers that take what a card sends (issue 11): BER-TLV (strict and lenient),
// response and command APDUs, the T=0 procedure-byte loop, ATRs, track data from a stripe or
// tag 57, and TLV JSON from the tools. Each input is parsed or refused with EmvError.
import t from 'tap';
import fc from 'fast-check';
import { decodeTlv, encodeTlv } from '../../emv/ber/tlv.js';
import { tlvFromJson } from '../../emv/ber/json.js';
import { parseCommand, parseResponse, readRecord, generateAc } from '../../emv/apdu/apdu.js';
import { withT0Handling } from '../../emv/transport/transceive.js';
import { parseAtr } from '../../emv/atr/atr.js';
import { parseTrack, parseTrack2Equivalent } from '../../emv/track/track.js';
import { EmvError } from '../../emv/errors.js';
import { fuzz, fuzzAsync, mutated, mutatedText } from './harness.js';

const isEmvError = (err: unknown): boolean => err instanceof EmvError;
const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s/g, ''), 'hex');

// Valid samples: a READ RECORD template (EMV Book 3 Annex B: 70 with 57, 5F20, 8C ...), an FCI
// (Book 1 11.3.4), a GPO format 2 answer (Book 3 6.5.8.4) and a constructed-in-constructed tree.
const RECORD = encodeTlv({
  tag: 0x70,
  children: [
    { tag: 0x57, value: hex('4761739001010010D22122011143804400000F') },
    { tag: 0x5f20, value: Buffer.from('CARDHOLDER/VISA') },
    { tag: 0x8c, value: hex('9F02069F03069F1A0295055F2A029A039C019F3704') },
    { tag: 0x9f08, value: hex('008C') },
  ],
});
const FCI = encodeTlv({
  tag: 0x6f,
  children: [
    { tag: 0x84, value: hex('A0000000031010') },
    { tag: 0xa5, children: [{ tag: 0x50, value: Buffer.from('VISA CREDIT') }, { tag: 0x87, value: hex('01') }, { tag: 0x9f38, value: hex('9F66049F02069F37045F2A02') }] },
  ],
});
const GPO = encodeTlv({ tag: 0x77, children: [{ tag: 0x82, value: hex('1980') }, { tag: 0x94, value: hex('08010100100102011801020020010200') }] });
const withSw = (b: Uint8Array, sw = '9000'): Uint8Array => Buffer.concat([b, hex(sw)]);
const TLV_SAMPLES = [RECORD, FCI, GPO, Buffer.concat([RECORD, hex('0000FFFF')])];

t.test('BER-TLV decoding, strict and lenient', async (t) => {
  fuzz(t, 'TLV strict', mutated(TLV_SAMPLES, 128), (b) => decodeTlv(b), isEmvError);
  fuzz(t, 'TLV lenient (00/FF padding allowed)', mutated(TLV_SAMPLES, 128), (b) => decodeTlv(b, { lenient: true }), isEmvError);
});

t.test('response and command APDUs', async (t) => {
  fuzz(t, 'response APDU', mutated(TLV_SAMPLES.map((s) => withSw(s)).concat([hex('6A82'), hex('6985')])), (b) => parseResponse(b), isEmvError);
  fuzz(t, 'command APDU', mutated([readRecord(1, 1), generateAc('ARQC', hex('000000001000')), hex('00A404000E325041592E5359532E444446303100')]), (b) => parseCommand(b), isEmvError);
});

t.test('T=0 procedure loop against a card answering at random', async (t) => {
  // The card answers every exchange from a random list (61xx/6Cxx included): the wrapper ends
  // with one response or an EmvError, and never loops without bound.
  const answers = fc.array(fc.oneof(mutated([hex('6110'), hex('6C08'), withSw(GPO), hex('9000')], 8)), { minLength: 1, maxLength: 24 });
  await fuzzAsync(
    t,
    'T=0 GET RESPONSE / re-send',
    answers,
    async (list) => {
      let i = 0;
      const card = withT0Handling(async () => list[i++ % list.length]!, { case4Warnings: true });
      return card(readRecord(1, 1));
    },
    isEmvError,
  );
});

t.test('ATR', async (t) => {
  fuzz(t, 'ATR', mutated([hex('3BE000008131FE45EB'), hex('3B6800000073C84013009000'), hex('3B8F8001804F0CA000000306030001000000006A')], 40), (b) => parseAtr(b), isEmvError);
});

t.test('track data', async (t) => {
  const tracks = ['%B4761739001010010^CARDHOLDER/VISA^22122011143804400000000?', ';4761739001010010=22122011143804400000?', '4761739001010010=2212201'];
  fuzz(t, 'track 1/2 text', mutatedText(tracks), (s) => parseTrack(s), isEmvError);
  fuzz(t, 'track 2 equivalent (tag 57)', mutated([hex('4761739001010010D22122011143804400000F')], 24), (b) => parseTrack2Equivalent(b), isEmvError);
});

t.test('TLV JSON (the tools\' input)', async (t) => {
  const tree = fc.letrec((tie) => ({
    node: fc.record({ tag: fc.oneof(fc.constantFrom('9F02', '70', '5A', 'DF01', 'ZZ', ''), fc.string({ maxLength: 6 })), value: fc.oneof(fc.string({ maxLength: 12, unit: fc.constantFrom(...'0123456789ABCDEF') }), fc.string({ maxLength: 8 }), fc.array(tie('node'), { maxLength: 3 })) }),
  })).node;
  fuzz(t, 'TLV JSON', fc.oneof(fc.array(tree, { maxLength: 4 }), fc.jsonValue()), (j) => encodeTlv(tlvFromJson(j)), isEmvError);
});
