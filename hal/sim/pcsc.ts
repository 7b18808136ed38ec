/**
 * The PC/SC contract served in-process: readers that a test or `make run` plugs in and
 * out, holding virtual contact cards, with pcscd's behaviour where the contract leaves
 * room (the first offered protocol of the ATR is activated, a card pulled mid-APDU
 * fails that APDU with card-removed). Control methods (`addReader`, `insert`, `remove`,
 * `stopService`, ...) are the far end; the PcscContext methods are what drivers use.
 */
import { HalError } from '../errors.js';
import { bounded, type CallOptions, type Unsubscribe } from '../io.js';
import { OpQueue } from '../op-queue.js';
import {
  PCSC_TIMEOUTS,
  PcscError,
  PcscEventHub,
  type PcscCapabilities,
  type PcscCard,
  type PcscConnectOptions,
  type PcscContext,
  type PcscDisposition,
  type PcscEvent,
  type PcscProtocol,
  type PcscReaderStatus,
  type VirtualContactCard,
} from '../pcsc.js';
import { isValidAtr, parseAtr } from '../../emv/atr/atr.js';

interface Slot {
  card: VirtualContactCard | undefined;
  /** Bumped at every insertion and removal: a connection belongs to one generation. */
  generation: number;
  powered: boolean;
  exclusive: boolean;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export class SimPcscContext implements PcscContext {
  readonly capabilities: PcscCapabilities = { unpower: true };
  private readonly slots = new Map<string, Slot>();
  private readonly hub = new PcscEventHub();
  private readonly connections = new Set<SimPcscCard>();
  private service = true;
  private closed = false;

  constructor(options: { readers?: readonly string[] } = {}) {
    for (const r of options.readers ?? []) this.slots.set(r, { card: undefined, generation: 0, powered: false, exclusive: false });
    this.hub.update(this.snapshot());
  }

  get serviceAvailable(): boolean {
    return this.service;
  }

  // ---- the far end ----

  addReader(name: string): void {
    if (!this.slots.has(name)) this.slots.set(name, { card: undefined, generation: 0, powered: false, exclusive: false });
    this.refresh();
  }

  /** Unplugs a reader: its connections die with reader-gone. */
  removeReader(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    slot.generation++;
    this.slots.delete(name);
    this.refresh();
  }

  insert(reader: string, card: VirtualContactCard): void {
    const slot = this.slots.get(reader);
    if (!slot) throw new HalError('HAL_NOT_FOUND', `sim PC/SC: no reader "${reader}"`);
    if (slot.card) this.remove(reader);
    slot.card = card;
    slot.generation++;
    slot.powered = false;
    this.refresh();
  }

  remove(reader: string): void {
    const slot = this.slots.get(reader);
    if (!slot?.card) return;
    slot.card = undefined;
    slot.generation++;
    slot.powered = false;
    slot.exclusive = false;
    this.refresh();
  }

  /** The resource manager dies (pcscd killed): every call fails with service-gone until startService. */
  stopService(): void {
    if (!this.service) return;
    this.service = false;
    for (const slot of this.slots.values()) {
      slot.generation++;
      slot.exclusive = false;
      slot.powered = false;
    }
    this.hub.serviceLost(new PcscError('service-gone', 'sim PC/SC: the resource manager stopped'));
  }

  startService(): void {
    if (this.service || this.closed) return;
    this.service = true;
    this.hub.serviceRestored(this.snapshot());
  }

  // ---- the contract ----

  private snapshot(): PcscReaderStatus[] {
    return [...this.slots].map(([name, s]) => {
      const mute = s.card !== undefined && !isValidAtr(s.card.atr);
      return { name, cardPresent: s.card !== undefined, mute, atr: s.card && !mute ? Uint8Array.from(s.card.atr) : new Uint8Array(0) };
    });
  }

  private refresh(): void {
    if (this.service && !this.closed) this.hub.update(this.snapshot());
  }

  private check(what: string): void {
    if (this.closed) throw new HalError('HAL_CLOSED', `sim PC/SC: ${what} after close`);
    if (!this.service) throw new PcscError('service-gone', `sim PC/SC: ${what}: the resource manager is not running`);
  }

  async listReaders(options?: CallOptions): Promise<PcscReaderStatus[]> {
    this.check('listReaders');
    return bounded('sim PC/SC: listReaders', tick().then(() => this.snapshot()), options, PCSC_TIMEOUTS.listReaders);
  }

  onEvent(listener: (event: PcscEvent) => void): Unsubscribe {
    return this.hub.subscribe(listener);
  }

  async connect(reader: string, options?: PcscConnectOptions): Promise<PcscCard> {
    this.check('connect');
    const work = tick().then(() => {
      this.check('connect');
      const slot = this.slot(reader);
      if (!slot.card) throw new PcscError('no-card', `sim PC/SC: no card in "${reader}"`);
      if (slot.exclusive) throw new PcscError('sharing-violation', `sim PC/SC: the card in "${reader}" is held exclusively`);
      const protocol = chooseProtocol(slot.card.atr, options?.protocols ?? ['T=0', 'T=1'], reader);
      if (!slot.powered) {
        slot.card.reset?.();
        slot.powered = true;
      }
      if (options?.share === 'exclusive') slot.exclusive = true;
      const card = new SimPcscCard(this, reader, slot.generation, Uint8Array.from(slot.card.atr), protocol, options?.share === 'exclusive');
      this.connections.add(card);
      return card;
    });
    return bounded(`sim PC/SC: connect "${reader}"`, work, options, PCSC_TIMEOUTS.connect);
  }

  private slot(reader: string): Slot {
    const slot = this.slots.get(reader);
    if (!slot) throw new PcscError('reader-gone', `sim PC/SC: no reader "${reader}"`);
    return slot;
  }

  /** @internal The live card of a connection, or the fault that ended it. */
  cardOf(reader: string, generation: number): VirtualContactCard {
    if (this.closed) throw new HalError('HAL_CLOSED', `sim PC/SC: "${reader}": closed`);
    if (!this.service) throw new PcscError('service-gone', `sim PC/SC: "${reader}": the resource manager is not running`);
    const slot = this.slots.get(reader);
    if (!slot) throw new PcscError('reader-gone', `sim PC/SC: reader "${reader}" went away`);
    if (slot.generation !== generation || !slot.card) throw new PcscError('card-removed', `sim PC/SC: the card in "${reader}" was removed`);
    return slot.card;
  }

  /** @internal The card stopped answering: it counts as pulled out. */
  cardFailed(reader: string, generation: number): void {
    if (this.slots.get(reader)?.generation === generation) this.remove(reader);
  }

  /** @internal */
  released(card: SimPcscCard, disposition: PcscDisposition): void {
    this.connections.delete(card);
    const slot = this.slots.get(card.reader);
    if (!slot || slot.generation !== card.generation) return;
    if (card.exclusive) slot.exclusive = false;
    if (disposition === 'unpower') slot.powered = false;
    if (disposition === 'reset') slot.card?.reset?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
    await Promise.allSettled([...this.connections].map((c) => c.abandon()));
  }
}

class SimPcscCard implements PcscCard {
  private readonly queue: OpQueue;
  private open = true;

  constructor(
    private readonly ctx: SimPcscContext,
    readonly reader: string,
    readonly generation: number,
    public atr: Uint8Array,
    readonly protocol: PcscProtocol,
    readonly exclusive: boolean,
  ) {
    this.queue = new OpQueue(`sim PC/SC "${reader}"`);
  }

  get connected(): boolean {
    return this.open;
  }

  private live(what: string): VirtualContactCard {
    if (!this.open) throw new HalError('HAL_CLOSED', `sim PC/SC "${this.reader}": ${what} after disconnect`);
    return this.ctx.cardOf(this.reader, this.generation);
  }

  transmit(capdu: Uint8Array, options?: CallOptions): Promise<Uint8Array> {
    const command = Uint8Array.from(capdu);
    return this.queue.run(
      'transmit',
      async () => {
        const card = this.live('transmit');
        let answer: Uint8Array;
        try {
          answer = Uint8Array.from(await card.transceive(command));
        } catch (err) {
          this.ctx.cardFailed(this.reader, this.generation);
          throw new PcscError('card-removed', `sim PC/SC "${this.reader}": the card stopped answering (removed during the APDU)`, { cause: err });
        }
        // Pulled out while it was answering: the reader never got the whole response.
        this.live('transmit');
        if (answer.length < 2) throw new HalError('HAL_PROTOCOL', `sim PC/SC "${this.reader}": response of ${answer.length} byte(s) has no status word`);
        return answer;
      },
      options,
      PCSC_TIMEOUTS.transmit,
    );
  }

  reset(options?: CallOptions): Promise<Uint8Array> {
    return this.queue.run(
      'reset',
      () => {
        const card = this.live('reset');
        card.reset?.();
        this.atr = Uint8Array.from(card.atr);
        return Uint8Array.from(this.atr);
      },
      options,
      PCSC_TIMEOUTS.connect,
    );
  }

  async disconnect(disposition: PcscDisposition = 'leave', options?: CallOptions): Promise<void> {
    if (!this.open) return;
    await bounded(`sim PC/SC "${this.reader}": disconnect`, tick(), options, PCSC_TIMEOUTS.disconnect);
    if (!this.open) return;
    this.open = false;
    await this.queue.close();
    this.ctx.released(this, disposition);
  }

  /** @internal The context closed. */
  async abandon(): Promise<void> {
    this.open = false;
    await this.queue.close();
  }
}

/** pcscd's rule: the first protocol the ATR offers that the caller accepts (ISO/IEC 7816-3 8.2.3). */
function chooseProtocol(atrBytes: Uint8Array, accepted: readonly PcscProtocol[], reader: string): PcscProtocol {
  let offered: readonly number[];
  try {
    const atr = parseAtr(atrBytes);
    offered = atr.specificMode ? [atr.specificMode.protocol] : atr.protocols;
  } catch (err) {
    throw new PcscError('mute', `sim PC/SC: the card in "${reader}" gave no valid ATR`, { cause: err });
  }
  for (const t of offered) {
    const p: PcscProtocol | undefined = t === 0 ? 'T=0' : t === 1 ? 'T=1' : undefined;
    if (p && accepted.includes(p)) return p;
  }
  throw new PcscError('protocol-mismatch', `sim PC/SC: the card in "${reader}" offers T=${offered.join(', T=')}; asked for ${accepted.join(', ')}`);
}

/**
 * A card that speaks only T=0's case 2/4 procedures (ISO/IEC 7816-3 12.2, ISO/IEC 7816-4
 * 5.3.4): a case 4 command draws 61xx and the data waits for GET RESPONSE; a case 2
 * command whose Le is not the exact length draws 6Cxx (the right length). Wraps a card that
 * answers whole responses (a T=1-style virtual card).
 */
export function t0OnlyCard(inner: VirtualContactCard, atr?: Uint8Array): VirtualContactCard {
  let pending: Uint8Array | undefined;
  let pendingSw = 0x9000;
  let resend: { header: Uint8Array; answer: Uint8Array } | undefined;
  const sw = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);
  const withSw = (data: Uint8Array, v: number): Uint8Array => {
    const out = new Uint8Array(data.length + 2);
    out.set(data);
    out.set(sw(v), data.length);
    return out;
  };
  return {
    atr: atr ?? inner.atr,
    reset() {
      pending = undefined;
      resend = undefined;
      inner.reset?.();
    },
    async transceive(capdu) {
      const isGetResponse = capdu.length === 5 && capdu[1] === 0xc0 && capdu[2] === 0 && capdu[3] === 0;
      if (isGetResponse) {
        if (pending === undefined) return sw(0x6985);
        const le = capdu[4] === 0 ? 256 : capdu[4]!;
        if (le > pending.length) return sw(0x6c00 | pending.length);
        const part = pending.subarray(0, le);
        const rest = pending.subarray(le);
        pending = rest.length > 0 ? rest : undefined;
        return withSw(part, pending ? 0x6100 | Math.min(pending.length, 255) : pendingSw);
      }
      pending = undefined;
      // The re-send after 6Cxx (same header, Le = xx; EMV Book 1 Annex A, case 2) gets the
      // answer already built: the application ran the command once.
      const again = resend;
      resend = undefined;
      if (again !== undefined && capdu.length === 5 && again.header.every((b, i) => b === capdu[i]) && capdu[4] === ((again.answer.length - 2) & 0xff)) {
        return Uint8Array.from(again.answer);
      }
      const answer = await inner.transceive(capdu);
      const data = answer.subarray(0, answer.length - 2);
      const status = (answer[answer.length - 2]! << 8) | answer[answer.length - 1]!;
      if (data.length === 0) return Uint8Array.from(answer);
      // Case 2 (header + Le): the card insists on the exact length first (6Cxx).
      if (capdu.length === 5) {
        const le = capdu[4] === 0 ? 256 : capdu[4]!;
        if (le !== data.length) {
          resend = { header: capdu.subarray(0, 4), answer: Uint8Array.from(answer) };
          return sw(0x6c00 | (data.length & 0xff));
        }
        return Uint8Array.from(answer);
      }
      // Case 4: T=0 cannot send data after command data; announce it (61xx).
      pending = Uint8Array.from(data);
      pendingSw = status;
      return sw(0x6100 | (data.length > 255 ? 0 : data.length));
    },
  };
}
