// MSR605 / MSR206 command protocol: golden bytes from the MSR605 Programmer's Manual Rev B
// (hardware.md 8.2): reset 1B 61, comm test 1B 65 -> 1B 79, ISO read 1B 72 -> the read reply.
import t from 'tap';
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import { SerialStripeReader } from '../../../hal/devices/magstripe/magstripe.js';
import { encodeMsr605Read, parseMsr605 } from '../../../hal/devices/magstripe/msr605.js';
import type { StripeReadError, StripeSwipe } from '../../../hal/roles/stripe.js';
import { msr605Rig, simEnds } from './rig.js';
import { until } from '../../until.js';

/** The manual's example read reply: tracks "%01?", ";23?", ";45?", status 0x30 (OK). */
const EXAMPLE = Uint8Array.from([0x1b, 0x73, 0x1b, 0x01, 0x25, 0x30, 0x31, 0x3f, 0x1b, 0x02, 0x3b, 0x32, 0x33, 0x3f, 0x1b, 0x03, 0x3b, 0x34, 0x35, 0x3f, 0x3f, 0x1c, 0x1b, 0x30]);
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

async function driverWithRawDevice(): Promise<{ reader: SerialStripeReader; sent: Buffer[]; reply(b: Uint8Array): Promise<void>; events: (StripeSwipe | StripeReadError)[] }> {
  const { driver, device } = createSimSerialPair({ name: 'ttyMsr' });
  const sent: Buffer[] = [];
  device.onData((c) => sent.push(Buffer.from(c)));
  const reader = await SerialStripeReader.open({ link: driver, protocol: 'msr605', idleTimeoutMs: 5000 });
  const events: (StripeSwipe | StripeReadError)[] = [];
  reader.onSwipe((s) => events.push(s));
  reader.onError((e) => events.push(e));
  return {
    reader,
    sent,
    events,
    reply: async (b) => {
      await device.write(b);
      await device.drain();
    },
  };
}


t.test('the manual example read reply frames into three tracks', async (t) => {
  const r = parseMsr605(EXAMPLE);
  t.same(r, { kind: 'read', length: EXAMPLE.length, result: { ok: true, swipe: { track1: '%01?', track2: ';23?', track3: ';45?' } } });
  t.equal(hexOf(encodeMsr605Read({ track1: '%01?', track2: ';23?', track3: ';45?' })), hexOf(EXAMPLE), 'the model sends the same bytes');
  const absent = Uint8Array.from([0x1b, 0x73, 0x1b, 0x01, 0x1b, 0x02, 0x3b, 0x32, 0x33, 0x3f, 0x1b, 0x03, 0x3f, 0x1c, 0x1b, 0x30]);
  t.same(parseMsr605(absent), { kind: 'read', length: absent.length, result: { ok: true, swipe: { track2: ';23?' } } }, 'absent tracks are just ESC n');
  for (let cut = 0; cut < EXAMPLE.length; cut++) {
    if (parseMsr605(EXAMPLE.subarray(0, cut)).kind !== 'incomplete') t.fail(`a reply cut at ${cut} is not complete`);
  }
});

t.test('status bytes other than 0x30 are read errors', async (t) => {
  for (const status of [0x31, 0x39]) {
    const r = parseMsr605(encodeMsr605Read({ track2: ';23?' }, status));
    t.same(r.kind === 'read' && !r.result.ok ? r.result.error.reason : r.kind, 'track-error', `status 0x${status.toString(16)}`);
  }
  const noTrack = parseMsr605(encodeMsr605Read({}));
  t.same(noTrack.kind === 'read' && !noTrack.result.ok ? noTrack.result.error.reason : noTrack.kind, 'no-data');
  const badTrack = parseMsr605(encodeMsr605Read({ track2: '23?' }));
  t.same(badTrack.kind === 'read' && !badTrack.result.ok ? badTrack.result.error.reason : badTrack.kind, 'bad-sentinel', 'a track without its start sentinel');
});

t.test('driver: arms with reset + ISO read, re-arms after every reply, disarms at close', async (t) => {
  const d = await driverWithRawDevice();
  const sentBytes = (): number => d.sent.reduce((n, c) => n + c.length, 0);
  await until(() => sentBytes() >= 4, 'the arming commands');
  t.equal(hexOf(Buffer.concat(d.sent)), '1B611B72', 'open: ESC a, ESC r');
  d.sent.length = 0;
  // Split at every position: same single swipe each time.
  for (let cut = 1; cut < EXAMPLE.length; cut++) {
    await d.reply(EXAMPLE.subarray(0, cut));
    await d.reply(EXAMPLE.subarray(cut));
  }
  t.equal(d.events.length, EXAMPLE.length - 1);
  t.ok(d.events.every((e) => JSON.stringify(e) === JSON.stringify({ track1: '%01?', track2: ';23?', track3: ';45?' })), 'every split frames the example');
  await until(() => sentBytes() >= 4 * (EXAMPLE.length - 1), 'the re-arms');
  t.equal(hexOf(Buffer.concat(d.sent)), '1B611B72'.repeat(EXAMPLE.length - 1), 'one re-arm per reply');
  d.sent.length = 0;
  await d.reply(Uint8Array.of(0x55, 0xaa, 0x00));
  t.same(d.events.slice(-1).map((e) => ('reason' in e ? e.reason : 'swipe')), ['bad-sentinel'], 'noise is an error');
  await d.reader.close();
  t.equal(hexOf(Buffer.concat(d.sent)), '1B61', 'close: ESC a');
});

t.test('selfTest: communication test answered; a silent reader times out', async (t) => {
  const rig = await msr605Rig(simEnds);
  t.teardown(() => rig.cleanup());
  await rig.reader.selfTest();
  t.same(rig.model.commands, ['a', 'r', 'a', 'e', 'r'], 'reset, read; reset, comm test, read again');
  t.ok(rig.model.isArmed, 'armed again after the test');
  await rig.swipe({ track2: ';23?' });
  const silent = await driverWithRawDevice();
  await t.rejects(silent.reader.selfTest(), { code: 'HAL_TIMEOUT' });
  await silent.reader.close();
});
