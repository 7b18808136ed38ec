/**
 * StripeReader role conformance (hal/roles/stripe.ts): run against every reader + model
 * pair (sim serial link, real pseudo-terminal). Track data is the ISO 7813 layout with
 * the Visa test PAN 4111 1111 1111 1111 (hardware.md 8.1).
 */
import type { Test } from 'tap';
import type { StripeReadError, StripeReader, StripeSwipe } from '../../hal/roles/stripe.js';
import type { BadSwipeKind } from '../../hal/devices/magstripe/magstripe.sim.js';

export interface StripeRig {
  reader: StripeReader;
  /** The far end sends a good swipe. */
  swipe(swipe: StripeSwipe): Promise<void>;
  /** The far end sends a swipe with this fault. */
  badSwipe(kind: BadSwipeKind, swipe: StripeSwipe): Promise<void>;
  /** The far end sends the first `keep` bytes of a swipe, then nothing. */
  truncatedSwipe(swipe: StripeSwipe, keep: number): Promise<void>;
  /** Whether the reader transmits LRCs (a bad-LRC swipe can only be told apart then). */
  lrc: boolean;
  cleanup(): Promise<void>;
}

export interface StripeSuiteOptions {
  name: string;
  factory: () => Promise<StripeRig>;
}

export const CARD: Readonly<Required<Pick<StripeSwipe, 'track1' | 'track2'>>> = {
  track1: '%B4111111111111111^CARDHOLDER/TEST^2512101000000000000?',
  track2: ';4111111111111111=25121010000000000000?',
};

/** Collects events from `subscribe`rs; `next()` waits for the next one (or fails after `ms`). */
export function eventQueue<E>(...subscribe: ((listener: (event: E) => void) => unknown)[]): { all: E[]; next(ms?: number): Promise<E> } {
  const all: E[] = [];
  let seen = 0;
  let wake: (() => void) | undefined;
  for (const s of subscribe) {
    s((e) => {
      all.push(e);
      wake?.();
    });
  }
  return {
    all,
    next: (ms = 3000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
        const check = (): void => {
          if (all.length > seen) {
            clearTimeout(timer);
            wake = undefined;
            resolve(all[seen++]!);
          }
        };
        wake = check;
        check();
      }),
  };
}

const events = (reader: StripeReader): ReturnType<typeof eventQueue<StripeSwipe | StripeReadError>> =>
  eventQueue<StripeSwipe | StripeReadError>(
    (l) => reader.onSwipe(l),
    (l) => reader.onError(l),
  );

export const isError = (e: StripeSwipe | StripeReadError): e is StripeReadError => 'reason' in e;

/** No card data in an error: neither the PAN nor any run of 6+ characters of a track. */
export function assertNoTrackData(t: Test, error: StripeReadError, card: StripeSwipe = CARD): void {
  const text = JSON.stringify(error);
  t.notMatch(text, /4111111111/, 'the error carries no PAN');
  for (const raw of [card.track1, card.track2, card.track3]) {
    if (!raw) continue;
    for (let i = 0; i + 6 <= raw.length; i++) {
      const piece = raw.slice(i, i + 6);
      if (/^[0-9=]{6}$/.test(piece) || /[A-Z/]{6}/.test(piece)) {
        if (text.includes(piece)) t.fail(`error text contains track data "${piece.slice(0, 2)}..."`);
      }
    }
  }
}

export function stripeConformance(t: Test, { name, factory }: StripeSuiteOptions): void {
  const setup = async (t: Test): Promise<StripeRig> => {
    const rig = await factory();
    t.teardown(() => rig.cleanup());
    return rig;
  };
  t.test(`${name}: StripeReader role`, async (t) => {
    t.test('a swipe delivers the raw tracks with their sentinels', async (t) => {
      const rig = await setup(t);
      const ev = events(rig.reader);
      await rig.swipe(CARD);
      t.same(await ev.next(), { track1: CARD.track1, track2: CARD.track2 });
      await rig.swipe({ track2: CARD.track2 });
      t.same(await ev.next(), { track2: CARD.track2 }, 'a track-2-only card');
    });

    const kinds: BadSwipeKind[] = ['missing-start', 'missing-end', 'bad-character', 'too-long', 'track-error'];
    const reasons: Record<BadSwipeKind, StripeReadError['reason']> = {
      'missing-start': 'bad-sentinel',
      'missing-end': 'bad-sentinel',
      'bad-character': 'bad-character',
      'too-long': 'too-long',
      'track-error': 'track-error',
      'bad-lrc': 'bad-lrc',
    };
    t.test('a bad swipe is one read error, never card data, and the next swipe reads', async (t) => {
      const rig = await setup(t);
      const ev = events(rig.reader);
      for (const kind of rig.lrc ? [...kinds, 'bad-lrc' as const] : kinds) {
        await rig.badSwipe(kind, CARD);
        const e = await ev.next();
        t.ok(isError(e), `${kind}: an error`);
        if (!isError(e)) continue;
        t.equal(e.reason, reasons[kind], `${kind}: reason ${reasons[kind]}`);
        t.type(e.detail, 'string');
        assertNoTrackData(t, e);
        await rig.swipe(CARD);
        t.same(await ev.next(), CARD, `${kind}: the next good swipe is read`);
      }
      t.equal(ev.all.length, (rig.lrc ? kinds.length + 1 : kinds.length) * 2, 'one event per swipe');
    });

    t.test('a swipe that stops mid-way is an error after the idle time, not a swipe', async (t) => {
      const rig = await setup(t);
      const ev = events(rig.reader);
      await rig.truncatedSwipe(CARD, 30);
      const e = await ev.next();
      t.ok(isError(e) && e.reason === 'bad-sentinel', 'bad-sentinel');
      if (isError(e)) assertNoTrackData(t, e);
      await rig.swipe(CARD);
      t.same(await ev.next(), CARD, 'the next swipe reads');
    });

    t.test('selfTest passes; after close nothing fires and calls reject HAL_CLOSED', async (t) => {
      const rig = await setup(t);
      await rig.reader.selfTest();
      const ev = events(rig.reader);
      await rig.reader.close();
      await rig.reader.close();
      await rig.swipe(CARD).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      t.equal(ev.all.length, 0);
      await t.rejects(rig.reader.selfTest(), { code: 'HAL_CLOSED' });
    });

    t.test('an unsubscribed listener hears nothing', async (t) => {
      const rig = await setup(t);
      let heard = 0;
      const off = rig.reader.onSwipe(() => heard++);
      off();
      const ev = events(rig.reader);
      await rig.swipe(CARD);
      await ev.next();
      t.equal(heard, 0);
    });
  });
}
