// Real-time status: the driver's decoding of each DLE EOT n reply and the model's replies,
// both checked against the Epson dle_eot tables (hardware.md 7.4):
//   every reply has the form 0xx1xx10 (bits 1 and 4 fixed 1, bits 0 and 7 fixed 0);
//   n=1 printer:       bit 3 offline, bit 5 waiting for online recovery, bit 6 feed button pressed
//   n=2 offline cause: bit 2 cover open, bit 3 paper fed by button, bit 5 stopped by paper end, bit 6 error
//   n=3 error cause:   bit 2 recoverable, bit 3 autocutter, bit 5 unrecoverable, bit 6 auto-recoverable
//   n=4 paper sensor:  bits 2+3 near end, bits 5+6 paper end
// and the published out-of-paper example n=1 0x1A, n=2 0x32, n=4 0x7E.
import t from 'tap';
import { decodeStatus } from '../../../hal/devices/escpos/escpos.js';
import { EscPosPrinterModel } from '../../../hal/devices/escpos/escpos.sim.js';
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import { statusFailure } from '../../../hal/roles/printer.js';

const NORMAL = 0x12;
const raw = (r: Partial<Record<1 | 2 | 3 | 4, number>>): Record<1 | 2 | 3 | 4, number> => ({ 1: NORMAL, 2: NORMAL, 3: NORMAL, 4: NORMAL, ...r });

t.test('driver decoding of each DLE EOT n', async (t) => {
  const ok = decodeStatus(raw({}));
  t.match(ok, { ready: true, online: true, paperOut: false, paperNearEnd: false, coverOpen: false, error: false, feedButton: false });
  t.equal(statusFailure(ok), undefined);

  t.test('n=1', async (t) => {
    t.match(decodeStatus(raw({ 1: 0x1a })), { online: false, ready: false }, 'bit 3 offline');
    t.equal(statusFailure(decodeStatus(raw({ 1: 0x1a }))), 'offline');
    t.match(decodeStatus(raw({ 1: 0x52 })), { online: true, feedButton: true }, 'bit 6 feed button');
    t.match(decodeStatus(raw({ 1: 0x16 })), { online: true, ready: true }, 'bit 2 drawer pin 3 does not matter');
  });
  t.test('n=2', async (t) => {
    t.match(decodeStatus(raw({ 1: 0x1a, 2: 0x16 })), { coverOpen: true, ready: false }, 'bit 2 cover open');
    t.equal(statusFailure(decodeStatus(raw({ 1: 0x1a, 2: 0x16 }))), 'cover-open');
    t.match(decodeStatus(raw({ 2: 0x1a })), { feedButton: true }, 'bit 3 paper fed by button');
    t.match(decodeStatus(raw({ 1: 0x1a, 2: 0x32 })), { paperOut: true, ready: false }, 'bit 5 stopped by paper end');
    t.match(decodeStatus(raw({ 1: 0x1a, 2: 0x52 })), { error: true, ready: false }, 'bit 6 error');
    t.equal(statusFailure(decodeStatus(raw({ 1: 0x1a, 2: 0x52 }))), 'error');
  });
  t.test('n=3', async (t) => {
    t.match(decodeStatus(raw({ 3: 0x16 })), { recoverableError: true, cutterError: false }, 'bit 2 recoverable');
    t.match(decodeStatus(raw({ 3: 0x1a })), { cutterError: true, recoverableError: false }, 'bit 3 autocutter');
    t.match(decodeStatus(raw({ 3: 0x32 })), { unrecoverableError: true }, 'bit 5 unrecoverable');
    t.match(decodeStatus(raw({ 3: 0x52 })), { autoRecoverableError: true }, 'bit 6 auto-recoverable');
  });
  t.test('n=4', async (t) => {
    t.match(decodeStatus(raw({ 4: 0x1e })), { paperNearEnd: true, paperOut: false, ready: true }, 'bits 2+3 near end: still ready');
    t.match(decodeStatus(raw({ 4: 0x72 })), { paperOut: true }, 'bits 5+6 paper end');
    t.match(decodeStatus(raw({ 4: 0x32 })), { paperOut: false }, 'one of the paper-end bits alone is not paper end');
  });
  t.test('the published out-of-paper example', async (t) => {
    const s = decodeStatus(raw({ 1: 0x1a, 2: 0x32, 4: 0x7e }));
    t.match(s, { online: false, paperOut: true, paperNearEnd: true, ready: false });
    t.equal(statusFailure(s), 'paper-out', 'paper out is named before offline');
    t.same(s.raw, { 1: 0x1a, 2: 0x32, 3: 0x12, 4: 0x7e });
  });
});

t.test('model replies per the tables', async (t) => {
  const { device } = createSimSerialPair({ name: 'lp' });
  const m = await EscPosPrinterModel.attach(device);
  const all = (): number[] => [1, 2, 3, 4].map((n) => m.realtimeStatus(n as 1 | 2 | 3 | 4));
  const form = (b: number): boolean => (b & 0x93) === 0x12 && (b & 0x81) === 0 && (b & 0x12) === 0x12;

  t.same(all(), [0x12, 0x12, 0x12, 0x12], 'ready: fixed bits only');
  m.runOutAfter(0);
  t.same(all(), [0x1a, 0x32, 0x12, 0x7e], 'paper out: the published example n=1 0x1A, n=2 0x32, n=4 0x7E');
  t.equal(m.transmitStatus(1), 0x0f, 'GS r 1 paper end: bits 2+3 (and the near-end bits 0+1)');
  m.loadPaper();
  m.setPaperNearEnd(true);
  t.same(all(), [0x12, 0x12, 0x12, 0x1e], 'near end: n=4 bits 2+3');
  t.equal(m.transmitStatus(1), 0x03, 'GS r 1 near end: bits 0+1 (gs_lr)');
  m.setPaperNearEnd(false);
  m.setCoverOpen(true);
  t.same(all(), [0x1a, 0x16, 0x12, 0x12], 'cover open: offline, n=2 bit 2');
  m.setCoverOpen(false);
  m.setOffline(true);
  t.same(all(), [0x1a, 0x12, 0x12, 0x12], 'offline');
  m.setOffline(false);
  m.setFault('autocutter');
  t.same(all(), [0x3a, 0x52, 0x1a, 0x12], 'autocutter error: offline + waiting for recovery, n=2 error, n=3 bit 3');
  m.setFault('unrecoverable');
  t.same(all(), [0x1a, 0x52, 0x32, 0x12], 'unrecoverable error: n=3 bit 5');
  m.setFault('auto-recoverable');
  t.same(all(), [0x1a, 0x52, 0x52, 0x12], 'auto-recoverable error (head hot): n=3 bit 6');
  m.setFault('recoverable');
  t.same(all(), [0x3a, 0x52, 0x16, 0x12], 'recoverable error: n=3 bit 2');
  m.setFault(undefined);
  m.setFeedButton(true);
  t.same(all(), [0x52, 0x1a, 0x12, 0x12], 'feed button: n=1 bit 6, n=2 bit 3');
  m.setFeedButton(false);
  t.equal(m.transmitStatus(1), 0x00, 'GS r 1 paper present: 0');
  t.equal(m.transmitStatus(1) & 0x10, 0, 'GS r replies have bit 4 clear');

  // Every combination keeps the fixed bits.
  for (const cover of [false, true])
    for (const off of [false, true])
      for (const f of [undefined, 'recoverable', 'autocutter', 'unrecoverable', 'auto-recoverable'] as const) {
        m.setCoverOpen(cover);
        m.setOffline(off);
        m.setFault(f);
        for (const b of all()) t.ok(form(b), `0x${b.toString(16)} has the DLE EOT form`);
      }
  await m.detach();
});
