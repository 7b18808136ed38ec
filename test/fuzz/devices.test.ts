// Fuzzing what devices send the drivers (issue 11): PN532 frames (normal, extended, ACK/NACK,
// error frames) in random chunks, ESC/POS real-time status answers and the printer model's
// command stream, magnetic-stripe reader messages (MagTek/ID TECH framing, MSR605 replies)
// and code-scanner lines with AIM prefixes. These parsers report problems as data (events,
// error results): they never throw at all.
import t from 'tap';
import fc from 'fast-check';
import { FrameParser, encodeCommand, encodeFrame } from '../../hal/devices/pn532/frame.js';
import { decodeStatus } from '../../hal/devices/escpos/escpos.js';
import { EscPosTokenizer } from '../../hal/devices/escpos/escpos.sim.js';
import { frameMessage } from '../../hal/devices/magstripe/tracks.js';
import { parseMsr605 } from '../../hal/devices/magstripe/msr605.js';
import { splitAim } from '../../hal/devices/code-scanner/code-scanner.js';
import { fuzz, mutated } from './harness.js';

const never = (): boolean => false;
const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('PN532 frames in random chunks', async (t) => {
  const ack = hex('0000FF00FF00');
  const normal = encodeFrame(0xd5, hex('4B01010004080412345678'));
  const extended = encodeFrame(0xd5, new Uint8Array(250).fill(0x41));
  const stream = fc.array(mutated([ack, normal, extended, encodeCommand(0x02), hex('0000FF01FF7F8100')], 64), { minLength: 1, maxLength: 6 });
  fuzz(
    t,
    'PN532 frame parser',
    stream,
    (chunks) => {
      const p = new FrameParser();
      for (const c of chunks) p.push(c);
    },
    never,
  );
});

t.test('ESC/POS status answers and command streams', async (t) => {
  fuzz(t, 'ESC/POS DLE EOT status bytes', fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c, d]) => decodeStatus({ 1: a, 2: b, 3: c, 4: d }), never);
  const receipt = Buffer.concat([hex('1B40'), Buffer.from('SALE  12.34\n'), hex('1D2111'), Buffer.from('TOTAL\n'), hex('1D564200'), hex('1D286B0300314341'), hex('1B6403')]);
  fuzz(
    t,
    'ESC/POS command stream (printer model)',
    fc.array(mutated([receipt], 64), { minLength: 1, maxLength: 4 }),
    (chunks) => {
      const tok = new EscPosTokenizer();
      for (const c of chunks) tok.push(c);
    },
    never,
  );
});

t.test('magnetic-stripe reader messages', async (t) => {
  const swipe = Buffer.from('\x02\x1b%B4761739001010010^CARDHOLDER/VISA^22122011143804400000000?;4761739001010010=22122011143804400000?\x03', 'latin1');
  fuzz(t, 'stripe message framing', mutated([swipe], 120), (b) => frameMessage(b, { lrc: false }), never);
  fuzz(t, 'stripe message framing with LRC', mutated([swipe], 120), (b) => frameMessage(b, { lrc: true }), never);
  fuzz(t, 'MSR605 replies', mutated([Buffer.concat([hex('1B73'), Buffer.from(';4761739001010010=2212?'), hex('3F1C1B30')])], 64), (b) => parseMsr605(b), never);
});

t.test('code-scanner lines', async (t) => {
  fuzz(t, 'AIM symbology prefix', mutated([Buffer.from(']E06901234567892'), Buffer.from(']Q1https://example.com/pay')], 40), (b) => splitAim(b), never);
});
