/**
 * The ContactReader role on a PC/SC reader: power-up through SCardConnect (the reader
 * runs the ISO/IEC 7816-3 activation and protocol selection), the ATR decoded by
 * emv/atr, APDUs with the T=0 case 2/4 procedures of the EMV data layer when T=0 is
 * active (the reader's TPDU link passes 61xx/6Cxx up; EMV Book 1 9.3.1.3).
 */
import { HalError, isHalError } from '../../errors.js';
import type { CallOptions, Unsubscribe } from '../../io.js';
import { isPcscError, type PcscFault } from '../../pcsc.js';
import { ContactError, type ContactCardInfo, type ContactFault, type ContactReader, type ContactReaderState } from '../../roles/contact.js';
import { parseAtr, type Atr } from '../../../emv/atr/atr.js';
import { withT0Handling } from '../../../emv/transport/transceive.js';
import { isEmvError } from '../../../emv/errors.js';
import { PcscSlot, isOutOfService, type PcscSlotOptions } from './slot.js';

const FAULTS: Partial<Record<PcscFault, ContactFault>> = {
  'card-removed': 'card-removed',
  'no-card': 'no-card',
  mute: 'mute',
  'reader-gone': 'out-of-service',
  'service-gone': 'out-of-service',
};

function toContactError(err: unknown): unknown {
  if (isPcscError(err)) {
    const fault = FAULTS[err.fault];
    if (fault) return new ContactError(fault, err.message, { cause: err });
  }
  // A card that breaks the T=0 procedures (endless 61xx, a one-byte answer) broke its protocol.
  if (isEmvError(err)) return new HalError('HAL_PROTOCOL', `contact card: ${err.message}`, { cause: err });
  return err;
}

export class PcscContactReader implements ContactReader {
  private readonly slot: PcscSlot;
  private powered: { info: ContactCardInfo; transceive: (capdu: Uint8Array) => Promise<Uint8Array> } | undefined;
  private callOptions: CallOptions | undefined;
  /** The powered card left the slot: calls fail with card-removed until the next powerUp. */
  private lost = false;

  constructor(options: PcscSlotOptions) {
    this.slot = new PcscSlot(options);
    this.slot.on((change) => {
      if (change === 'removed' && this.powered) this.lost = true;
      if (change === 'removed' || change === 'out-of-service') this.powered = undefined;
    });
  }

  get state(): ContactReaderState {
    return this.slot.ready ? 'ready' : 'out-of-service';
  }

  get cardPresent(): boolean {
    return this.slot.cardPresent;
  }

  onCardInserted(listener: () => void): Unsubscribe {
    if (this.slot.cardPresent) setImmediate(() => this.slot.cardPresent && listener());
    return this.slot.on((c) => c === 'inserted' && listener());
  }

  onCardRemoved(listener: () => void): Unsubscribe {
    return this.slot.on((c) => c === 'removed' && listener());
  }

  onStateChange(listener: (state: ContactReaderState, reason?: string) => void): Unsubscribe {
    // pcscd going away is seen twice (service lost, then its readers removed): one change.
    let last = this.state;
    return this.slot.on((c) => {
      if ((c !== 'ready' && c !== 'out-of-service') || c === last) return;
      last = c;
      if (c === 'ready') listener('ready');
      else listener('out-of-service', this.slot.outReason);
    });
  }

  waitForCard(options?: CallOptions): Promise<void> {
    return this.slot.until(() => this.slot.cardPresent, 'contact reader: waiting for a card', options, 30000);
  }

  private precheck(): void {
    if (!this.slot.ready) throw new ContactError('out-of-service', `contact reader out of service: ${this.slot.outReason}`);
    if (this.lost) throw new ContactError('card-removed', 'contact reader: the card was removed');
    if (!this.slot.cardPresent) throw new ContactError('no-card', 'contact reader: no card in the slot');
    if (this.slot.cardMute) throw new ContactError('mute', 'contact reader: the card gave no valid answer to reset (EMV Book 1 8.3)');
  }

  powerUp(options?: CallOptions): Promise<ContactCardInfo> {
    return this.run('powerUp', options, 5000, async () => {
      this.lost = false;
      this.precheck();
      this.powered = undefined;
      const card = await this.slot.connect(['T=0', 'T=1'], options);
      let atr: Atr;
      try {
        atr = parseAtr(card.atr);
      } catch (err) {
        await card.disconnect('unpower').catch(() => undefined);
        throw new ContactError('mute', `contact reader: the card's answer to reset is not valid (${(err as Error).message})`, { cause: err });
      }
      return this.activate(atr, card.protocol);
    });
  }

  reset(options?: CallOptions): Promise<ContactCardInfo> {
    return this.run('reset', options, 5000, async () => {
      this.precheck();
      const card = this.slot.connection;
      if (!card || !this.powered) throw new ContactError('no-card', 'contact reader: reset before powerUp');
      const atr = parseAtr(await card.reset(options));
      return this.activate(atr, card.protocol);
    });
  }

  private activate(atr: Atr, protocol: 'T=0' | 'T=1'): ContactCardInfo {
    const card = this.slot.connection!;
    const raw = (capdu: Uint8Array): Promise<Uint8Array> => card.transmit(capdu, this.callOptions);
    // T=0 only: case 4 warnings come back through GET RESPONSE (EMV Book 1 Annex A).
    const transceive = protocol === 'T=0' ? withT0Handling(raw, { case4Warnings: true }) : raw;
    const info: ContactCardInfo = { atr, protocol };
    this.powered = { info, transceive };
    return info;
  }

  transceive(capdu: Uint8Array, options?: CallOptions): Promise<Uint8Array> {
    const command = Uint8Array.from(capdu);
    return this.run('transceive', options, 10000, async () => {
      this.precheck();
      if (!this.powered || !this.slot.connection) throw new ContactError('no-card', 'contact reader: transceive before powerUp');
      this.callOptions = options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : undefined;
      try {
        return await this.powered.transceive(command);
      } catch (err) {
        // The connection was dropped under the call (the card left or pcscd went away
        // while it waited): say why, not that the handle closed.
        if (isHalError(err, 'HAL_CLOSED') && !this.slot.isClosed) this.precheck();
        throw err;
      }
    });
  }

  async powerDown(): Promise<void> {
    this.powered = undefined;
    this.lost = false;
    await this.slot.release('unpower');
  }

  async selfTest(): Promise<void> {
    if (!this.slot.ready) throw new ContactError('out-of-service', `contact reader out of service: ${this.slot.outReason}`);
  }

  async close(): Promise<void> {
    this.powered = undefined;
    await this.slot.close();
  }

  private run<T>(label: string, options: CallOptions | undefined, defaultMs: number, op: () => Promise<T>): Promise<T> {
    return this.slot.run(label, options, defaultMs, op, (err) => {
      if (isOutOfService(err)) this.powered = undefined;
      return toContactError(err);
    });
  }
}
