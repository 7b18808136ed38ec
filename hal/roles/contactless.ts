/**
 * The ContactlessReader role: an ISO/IEC 14443 proximity coupling device (PCD) as the
 * terminal application sees it, whatever the chip (PN532 today). The EMV layer gets a
 * plain `(capdu) => Promise<rapdu>` from {@link ContactlessReader.transceive}.
 *
 * Rules:
 * - One operation at a time: calls made while another runs are queued in call order.
 * - Every wait is bounded: `timeoutMs` (or the documented default) ends it with
 *   `HAL_TIMEOUT`; `signal` ends it with `HAL_ABORTED`. The reader is usable afterwards
 *   (a driver aborts the chip's running command before it rejects).
 * - Card faults reject with a {@link ContactlessError} (code `HAL_DEVICE`) whose `fault`
 *   says what happened; callers branch on `fault`, never on the message:
 *   - `more-than-one-card`: `waitForCard` saw two or more cards in the field (the
 *     reader releases them; EMV Book D asks the terminal to tell the cardholder to
 *     present one card only). It is an error, not a result, so that an application that
 *     forgets to handle it cannot talk to an arbitrary one of the two cards.
 *   - `card-removed`: the card stopped answering during `transceive` (pulled from the
 *     field). The reader has released the target; call `waitForCard` again.
 *   - `no-card`: `transceive` was called with no activated card.
 *   - `card-error`: the card answered but broke the RF protocol (CRC, parity, framing).
 * - A bus or chip failure rejects with the HalError of that layer (`HAL_PROTOCOL` for a
 *   frame the chip corrupted beyond the retries the datasheet allows, `HAL_IO`, ...).
 * - After `close()` resolves, calls reject with `HAL_CLOSED`.
 */
import { HalError } from '../errors.js';

/** ISO/IEC 14443 protocol level the activated card speaks. */
export type ContactlessProtocol =
  /** ISO/IEC 14443-4 (T=CL): payment cards; APDUs go through `transceive`. */
  | 'iso14443-4'
  /** ISO/IEC 14443-3 type A only (MIFARE Classic/Ultralight, NTAG): no ATS. */
  | 'iso14443-3a'
  /** NFC-DEP (ISO/IEC 18092) peer, SAK bit 0x40 without 0x20. */
  | 'nfc-dep';

/** What the reader learned while activating a card (ISO/IEC 14443-3 anticollision + RATS). */
export interface CardInfo {
  /** UID (NFCID1), 4, 7 or 10 bytes, cascade tags removed. */
  readonly uid: Uint8Array;
  /** ATQA (SENS_RES), 2 bytes, most significant byte first as the PN532 reports it (NTAG: 00 44). */
  readonly atqa: Uint8Array;
  /** SAK (SEL_RES); bit 0x20 = ISO/IEC 14443-4 compliant. */
  readonly sak: number;
  /** Answer To Select including its length byte TL; present for ISO/IEC 14443-4 cards. */
  readonly ats?: Uint8Array;
  readonly protocol: ContactlessProtocol;
}

/** What the chip says about itself (PN532: GetFirmwareVersion). */
export interface ContactlessSelfTest {
  /** Chip identification (PN532: 0x32). */
  readonly ic: number;
  readonly version: number;
  readonly revision: number;
  /** Supported protocols bit map (PN532: bit0 ISO 14443A, bit1 ISO 14443B, bit2 ISO 18092). */
  readonly support: number;
}

export interface ContactlessWaitOptions {
  /** Upper bound in milliseconds; each method documents its default. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type ContactlessFault = 'more-than-one-card' | 'card-removed' | 'no-card' | 'card-error';

/** Meaning of each {@link ContactlessFault}; this table is the authority. */
export const CONTACTLESS_FAULTS: Readonly<Record<ContactlessFault, string>> = {
  'more-than-one-card': 'more than one card in the field (collision): present one card only',
  'card-removed': 'card removed: the card stopped answering (pulled from the field)',
  'no-card': 'no card is activated',
  'card-error': 'the card broke the RF protocol (CRC, parity, framing)',
};

/** A card fault: a HalError with code HAL_DEVICE and a stable `fault` name. */
export class ContactlessError extends HalError {
  readonly fault: ContactlessFault;

  constructor(fault: ContactlessFault, message: string, options?: { cause?: unknown }) {
    super('HAL_DEVICE', message, options);
    this.fault = fault;
  }
}

export function isContactlessError(err: unknown, fault?: ContactlessFault): err is ContactlessError {
  return err instanceof ContactlessError && (fault === undefined || err.fault === fault);
}

export interface ContactlessReader {
  /**
   * Polls the field until exactly one card is activated (ISO/IEC 14443-A, 106 kbps, with
   * RATS for ISO/IEC 14443-4 cards). Default time limit 30000 ms. Rejects HAL_TIMEOUT
   * when no card came, HAL_ABORTED on cancel, a ContactlessError `more-than-one-card` when
   * two cards answered (both are released).
   */
  waitForCard(options?: ContactlessWaitOptions): Promise<CardInfo>;
  /**
   * Sends a C-APDU to the activated card and returns the whole R-APDU including SW1 SW2
   * (up to 256 + 2 bytes; chaining is the driver's job). Default time limit 5000 ms.
   */
  transceive(capdu: Uint8Array, options?: ContactlessWaitOptions): Promise<Uint8Array>;
  /**
   * Resolves once no card answers in the field any more (after releasing the current
   * one). Default time limit 30000 ms; HAL_TIMEOUT while a card stays.
   */
  waitForRemoval(options?: ContactlessWaitOptions): Promise<void>;
  /** Deactivates the current card (ISO/IEC 14443-4 DESELECT); the RF field stays on. */
  release(): Promise<void>;
  /** Switches the RF field off (any card is reset); the next waitForCard switches it on. */
  fieldOff(): Promise<void>;
  /** Checks that the chip answers and is the expected part; rejects HAL_DEVICE if not. */
  selfTest(): Promise<ContactlessSelfTest>;
  close(): Promise<void>;
}

/** The EMV layer's view of a card: one C-APDU in, one R-APDU out. */
export type Transceive = (capdu: Uint8Array) => Promise<Uint8Array>;

/**
 * A card as a chip model sees it in its field (the EMV virtual cards implement this).
 * `transceive` gets a whole C-APDU (the model does ISO/IEC 14443-4 chaining) and returns
 * the whole R-APDU including SW1 SW2; throwing means the card does not answer.
 */
export interface SimContactlessCard {
  /** UID (4, 7 or 10 bytes). */
  readonly uid: Uint8Array;
  /** ATQA, most significant byte first. */
  readonly atqa: Uint8Array;
  readonly sak: number;
  /** ATS including TL; empty when the card is not ISO/IEC 14443-4. */
  readonly ats: Uint8Array;
  transceive(capdu: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
