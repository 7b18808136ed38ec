// The swipe path (Book 4 6.5.5 fallback; ISO/IEC 7813 tracks; scheme rules for chip cards
// that are swiped): decide between magstripe (90), fallback (80) and "use the chip".
import { isExpired } from '../track/track.js';
import { maskPan } from '../track/pan.js';
import type { TrackData } from '../track/track.js';

export interface SwipeContext {
  /** Chip read failures on this card in this transaction (the chip was tried and could not be used). */
  readonly chipFailures: number;
  /** Acquirer/scheme allows magstripe fallback after chip failure. */
  readonly fallbackAllowed: boolean;
  /** The terminal has a chip reader (without one, a chip card is read as magstripe). */
  readonly chipReader: boolean;
  /** Today, for the expiry check. */
  readonly today: Date;
}

export type SwipeDecision =
  | { readonly action: 'magstripe'; readonly entryMode: '90' | '80'; readonly panMasked: string; readonly serviceCode: string }
  | { readonly action: 'use-chip'; readonly panMasked: string }
  | { readonly action: 'decline'; readonly reason: 'luhn' | 'expired' | 'service-code' | 'fallback-not-allowed'; readonly panMasked: string };

/**
 * Decides what to do with a swiped card: Luhn and expiry checks first (ISO/IEC 7812-1,
 * 7813), then the service code: a 2xx/6xx card (chip capable) goes to the chip reader
 * unless the chip already failed, when fallback (entry mode 80) is used if allowed.
 */
export function decideSwipe(track: TrackData, ctx: SwipeContext): SwipeDecision {
  const panMasked = maskPan(track.pan);
  if (!track.luhnValid) return { action: 'decline', reason: 'luhn', panMasked };
  if (!/^[0-9]{3}$/.test(track.serviceCode)) return { action: 'decline', reason: 'service-code', panMasked };
  let expired: boolean;
  try {
    expired = isExpired(track.expiry, ctx.today);
  } catch {
    return { action: 'decline', reason: 'expired', panMasked };
  }
  if (expired) return { action: 'decline', reason: 'expired', panMasked };
  if (track.chipCapable && ctx.chipReader) {
    if (ctx.chipFailures === 0) return { action: 'use-chip', panMasked };
    if (!ctx.fallbackAllowed) return { action: 'decline', reason: 'fallback-not-allowed', panMasked };
    return { action: 'magstripe', entryMode: '80', panMasked, serviceCode: track.serviceCode };
  }
  return { action: 'magstripe', entryMode: '90', panMasked, serviceCode: track.serviceCode };
}
