// PN532 host-link frames against the PN532 User Manual (UM0701-02 6.2.1) and the frame
// vectors of shared/reference/hardware.md 5.1 (which match nfcpy's and Adafruit's constants).
import t from 'tap';
import fc from 'fast-check';
import { HalError } from '../../../hal/errors.js';
import {
  ACK_FRAME,
  ERROR_FRAME,
  FrameParser,
  NACK_FRAME,
  decodeFrame,
  encodeCommand,
  encodeFrame,
  type ParseEvent,
} from '../../../hal/devices/pn532/frame.js';
import { parseTargetA } from '../../../hal/devices/pn532/pn532.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');

t.test('command frames: golden bytes (UM 6.2.1.1, hardware.md 5.1)', async (t) => {
  const cases: [string, number, string, string][] = [
    ['GetFirmwareVersion', 0x02, '', '00 00 FF 02 FE D4 02 2A 00'],
    ['SAMConfiguration normal, timeout 0x14, IRQ', 0x14, '01 14 01', '00 00 FF 05 FB D4 14 01 14 01 02 00'],
    ['SAMConfiguration (nfcpy variant)', 0x14, '01 00 00', '00 00 FF 05 FB D4 14 01 00 00 17 00'],
    ['RFConfiguration MaxRetries FF 01 01', 0x32, '05 FF 01 01', '00 00 FF 06 FA D4 32 05 FF 01 01 F4 00'],
    ['InListPassiveTarget 1 target 106 kbps A', 0x4a, '01 00', '00 00 FF 04 FC D4 4A 01 00 E1 00'],
    ['InDataExchange Tg 1 READ page 4', 0x40, '01 30 04', '00 00 FF 05 FB D4 40 01 30 04 B7 00'],
    ['InRelease all', 0x52, '00', '00 00 FF 03 FD D4 52 00 DA 00'],
  ];
  for (const [name, code, params, expected] of cases) {
    t.equal(hex(encodeCommand(code, h(params))), expected, name);
  }
  t.equal(hex(ACK_FRAME), '00 00 FF 00 FF 00', 'ACK (UM 6.2.1.3)');
  t.equal(hex(NACK_FRAME), '00 00 FF FF 00 00', 'NACK');
  t.equal(hex(ERROR_FRAME), '00 00 FF 01 FF 7F 81 00', 'syntax error frame');
});

t.test('response frames decode (UM 6.2.1.1, 7.2.2, 7.3.5, 7.3.11)', async (t) => {
  const cases: [string, string, number, string][] = [
    ['GetFirmwareVersion: IC 32, v1.6, support 07', '00 00 FF 06 FA D5 03 32 01 06 07 E8 00', 0x03, '32 01 06 07'],
    ['SAMConfiguration', '00 00 FF 02 FE D5 15 16 00', 0x15, ''],
    ['RFConfiguration', '00 00 FF 02 FE D5 33 F8 00', 0x33, ''],
    ['InListPassiveTarget, NTAG (nfcpy vector)', '00 00 FF 0F F1 D5 4B 01 01 00 44 00 07 04 16 C6 C2 D7 38 81 61 00', 0x4b, '01 01 00 44 00 07 04 16 C6 C2 D7 38 81'],
    ['InListPassiveTarget, no target', '00 00 FF 03 FD D5 4B 00 E0 00', 0x4b, '00'],
    ['InRelease', '00 00 FF 03 FD D5 53 00 D8 00', 0x53, '00'],
  ];
  for (const [name, bytes, code, rest] of cases) {
    const ev = decodeFrame(h(bytes));
    if (ev.kind !== 'info') {
      t.fail(`${name}: ${ev.kind}`);
      continue;
    }
    t.equal(ev.tfi, 0xd5, `${name}: TFI D5`);
    t.equal(ev.data[0], code, `${name}: response code`);
    t.equal(hex(ev.data.subarray(1)), hex(h(rest)), `${name}: data`);
    t.equal(ev.extended, false);
  }
  t.same(decodeFrame(ACK_FRAME), { kind: 'ack' });
  t.same(decodeFrame(NACK_FRAME), { kind: 'nack' });
  t.same(decodeFrame(ERROR_FRAME), { kind: 'error' });
  // Any number of leading zeros before the start code (CircuitPython _read_frame).
  t.same(decodeFrame(h('00 00 00 00 00 FF 00 FF 00')), { kind: 'ack' });
});

t.test('Type A target data (UM 7.3.5): SENS_RES MSB first, SEL_RES, NFCID1, ATS', async (t) => {
  const ntag = parseTargetA(h('01 00 44 00 07 04 16 C6 C2 D7 38 81'), 0);
  t.equal(ntag.tg, 1);
  t.equal(hex(ntag.info.atqa), '00 44', 'SENS_RES as reported (hardware.md risk 14)');
  t.equal(ntag.info.sak, 0x00);
  t.equal(hex(ntag.info.uid), '04 16 C6 C2 D7 38 81');
  t.equal(ntag.info.ats, undefined);
  t.equal(ntag.info.protocol, 'iso14443-3a');
  // A payment card: SAK 20 (ISO/IEC 14443-4), ATS TL 05 counts itself.
  const card = parseTargetA(h('01 00 04 20 04 11 22 33 44 05 78 80 70 02'), 0);
  t.equal(card.info.protocol, 'iso14443-4');
  t.equal(hex(card.info.ats!), '05 78 80 70 02');
  t.equal(card.next, 14);
  // 7-byte UID reported with its cascade tag: the tag is not part of the UID (ISO/IEC 14443-3 6.5.4).
  t.equal(hex(parseTargetA(h('01 00 44 00 08 88 04 16 C6 C2 D7 38 81'), 0).info.uid), '04 16 C6 C2 D7 38 81');
  for (const bad of ['01 00 44', '01 00 44 00 07 04 16', '01 00 04 20 04 11 22 33 44 09 78', '01 00 04 20 05 11 22 33 44 55']) {
    t.throws(() => parseTargetA(h(bad), 0), { code: 'HAL_PROTOCOL' }, bad);
  }
});

t.test('extended frames (UM 6.2.1.2): FF FF LENm LENl LCS, chosen above 255 bytes', async (t) => {
  const normal = encodeFrame(0xd4, new Uint8Array(254));
  t.equal(hex(normal.subarray(0, 5)), '00 00 FF FF 01', 'TFI + 254 bytes = LEN 255 still fits a normal frame');
  const data = Uint8Array.from({ length: 264 }, (_, i) => i & 0xff);
  const ext = encodeFrame(0xd4, data);
  // LEN = 265 = 0x0109; LCS makes LENm + LENl + LCS = 0 mod 256.
  t.equal(hex(ext.subarray(0, 8)), '00 00 FF FF FF 01 09 F6');
  t.equal(ext.length, 265 + 10);
  let s = 0;
  for (const b of ext.subarray(8, 8 + 265 + 1)) s += b;
  t.equal(s & 0xff, 0, 'TFI + data + DCS = 0 mod 256');
  t.equal(ext[ext.length - 1], 0x00, 'postamble');
  const back = decodeFrame(ext);
  t.ok(back.kind === 'info' && back.extended && hex(back.data) === hex(data));
  t.throws(() => encodeFrame(0xd4, new Uint8Array(265)), { code: 'HAL_INVALID_ARGUMENT' });
});

t.test('malformed frames are reported with their reason, never thrown', async (t) => {
  const reasons: [string, string][] = [
    ['00 00 FF 02 FD D4 02 2A 00', 'length-checksum'],
    ['00 00 FF 02 FE D4 02 2B 00', 'data-checksum'],
    ['00 00 FF 02 FE D4 02 2A 11', 'postamble'],
    ['00 00 FF FF FF 01 09 F5', 'length-checksum'],
    ['00 00 FF FF FF 02 00 FE', 'length'],
    ['00 00 FF 00 00', 'length'],
    ['00 00 FF 06 FA D5 03 32', 'truncated'],
  ];
  for (const [bytes, reason] of reasons) {
    const ev = decodeFrame(h(bytes));
    t.equal(ev.kind === 'bad' ? ev.reason : ev.kind, reason, bytes);
  }
  t.equal(decodeFrame(h('12 34 56')).kind, 'bad', 'no start code');
});

t.test('the streaming parser takes any chunking and resynchronises after a bad frame', async (t) => {
  const stream = h('FF 13 00 00 FF 02 FE D4 02 2B 00 00 00 FF 00 FF 00 00 00 FF 06 FA D5 03 32 01 06 07 E8 00');
  const p = new FrameParser();
  const events: ParseEvent[] = [];
  for (const b of stream) events.push(...p.push(Uint8Array.of(b)));
  t.same(
    events.map((e) => (e.kind === 'bad' ? e.reason : e.kind)),
    ['data-checksum', 'ack', 'info'],
  );
  t.equal(p.pending, 0);
});

t.test('random input: the parser never throws and every info frame has good checksums', async () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), (chunks) => {
      const p = new FrameParser();
      for (const c of chunks) {
        for (const ev of p.push(c)) {
          if (ev.kind === 'info') {
            // Re-encoding reproduces a valid frame: LEN, LCS, DCS consistent.
            const again = decodeFrame(encodeFrame(ev.tfi, ev.data));
            if (again.kind !== 'info') throw new Error('re-encoded frame did not parse');
          }
        }
      }
      p.flush();
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodeFrame(bytes);
      } catch (err) {
        if (!(err instanceof HalError)) throw err;
      }
    }),
  );
});

t.test('round trip through random chunking; any single corrupted byte is detected', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 264 }), fc.array(fc.nat(), { maxLength: 6 }), (data, cuts) => {
      const frame = encodeFrame(0xd5, data);
      const p = new FrameParser();
      const points = [...new Set(cuts.map((c) => c % (frame.length + 1)))].sort((a, b) => a - b);
      const events: ParseEvent[] = [];
      let prev = 0;
      for (const c of [...points, frame.length]) {
        events.push(...p.push(frame.subarray(prev, c)));
        prev = c;
      }
      if (events.length !== 1 || events[0]!.kind !== 'info' || hex(events[0]!.data) !== hex(data)) throw new Error('round trip failed');
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 264 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (data, at, delta) => {
      const frame = encodeFrame(0xd5, data);
      // From LEN on (index 3): the LEN/LCS, DCS or postamble check catches every single-byte change.
      const i = 3 + (at % (frame.length - 3));
      const bad = Uint8Array.from(frame);
      bad[i] = (bad[i]! + delta) & 0xff;
      const ev = decodeFrame(bad);
      if (ev.kind === 'info' && hex(ev.data) === hex(data)) throw new Error(`corruption at ${i} not detected`);
      if (ev.kind === 'info' && ev.data.length === data.length) throw new Error(`corruption at ${i} gave a different valid frame`);
    }),
  );
});
