/**
 * BER-TLV decode throughput on one contactless tap's responses: SELECT AID FCI (4 levels
 * deep), GET PROCESSING OPTIONS format 2 (template 77 with SDAD) and one READ RECORD
 * (template 70 with the issuer public key certificate), against the npm `ber-tlv` package
 * measured in the same run (perf-baselines.md section 4: ber-tlv about 24k taps/s, a
 * zero-copy reader with value views about 13x that; goal here: at least 8x ber-tlv).
 */
import berTlv from 'ber-tlv';
import { compareOps, type Benchmark } from './harness.js';
import { decodeTlv, encodeTlv, primitives, type TlvInput } from '../emv/ber/tlv.js';
import { fromHex } from '../emv/bytes.js';

const p = (tag: number, hex: string): TlvInput => ({ tag, value: fromHex(hex) });
const c = (tag: number, ...children: TlvInput[]): TlvInput => ({ tag, children });
const filler = (n: number, seed: number): string => Array.from({ length: n }, (_, i) => ((i * 37 + seed) & 0xff).toString(16).padStart(2, '0')).join('');

/** The three R-APDU data fields of one Visa-style qVSDC tap (EMV Book 3 6.5, Book C-3 5). */
export function oneTap(): Uint8Array[] {
  const fci = c(0x6f,
    p(0x84, 'A0000000031010'),
    c(0xa5,
      p(0x50, '56495341204352454449542020'),
      p(0x87, '01'),
      p(0x9f38, '9F66049F02069F03069F1A0295055F2A029A039C019F3704'),
      p(0x5f2d, '656E7A68'),
      p(0x9f11, '01'),
      p(0x9f12, '5649534120435245444954'),
      c(0xbf0c, p(0x9f5a, '1108400840'), p(0x9f4d, '0B0A'), p(0xdf61, '01'), p(0xdf62, '00'))));
  const gpo = c(0x77,
    p(0x82, '2000'),
    p(0x94, '10010301'),
    p(0x57, '4761739001010010D25122011143804400000F'),
    p(0x5f20, '56495341204143515549524552202F'),
    p(0x9f10, '06011203A0000000'),
    p(0x9f26, 'E1A4E7C5C95B6F0D'),
    p(0x9f27, '80'),
    p(0x9f36, '0027'),
    p(0x9f4b, filler(128, 3)),
    p(0x9f6c, '1600'),
    p(0x9f6e, '20700000'),
    p(0x5f34, '01'),
    p(0x9f5d, '000000010000'),
    p(0x9f7c, filler(33, 9)));
  const record = c(0x70,
    p(0x8f, '09'),
    p(0x90, filler(176, 5)),
    p(0x9f32, '03'),
    p(0x92, filler(36, 7)),
    p(0x5a, '4761739001010010'),
    p(0x5f24, '251231'),
    p(0x5f25, '200101'),
    p(0x5f28, '0840'),
    p(0x9f07, 'FF00'),
    p(0x9f0d, 'F040008800'),
    p(0x9f0e, '0010000000'),
    p(0x9f0f, 'F040009800'),
    p(0x8e, '000000000000000042031E031F03'),
    p(0x9f4a, '82'),
    p(0x8c, '9F02069F03069F1A0295055F2A029A039C019F3704'),
    p(0x8d, '910A8A0295059F3704'),
    p(0x5f30, '0201'),
    p(0x9f08, '0096'),
    p(0x9f42, '0840'),
    p(0x9f44, '02'),
    p(0x9f14, '00'));
  return [encodeTlv(fci), encodeTlv(gpo), encodeTlv(record)];
}

const bench: Benchmark = {
  name: 'BER-TLV decode, one tap (SELECT FCI + GPO format 2 + READ RECORD)',
  async run() {
    const tap = oneTap();
    const tapBuffers = tap.map((b) => Buffer.from(b));
    const elements = tap.reduce((n, b) => n + primitives(decodeTlv(b)).length, 0);
    let sink = 0;
    const ops = compareOps(
      {
        'emv/ber decodeTlv (strict, Uint8Array)': () => {
          for (const b of tap) sink += decodeTlv(b).length;
        },
        'emv/ber decodeTlv (lenient, Buffer input)': () => {
          for (const b of tapBuffers) sink += decodeTlv(b, { lenient: true }).length;
        },
        'ber-tlv TlvFactory.parse(Buffer)': () => {
          for (const b of tapBuffers) sink += berTlv.TlvFactory.parse(b).length;
        },
      },
      7,
      300,
    );
    if (sink === 0) throw new Error('nothing decoded');
    const base = { name: 'ber-tlv TlvFactory.parse(Buffer)', value: ops['ber-tlv TlvFactory.parse(Buffer)']! };
    const bytes = tap.reduce((n, b) => n + b.length, 0);
    return ['emv/ber decodeTlv (strict, Uint8Array)', 'emv/ber decodeTlv (lenient, Buffer input)'].map((name) => {
      const ratio = ops[name]! / base.value;
      return { name: `${name}, ${bytes} B / ${elements} primitives per tap`, value: ops[name]!, unit: 'taps/s', baseline: base, ratio, goal: 'ratio >= 8', met: ratio >= 8 };
    });
  },
};
export default bench;
