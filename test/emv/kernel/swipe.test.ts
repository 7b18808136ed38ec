// The swipe path: ISO/IEC 7813 track checks, then the service code rule (first digit 2 or
// 6: chip card, ISO/IEC 7813 / scheme rules) with fallback (entry mode 80) only after chip
// failure and where allowed; entry mode 90 for a magstripe-only card.
import t from 'tap';
import { decideSwipe } from '../../../emv/kernel/swipe.js';
import { parseTrack2 } from '../../../emv/track/track.js';

const today = new Date(Date.UTC(2026, 10, 28));
const ctx = { chipFailures: 0, fallbackAllowed: true, chipReader: true, today };
// 4761739001010010 passes Luhn (ISO/IEC 7812-1 Annex B); service codes 201 (chip, international) and 101 (magstripe only).
const chip = parseTrack2(';4761739001010010=30122011000000000?');
const stripe = parseTrack2(';4761739001010010=30121011000000000?');

t.test('chip card swiped with a working chip reader: use the chip', async (t) => {
  t.same(decideSwipe(chip, ctx), { action: 'use-chip', panMasked: '476173******0010' });
});

t.test('chip card after a chip failure: fallback, entry mode 80', async (t) => {
  const d = decideSwipe(chip, { ...ctx, chipFailures: 1 });
  t.equal(d.action, 'magstripe');
  t.equal(d.action === 'magstripe' && d.entryMode, '80');
});

t.test('chip failure but fallback not allowed: decline', async (t) => {
  t.same(decideSwipe(chip, { ...ctx, chipFailures: 1, fallbackAllowed: false }), { action: 'decline', reason: 'fallback-not-allowed', panMasked: '476173******0010' });
});

t.test('magstripe-only card (service code 101): entry mode 90', async (t) => {
  const d = decideSwipe(stripe, ctx);
  t.equal(d.action === 'magstripe' && d.entryMode, '90');
});

t.test('chip card on a terminal without a chip reader: magstripe, entry mode 90', async (t) => {
  const d = decideSwipe(chip, { ...ctx, chipReader: false });
  t.equal(d.action === 'magstripe' && d.entryMode, '90');
});

t.test('Luhn failure and expired card decline', async (t) => {
  t.equal(decideSwipe(parseTrack2(';4761739001010011=30122011000000000?'), ctx).action, 'decline');
  t.match(decideSwipe(parseTrack2(';4761739001010011=30122011000000000?'), ctx), { reason: 'luhn' });
  t.match(decideSwipe(parseTrack2(';4761739001010010=26102011000000000?'), ctx), { action: 'decline', reason: 'expired' });
  t.equal(decideSwipe(parseTrack2(';4761739001010010=26112011000000000?'), ctx).action, 'use-chip', 'valid through the last day of the expiry month');
});

t.test('no full PAN in any decision', async (t) => {
  for (const d of [decideSwipe(chip, ctx), decideSwipe(stripe, ctx), decideSwipe(chip, { ...ctx, chipFailures: 2 })]) t.notMatch(JSON.stringify(d), /4761739001010010/);
});
