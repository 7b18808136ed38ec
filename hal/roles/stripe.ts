/**
 * The StripeReader role: swipes from a magnetic stripe reader, framed into raw track
 * strings. The reader layer only frames: it checks start/end sentinels, the track's
 * character set (ISO/IEC 7811-2), the maximum length (ISO/IEC 7811-2/-6: 79, 40, 107
 * characters including SS, ES and LRC) and the LRC when the reader transmits it. The
 * fields (PAN, name, expiry, service code) are parsed by the EMV data layer (ISO 7813).
 *
 * Rules:
 * - One swipe gives exactly one outcome: an `onSwipe` event with at least one track, or
 *   an `onError` event. A partial, noisy or failed swipe is a read error and NEVER card
 *   data: no track of a bad swipe is delivered.
 * - Track data is sensitive (PCI DSS: full track data is never logged or stored). A
 *   driver never logs it, never puts it in an error, and wipes (fills with 0) its framing
 *   buffer after each swipe. A listener that receives a swipe must do the same with
 *   whatever copies it makes.
 * - Listeners run asynchronously, in arrival order; none fires after `close()`.
 */
import type { Unsubscribe } from '../io.js';

/**
 * Raw track strings as read, INCLUDING the start and end sentinels and without the LRC:
 * track 1 `%B...^...^...?`, track 2 `;...=...?`, track 3 `;...?` (a MagTek reader's `+`
 * start sentinel for track 3 is passed on as it came). A missing key = the track was not
 * on the card or not sent by the reader.
 */
export interface StripeSwipe {
  track1?: string;
  track2?: string;
  track3?: string;
}

/**
 * Why a swipe was rejected:
 * - `no-data`: bytes arrived but held no track (e.g. only a reader prefix, or noise with a terminator).
 * - `bad-sentinel`: a start or end sentinel is missing or misplaced (includes a swipe that
 *   stopped mid-track: no byte for the idle timeout).
 * - `bad-lrc`: the transmitted LRC does not match the track (ISO/IEC 7811-2).
 * - `bad-character`: a byte outside the track's character set.
 * - `too-long`: a track or the whole message exceeds the maximum length.
 * - `track-error`: the reader itself reported a failed track (`E` in place of the data,
 *   MagTek `%E?`; MSR605 status byte).
 * - `disconnected`: the reader's serial link went away (unplugged).
 */
export type StripeErrorReason = 'no-data' | 'bad-sentinel' | 'bad-lrc' | 'bad-character' | 'too-long' | 'track-error' | 'disconnected';

export interface StripeReadError {
  reason: StripeErrorReason;
  /** For people and logs; never contains track data (positions and byte values of bad bytes at most). */
  detail: string;
  /** The track the fault was found in, when it is known. */
  track?: 1 | 2 | 3;
}

export interface StripeReader {
  /** Called once per good swipe with the raw tracks (at least one present). */
  onSwipe(listener: (swipe: StripeSwipe) => void): Unsubscribe;
  /** Called once per bad swipe (and once when the link goes away). */
  onError(listener: (error: StripeReadError) => void): Unsubscribe;
  /**
   * Checks the reader answers as configured (a reader that can be queried is queried; an
   * output-only reader is checked for an open link). Rejects with a HalError.
   */
  selfTest(): Promise<void>;
  /** Stops listening, wipes buffers, closes the link. Idempotent. */
  close(): Promise<void>;
}
