/**
 * ISO 8583 pack + unpack of a typical 0200 with ICC data (field 55) and a MAC in field
 * 128 (so both sides send a secondary bitmap), against the npm `iso_8583` package
 * producing byte-identical output, measured in the same run. The wire format is the one
 * iso_8583 writes: ASCII fields, binary bitmap, binary PIN block and MAC (a JSON layout
 * of ours). Goal (host link issue): at least 8x its combined throughput.
 */
import Iso from 'iso_8583';
import { compareOps, type Benchmark } from './harness.js';
import { layoutFromJson, type JsonFieldSpec } from '../src/host/iso8583/layout.js';
import { ISO87_FIELDS } from '../src/host/iso8583/iso87-fields.js';
import { IsoMessage } from '../src/host/iso8583/message.js';
import { pack, unpack } from '../src/host/iso8583/packager.js';

const fields: Record<string, JsonFieldSpec> = { 1: { class: 'IFB_BITMAP', length: 16 } };
for (const [id, asciiClass, , length, name] of ISO87_FIELDS) fields[id] = { class: asciiClass, length, name };
for (const id of [52, 64, 128]) fields[id] = { class: 'IFB_BINARY', length: 8 };
export const layout = layoutFromJson({ name: 'ascii-binary-bitmap', bitmap: 'binary', fields });

const icc =
  '9F2608C2A3F1B8A4D6E7F89F2701809F360200129505000000800082025C009F1A0201569A032511289C01005F2A0201569F02060000000123459F03060000000000009F100706010A03A0A0009F3303E0F0C89F34034203009F3501229F3704A1B2C3D4';
const peerMsg: Record<string, string> = {
  0: '0200', 2: '4761739001010119', 3: '000000', 4: '000000012345', 7: '1128104530', 11: '000123', 12: '104530', 13: '1128', 14: '2512',
  22: '071', 23: '001', 25: '00', 35: '4761739001010119D25122011143857589', 37: '000000000123', 41: 'TERM0001', 42: 'MERCHANT0000001',
  49: '156', 52: '0123456789ABCDEF', 55: icc, 128: '1122334455667788',
};
const peerFormats = { 128: { ContentType: 'b', Label: 'MAC', LenType: 'fixed', MaxLen: 16 } };

function ourMessage(): IsoMessage {
  const m = new IsoMessage('0200');
  for (const [k, v] of Object.entries(peerMsg)) {
    const id = Number(k);
    if (id === 0) continue;
    if (id === 52 || id === 128) m.set(id, Uint8Array.from(Buffer.from(v, 'hex')));
    else m.set(id, v);
  }
  return m;
}

const bench: Benchmark = {
  name: 'iso8583',
  async run() {
    const ours = ourMessage();
    const frame = pack(layout, ours);
    const peerFrame = new Iso(peerMsg, peerFormats).getRawMessage() as Buffer;
    if (!Buffer.from(frame).equals(peerFrame)) throw new Error(`frames differ:\n ours ${Buffer.from(frame).toString('hex')}\n peer ${peerFrame.toString('hex')}`);
    const back = unpack(layout, frame);
    if (back.text(55) !== icc) throw new Error('unpack mismatch');
    const r = compareOps({
      oursPack: () => pack(layout, ours),
      peerPack: () => new Iso(peerMsg, peerFormats).getRawMessage(),
      oursUnpack: () => unpack(layout, frame),
      peerUnpack: () => new Iso({}, peerFormats).getIsoJSON(peerFrame, { lenHeader: false }),
    });
    const combined = (p: number, u: number): number => 1 / (1 / p + 1 / u);
    const ours2 = combined(r.oursPack!, r.oursUnpack!);
    const peer2 = combined(r.peerPack!, r.peerUnpack!);
    return [
      { name: `pack 0200 (${frame.length} B, byte-identical)`, value: r.oursPack!, unit: 'msg/s', baseline: { name: 'iso_8583', value: r.peerPack! } },
      { name: 'unpack 0200', value: r.oursUnpack!, unit: 'msg/s', baseline: { name: 'iso_8583', value: r.peerUnpack! } },
      { name: 'pack + unpack', value: ours2, unit: 'msg/s', baseline: { name: 'iso_8583', value: peer2 }, goal: 'ratio >= 8', met: ours2 / peer2 >= 8 },
    ];
  },
};

export default bench;
