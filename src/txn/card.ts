/**
 * Reading a card for a transaction: card acquisition on every reader at once, the chip-first
 * rule (EMV Book 4 6.5.5; a swiped 2xx/6xx card goes to the chip reader unless the chip
 * failed on this transaction and fallback is allowed, entry mode 80), the EMV kernel run
 * (contact or contactless) with the application's PIN pad and application choice, and the
 * swipe path (ISO/IEC 7813 track checks). The result carries the PAN and the request data
 * for the host only; nothing here is journalled or logged.
 */
import { decodeTlv, findTlv } from '../../emv/ber/tlv.js';
import { bcdDigits, toHex } from '../../emv/bytes.js';
import { decideSwipe } from '../../emv/kernel/swipe.js';
import { runTransaction, type KernelResult } from '../../emv/kernel/kernel.js';
import type { Candidate, EntryMode as PosEntryMode, KernelOutcome, OdaVerifier, PinEntry, TerminalConfig, TransactionParams } from '../../emv/kernel/types.js';
import type { Transceive } from '../../emv/transport/transceive.js';
import { createLogger } from '../log.js';
import { offlinePinVerifyData } from '../keys/offline-pin.js';
import { parseTrack, parseTrack2Equivalent } from '../../emv/track/track.js';
import { maskPan } from '../../emv/track/pan.js';
import { isEmvError } from '../../emv/errors.js';
import type { ReceiptCvm } from '../receipt/types.js';
import { available, waitForCard, type Readers } from './acquire.js';
import type { CardVia, EngineUi } from './types.js';

/** A card read and ready for authorisation (or decided offline by the kernel). */
export interface CardRead {
  readonly via: CardVia;
  readonly posEntryMode: PosEntryMode;
  readonly pan: string;
  readonly maskedPan: string;
  readonly scheme: string;
  readonly expiry?: string;
  readonly panSequence?: string;
  /** Magnetic track 2 (ISO 8583 field 35) of a swipe: the request only. */
  readonly track2?: string;
  readonly cvm: ReceiptCvm;
  readonly kernel?: KernelResult;
  /** The online PIN block and KSN (fields 52 and 62): the request only. */
  readonly pin?: { readonly pinBlock: Uint8Array; readonly ksn: Uint8Array };
}

export type ReadOutcome =
  | { readonly kind: 'card'; readonly card: CardRead }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'declined'; readonly reason: string; readonly maskedPan?: string };

/** One recorded card session (src/trace TraceSession): wraps the card link and the PIN pad, then stores the trace. */
export interface TraceRecording {
  transceive(inner: Transceive): Transceive;
  pin(inner: PinEntry): PinEntry;
  finish(params: TransactionParams, config: TerminalConfig, outcome: KernelOutcome | undefined): Promise<unknown>;
}

/** APDU tracing armed by the technician for the next N transactions (src/trace TraceStore). */
export interface TraceSource {
  begin(iface: 'contact' | 'contactless'): Promise<TraceRecording | undefined>;
}

const log = createLogger('pos:txn:card');

export interface ReadContext {
  readonly readers: Readers;
  readonly terminal: TerminalConfig;
  readonly params: TransactionParams;
  readonly amount: number;
  readonly currency: string;
  readonly ui: EngineUi;
  readonly fallbackAllowed: boolean;
  readonly today: Date;
  readonly oda?: OdaVerifier | null;
  readonly traces?: TraceSource;
}

/** Card scheme from the AID's RID (ISO/IEC 7816-5 registered application provider identifiers). */
export function schemeOfAid(aidHex: string | undefined): string | undefined {
  if (aidHex === undefined) return undefined;
  const rid = aidHex.slice(0, 10).toUpperCase();
  return rid === 'A000000003' ? 'visa' : rid === 'A000000004' ? 'mastercard' : rid === 'A000000333' ? 'unionpay' : undefined;
}

/** Card scheme from the PAN's issuer identification number (ISO/IEC 7812 ranges of the schemes). */
export function schemeOfPan(pan: string): string {
  if (pan.startsWith('62')) return 'unionpay';
  if (pan.startsWith('4')) return 'visa';
  const two = Number(pan.slice(0, 2));
  const four = Number(pan.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  return 'other';
}

function receiptCvm(method: string | undefined): ReceiptCvm {
  return method === 'online-pin' || method === 'offline-pin' || method === 'signature' || method === 'cdcvm' ? method : 'no-cvm';
}

/** Picks the PAN out of the card's answers (5A in a record, 57 in a qVSDC GPO answer): the PIN block needs it during CVM. */
function sniffPan(rapdu: Uint8Array): string | undefined {
  if (rapdu.length < 4 || (rapdu[0] !== 0x70 && rapdu[0] !== 0x77)) return undefined;
  try {
    const nodes = decodeTlv(rapdu.subarray(0, rapdu.length - 2));
    const pan = findTlv(nodes, 0x5a);
    if (pan) return bcdDigits(pan.value).replace(/F+$/, '');
    const t2 = findTlv(nodes, 0x57);
    if (t2) return parseTrack2Equivalent(t2.value).pan;
  } catch {
    // The kernel judges the card's data; this only looks for the PAN.
  }
  return undefined;
}

class KernelRun {
  pan: string | undefined;
  pin: { pinBlock: Uint8Array; ksn: Uint8Array } | undefined;
  cancelled = false;
  private offlineAttempts = 0;

  constructor(private readonly ctx: ReadContext) {}

  pinEntry(): PinEntry {
    return {
      online: async ({ panMasked }) => {
        if (this.pan === undefined) return { kind: 'pinpad-failed' };
        const r = await this.ctx.ui.onlinePin({ panMasked, pan: this.pan, amount: this.ctx.amount, currency: this.ctx.currency });
        if (r === 'bypassed') return { kind: 'bypassed' };
        if (r === 'cancelled') {
          this.cancelled = true;
          return { kind: 'bypassed' };
        }
        this.pin = { pinBlock: r.pinBlock, ksn: r.ksn };
        return { kind: 'entered' };
      },
      offline: async (request) => {
        const ask = this.ctx.ui.offlinePin?.bind(this.ctx.ui);
        // No offline PIN pad: the kernel goes on with the next CVM (Book 3 10.5.1).
        if (!ask) return { kind: 'pinpad-failed' };
        const retry = this.offlineAttempts++ > 0;
        const r = await ask({ amount: this.ctx.amount, currency: this.ctx.currency, ...(request.triesLeft !== undefined ? { triesLeft: request.triesLeft } : {}), ...(retry ? { retry } : {}) });
        if (r === 'bypassed') return { kind: 'bypassed' };
        if (r === 'cancelled') {
          this.cancelled = true;
          return { kind: 'bypassed' };
        }
        try {
          return { kind: 'entered', verifyData: offlinePinVerifyData(r, request) };
        } catch (err) {
          log.warn('offline PIN not built', { error: (err as Error).message });
          return { kind: 'pinpad-failed' };
        } finally {
          r.wipe();
        }
      },
    };
  }

  async run(iface: 'contact' | 'contactless', transceive: (c: Uint8Array) => Promise<Uint8Array>): Promise<KernelResult> {
    const ui = this.ctx.ui;
    const trace = await this.ctx.traces?.begin(iface).catch((err: unknown) => {
      log.warn('APDU trace not started', { error: (err as Error).message });
      return undefined;
    });
    const link: Transceive = async (c) => {
      const r = await transceive(c);
      this.pan ??= sniffPan(r);
      return r;
    };
    const finish = (outcome: KernelOutcome | undefined): void => {
      trace?.finish(this.ctx.params, this.ctx.terminal, outcome).catch((err: unknown) => log.warn('APDU trace not stored', { error: (err as Error).message }));
    };
    let result: KernelResult;
    try {
      result = await runTransaction({
        interface: iface,
        params: this.ctx.params,
        config: this.ctx.terminal,
        deps: {
          transceive: trace ? trace.transceive(link) : link,
          pin: trace ? trace.pin(this.pinEntry()) : this.pinEntry(),
          ...(this.ctx.oda === undefined ? {} : { oda: this.ctx.oda }),
          onCardRemovable: () => ui.event({ kind: 'remove-card' }),
          chooseApplication: async (cands: readonly Candidate[]) => {
            const i = await ui.chooseApplication(cands.map((c) => c.preferredName ?? c.label ?? toHex(c.aid)));
            return i === undefined ? undefined : cands[i];
          },
        },
      });
    } catch (err) {
      finish(undefined);
      throw err;
    }
    const complete = result.complete;
    if (!trace || !complete) {
      finish(result);
      return result;
    }
    // The trace ends with the second GENERATE AC and any issuer scripts: stored at completion.
    return {
      ...result,
      complete: async (response) => {
        let final: KernelOutcome | undefined;
        try {
          final = await complete(response);
          return final;
        } finally {
          finish(final);
        }
      },
    };
  }
}

function fromKernel(via: CardVia, k: KernelResult, run: KernelRun): CardRead | undefined {
  const pan = k.account?.pan ?? run.pan;
  if (pan === undefined) return undefined;
  const aid = k.aid ? toHex(k.aid) : undefined;
  return {
    via,
    posEntryMode: k.entryMode ?? (via === 'tap' ? '07' : '05'),
    pan,
    maskedPan: k.panMasked ?? maskPan(pan),
    scheme: schemeOfAid(aid) ?? schemeOfPan(pan),
    ...(k.account?.expiry ? { expiry: k.account.expiry.slice(0, 4) } : {}),
    ...(k.account?.panSequenceNumber ? { panSequence: k.account.panSequenceNumber } : {}),
    cvm: receiptCvm(k.cvm?.method),
    kernel: k,
    ...(run.pin ? { pin: run.pin } : {}),
  };
}

const describe = (err: unknown): string => (isEmvError(err) && err.cause instanceof Error ? err.cause.message : (err as Error).message);

/** Waits for a card and reads it, following the chip-first rule; never throws for card or reader faults. */
export async function readCard(ctx: ReadContext): Promise<ReadOutcome> {
  const { readers, ui } = ctx;
  let via = available(readers, ['tap', 'insert', 'swipe']);
  let chipFailures = 0;
  ui.event({ kind: 'present-card', amount: ctx.amount, currency: ctx.currency, via });
  for (;;) {
    if (via.length === 0) return { kind: 'declined', reason: 'no card reader for this card' };
    const got = await waitForCard(readers, via, ui.signal, (message) => ui.event({ kind: 'card-error', message }));
    if (got.via === 'cancelled') return { kind: 'cancelled' };
    ui.event({ kind: 'reading-card', via: got.via });
    if (got.via === 'tap') {
      const reader = readers.contactless!;
      const run = new KernelRun(ctx);
      let k: KernelResult;
      try {
        k = await run.run('contactless', (c) => reader.transceive(c));
      } catch (err) {
        ui.event({ kind: 'card-error', message: `card read failed (${describe(err)}): present the card again` });
        await reader.release().catch(() => undefined);
        continue;
      } finally {
        if (run.cancelled) await reader.release().catch(() => undefined);
      }
      await reader.release().catch(() => undefined);
      if (run.cancelled) return { kind: 'cancelled' };
      if (k.outcome === 'try-another-interface') {
        via = available(readers, ['insert', 'swipe']);
        ui.event({ kind: 'try-another-interface', via });
        continue;
      }
      if (k.outcome === 'end-application') {
        ui.event({ kind: 'card-error', message: `card not accepted: ${k.reason ?? 'end application'}` });
        continue;
      }
      const card = fromKernel('tap', k, run);
      if (!card) return { kind: 'declined', reason: 'the card gave no account number' };
      return { kind: 'card', card };
    }
    if (got.via === 'insert') {
      const reader = readers.contact!;
      const run = new KernelRun(ctx);
      let k: KernelResult | undefined;
      let failure: string | undefined;
      try {
        await reader.powerUp();
        k = await run.run('contact', (c) => reader.transceive(c));
        if (k.outcome === 'end-application' || k.outcome === 'try-another-interface') failure = k.reason ?? 'end application';
      } catch (err) {
        failure = describe(err);
      }
      if (run.cancelled) {
        await reader.powerDown().catch(() => undefined);
        return { kind: 'cancelled' };
      }
      if (failure !== undefined || k === undefined) {
        await reader.powerDown().catch(() => undefined);
        chipFailures++;
        if (ctx.fallbackAllowed && readers.stripe) {
          ui.event({ kind: 'fallback-swipe' });
          via = ['swipe'];
          continue;
        }
        return { kind: 'declined', reason: `chip could not be read: ${failure ?? 'no outcome'}` };
      }
      const card = fromKernel('insert', k, run);
      if (!card) {
        await reader.powerDown().catch(() => undefined);
        return { kind: 'declined', reason: 'the card gave no account number' };
      }
      return { kind: 'card', card };
    }
    // Swipe: track 2 is the financial track (ISO/IEC 7813); track 1 when it is all there is.
    const raw = got.swipe.track2 ?? got.swipe.track1;
    let track;
    try {
      track = parseTrack(raw ?? '');
    } catch {
      ui.event({ kind: 'card-error', message: 'the swipe could not be read: swipe again' });
      continue;
    }
    const d = decideSwipe(track, { chipFailures, fallbackAllowed: ctx.fallbackAllowed, chipReader: readers.contact !== undefined, today: ctx.today });
    if (d.action === 'use-chip') {
      ui.event({ kind: 'insert-card' });
      via = available(readers, ['insert']);
      continue;
    }
    if (d.action === 'decline') return { kind: 'declined', reason: `swiped card refused: ${d.reason}`, maskedPan: d.panMasked };
    const t2 = got.swipe.track2 ? got.swipe.track2.replace(/^;/, '').replace(/\?.*$/, '') : undefined;
    return {
      kind: 'card',
      card: {
        via: 'swipe',
        posEntryMode: d.entryMode,
        pan: track.pan,
        maskedPan: d.panMasked,
        scheme: schemeOfPan(track.pan),
        expiry: track.expiry,
        ...(t2 ? { track2: t2 } : {}),
        cvm: 'signature',
      },
    };
  }
}
