/**
 * The acquirer simulator (tests, demos and staff training only; DESIGN "Scale beyond one
 * device"): answers ISO 8583 like an acquirer host and checks everything a host checks —
 * the MAC, the PIN (deciphered under its DUKPT base derivation key), the ARQC (with the
 * issuer master keys of the virtual cards, answering with an ARPC), balances, limits — keeps
 * a ledger per test card, reconciles 0500 totals, and on command delays, drops,
 * disconnects, garbles or duplicates its answers.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { withOddParity } from '../../../emv/crypto/kcv.js';
import { keyExchangeField } from '../session-mac.js';
import { createLogger } from '../../log.js';
import { decodeTlv, encodeTlv } from '../../../emv/ber/tlv.js';
import { maskPan } from '../../../emv/track/pan.js';
import { x919Mac } from '../../../emv/crypto/mac.js';
import { timingSafeEqual } from 'node:crypto';
import { deriveIpek, deriveTransactionKey, workingKeys } from '../../keys/dukpt-tdes.js';
import { decipherPinBlock } from '../../keys/pin-block.js';
import { writeFileAtomic } from '../../config/atomic-write.js';
import type { Channel } from '../channel.js';
import { serveChannels, type LengthHeader } from '../channel.js';
import type { Layout } from '../iso8583/layout.js';
import { IsoMessage, responseMti } from '../iso8583/message.js';
import { pack, unpack } from '../iso8583/packager.js';
import { readTotals, type BatchTotals } from '../messages.js';
import { Ledger, type LedgerCard, type LedgerReconciliation, type LedgerTxn, type TxnState } from './ledger.js';

const log = createLogger('pos:host:simulator');

/** What the simulator knows of one test card (from the virtual-card catalogue). */
export interface SimCard {
  name: string;
  pan: string;
  /** YYMM; later than today unless the card is an expired one. */
  expiry: string;
  /** Test PIN for online PIN verification. */
  pin?: string;
  /** The card requires online PIN (no PIN block: decline 55). */
  requiresPin?: boolean;
  balanceMinor: number;
  currency: string;
  /** Per-transaction limit (61 above it). */
  limitMinor?: number;
  /** Max approvals (65 beyond). */
  maxApprovals?: number;
  blocked?: boolean;
}

/** Checks an ARQC and makes the ARPC; supplied from the EMV layer's host-side functions. */
export interface IssuerCrypto {
  /** Returns the issuer authentication data (tag 91 value) when the ARQC verifies, or null. */
  authorise(card: SimCard, iccData: Map<number, Uint8Array>, arc: string): { ok: true; issuerAuthData: Uint8Array } | { ok: false; reason: string };
}

export interface SimulatorOptions {
  layout: Layout;
  cards: SimCard[];
  /** DUKPT base derivation key (TDES) for deciphering PIN blocks (a TEST key). */
  bdk?: Uint8Array;
  /**
   * Verifies and sends MACs (X9.19) with the session MAC key when set; with `kek` (the
   * terminal's TEST key-encrypting key) a key exchange (0800, 70 = 101) delivers a new one.
   */
  mac?: { fixedKey: Uint8Array; kek?: Uint8Array };
  issuer?: IssuerCrypto;
  /** Rewrites the ledger as JSON after every change. */
  ledgerFile?: string;
  now?: () => Date;
}

/** delay, drop, disconnect, garble or duplicate the answer; `respond`: answer `rc` (e.g. 91, 96) without processing. */
export type Fault = 'delay' | 'drop' | 'disconnect' | 'garble' | 'duplicate' | 'respond';

const DEBIT_CODES = new Set(['00']);

/** How a transaction counts in a 0500 (fields 74-77 / 86-89): debits are sales and completions, credits refunds, debit reversals voids. */
type TotalsClass = 'debit' | 'debitReversal' | 'credit';

interface UploadItem {
  stan: string;
  rrn: string;
  processing: string;
  amountMinor: number;
  currency: string;
}

function uploadClass(processing: string): TotalsClass | undefined {
  const p = processing.slice(0, 2);
  return p === '00' ? 'debit' : p === '02' ? 'debitReversal' : p === '20' ? 'credit' : undefined;
}

/** A ledger transaction's class: pre-authorisation holds (01xx), balance inquiries and what was declined or reversed count nowhere. */
function ledgerClass(x: LedgerTxn): TotalsClass | undefined {
  if (!x.mti.startsWith('02')) return undefined;
  if (x.state === 'approved' || x.state === 'advised' || x.state === 'refunded' || x.state === 'voided') return uploadClass(x.processing);
  return undefined;
}

function sums(items: { cls: TotalsClass | undefined; amount: number }[]): Omit<BatchTotals, 'batchNumber' | 'currency'> {
  const s = { creditCount: 0, creditAmountMinor: 0, creditReversalCount: 0, creditReversalAmountMinor: 0, debitCount: 0, debitAmountMinor: 0, debitReversalCount: 0, debitReversalAmountMinor: 0 };
  for (const { cls, amount } of items) {
    if (cls === undefined) continue;
    s[`${cls}Count`]++;
    s[`${cls}AmountMinor`] += amount;
  }
  return s;
}
const REFUND_CODES = new Set(['20']);

export class AcquirerSimulator {
  readonly ledger = new Ledger();
  private readonly cardsByPan = new Map<string, SimCard>();
  private readonly faults: { fault: Fault; count: number; ms: number; mti?: string; rc?: string }[] = [];
  private macKey: Uint8Array | undefined;
  private readonly pinTries = new Map<string, number>();
  private seq = 0;
  /** Batch upload items per terminal since its last 0500 (of their currency). */
  private readonly uploads = new Map<string, Map<string, UploadItem>>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SimulatorOptions) {
    this.macKey = options.mac?.fixedKey ? Uint8Array.from(options.mac.fixedKey) : undefined;
    for (const c of options.cards) {
      this.cardsByPan.set(c.pan, c);
      this.ledger.cards.set(c.name, { name: c.name, maskedPan: maskPan(c.pan), balanceMinor: c.balanceMinor, currency: c.currency, approvals: 0, reversals: 0, declines: 0, pinFailures: 0 });
    }
  }

  /** Makes the next `count` answers (optionally only to requests of MTI `mti`) misbehave. */
  inject(fault: Fault, count = 1, options: { ms?: number; mti?: string; rc?: string } = {}): void {
    this.faults.push({ fault, count, ms: options.ms ?? 0, ...(options.mti ? { mti: options.mti } : {}), ...(options.rc ? { rc: options.rc } : {}) });
  }

  /** Forgets every fault still waiting for a request (the end of a fault campaign). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  private takeFault(mti: string, kinds?: readonly Fault[]): { fault: Fault; ms: number; rc?: string } | undefined {
    const f = this.faults.find((x) => x.count > 0 && (x.mti === undefined || x.mti === mti) && (kinds === undefined ? x.fault !== 'respond' : kinds.includes(x.fault)));
    if (!f) return undefined;
    f.count--;
    if (f.count === 0) this.faults.splice(this.faults.indexOf(f), 1);
    return { fault: f.fault, ms: f.ms, ...(f.rc ? { rc: f.rc } : {}) };
  }

  /** Serves one channel (a terminal's connection). */
  attach(channel: Channel): void {
    channel.onFrame((frame) => void this.onFrame(channel, frame));
  }

  /** Listens on TCP (loopback unless told). */
  async listen(port: number, header: LengthHeader = 'binary2', host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
    return serveChannels({ port, header, host }, (ch) => this.attach(ch));
  }

  private async onFrame(channel: Channel, frame: Uint8Array): Promise<void> {
    let req: IsoMessage;
    try {
      req = unpack(this.options.layout, frame);
    } catch (err) {
      log.warn('unreadable request dropped', { error: (err as Error).message });
      return;
    }
    const forced = this.takeFault(req.mti, ['respond']);
    const res = forced ? this.respond(req, forced.rc ?? '96') : this.handle(req, frame);
    await this.persist();
    if (!res) return;
    // The answer to a key exchange still carries the old key's MAC; the new key applies after it.
    const out0 = this.packResponse(res);
    if (this.nextMacKey) {
      this.macKey = this.nextMacKey;
      this.nextMacKey = undefined;
    }
    const fault = this.takeFault(req.mti);
    let out = out0;
    if (fault?.fault === 'drop') return;
    if (fault?.fault === 'disconnect') {
      await channel.close();
      return;
    }
    if (fault?.fault === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.fault === 'garble') {
      out = Uint8Array.from(out);
      for (let i = 2; i < out.length; i += 7) out[i] = out[i]! ^ 0x5a;
    }
    if (!channel.connected) return;
    await channel.send(out).catch(() => undefined);
    if (fault?.fault === 'duplicate') await channel.send(out).catch(() => undefined);
  }

  private packResponse(res: IsoMessage): Uint8Array {
    const key = this.macKey;
    if (!key) return pack(this.options.layout, res);
    const field = [...res.fields.keys()].some((id) => id > 64) ? 128 : 64;
    res.setBytes(this.options.layout, field, new Uint8Array(8));
    const draft = pack(this.options.layout, res);
    const size = this.options.layout.fields[field]!.def.dataEncoding === 'hex' ? 16 : 8;
    res.setBytes(this.options.layout, field, x919Mac(key, draft.subarray(0, draft.length - size)));
    return pack(this.options.layout, res);
  }

  private macValid(req: IsoMessage, frame: Uint8Array): boolean {
    const key = this.macKey;
    if (!key) return true;
    const field = req.has(128) ? 128 : req.has(64) ? 64 : undefined;
    if (field === undefined) return false;
    const mac = req.bytes(field)!;
    const size = this.options.layout.fields[field]!.def.dataEncoding === 'hex' ? mac.length * 2 : mac.length;
    const expected = x919Mac(key, frame.subarray(0, frame.length - size));
    return mac.length === 8 && timingSafeEqual(Buffer.from(expected), Buffer.from(mac));
  }

  private respond(req: IsoMessage, rc: string, extra: Record<number, string> = {}): IsoMessage {
    const res = new IsoMessage(responseMti(req.mti));
    // Echo the fields that identify the transaction (never the PAN, track or PIN block).
    for (const id of [3, 4, 7, 11, 12, 13, 22, 25, 32, 37, 41, 42, 49]) {
      const v = req.get(id);
      if (v !== undefined) res.set(id, v);
    }
    res.set(39, rc);
    for (const [k, v] of Object.entries(extra)) res.set(Number(k), v);
    return res;
  }

  private nextRrn(): string {
    this.seq++;
    return String(Date.now() % 1_000_000).padStart(6, '0') + String(this.seq % 1_000_000).padStart(6, '0');
  }

  private authCode(): string {
    return String(randomInt(0, 1_000_000)).padStart(6, '0');
  }

  /** The answer to one request (undefined: no answer, e.g. an unknown MTI). */
  handle(req: IsoMessage, frame: Uint8Array = pack(this.options.layout, req)): IsoMessage | undefined {
    const kind = req.mti.slice(0, 3);
    if (!['010', '020', '022', '040', '080', '050', '032'].includes(kind)) return undefined;
    if (!this.macValid(req, frame)) return this.respond(req, 'A0');
    switch (kind) {
      case '080':
        return this.networkManagement(req);
      case '040':
        return this.reverse(req);
      case '050':
        return this.reconcile(req);
      case '032':
        return this.batchUpload(req);
      default:
        return this.authorise(req);
    }
  }

  private panOf(req: IsoMessage): string | undefined {
    const f2 = req.text(2);
    if (f2) return f2;
    const t2 = req.text(35);
    const m = /^(\d{12,19})[=D]/.exec(t2);
    return m?.[1];
  }

  private expiryOf(req: IsoMessage): string | undefined {
    const f14 = req.text(14);
    if (f14) return f14;
    const m = /^\d{12,19}[=D](\d{4})/.exec(req.text(35));
    return m?.[1];
  }

  private record(req: IsoMessage, card: SimCard | undefined, rc: string, state: TxnState, rrn: string, authCode: string): LedgerTxn {
    const txn: LedgerTxn = {
      stan: req.text(11),
      terminalId: req.text(41).trimEnd(),
      mti: req.mti,
      processing: req.text(3) || '000000',
      rrn,
      authCode,
      card: card?.name ?? 'unknown card',
      amountMinor: Number(req.text(4) || '0'),
      currency: req.text(49),
      responseCode: rc,
      state,
      transmittedAt: req.text(7),
      at: (this.options.now ?? (() => new Date()))().toISOString(),
    };
    this.ledger.transactions.push(txn);
    return txn;
  }

  private decline(req: IsoMessage, card: SimCard | undefined, rc: string): IsoMessage {
    if (card) this.ledger.cards.get(card.name)!.declines++;
    const rrn = this.nextRrn();
    this.record(req, card, rc, 'declined', rrn, '');
    return this.respond(req, rc, { 37: rrn });
  }

  private pinOk(req: IsoMessage, card: SimCard, pan: string): '00' | '55' | '75' {
    const block = req.bytes(52);
    if (!block) return card.requiresPin ? '55' : '00';
    const bdk = this.options.bdk;
    const ksnHex = req.text(62);
    if (!bdk || !/^[0-9A-Fa-f]{20}$/.test(ksnHex) || !card.pin) return '55';
    const ksn = Uint8Array.from(Buffer.from(ksnHex, 'hex'));
    const ipek = deriveIpek(bdk, ksn);
    const keys = workingKeys(deriveTransactionKey(ipek, ksn));
    let ok = false;
    try {
      const pin = decipherPinBlock(0, block, pan, keys.pinKey);
      ok = pin.reveal() === card.pin;
      pin.wipe();
    } catch {
      ok = false;
    }
    keys.pinKey.fill(0);
    const tries = this.pinTries.get(card.name) ?? 0;
    if (tries >= 3) return '75';
    if (ok) {
      this.pinTries.set(card.name, 0);
      return '00';
    }
    this.pinTries.set(card.name, tries + 1);
    this.ledger.cards.get(card.name)!.pinFailures++;
    return tries + 1 >= 3 ? '75' : '55';
  }

  private authorise(req: IsoMessage): IsoMessage {
    const pan = this.panOf(req);
    const card = pan ? this.cardsByPan.get(pan) : undefined;
    if (!pan || !card) return this.decline(req, undefined, '14');
    // Duplicate request (same terminal and STAN): answer as before, change nothing (94 is for a different message).
    // A repeat (MTI last digit 1: e.g. 0221 after an unanswered 0220) is the same message with the
    // same STAN, sent at another time (field 7 is the time of this transmission).
    const repeat = req.mti.endsWith('1');
    const dup = this.ledger.transactions.find((t) => t.terminalId === req.text(41).trimEnd() && t.stan === req.text(11) && t.mti.slice(0, 3) === req.mti.slice(0, 3) && (repeat || t.transmittedAt === req.text(7)));
    if (dup) return this.respond(req, dup.responseCode, dup.authCode ? { 37: dup.rrn, 38: dup.authCode } : { 37: dup.rrn });
    const book = this.ledger.cards.get(card.name)!;
    const processing = (req.text(3) || '000000').slice(0, 2);
    const advice = req.mti.startsWith('022');
    const amount = Number(req.text(4) || '0');
    if (card.blocked) return this.decline(req, card, '05');
    const expiry = this.expiryOf(req) ?? card.expiry;
    const now = (this.options.now ?? (() => new Date()))();
    const yymm = `${String(now.getFullYear() % 100).padStart(2, '0')}${String(now.getMonth() + 1).padStart(2, '0')}`;
    if (expiry < yymm) return this.decline(req, card, '54');
    if (req.text(49) && req.text(49) !== card.currency) return this.decline(req, card, '12');
    if (!advice) {
      const pinRc = this.pinOk(req, card, pan);
      if (pinRc !== '00') return this.decline(req, card, pinRc);
    }
    const iccBytes = req.bytes(55);
    let issuerAuth: Uint8Array | undefined;
    if (iccBytes && iccBytes.length > 0 && this.options.issuer && !advice) {
      const tags = new Map<number, Uint8Array>();
      try {
        for (const n of decodeTlv(iccBytes)) tags.set(n.tag, Uint8Array.from(n.value));
      } catch {
        return this.decline(req, card, '30');
      }
      const result = this.options.issuer.authorise(card, tags, '00');
      if (!result.ok) {
        log.info('ARQC did not verify', { card: card.name, reason: result.reason });
        return this.decline(req, card, '05');
      }
      issuerAuth = result.issuerAuthData;
    }
    if (processing === '31') {
      const rrn = this.nextRrn();
      this.record(req, card, '00', 'approved', rrn, '');
      return this.respond(req, '00', { 37: rrn, 54: `0002${card.currency}C${String(book.balanceMinor).padStart(12, '0')}` });
    }
    const debit = DEBIT_CODES.has(processing) && !req.mti.startsWith('01');
    const hold = req.mti.startsWith('010') && processing === '00';
    // An advice (0220/0221) tells of a transaction the card already approved offline: it is
    // booked, not authorised again (no funds, limit or count decline; the balance may go below zero).
    if ((debit || hold) && !advice) {
      if (card.limitMinor !== undefined && amount > card.limitMinor) return this.decline(req, card, '61');
      if (card.maxApprovals !== undefined && book.approvals >= card.maxApprovals) return this.decline(req, card, '65');
      if (amount > book.balanceMinor) return this.decline(req, card, '51');
    }
    const original = req.text(90);
    let state: TxnState = advice ? 'advised' : hold ? 'held' : 'approved';
    let originalRef: LedgerTxn['original'];
    if (processing === '02' || (req.text(25) === '06' && original && !hold)) {
      // Void (02) or pre-auth completion (condition 06 with the original's data elements).
      const orig = this.ledger.findOriginal(req.text(41).trimEnd(), original.slice(4, 10), original.slice(10, 20));
      if (!orig || !['approved', 'held'].includes(orig.state)) return this.decline(req, card, '25');
      originalRef = { stan: orig.stan, transmittedAt: orig.transmittedAt };
      if (processing === '02') {
        if (orig.state === 'approved') book.balanceMinor += orig.amountMinor;
        orig.state = orig.state === 'held' ? 'released' : 'voided';
        state = 'voided';
      } else {
        if (amount > orig.amountMinor) return this.decline(req, card, '13');
        book.balanceMinor -= amount;
        orig.state = 'captured';
        state = 'approved';
      }
    } else if (REFUND_CODES.has(processing)) {
      book.balanceMinor += amount;
      state = 'refunded';
    } else if (debit || advice) {
      book.balanceMinor -= amount;
    }
    book.approvals++;
    const rrn = this.nextRrn();
    const code = this.authCode();
    const booked = this.record(req, card, '00', state, rrn, code);
    if (originalRef) booked.original = originalRef;
    const res = this.respond(req, '00', { 37: rrn, 38: code });
    if (issuerAuth) res.setBytes(this.options.layout, 55, encodeTlv([{ tag: 0x91, value: issuerAuth }]));
    return res;
  }

  private nextMacKey: Uint8Array | undefined;

  /** 0800: sign-on, sign-off, echo answer 00; a key exchange (101) delivers a new session MAC key. */
  private networkManagement(req: IsoMessage): IsoMessage {
    if (req.text(70) !== '101') return this.respond(req, '00', req.has(70) ? { 70: req.text(70) } : {});
    const kek = this.options.mac?.kek;
    if (!kek) return this.respond(req, '12', { 70: '101' });
    const key = withOddParity(Uint8Array.from(randomBytes(16)));
    this.nextMacKey = key;
    return this.respond(req, '00', { 70: '101', 48: keyExchangeField(key, kek) });
  }

  private reverse(req: IsoMessage): IsoMessage {
    const f90 = req.text(90);
    const origStan = f90 ? f90.slice(4, 10) : req.text(11);
    const orig = this.ledger.findOriginal(req.text(41).trimEnd(), origStan, f90 ? f90.slice(10, 20) : undefined);
    if (!orig) return this.respond(req, '25');
    const book = this.ledger.cards.get(orig.card);
    // The void or completion being reversed gives its original back its state (ISO 8583-1 5.3.5: a reversal cancels the original's effect).
    const before = orig.original ? this.ledger.findOriginal(orig.terminalId, orig.original.stan, orig.original.transmittedAt) : undefined;
    if (orig.state === 'voided' && orig.processing.startsWith('02')) {
      if (before?.state === 'voided') {
        if (book) book.balanceMinor -= before.amountMinor;
        before.state = 'approved';
      } else if (before?.state === 'released') before.state = 'held';
      if (book) book.reversals++;
      orig.state = 'reversed';
    } else if (orig.state === 'approved' || orig.state === 'advised') {
      if (book) {
        book.balanceMinor += orig.amountMinor;
        book.reversals++;
      }
      orig.state = 'reversed';
      if (before?.state === 'captured') before.state = 'held';
    } else if (orig.state === 'refunded') {
      if (book) {
        book.balanceMinor -= orig.amountMinor;
        book.reversals++;
      }
      orig.state = 'reversed';
    } else if (orig.state === 'held') {
      if (book) book.reversals++;
      orig.state = 'released';
    }
    // Reversing something already reversed (a repeat 0401): acknowledged, nothing changes.
    return this.respond(req, '00');
  }

  /**
   * 0320: one transaction of a batch upload, kept (once per original STAN and RRN: a repeated
   * 0320 counts once) for the 0500 that follows it. Offline approvals have no RRN of their
   * own (all zeros): their original STAN tells them apart.
   */
  private batchUpload(req: IsoMessage): IsoMessage {
    const tid = req.text(41).trimEnd();
    const items = this.uploads.get(tid) ?? new Map<string, UploadItem>();
    items.set(`${req.text(11)}|${req.text(37)}|${req.text(3)}`, { stan: req.text(11), rrn: req.text(37), processing: req.text(3) || '000000', amountMinor: Number(req.text(4) || '0'), currency: req.text(49) });
    this.uploads.set(tid, items);
    return this.respond(req, '00');
  }

  /**
   * 0500: the terminal's batch totals against the host's unsettled transactions of that
   * terminal and currency (or, when a batch upload came since its previous 0500, against what
   * the upload carried). Balanced: 00, and those transactions are settled in the terminal's
   * batch (field 60); otherwise 95 (ISO 8583 "reconcile error": upload the batch).
   */
  private reconcile(req: IsoMessage): IsoMessage {
    const t = readTotals(req);
    const tid = req.text(41).trimEnd();
    const unsettled = this.ledger.transactions.filter((x) => x.terminalId === tid && x.currency === t.currency && x.settledInBatch === undefined && ledgerClass(x) !== undefined);
    // The batch upload since the previous 0500 of this terminal and currency, if any: a terminal
    // that died in the middle of one (or right after the 95) uploads again after its next 0500.
    const items = this.uploads.get(tid) ?? new Map<string, UploadItem>();
    const mineUploaded = [...items].filter(([, u]) => u.currency === t.currency);
    const uploaded = mineUploaded.length > 0 ? mineUploaded.map(([, u]) => u) : undefined;
    for (const [k] of mineUploaded) items.delete(k);
    const mine = uploaded ? sums(uploaded.map((u) => ({ cls: uploadClass(u.processing), amount: u.amountMinor }))) : sums(unsettled.map((x) => ({ cls: ledgerClass(x), amount: x.amountMinor })));
    const balanced =
      mine.debitCount === t.debitCount &&
      mine.debitAmountMinor === t.debitAmountMinor &&
      mine.debitReversalCount === t.debitReversalCount &&
      mine.debitReversalAmountMinor === t.debitReversalAmountMinor &&
      mine.creditCount === t.creditCount &&
      mine.creditAmountMinor === t.creditAmountMinor &&
      mine.creditReversalCount === t.creditReversalCount &&
      mine.creditReversalAmountMinor === t.creditReversalAmountMinor;
    const entry: LedgerReconciliation = { terminalId: tid, batch: String(t.batchNumber), currency: t.currency, balanced, at: (this.options.now ?? (() => new Date()))().toISOString() };
    if (uploaded) {
      const rrns = new Set(uploaded.map((u) => u.rrn));
      entry.uploaded = uploaded.length;
      entry.unknownUploads = uploaded.filter((u) => !this.ledger.findByRrn(u.rrn) && !this.ledger.findOriginal(tid, u.stan)).length;
      entry.notUploaded = unsettled.filter((x) => !rrns.has(x.rrn)).length;
    }
    this.ledger.reconciliations.push(entry);
    if (balanced) for (const x of unsettled) x.settledInBatch = String(t.batchNumber);
    return this.respond(req, balanced ? '00' : '95');
  }

  private persist(): Promise<void> {
    const file = this.options.ledgerFile;
    if (!file) return Promise.resolve();
    this.writing = this.writing.then(() => writeFileAtomic(file, JSON.stringify(this.ledger.toJSON(), null, 2) + '\n')).catch((err: unknown) => log.error('ledger write failed', { error: String(err) }));
    return this.writing;
  }

  card(name: string): LedgerCard | undefined {
    return this.ledger.cards.get(name);
  }
}

