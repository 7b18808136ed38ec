/**
 * The ContactReader role: an ISO/IEC 7816 contact chip slot as the terminal application
 * sees it, whatever the reader (a USB CCID reader behind pcscd today). The EMV layer gets
 * a plain `(capdu) => Promise<rapdu>` from {@link ContactReader.transceive}.
 *
 * Rules:
 * - `onCardInserted` / `onCardRemoved` listeners run asynchronously, in the order the
 *   reader saw the changes; an insertion is always followed by a removal before the next
 *   insertion. Subscribing while a card is in the slot reports it at once.
 * - `powerUp` activates the card (cold reset) and returns its ATR decoded per ISO/IEC
 *   7816-3 (emv/atr); `reset` is a warm reset. A card whose answer is no valid ATR is
 *   `mute` (EMV Book 1 8.3: the terminal rejects it).
 * - `transceive` sends one C-APDU and resolves with the complete R-APDU: when the active
 *   protocol is T=0 the reader runs the case 2/4 procedures itself (61xx GET RESPONSE,
 *   6Cxx re-send; EMV Book 1 9.3.1.3, emv/transport withT0Handling), so callers never
 *   see 61xx or 6Cxx. Default time limit 10000 ms per exchange.
 * - One operation at a time; calls are queued in call order.
 * - Faults reject with a {@link ContactError} (HalError code HAL_DEVICE unless stated)
 *   whose `fault` callers branch on:
 *   - `card-removed`: the card left the slot (mid-APDU or since power-up);
 *   - `no-card`: nothing in the slot, or not powered up;
 *   - `mute`: no valid ATR;
 *   - `out-of-service` (HAL_DISCONNECTED): the reader is unplugged or its resource manager
 *     (pcscd) is gone. The role reports `state` `out-of-service` meanwhile and comes back
 *     to `ready` by itself when the reader returns; it never throws outside a call.
 * - After `close()` resolves no listener fires and calls reject with HAL_CLOSED.
 */
import { HalError, type HalErrorCode } from '../errors.js';
import type { CallOptions, Unsubscribe } from '../io.js';
import type { Atr } from '../../emv/atr/atr.js';

export type ContactFault = 'card-removed' | 'no-card' | 'mute' | 'out-of-service';

/** Meaning of each {@link ContactFault}; this table is the authority. */
export const CONTACT_FAULTS: Readonly<Record<ContactFault, string>> = {
  'card-removed': 'card removed: the card left the slot',
  'no-card': 'no card in the slot (or not powered up)',
  mute: 'the card gave no valid answer to reset',
  'out-of-service': 'the reader is unplugged or its resource manager is gone',
};

export class ContactError extends HalError {
  readonly fault: ContactFault;

  constructor(fault: ContactFault, message: string, options?: { cause?: unknown }) {
    const code: HalErrorCode = fault === 'out-of-service' ? 'HAL_DISCONNECTED' : 'HAL_DEVICE';
    super(code, message, options);
    this.fault = fault;
  }
}

export function isContactError(err: unknown, fault?: ContactFault): err is ContactError {
  return err instanceof ContactError && (fault === undefined || err.fault === fault);
}

/** What power-up learned. */
export interface ContactCardInfo {
  /** The ATR, decoded (ISO/IEC 7816-3 8.2). */
  readonly atr: Atr;
  /** The transmission protocol the reader activated. */
  readonly protocol: 'T=0' | 'T=1';
}

export type ContactReaderState = 'ready' | 'out-of-service';

export interface ContactReader {
  /** `ready` while the reader is present and answering; `out-of-service` otherwise. */
  readonly state: ContactReaderState;
  /** True while a card sits in the slot (powered or not). */
  readonly cardPresent: boolean;
  onCardInserted(listener: () => void): Unsubscribe;
  onCardRemoved(listener: () => void): Unsubscribe;
  /** Called on every change of `state`; `reason` says why the reader went out of service. */
  onStateChange(listener: (state: ContactReaderState, reason?: string) => void): Unsubscribe;
  /** Resolves when a card is in the slot (at once if one is). Default time limit 30000 ms. */
  waitForCard(options?: CallOptions): Promise<void>;
  /** Cold reset: powers the card up and returns its decoded ATR. Default time limit 5000 ms. */
  powerUp(options?: CallOptions): Promise<ContactCardInfo>;
  /** Warm reset of a powered card (ISO/IEC 7816-3 6.2.3). */
  reset(options?: CallOptions): Promise<ContactCardInfo>;
  /** One APDU exchange (T=0 procedures included); see the rules above. */
  transceive(capdu: Uint8Array, options?: CallOptions): Promise<Uint8Array>;
  /** Deactivates the card (EMV Book 1 6.1.5); idempotent. */
  powerDown(): Promise<void>;
  /** Rejects with a ContactError `out-of-service` when the reader is not there. */
  selfTest(): Promise<void>;
  close(): Promise<void>;
}
