/**
 * Card acquisition: waits on every reader asked for at once (tap, insert, swipe) until one
 * has a card or the cancel signal fires. A reader fault while waiting (two cards in the
 * field, a bad swipe) is reported and the wait goes on.
 */
import { isHalError } from '../../hal/errors.js';
import { isContactlessError, type ContactlessReader } from '../../hal/roles/contactless.js';
import type { ContactReader } from '../../hal/roles/contact.js';
import type { StripeReader, StripeSwipe } from '../../hal/roles/stripe.js';
import type { CardVia } from './types.js';

export interface Readers {
  readonly contactless?: ContactlessReader;
  readonly contact?: ContactReader;
  readonly stripe?: StripeReader;
}

export type Acquired = { readonly via: 'tap' } | { readonly via: 'insert' } | { readonly via: 'swipe'; readonly swipe: StripeSwipe } | { readonly via: 'cancelled' };

/** The interfaces among `wanted` that have a reader. */
export function available(readers: Readers, wanted: readonly CardVia[]): CardVia[] {
  return wanted.filter((v) => (v === 'tap' ? readers.contactless : v === 'insert' ? readers.contact : readers.stripe) !== undefined);
}

const aborted = (err: unknown): boolean => isHalError(err) && (err.code === 'HAL_ABORTED' || err.code === 'HAL_CLOSED');

/** Polls `wait` until it resolves; time limits just start the next poll; other faults are reported. */
async function poll(wait: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal, onFault: (message: string) => void): Promise<boolean> {
  while (!signal.aborted) {
    try {
      await wait(signal);
      return !signal.aborted;
    } catch (err) {
      if (signal.aborted || aborted(err)) return false;
      if (isHalError(err) && err.code === 'HAL_TIMEOUT') continue;
      onFault(isContactlessError(err, 'more-than-one-card') ? 'more than one card: present one card only' : `card reader: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return false;
}

/** Waits for the first card on any of `via`; 'cancelled' when `signal` fires first. */
export function waitForCard(readers: Readers, via: readonly CardVia[], signal: AbortSignal | undefined, onFault: (message: string) => void): Promise<Acquired> {
  if (signal?.aborted) return Promise.resolve({ via: 'cancelled' });
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const offs: (() => void)[] = [];
  return new Promise<Acquired>((resolve) => {
    let done = false;
    const finish = (a: Acquired): void => {
      if (done) return;
      done = true;
      resolve(a);
      ctl.abort();
    };
    ctl.signal.addEventListener('abort', () => finish({ via: 'cancelled' }), { once: true });
    const { contactless, contact, stripe } = readers;
    if (via.includes('tap') && contactless) {
      void poll((s) => contactless.waitForCard({ signal: s, timeoutMs: 30_000 }), ctl.signal, onFault).then((ok) => ok && finish({ via: 'tap' }));
    }
    if (via.includes('insert') && contact) {
      void poll((s) => contact.waitForCard({ signal: s, timeoutMs: 30_000 }), ctl.signal, onFault).then((ok) => ok && finish({ via: 'insert' }));
    }
    if (via.includes('swipe') && stripe) {
      offs.push(stripe.onSwipe((swipe) => finish({ via: 'swipe', swipe })));
      offs.push(stripe.onError((e) => onFault(`swipe not read (${e.reason}): swipe again`)));
    }
  }).finally(() => {
    signal?.removeEventListener('abort', onAbort);
    for (const off of offs) off();
  });
}
