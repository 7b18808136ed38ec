/**
 * The ContactlessReader role on a PC/SC contactless reader (ACR122U, the contactless
 * interface of an ACR1252U). PC/SC hides the ISO/IEC 14443-3 activation: the reader
 * reports a card with a synthesised ATR (PC/SC Part 3 3.1.3.2.3: 3B 8n 80 01 + the ATS
 * historical bytes + TCK for an ISO/IEC 14443-4 card; 3B 8F 80 01 80 4F ... for a
 * storage card) and gives the UID through the pseudo-APDU GET DATA FF CA 00 00 00
 * (Part 3 3.2.2.1.3). ATQA and SAK are not exposed: `atqa` is empty and `sak` is
 * inferred (0x20 for ISO/IEC 14443-4, 0x00 otherwise); `ats` is absent. A PC/SC reader
 * activates one card and never reports a collision, so `more-than-one-card` is never raised.
 */
import type { CallOptions, Unsubscribe } from '../../io.js';
import { isPcscError } from '../../pcsc.js';
import { ContactlessError, type CardInfo, type ContactlessReader, type ContactlessSelfTest, type ContactlessWaitOptions } from '../../roles/contactless.js';
import { HalError } from '../../errors.js';
import { PcscSlot, type PcscSlotOptions } from './slot.js';

const GET_UID = Uint8Array.of(0xff, 0xca, 0x00, 0x00, 0x00);

function toContactlessError(err: unknown): unknown {
  if (isPcscError(err, 'card-removed') || isPcscError(err, 'no-card')) return new ContactlessError('card-removed', err.message, { cause: err });
  if (isPcscError(err, 'mute')) return new ContactlessError('card-error', err.message, { cause: err });
  return err;
}

export class PcscContactlessReader implements ContactlessReader {
  private readonly slot: PcscSlot;
  private active = false;

  constructor(options: PcscSlotOptions) {
    this.slot = new PcscSlot(options);
    this.slot.on((c) => {
      if (c === 'removed' || c === 'out-of-service') this.active = false;
    });
  }

  /** The reader's own events, for an application that waits on them rather than polling. */
  onCardPresent(listener: (present: boolean) => void): Unsubscribe {
    return this.slot.on((c) => (c === 'inserted' ? listener(true) : c === 'removed' ? listener(false) : undefined));
  }

  async waitForCard(options?: ContactlessWaitOptions): Promise<CardInfo> {
    await this.slot.until(() => this.slot.ready && this.slot.cardPresent, 'contactless reader: waiting for a card', options, 30000);
    return this.run('waitForCard', options, 5000, async () => {
      const card = await this.slot.connect(['T=1', 'T=0'], options);
      const iso14443_4 = !(card.atr.length > 5 && card.atr[4] === 0x80 && card.atr[5] === 0x4f);
      const uidAnswer = await card.transmit(GET_UID);
      const n = uidAnswer.length;
      const uid = n >= 2 && uidAnswer[n - 2] === 0x90 && uidAnswer[n - 1] === 0x00 ? uidAnswer.slice(0, n - 2) : new Uint8Array(0);
      this.active = true;
      return { uid, atqa: new Uint8Array(0), sak: iso14443_4 ? 0x20 : 0x00, protocol: iso14443_4 ? 'iso14443-4' : 'iso14443-3a' };
    });
  }

  transceive(capdu: Uint8Array, options?: ContactlessWaitOptions): Promise<Uint8Array> {
    const command = Uint8Array.from(capdu);
    return this.run('transceive', options, 5000, async () => {
      const card = this.slot.connection;
      if (!this.active || !card) throw new ContactlessError(this.slot.cardPresent ? 'no-card' : 'card-removed', 'contactless reader: no activated card');
      return card.transmit(command, options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : undefined);
    });
  }

  waitForRemoval(options?: ContactlessWaitOptions): Promise<void> {
    return this.slot.until(() => !this.slot.cardPresent, 'contactless reader: waiting for the card to leave', options, 30000);
  }

  async release(): Promise<void> {
    this.active = false;
    await this.slot.release('leave');
  }

  async fieldOff(): Promise<void> {
    this.active = false;
    await this.slot.release('unpower');
  }

  /** PC/SC names no chip: a present reader answers with zeros and ISO/IEC 14443-A support. */
  async selfTest(): Promise<ContactlessSelfTest> {
    if (!this.slot.ready) throw new HalError('HAL_DISCONNECTED', `contactless reader out of service: ${this.slot.outReason}`);
    return { ic: 0, version: 0, revision: 0, support: 0x01 };
  }

  async close(): Promise<void> {
    this.active = false;
    await this.slot.close();
  }

  private run<T>(label: string, options: CallOptions | undefined, defaultMs: number, op: () => Promise<T>): Promise<T> {
    return this.slot.run(label, options, defaultMs, op, toContactlessError);
  }
}
