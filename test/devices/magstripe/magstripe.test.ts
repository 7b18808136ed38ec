// Stripe reader framing: LRC vectors (hardware.md 8.1), reader output formats (8.2), length
// limits (ISO/IEC 7811-2: 79 / 40 / 107 characters incl. SS, ES, LRC), bad and random input.
import t from 'tap';
import fc from 'fast-check';
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import { SerialStripeReader, type MagstripeProps } from '../../../hal/devices/magstripe/magstripe.js';
import { encodeSwipe } from '../../../hal/devices/magstripe/magstripe.sim.js';
import { frameMessage, trackLrc } from '../../../hal/devices/magstripe/tracks.js';
import { magstripeBinding } from '../../../hal/devices/magstripe/binding.js';
import type { StripeReadError, StripeSwipe } from '../../../hal/roles/stripe.js';
import { assertNoTrackData, CARD } from '../../conformance/stripe.js';
import { HANG_MS, until } from '../../until.js';

const T1 = CARD.track1;
const T2 = CARD.track2;
const T3 = ';011234567890123456=000000000000000000000000000000?';
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Feeds `chunks` to a reader through a sim serial pair and returns every event, in order. */
async function feed(chunks: readonly Uint8Array[], props: MagstripeProps = {}, expected = 0): Promise<(StripeSwipe | StripeReadError)[]> {
  const { driver, device } = createSimSerialPair({ name: 'ttyStripe' });
  const reader = await SerialStripeReader.open({ link: driver, idleTimeoutMs: 5000, ...props });
  const out: (StripeSwipe | StripeReadError)[] = [];
  reader.onSwipe((s) => out.push(s));
  reader.onError((e) => out.push(e));
  for (const c of chunks) await device.write(c);
  await device.drain();
  // Events that come from a timer (idle time): wait for them, however loaded the machine.
  for (const deadline = Date.now() + HANG_MS; out.length < expected && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
  await reader.close();
  return out;
}

t.test('LRC: the worked examples of hardware.md 8.1 (ISO/IEC 7811-2 XOR of data bits)', async (t) => {
  t.equal(trackLrc(1, '%ABC123?'), 'J', '%ABC123? -> 0x2A (J)');
  t.equal(trackLrc(2, ';12345?'), '5', ';12345? -> 0x5');
  t.equal(trackLrc(2, ';4111111111111111=25121010000000000000?'), '8', 'Visa test track 2 -> 0x8');
  t.equal(trackLrc(3, '+12345?'), '5', "MagTek's + stands for the card's ; start sentinel");
  t.throws(() => trackLrc(2, ';12a?'), RangeError);
});

t.test('LRC transmitted: the vectors frame, a changed LRC is bad-lrc', async (t) => {
  t.same(frameMessage(bytes('%ABC123?J;12345?5'), { lrc: true }), { ok: true, swipe: { track1: '%ABC123?', track2: ';12345?' } });
  for (const wrong of ['%ABC123?K;12345?5', '%ABC123?J;12345?4', '%ABC123?J;12345?']) {
    const r = frameMessage(bytes(wrong), { lrc: true });
    t.equal(r.ok ? 'ok' : r.error.reason, 'bad-lrc', JSON.stringify(wrong));
  }
});

t.test('every reader output format frames the same swipe', async (t) => {
  const want = { track1: T1, track2: T2 };
  const cases: [string, string, MagstripeProps][] = [
    ['ID TECH / MagTek minimal: tracks back to back, CR (risk 9: CR only)', `${T1}${T2}\r`, {}],
    ['CR LF', `${T1}${T2}\r\n`, { lineEnding: 'crlf' }],
    ['LF', `${T1}${T2}\n`, { lineEnding: 'lf' }],
    ['MagTek STX ESC ... sensor CR ETX', `\x02\x1b${T1}${T2}0\r\x03`, { stxEtx: true }],
    ['MagTek sensor digit 1, no STX/ETX', `${T1}${T2}1\r`, {}],
    ['LRC after each end sentinel', `${T1}${trackLrc(1, T1)}${T2}8\r`, { lrc: true }],
    ['ID TECH default: CR after every track', `${T1}\r${T2}\r`, { trackSeparator: 'line', idleTimeoutMs: 50 }],
  ];
  for (const [name, wire, props] of cases) {
    t.same(await feed([bytes(wire)], props, 1), [want], name);
  }
  t.same(await feed([bytes(`\x02\x1b${T1}${T2}+${T3.slice(1)}0\r\x03`)], { stxEtx: true }), [{ ...want, track3: `+${T3.slice(1)}` }], "MagTek track 3 with '+'");
  t.same(await feed([bytes(`${T1}${T2}${T3}\r`)]), [{ ...want, track3: T3 }], "track 3 with ';' after track 2");
});

t.test('the model sends the formats of hardware.md 8.2 byte for byte', async (t) => {
  t.equal(Buffer.from(encodeSwipe({ track1: T1, track2: T2 })).toString('latin1'), `${T1}${T2}\r`);
  t.equal(Buffer.from(encodeSwipe({ track1: T1, track2: T2 }, { stxEtx: true, esc: true, sensor: true })).toString('latin1'), `\x02\x1b${T1}${T2}0\r\x03`);
  t.equal(Buffer.from(encodeSwipe({ track2: ';12345?' }, { lrc: true, lineEnding: 'crlf' })).toString('latin1'), ';12345?5\r\n');
  t.equal(Buffer.from(encodeSwipe({ track1: '%ABC123?', track2: ';12345?' }, { lrc: true, trackSeparator: 'line' })).toString('latin1'), '%ABC123?J\r;12345?5\r');
  t.equal(Buffer.from(encodeSwipe({ track1: T1, track2: T2 }, { failedTracks: [1] })).toString('latin1'), `%E?${T2}\r`);
});

t.test('maximum lengths: 79 / 40 / 107 characters including SS, ES and LRC', async (t) => {
  const t1 = (n: number): string => `%B${'1'.repeat(n - 3)}?`; // n characters from SS to ES
  const t2 = (n: number): string => `;${'1'.repeat(n - 2)}?`;
  const reason = (s: string, lrc = false): string => {
    const r = frameMessage(bytes(s), { lrc });
    return r.ok ? 'ok' : r.error.reason;
  };
  t.equal(reason(t1(78)), 'ok', 'track 1: 78 + LRC = 79');
  t.equal(reason(t1(79)), 'too-long');
  t.equal(reason(t2(39)), 'ok', 'track 2: 39 + LRC = 40');
  t.equal(reason(t2(40)), 'too-long');
  t.equal(reason(`${t2(10)}${t2(106)}`), 'ok', 'track 3: 106 + LRC = 107');
  t.equal(reason(`${t2(10)}${t2(107)}`), 'too-long');
  t.equal(reason(`${t2(39)}${trackLrc(2, t2(39))}`, true), 'ok', 'the transmitted LRC is the 40th character');
  const flood = await feed([bytes(';'.repeat(2000) + '\r')]);
  t.same(flood.map((e) => ('reason' in e ? e.reason : 'swipe')), ['too-long'], 'a flood without terminator is one too-long error');
});

t.test('bad swipes are errors with the right reason, never card data', async (t) => {
  const cases: [string, string, StripeReadError['reason'], MagstripeProps?][] = [
    ['MagTek failed track 1', `%E?${T2}\r`, 'track-error'],
    ['MagTek failed track 2', `${T1};E?\r`, 'track-error'],
    ['MagTek failed track 3', `${T1}${T2}+E?\r`, 'track-error'],
    ['no start sentinel', `${T1.slice(1)}${T2}\r`, 'bad-sentinel'],
    ['no end sentinel on track 2', `${T1}${T2.slice(0, -1)}\r`, 'bad-sentinel'],
    ['track 1 cut before its end sentinel, track 2 follows', `${T1.slice(0, 20)}${T2}\r`, 'bad-sentinel'],
    ['tracks out of order', `${T2}${T1}\r`, 'bad-sentinel'],
    ['track 1 twice', `${T1}${T1}\r`, 'bad-sentinel'],
    ['lower-case letter in track 1', `${T1.replace('CARDHOLDER', 'Cardholder')}\r`, 'bad-character'],
    ['letter in track 2', `${T2.replace('=', 'D')}\r`, 'bad-character'],
    ['control byte in track 2', `${T2.slice(0, 5)}\x07${T2.slice(6)}\r`, 'bad-character'],
    ['only the reader prefix', '\x02\x1b0\r\x03', 'no-data', { stxEtx: true }],
    ['noise then CR', 'x\x00\xff\r', 'bad-sentinel'],
    ['ETX lost: a new STX arrives mid-swipe', `\x02${T1}\x02`, 'bad-sentinel', { stxEtx: true }],
    ['track 2 LRC wrong', `${T2}0\r`, 'bad-lrc', { lrc: true }],
  ];
  for (const [name, wire, reason, props] of cases) {
    const events = await feed([bytes(wire)], props ?? {});
    const errors = events.filter((e): e is StripeReadError => 'reason' in e);
    t.equal(events.length - errors.length, 0, `${name}: no swipe`);
    t.equal(errors[0]?.reason, reason, `${name}: ${reason}`);
    for (const e of errors) assertNoTrackData(t, e, { track1: T1, track2: T2 });
  }
});

t.test('a swipe stopping mid-way is an error after the idle time; nothing is delivered', async (t) => {
  const events = await feed([bytes(`${T1}${T2.slice(0, 12)}`)], { idleTimeoutMs: 20 }, 1);
  t.same(
    events.map((e) => ('reason' in e ? e.reason : 'swipe')),
    ['bad-sentinel'],
  );
});

t.test('chunked delivery: split at every position, and byte by byte, frames the same', async (t) => {
  const formats: [string, MagstripeProps][] = [
    [`${T1}${T2}\r`, {}],
    [`\x02\x1b${T1}${T2}0\r\x03`, { stxEtx: true }],
    [`${T1}${trackLrc(1, T1)}${T2}8\r\n`, { lrc: true, lineEnding: 'crlf' }],
  ];
  for (const [wire, props] of formats) {
    const b = bytes(wire);
    const wrong: number[] = [];
    for (let cut = 1; cut < b.length; cut++) {
      const events = await feed([b.subarray(0, cut), b.subarray(cut)], props);
      if (JSON.stringify(events) !== JSON.stringify([{ track1: T1, track2: T2 }])) wrong.push(cut);
    }
    t.same(wrong, [], `${b.length - 1} split positions of ${JSON.stringify(wire.slice(0, 3))}... frame the one swipe`);
    const oneByOne = await feed([...b].map((x) => Uint8Array.of(x)), props);
    t.same(oneByOne, [{ track1: T1, track2: T2 }], 'one byte per chunk');
  }
});

t.test('the framing buffer is wiped after every swipe, good or bad', async (t) => {
  const { driver, device } = createSimSerialPair({ name: 'ttyStripe' });
  const reader = await SerialStripeReader.open({ link: driver });
  // White-box: the data rule is about the driver's own memory, so look at it.
  const buffer = (reader as unknown as { buffer: Buffer }).buffer;
  let swipes = 0;
  reader.onSwipe(() => swipes++);
  reader.onError(() => undefined);
  for (const wire of [`${T1}${T2}\r`, `${T1}${T2.slice(0, -1)}\r`]) {
    await device.write(bytes(wire));
    await device.drain();
    t.ok(buffer.every((x) => x === 0), `wiped after ${JSON.stringify(wire.slice(-4))}`);
  }
  t.equal(swipes, 1);
  await reader.close();
});

// What a delivered swipe may look like, written from ISO/IEC 7811-2 independently of the
// driver: track 1 data 0x20-0x5F without the sentinels (and without ";" "+" that start the
// next track in reader output), tracks 2/3 data 0x30-0x3E without ";"; 78/39/106 characters.
const WELL_FORMED: Record<'track1' | 'track2' | 'track3', RegExp> = {
  track1: /^%[\x20-\x24\x26-\x2A\x2C-\x3A\x3C-\x3E\x40-\x5F]{0,76}\?$/,
  track2: /^;[0-9:<=>]{0,37}\?$/,
  track3: /^[;+][0-9:<=>]{0,104}\?$/,
};
function wellFormed(s: StripeSwipe): boolean {
  const keys = Object.keys(s) as (keyof StripeSwipe)[];
  return keys.length > 0 && keys.every((k) => WELL_FORMED[k].test(s[k] ?? ''));
}

t.test('random bytes never crash and never give a malformed swipe', async (t) => {
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 8 }),
    fc.constantFrom(...['%', ';', '+', '?', '^', '=', 'B', 'E', '0', '1', '4', '\r', '\n', '\x02', '\x03', '\x1b', T1, T2].map((s) => bytes(s))),
    fc.constantFrom(bytes(`${T1}${T2}\r`), bytes(`\x02${T2}\r\x03`), bytes(`\r${T2}\r`), bytes(`\x1bs\x1b\x01${T1}\x1b\x02\x1b\x03?\x1c\x1b0`)),
  );
  const props = fc.record({
    lrc: fc.boolean(),
    stxEtx: fc.boolean(),
    trackSeparator: fc.constantFrom('none' as const, 'line' as const),
    protocol: fc.constantFrom('ascii' as const, 'ascii' as const, 'msr605' as const),
  });
  let swipes = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 40 }), props, async (pieces, p) => {
      const events = await feed(pieces, p);
      for (const e of events) {
        if ('reason' in e) continue;
        if (!wellFormed(e)) throw new Error(`malformed swipe delivered: ${JSON.stringify(e)}`);
        swipes++;
      }
    }),
    { numRuns: 300 },
  );
  t.ok(swipes > 0, `300 random streams, ${swipes} well-formed swipes among them (the check is not vacuous)`);
});

t.test('round trip: any well-formed swipe the model sends is framed back unchanged', async (t) => {
  const t1 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /^.'.split('')), maxLength: 76 }).map((s) => `%${s}?`);
  const t2 = fc.string({ unit: fc.constantFrom(...'0123456789=:<>'.split('')), maxLength: 37 }).map((s) => `;${s}?`);
  const t3 = fc.string({ unit: fc.constantFrom(...'0123456789='.split('')), maxLength: 104 }).map((s) => `;${s}?`);
  const swipe = fc.record({ track1: t1, track2: t2, track3: t3 }, { requiredKeys: ['track2'] });
  const format = fc.record({ lrc: fc.boolean(), stxEtx: fc.boolean(), esc: fc.boolean(), sensor: fc.boolean(), lineEnding: fc.constantFrom('cr' as const, 'crlf' as const, 'lf' as const) });
  await fc.assert(
    fc.asyncProperty(swipe, format, async (s, f) => {
      // "%E?" is the reader's failed-track mark, not a track.
      fc.pre(s.track1 !== '%E?');
      const events = await feed([encodeSwipe(s, f)], f);
      if (JSON.stringify(events) !== JSON.stringify([s])) throw new Error(`framed ${JSON.stringify(events.map((e) => Object.keys(e)))}`);
    }),
    { numRuns: 200 },
  );
  t.pass('200 random swipes in random formats');
});

t.test('the far end going away is a "disconnected" read error', async (t) => {
  const { driver, device } = createSimSerialPair({ name: 'ttyStripe' });
  const reader = await SerialStripeReader.open({ link: driver });
  const got = new Promise<StripeReadError>((resolve) => reader.onError(resolve));
  await device.close();
  t.equal((await got).reason, 'disconnected');
  await t.rejects(reader.selfTest(), { code: 'HAL_DISCONNECTED' });
  await reader.close();
  await t.rejects(SerialStripeReader.open({ link: driver }), { code: 'HAL_CLOSED' });
});

t.test('binding: compatible, bus, role and defaults', async (t) => {
  t.equal(magstripeBinding.compatible, 'generic,magstripe-serial');
  t.equal(magstripeBinding.bus, 'serial');
  t.same(magstripeBinding.roles, ['stripe']);
  const p = magstripeBinding.props.properties;
  t.same([p.baudRate?.type, (p.baudRate as { default?: number }).default], ['integer', 9600]);
  t.same(Object.keys(p).sort(), ['baudRate', 'idleTimeoutMs', 'lineEnding', 'lrc', 'protocol', 'stxEtx', 'trackSeparator']);
});

t.test('a listener that closes the reader hears nothing more, even from the same chunk', async (t) => {
  for (const props of [{}, { protocol: 'msr605' as const }]) {
    const { driver, device } = createSimSerialPair({ name: 'ttyStripe' });
    const reader = await SerialStripeReader.open({ link: driver, ...props });
    const heard: StripeSwipe[] = [];
    reader.onSwipe((s) => {
      heard.push(s);
      void reader.close();
    });
    const one = props.protocol ? Buffer.from('1b731b01' + Buffer.from('%01?').toString('hex') + '1b021b033f1c1b30', 'hex') : bytes(`${T2}\r`);
    await device.write(Buffer.concat([one, one]));
    await device.drain();
    // Both swipes came in one chunk: the second was framed before this wait, or never.
    await until(() => heard.length >= 1, 'the first swipe');
    t.equal(heard.length, 1, props.protocol ?? 'ascii');
    await device.close();
  }
});
