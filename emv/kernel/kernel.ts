/**
 * The EMV kernel: a state machine with one step per section of the EMV books (Book 1 12,
 * Book 3 10, Book A/B and C-2/C-3 for contactless), talking to the card only through an
 * injected {@link Transceive}.
 *
 * Rules:
 * - Every card error (bad TLV, a status word the step cannot accept, missing mandatory
 *   data, a duplicated data object, a cryptogram type the card may not answer) becomes a
 *   {@link KernelOutcome} (end application, try the next application, decline) per the EMV
 *   rules; only reader faults (`EMV_KERNEL_TRANSPORT`), bad inputs (`EMV_KERNEL_CONFIG`)
 *   and misuse (`EMV_KERNEL_STATE`) throw.
 * - Inputs stay apart by origin: {@link TransactionParams}, {@link TerminalConfig}, and the
 *   card's data, which lives only inside one run.
 * - The full PAN leaves the kernel only in `outcome.account`, for the host request; every
 *   other place uses the masked PAN.
 */
import { computeCryptographicChecksum, generateAc, getData, getProcessingOptions, internalAuthenticate, readRecord, externalAuthenticate, selectByName, type CryptogramType } from '../apdu/apdu.js';
import { isSuccess } from '../apdu/status-words.js';
import { findTlv, encodeTlv, isConstructed, type Tlv } from '../ber/tlv.js';
import { concatBytes, bcdDigits, cnDigits, toHex } from '../bytes.js';
import { checkDataElement, TAG } from '../dict/tags.js';
import { buildDol, parseDol, type DolEntry } from '../dol/dol.js';
import { isEmvError, EmvError } from '../errors.js';
import { parseTrack2Equivalent } from '../track/track.js';
import { maskPan } from '../track/pan.js';
import type { Transceive } from '../transport/transceive.js';
import { AIP, AUC, CTQ, TERMINAL_CAPABILITIES, TSI, TTQ, TVR, hasBit, intersects, setBit } from './bits.js';
import { CardFault, CardIo, decodeCard, expectTemplate, indexOnce } from './card-io.js';
import { noCvmPerformed, onlinePin, processCvmList } from './cvm.js';
import { checkInputs, terminalValue, type TerminalState } from './data.js';
import { emvOda } from './oda.js';
import { dynamicTrack1, dynamicTrack2, numericUnpredictableNumber, unDigitCount, type TrackBitmaps } from './magstripe.js';
import { sha1Of } from '../oda/oda.js';
import { bytesEqual, orderCandidates, selectContact, selectPpse } from './selection.js';
import type {
  AidConfig,
  CaKey,
  Candidate,
  CvmResultInfo,
  EntryMode,
  HostResponse,
  Interface,
  KernelEvent,
  KernelOutcome,
  KernelStep,
  OdaMethod,
  OdaVerifier,
  OutcomeKind,
  PinEntry,
  TerminalConfig,
  TransactionParams,
} from './types.js';

export interface KernelDeps {
  readonly transceive: Transceive;
  /** Cardholder choice or confirmation (Book 1 12.4); resolve undefined to cancel. Without it the highest priority application not needing confirmation is used. */
  readonly chooseApplication?: (candidates: readonly Candidate[]) => Promise<Candidate | undefined>;
  readonly pin?: PinEntry;
  /** Offline data authentication; default the emv/oda primitives ({@link emvOda}); null: the terminal does no ODA (TVR byte 1 bit 8). */
  readonly oda?: OdaVerifier | null;
  /** Called once, as soon as the card is no longer needed (Book A 6.2: the UI says "remove card"). */
  readonly onCardRemovable?: () => void;
  /**
   * The terminal's transaction log for floor limit checking (Book 3 10.6.1, split sales):
   * the Amount, Authorised of the most recent logged transaction with this PAN (and PAN
   * Sequence Number when given), in minor units of this transaction's currency, or undefined.
   */
  readonly lastLoggedAmount?: (pan: string, panSequenceNumber: string | undefined) => number | undefined;
}

export interface KernelRequest {
  readonly interface: Interface;
  readonly params: TransactionParams;
  readonly config: TerminalConfig;
  readonly deps: KernelDeps;
}

/** A run's result: for a contact online request, `complete` carries the host's answer to the card (Book 3 10.9-10.11). */
export type KernelResult = KernelOutcome & { readonly complete?: (response: HostResponse) => Promise<KernelOutcome> };

/** Cryptogram Information Data types (Book 3 Table 14, bits 8-7). */
const CID_TYPE = { AAC: 0x00, TC: 0x40, ARQC: 0x80 } as const;
const APPROVED_ARC = new Set(['00', '08', '10', '11']);
const VISA_RID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x03);
/** Book C-2 mag-stripe data the card's records hold (tags shared with other kernels: 9F63 9F66 9F69). */
const MS = { PUNATC_TRACK1: 0x9f63, PUNATC_TRACK2: 0x9f66, UDOL: 0x9f69 } as const;
/** Book C-2: the default UDOL, the Unpredictable Number (Numeric). */
const DEFAULT_UDOL = Uint8Array.of(0x9f, 0x6a, 0x04);

type StepResult = KernelStep | KernelResult;
/** A stop inside a step: the loop turns it into an outcome at the current step. */
class Stop {
  constructor(readonly outcome: OutcomeKind, readonly reason: string) {}
}

interface Ac {
  cid: number;
  atc: Uint8Array;
  cryptogram: Uint8Array | undefined;
}

/** Runs one transaction up to an outcome (contact: up to the online request, then `complete`). */
export async function runTransaction(request: KernelRequest): Promise<KernelResult> {
  checkInputs(request.params, request.config);
  return new Transaction(request).run();
}

class Transaction implements TerminalState {
  readonly params: TransactionParams;
  readonly config: TerminalConfig;
  readonly deps: KernelDeps;
  readonly iface: Interface;
  readonly io: CardIo;
  readonly tvr = new Uint8Array(5);
  readonly tsi = new Uint8Array(2);
  ttq: Uint8Array | undefined;
  cvmResults: Uint8Array | undefined;
  arc: Uint8Array | undefined;
  issuerAuthenticationData: Uint8Array | undefined;
  aid: AidConfig | undefined;

  private readonly oda: OdaVerifier | undefined;
  private cdol1Data: Uint8Array | undefined;
  private candidates: Candidate[] = [];
  private selected: Candidate | undefined;
  private fci = new Map<number, Uint8Array>();
  /** Data read by GPO and READ RECORD (duplicates there terminate, Book 3 10.2). */
  private card = new Map<number, Uint8Array>();
  private gpoTags = new Set<number>();
  private odaRecords: Uint8Array[] = [];
  private odaRecordBad = false;
  private odaMethod: OdaMethod | undefined;
  private cvm: CvmResultInfo | undefined;
  private ac: Ac | undefined;
  private entryMode: EntryMode;
  private readonly events: KernelEvent[] = [];
  private removable = false;
  /** TC Hash Value (98) for the GENERATE AC being built (Book 3 5.4 TDOL). */
  private tcHash: Uint8Array | undefined;
  /** Book C-2 mag-stripe mode: chosen at GPO; the Unpredictable Number (Numeric), the ATC and the dynamic tracks. */
  private magstripe = false;
  private unNumeric: Uint8Array | undefined;
  private magstripeAtc: Uint8Array | undefined;
  private dynamicTracks: { track2: Uint8Array; track1?: string } | undefined;
  /** Issuer Script Results, 5 bytes per script in the order run (Book 4 Annex A5). */
  private scriptResults: Uint8Array[] = [];
  private step: KernelStep = 'application-selection';
  private completed = false;
  /** Contactless per-AID pre-processing results (Book A 5.2.2 / Book B 3.1.1). */
  private clCvmRequired = false;
  private clOnlineRequired = false;

  constructor(r: KernelRequest) {
    this.params = r.params;
    this.config = r.config;
    this.deps = r.deps;
    this.iface = r.interface;
    this.io = new CardIo(r.deps.transceive, r.interface === 'contact');
    this.entryMode = r.interface === 'contact' ? '05' : '07';
    this.oda = r.deps.oda === null ? undefined : (r.deps.oda ?? emvOda);
  }

  async run(): Promise<KernelResult> {
    return this.loop((s) => this.dispatch(s));
  }

  private async loop(dispatch: (s: KernelStep) => Promise<StepResult>): Promise<KernelResult> {
    for (;;) {
      let r: StepResult;
      try {
        r = await dispatch(this.step);
      } catch (err) {
        if (err instanceof Stop) return this.outcome(err.outcome, err.reason);
        if (err instanceof CardFault) return this.outcome('end-application', err.reason);
        if (isEmvError(err) && (err.code === 'EMV_DATA_BAD_FORMAT' || err.code.startsWith('EMV_TLV_') || err.code === 'EMV_DOL_MALFORMED' || err.code.startsWith('EMV_TRACK_'))) {
          // Card data that fails a format rule met outside the step's own checks.
          return this.outcome('end-application', err.message);
        }
        throw err;
      }
      if (typeof r !== 'string') return r;
      this.step = r;
    }
  }

  private dispatch(step: KernelStep): Promise<StepResult> {
    switch (step) {
      case 'application-selection': return this.applicationSelection();
      case 'initiate-application-processing': return this.initiate();
      case 'read-application-data': return this.readApplicationData();
      case 'offline-data-authentication': return this.offlineDataAuthentication();
      case 'processing-restrictions': return this.processingRestrictions();
      case 'cardholder-verification': return this.cardholderVerification();
      case 'terminal-risk-management': return this.terminalRiskManagement();
      case 'terminal-action-analysis': return Promise.resolve(this.terminalActionAnalysis());
      case 'first-generate-ac': return this.firstGenerateAc();
      default: throw new EmvError('EMV_KERNEL_STATE', `step ${step} is not reached by the first pass`);
    }
  }

  // --- Book 1 12 / Book B 3: application selection --------------------------------------

  private async applicationSelection(): Promise<StepResult> {
    if (this.candidates.length === 0 && this.selected === undefined) {
      const aids = this.iface === 'contactless' ? this.contactlessAllowedAids() : this.config.aids;
      if (aids.length === 0) throw new Stop('try-another-interface', 'amount above the contactless transaction limit of every application (Book A 5.2.2)');
      const found = this.iface === 'contactless' ? await selectPpse(this.io, aids) : await selectContact(this.io, aids);
      if (found.kind === 'card-blocked') throw new Stop('end-application', 'card blocked or SELECT not supported (6A81, Book 1 12.3.2)');
      this.candidates = orderCandidates(found.candidates);
      if (this.candidates.length === 0) {
        throw new Stop('end-application', 'no mutually supported application (Book 1 12.4; Book B 3.3.2.7)');
      }
    }
    for (;;) {
      const choice = await this.choose();
      if (choice === undefined) throw new Stop('end-application', 'no application selected (cancelled or none left, Book 1 12.4)');
      this.candidates = this.candidates.filter((c) => c !== choice);
      const ok = await this.finalSelect(choice);
      if (ok) return 'initiate-application-processing';
    }
  }

  private contactlessAllowedAids(): AidConfig[] {
    return this.config.aids.filter((a) => {
      const limit = a.contactless?.transactionLimit;
      return a.contactless !== undefined && (limit === undefined || this.params.amount <= limit);
    });
  }

  private async choose(): Promise<Candidate | undefined> {
    const list = this.candidates;
    if (list.length === 0) return undefined;
    if (this.iface === 'contactless') return list[0]; // Book B 3.3.3: highest priority, no cardholder choice
    const needsChoice = list.length > 1 || list[0]!.confirmationRequired;
    if (needsChoice && this.deps.chooseApplication !== undefined) {
      const c = await this.deps.chooseApplication(list);
      return c === undefined ? undefined : list.find((x) => x === c || bytesEqual(x.aid, c.aid));
    }
    // Book 1 12.4 step 3: without cardholder confirmation, applications that require it are excluded.
    return list.find((c) => !c.confirmationRequired);
  }

  /** Book 1 12.4 final selection: SELECT the ADF; an error or a blocked application removes it from the list. */
  private async finalSelect(c: Candidate): Promise<boolean> {
    const r = await this.io.exchange(selectByName(c.aid));
    if (r.sw !== 0x9000) return false; // 6283 blocked application and every other status
    let fci: Tlv;
    try {
      fci = expectTemplate(r.data, TAG.FCI_TEMPLATE, 'FCI');
    } catch (err) {
      if (err instanceof CardFault) return false;
      throw err;
    }
    const df = findTlv(fci.children!, TAG.DF_NAME)?.value;
    const a5 = fci.children!.find((n) => n.tag === TAG.FCI_PROPRIETARY_TEMPLATE);
    if (df === undefined || !bytesEqual(df, c.aid) || a5 === undefined) return false;
    const values = new Map<number, Uint8Array>();
    for (const n of fci.children!) if (n.children === undefined && !values.has(n.tag)) values.set(n.tag, Uint8Array.from(n.value));
    for (const n of a5.children ?? []) if (n.children === undefined && !values.has(n.tag)) values.set(n.tag, Uint8Array.from(n.value));
    this.fci = values;
    this.selected = c;
    this.aid = c.config;
    return true;
  }

  // --- Book 3 10.1: initiate application processing ------------------------------------

  private async initiate(): Promise<StepResult> {
    const c = this.selected!;
    if (this.iface === 'contactless') this.contactlessPreprocessing(c.config);
    const pdol = this.fci.get(TAG.PDOL);
    const pdolData = pdol === undefined ? new Uint8Array(0) : buildDol(parseDolOrFault(pdol, 'PDOL'), (t) => this.source(t));
    if (pdolData.length > 253) throw new CardFault('PDOL asks for more data than GET PROCESSING OPTIONS can carry');
    const r = await this.io.exchange(getProcessingOptions(pdolData));
    if (r.sw === 0x6985) {
      // Book 3 10.1: conditions of use not satisfied - back to selection without this application.
      this.selected = undefined;
      this.aid = undefined;
      if (this.candidates.length === 0) throw new Stop(this.iface === 'contactless' ? 'try-another-interface' : 'end-application', 'GPO 6985 and no other application');
      return 'application-selection';
    }
    if (r.sw === 0x6986 && this.iface === 'contactless') throw new Stop('try-another-interface', 'GPO 6986: the card asks for another interface (Book C-3 5.2)');
    if (r.sw !== 0x9000) throw new CardFault(`GET PROCESSING OPTIONS answered ${toHex(Uint8Array.of(r.sw1, r.sw2))}`);
    const nodes = decodeCard(r.data, 'GPO response');
    if (nodes.length !== 1) throw new CardFault('GPO response is not one data object');
    const top = nodes[0]!;
    let values: Map<number, Uint8Array>;
    if (top.tag === TAG.RESPONSE_FORMAT_1 && top.children === undefined) {
      // Format 1: AIP (2) then AFL (multiple of 4).
      if (top.value.length < 2 || (top.value.length - 2) % 4 !== 0) throw new CardFault('GPO format 1 with a bad length');
      values = new Map([[TAG.AIP, top.value.subarray(0, 2)]]);
      if (top.value.length > 2) values.set(TAG.AFL, top.value.subarray(2));
    } else if (top.tag === TAG.RESPONSE_FORMAT_2 && top.children !== undefined) {
      values = indexOnce(top.children, 'GPO response');
    } else {
      throw new CardFault('GPO response is neither format 1 (80) nor format 2 (77)');
    }
    const aip = values.get(TAG.AIP);
    if (aip === undefined || aip.length !== 2) throw new CardFault('AIP (82) missing or not 2 bytes');
    if (this.iface === 'contact' && values.get(TAG.AFL) === undefined) throw new CardFault('AFL (94) missing');
    for (const [tag, v] of values) {
      this.card.set(tag, Uint8Array.from(v));
      this.gpoTags.add(tag);
    }
    // Book C-2: a card without EMV mode (AIP byte 2 bit 8) runs mag-stripe mode where the AID allows it.
    if (this.iface === 'contactless' && !values.has(TAG.APPLICATION_CRYPTOGRAM) && !hasBit(aip, AIP.EMV_MODE) && c.config.contactless?.magstripeMode === true) {
      this.magstripe = true;
      this.entryMode = '91';
    }
    return 'read-application-data';
  }

  /** Book A 5.2.2 / Book B 3.1.1 pre-processing for the selected AID, and the TTQ for this transaction. */
  private contactlessPreprocessing(a: AidConfig): void {
    const cl = a.contactless ?? {};
    const amount = this.params.amount;
    this.clOnlineRequired = (cl.floorLimit !== undefined && amount > cl.floorLimit) || amount === 0 || this.params.forcedOnline === true;
    this.clCvmRequired = cl.cvmRequiredLimit !== undefined && amount >= cl.cvmRequiredLimit;
    const ttq = Uint8Array.from(this.config.ttq ?? [0x36, 0x00, 0x00, 0x00]);
    ttq[1] = ttq[1]! & 0x3f; // bits set per transaction only
    if (this.clOnlineRequired) setBit(ttq, TTQ.ONLINE_CRYPTOGRAM_REQUIRED);
    if (this.clCvmRequired) setBit(ttq, TTQ.CVM_REQUIRED);
    this.ttq = ttq;
  }

  // --- Book 3 10.2: read application data ----------------------------------------------

  private async readApplicationData(): Promise<StepResult> {
    const afl = this.card.get(TAG.AFL);
    if (afl !== undefined) {
      if (afl.length === 0 || afl.length % 4 !== 0) throw new CardFault('AFL length is not a multiple of 4');
      for (let i = 0; i < afl.length; i += 4) {
        const sfi = afl[i]! >> 3;
        const first = afl[i + 1]!;
        const last = afl[i + 2]!;
        const oda = afl[i + 3]!;
        if (sfi < 1 || sfi > 30 || (afl[i]! & 7) !== 0 || first < 1 || last < first || oda > last - first + 1) throw new CardFault(`AFL entry ${i / 4 + 1} is invalid (Book 3 10.2)`);
        for (let rec = first; rec <= last; rec++) await this.readOne(sfi, rec, rec - first < oda);
      }
    }
    this.removeCardIfDone('read-application-data');
    this.checkMandatory();
    if (this.magstripe) return this.magstripeProcessing();
    return 'offline-data-authentication';
  }

  private async readOne(sfi: number, rec: number, forOda: boolean): Promise<void> {
    const r = await this.io.exchange(readRecord(sfi, rec));
    if (r.sw !== 0x9000) throw new CardFault(`READ RECORD SFI ${sfi} record ${rec} answered ${toHex(Uint8Array.of(r.sw1, r.sw2))}`);
    const nodes = decodeCard(r.data, `record ${sfi}.${rec}`, true);
    const t = nodes.length === 1 && nodes[0]!.tag === TAG.RECORD_TEMPLATE ? nodes[0]! : undefined;
    if (t === undefined) {
      if (sfi <= 10) throw new CardFault(`record ${sfi}.${rec} is not a 70 template (Book 3 10.2)`);
      if (forOda) this.odaRecordBad = true; // Book 3 10.3: an SFI 11-30 ODA record not coded 70 fails ODA
      return;
    }
    // CardIo hands out a copy of each response, so its subarrays are the kernel's to keep.
    if (forOda) this.odaRecords.push(sfi <= 10 ? t.value : r.data);
    for (const [tag, v] of indexOnce(t.children!, `record ${sfi}.${rec}`)) {
      if (this.card.has(tag)) throw new CardFault(`data object ${tag.toString(16).toUpperCase()} appears more than once (Book 3 10.2)`);
      this.card.set(tag, v);
    }
  }

  /** Book 3 7.2 mandatory data; formats of the elements the kernel decides on (Annex A). */
  private checkMandatory(): void {
    const need = this.iface === 'contact' ? [TAG.APPLICATION_EXPIRATION_DATE, TAG.PAN, TAG.CDOL1, TAG.CDOL2] : [];
    for (const t of need) if (!this.card.has(t)) throw new CardFault(`mandatory data object ${t.toString(16).toUpperCase()} missing (Book 3 7.2)`);
    if (this.iface === 'contactless' && !this.card.has(TAG.PAN) && !this.card.has(TAG.TRACK2_EQUIVALENT_DATA) && !(this.magstripe && this.card.has(TAG.TRACK2_DATA))) throw new CardFault('neither PAN (5A) nor Track 2 Equivalent Data (57)');
    for (const t of [TAG.PAN, TAG.APPLICATION_EXPIRATION_DATE, TAG.APPLICATION_EFFECTIVE_DATE, TAG.PAN_SEQUENCE_NUMBER, TAG.APPLICATION_USAGE_CONTROL, TAG.ISSUER_COUNTRY_CODE, TAG.CRYPTOGRAM_INFORMATION_DATA, TAG.ATC]) {
      const v = this.card.get(t);
      if (v !== undefined) {
        try {
          checkDataElement(t, v);
        } catch (err) {
          if (isEmvError(err)) throw new CardFault(err.message);
          throw err;
        }
      }
    }
    const pan = this.pan();
    if (pan === undefined || !/^[0-9]{8,19}$/.test(pan)) throw new CardFault('PAN missing or not 8-19 digits');
    if (this.expiry() === undefined) throw new CardFault('application expiration date missing');
  }

  // --- Book 3 10.3: offline data authentication ----------------------------------------

  private async offlineDataAuthentication(): Promise<StepResult> {
    const aip = this.card.get(TAG.AIP)!;
    const caps = this.config.capabilities;
    const oda = this.oda;
    const qvsdc = this.isQvsdc();
    if (oda !== undefined) {
      if (qvsdc) {
        // Book C-3 5.3: fDDA only for an offline approval (TC); online-only or declined needs none.
        if (this.gpoCid() === CID_TYPE.TC && hasBit(aip, AIP.DDA)) this.odaMethod = 'fDDA';
      } else if (hasBit(aip, AIP.CDA) && hasBit(caps, TERMINAL_CAPABILITIES.CDA)) this.odaMethod = 'CDA';
      else if (hasBit(aip, AIP.DDA) && hasBit(caps, TERMINAL_CAPABILITIES.DDA)) this.odaMethod = 'DDA';
      else if (hasBit(aip, AIP.SDA) && hasBit(caps, TERMINAL_CAPABILITIES.SDA)) this.odaMethod = 'SDA';
    }
    const next: KernelStep = 'processing-restrictions';
    if (this.odaMethod === undefined) {
      if (!qvsdc || this.gpoCid() === CID_TYPE.TC) setBit(this.tvr, TVR.ODA_NOT_PERFORMED);
      return next;
    }
    if (this.odaMethod === 'SDA') setBit(this.tvr, TVR.SDA_SELECTED);
    if (this.odaMethod === 'CDA') return next; // performed with GENERATE AC (Book 2 6.6)
    setBit(this.tsi, TSI.ODA_PERFORMED);
    const prep = this.odaPrepare();
    if (prep === undefined) return next;
    if (this.odaMethod === 'SDA') {
      const r = oda!.authenticate({ method: 'SDA', caKey: prep.caKey, card: this.card, staticData: prep.staticData, date: this.params.date });
      if (!r.ok) setBit(this.tvr, TVR.SDA_FAILED);
      return next;
    }
    if (this.odaMethod === 'fDDA') {
      const sdad = this.card.get(TAG.SIGNED_DYNAMIC_APPLICATION_DATA);
      const dyn = concatBytes([this.params.unpredictableNumber, terminalValue(this, TAG.AMOUNT_AUTHORISED)!, terminalValue(this, TAG.TRANSACTION_CURRENCY_CODE)!, this.card.get(TAG.CARD_AUTHENTICATION_RELATED_DATA) ?? new Uint8Array(0)]);
      const r = sdad === undefined ? { ok: false as const, reason: 'no 9F4B' } : oda!.authenticate({ method: 'fDDA', caKey: prep.caKey, card: this.card, staticData: prep.staticData, date: this.params.date, sdad, dynamicData: dyn });
      if (!r.ok) {
        if (sdad === undefined) setBit(this.tvr, TVR.ICC_DATA_MISSING);
        setBit(this.tvr, TVR.DDA_FAILED);
      }
      return next;
    }
    // DDA: INTERNAL AUTHENTICATE with the DDOL data (Book 3 10.3, Book 2 6.5).
    const ddol = this.card.get(TAG.DDOL) ?? this.aid!.defaultDdol;
    const entries = ddol === undefined ? undefined : parseDolOrFault(ddol, 'DDOL');
    if (entries === undefined || !entries.some((e) => e.tag === TAG.UNPREDICTABLE_NUMBER)) {
      setBit(this.tvr, TVR.DDA_FAILED);
      return next;
    }
    const ddolData = buildDol(entries, (t) => this.source(t));
    if (ddolData.length > 255) throw new CardFault('DDOL asks for more data than INTERNAL AUTHENTICATE can carry');
    const r = await this.io.exchange(internalAuthenticate(ddolData));
    if (r.sw !== 0x9000) {
      setBit(this.tvr, TVR.DDA_FAILED);
      return next;
    }
    const top = decodeCard(r.data, 'INTERNAL AUTHENTICATE response');
    let sdad: Uint8Array | undefined;
    if (top.length === 1 && top[0]!.tag === TAG.RESPONSE_FORMAT_1 && top[0]!.children === undefined) sdad = top[0]!.value;
    else if (top.length === 1 && top[0]!.tag === TAG.RESPONSE_FORMAT_2 && top[0]!.children !== undefined) sdad = indexOnce(top[0]!.children, 'INTERNAL AUTHENTICATE').get(TAG.SIGNED_DYNAMIC_APPLICATION_DATA);
    else throw new CardFault('INTERNAL AUTHENTICATE response is neither format 1 nor 2');
    const res = sdad === undefined ? { ok: false as const, reason: 'no SDAD' } : oda!.authenticate({ method: 'DDA', caKey: prep.caKey, card: this.card, staticData: prep.staticData, date: this.params.date, sdad, dynamicData: ddolData });
    if (!res.ok) setBit(this.tvr, TVR.DDA_FAILED);
    return next;
  }

  private failOda(): void {
    const m = this.odaMethod;
    setBit(this.tvr, m === 'SDA' ? TVR.SDA_FAILED : m === 'CDA' ? TVR.CDA_FAILED : TVR.DDA_FAILED);
  }

  /** CA key by RID and index (Book 3 10.3), static data to be authenticated with the SDA Tag List; undefined after setting the failure bits. */
  private odaPrepare(): { caKey: CaKey; staticData: Uint8Array } | undefined {
    const index = this.card.get(TAG.CA_PUBLIC_KEY_INDEX_CARD);
    const rid = this.selected!.aid.subarray(0, 5);
    const needed = [TAG.CA_PUBLIC_KEY_INDEX_CARD, TAG.ISSUER_PUBLIC_KEY_CERTIFICATE, TAG.ISSUER_PUBLIC_KEY_EXPONENT];
    if (this.odaMethod === 'SDA') needed.push(TAG.SIGNED_STATIC_APPLICATION_DATA);
    else needed.push(TAG.ICC_PUBLIC_KEY_CERTIFICATE, TAG.ICC_PUBLIC_KEY_EXPONENT);
    if (needed.some((t) => !this.card.has(t))) {
      setBit(this.tvr, TVR.ICC_DATA_MISSING);
      this.failOda();
      return undefined;
    }
    const caKey = this.config.caKeys.find((k) => k.index === index![0] && index!.length === 1 && bytesEqual(k.rid, rid));
    const tagList = this.card.get(TAG.SDA_TAG_LIST);
    // Book 3 10.3: the SDA Tag List may hold only the AIP tag.
    const tagListOk = tagList === undefined || (tagList.length === 1 && tagList[0] === TAG.AIP);
    if (caKey === undefined || this.odaRecordBad || !tagListOk) {
      this.failOda();
      return undefined;
    }
    return { caKey, staticData: this.staticData() };
  }

  /** Book 3 10.3: the records marked for ODA, then the values of the SDA Tag List (the AIP). */
  private staticData(): Uint8Array {
    const parts = [...this.odaRecords];
    if (this.card.get(TAG.SDA_TAG_LIST) !== undefined) parts.push(this.card.get(TAG.AIP)!);
    return concatBytes(parts);
  }

  // --- Book 3 10.4: processing restrictions --------------------------------------------

  private async processingRestrictions(): Promise<StepResult> {
    const cardVersion = this.card.get(TAG.APPLICATION_VERSION_NUMBER_CARD);
    if (cardVersion !== undefined && !this.aid!.versions.some((v) => bytesEqual(v, cardVersion))) setBit(this.tvr, TVR.DIFFERENT_VERSIONS);
    const auc = this.card.get(TAG.APPLICATION_USAGE_CONTROL);
    if (auc !== undefined && auc.length === 2 && !this.usageAllowed(auc)) setBit(this.tvr, TVR.SERVICE_NOT_ALLOWED);
    const today = this.params.date;
    const eff = this.card.get(TAG.APPLICATION_EFFECTIVE_DATE);
    if (eff !== undefined && compareYymmdd(bcdDigits(eff), today) > 0) setBit(this.tvr, TVR.NOT_YET_EFFECTIVE);
    if (compareYymmdd(this.expiry()!, today) < 0) setBit(this.tvr, TVR.EXPIRED);
    if (this.isQvsdc()) return this.qvsdcCompletion();
    return 'cardholder-verification';
  }

  /** Book 3 10.4.3 with Annex C2: AUC against terminal type and transaction type, domestic or international. */
  private usageAllowed(auc: Uint8Array): boolean {
    const atm = [0x14, 0x15, 0x16].includes(this.config.terminalType);
    if (!hasBit(auc, atm ? AUC.ATM : AUC.NON_ATM)) return false;
    const issuerCountry = this.card.get(TAG.ISSUER_COUNTRY_CODE);
    if (issuerCountry === undefined) return true;
    const domestic = Number(bcdDigits(issuerCountry)) === this.config.country;
    const t = this.params.type;
    if (t === 0x01) return hasBit(auc, domestic ? AUC.DOMESTIC_CASH : AUC.INTERNATIONAL_CASH);
    if (t === 0x00 || t === 0x09) {
      const goods = hasBit(auc, domestic ? AUC.DOMESTIC_GOODS : AUC.INTERNATIONAL_GOODS) || hasBit(auc, domestic ? AUC.DOMESTIC_SERVICES : AUC.INTERNATIONAL_SERVICES);
      if (!goods) return false;
      if (t === 0x09 || (this.params.amountOther ?? 0) > 0) return hasBit(auc, domestic ? AUC.DOMESTIC_CASHBACK : AUC.INTERNATIONAL_CASHBACK);
    }
    return true;
  }

  // --- Book C-3: qVSDC, where the GPO response already carries the cryptogram ----------

  private isQvsdc(): boolean {
    return this.iface === 'contactless' && this.gpoTags.has(TAG.APPLICATION_CRYPTOGRAM);
  }

  private gpoCid(): number | undefined {
    const cid = this.card.get(TAG.CRYPTOGRAM_INFORMATION_DATA) ?? this.cidFromIad();
    return cid === undefined || cid.length !== 1 ? undefined : cid[0]! & 0xc0;
  }

  /**
   * Book C-3 (Kernel 3) GPO response processing: a qVSDC card may leave out the CID (9F27);
   * the reader then takes the cryptogram type from the Issuer Application Data, byte 5
   * bits 6-5 (CVR byte 2 of the Visa IAD formats 0/1/3: length 06, DKI, CVN, CVR length 03,
   * CVR; 00 AAC, 01 TC, 10 ARQC). Only for a Visa AID on the quick path with that IAD
   * layout; every other card without 9F27 stays a card data error.
   */
  private cidFromIad(): Uint8Array | undefined {
    if (this.iface !== 'contactless' || !this.gpoTags.has(TAG.APPLICATION_CRYPTOGRAM) || this.gpoTags.has(TAG.CRYPTOGRAM_INFORMATION_DATA)) return undefined;
    if (this.selected === undefined || !bytesEqual(this.selected.aid.subarray(0, 5), VISA_RID)) return undefined;
    const iad = this.card.get(TAG.ISSUER_APPLICATION_DATA);
    if (iad === undefined || iad.length < 7 || iad[0] !== 0x06 || iad[3] !== 0x03) return undefined;
    const type = (iad[4]! >> 4) & 0x03;
    if (type === 0x03) return undefined; // 11 is RFU
    const cid = Uint8Array.of(type << 6);
    this.card.set(TAG.CRYPTOGRAM_INFORMATION_DATA, cid);
    return cid;
  }

  /** Book C-3 5.4-5.8: outcome from the GPO cryptogram, fDDA result, expiry, CTQ and the CVM the CTQ asks for. */
  private async qvsdcCompletion(): Promise<StepResult> {
    const cid = this.gpoCid();
    const atc = this.card.get(TAG.ATC);
    if (cid === undefined || atc === undefined || atc.length !== 2 || this.card.get(TAG.APPLICATION_CRYPTOGRAM)!.length !== 8) throw new CardFault('qVSDC GPO without CID (9F27), ATC (9F36) or an 8-byte cryptogram');
    this.ac = { cid: this.card.get(TAG.CRYPTOGRAM_INFORMATION_DATA)![0]!, atc, cryptogram: this.card.get(TAG.APPLICATION_CRYPTOGRAM) };
    const ctq = this.card.get(TAG.CTQ);
    const onlineCapable = this.onlineCapable() && !hasBit(this.ttq, TTQ.OFFLINE_ONLY);
    this.step = 'cardholder-verification';
    this.cvm = await this.contactlessCvm(ctq, cid);
    this.step = 'first-generate-ac';
    setBit(this.tsi, TSI.CARD_RISK_MANAGEMENT_PERFORMED);
    if (cid === CID_TYPE.AAC) return this.outcome('declined', 'card declined offline (AAC)');
    if (cid === CID_TYPE.ARQC) return this.cvm.method === 'failed' ? this.outcome('declined', 'CVM required and none possible') : this.outcome('online-request', 'card requests online authorisation (ARQC)');
    if (cid !== CID_TYPE.TC) throw new CardFault('qVSDC CID is not AAC, TC or ARQC');
    // Offline approval checks (Book C-3 5.5): ODA result and expiry.
    const odaFailed = hasBit(this.tvr, TVR.DDA_FAILED) || hasBit(this.tvr, TVR.ODA_NOT_PERFORMED);
    const expired = hasBit(this.tvr, TVR.EXPIRED);
    if (odaFailed) {
      if (hasBit(ctq, CTQ.ONLINE_IF_ODA_FAILS) && onlineCapable) return this.outcome('online-request', 'fDDA failed; CTQ asks to go online');
      if (hasBit(ctq, CTQ.SWITCH_INTERFACE_IF_ODA_FAILS)) return this.outcome('try-another-interface', 'fDDA failed; CTQ asks for the contact interface');
      return this.outcome('declined', 'fDDA failed');
    }
    if (expired) {
      if (hasBit(ctq, CTQ.ONLINE_IF_APPLICATION_EXPIRED) && onlineCapable) return this.outcome('online-request', 'application expired; CTQ asks to go online');
      return this.outcome('declined', 'application expired');
    }
    if (this.cvm.method === 'failed') return this.outcome('declined', 'CVM required and none possible');
    this.step = 'completion';
    return this.outcome('approved', 'offline approval (TC)');
  }

  /** Contactless CVM from TTQ and CTQ (Book C-3 5.7; Book A 5.7). */
  private async contactlessCvm(ctq: Uint8Array | undefined, cid: number): Promise<CvmResultInfo> {
    if (!this.clCvmRequired) return { bytes: Uint8Array.of(0x1f, 0x00, 0x02), method: 'no-cvm', signatureRequired: false };
    setBit(this.tsi, TSI.CVM_PERFORMED);
    if (hasBit(ctq, CTQ.CDCVM_PERFORMED)) return { bytes: Uint8Array.of(0x01, 0x00, 0x02), method: 'cdcvm', signatureRequired: false };
    // Mag-stripe mode (Book C-2) has no CTQ: over the CVM required limit the reader's online PIN comes first.
    if ((this.magstripe || hasBit(ctq, CTQ.ONLINE_PIN_REQUIRED)) && hasBit(this.ttq, TTQ.ONLINE_PIN) && cid === CID_TYPE.ARQC) {
      const r = await onlinePin({ pin: this.deps.pin, tvr: this.tvr, pan: this.pan() });
      if (r !== 'failed') return { bytes: Uint8Array.of(0x02, 0x00, 0x00), method: 'online-pin', signatureRequired: false };
    }
    // Signature when the card asks for it, or as the reader's CVM when the card names none it can do (Book C-3 5.7).
    if (hasBit(this.ttq, TTQ.SIGNATURE)) return { bytes: Uint8Array.of(0x1e, 0x00, 0x00), method: 'signature', signatureRequired: true };
    setBit(this.tvr, TVR.CVM_NOT_SUCCESSFUL);
    return { ...noCvmPerformed(1), method: 'failed' };
  }

  // --- Book C-2: mag-stripe mode ------------------------------------------------------

  /**
   * Book C-2 mag-stripe mode after the records: the Track 2 Data (9F6B) with PCVC3 (9F65),
   * PUNATC (9F66) and NATC (9F67), Track 1 (56) with 9F62 9F63 9F64 when present (the same
   * nUN); the CVM; COMPUTE CRYPTOGRAPHIC CHECKSUM with the UDOL data (default 9F6A04); the
   * dynamic tracks for the host. The outcome is always an online request (entry mode 91).
   */
  private async magstripeProcessing(): Promise<StepResult> {
    const bitmaps = (pcvc3Tag: number, punatcTag: number, natcTag: number, pcvc3Length: number): TrackBitmaps => {
      const pcvc3 = this.card.get(pcvc3Tag);
      const punatc = this.card.get(punatcTag);
      const natc = this.card.get(natcTag);
      if (pcvc3?.length !== pcvc3Length || punatc?.length !== pcvc3Length || natc?.length !== 1) throw new CardFault(`mag-stripe: ${pcvc3Tag.toString(16).toUpperCase()}, ${punatcTag.toString(16).toUpperCase()} or ${natcTag.toString(16).toUpperCase()} missing or of a wrong length (Book C-2)`);
      return { pcvc3, punatc, natc: natc[0]! };
    };
    const track2 = this.card.get(TAG.TRACK2_DATA);
    if (track2 === undefined) throw new CardFault('mag-stripe: Track 2 Data (9F6B) missing (Book C-2)');
    const m2 = bitmaps(TAG.PCVC3_TRACK2, MS.PUNATC_TRACK2, TAG.NATC_TRACK2, 2);
    const nUN = unDigitCount(m2);
    const track1 = this.card.get(TAG.TRACK1_DATA);
    const m1 = track1 === undefined ? undefined : bitmaps(TAG.PCVC3_TRACK1, MS.PUNATC_TRACK1, TAG.NATC_TRACK1, 6);
    if (m1 !== undefined && unDigitCount(m1) !== nUN) throw new CardFault('mag-stripe: Track 1 and Track 2 bitmaps give different nUN (Book C-2)');
    const un = numericUnpredictableNumber(this.params.unpredictableNumber, nUN);
    this.unNumeric = un.value;
    this.step = 'cardholder-verification';
    this.cvm = await this.contactlessCvm(undefined, CID_TYPE.ARQC);
    this.cvmResults = this.cvm.bytes;
    this.step = 'first-generate-ac';
    const udol = parseDolOrFault(this.card.get(MS.UDOL) ?? DEFAULT_UDOL, 'UDOL');
    const r = await this.io.exchange(computeCryptographicChecksum(buildDol(udol, (t) => this.source(t))));
    if (r.sw !== 0x9000) throw new CardFault(`COMPUTE CRYPTOGRAPHIC CHECKSUM answered ${toHex(Uint8Array.of(r.sw1, r.sw2))}`);
    const values = indexOnce(expectTemplate(r.data, TAG.RESPONSE_FORMAT_2, 'COMPUTE CRYPTOGRAPHIC CHECKSUM response').children!, 'COMPUTE CRYPTOGRAPHIC CHECKSUM response');
    const cvc3Track2 = values.get(TAG.CVC3_TRACK2);
    const cvc3Track1 = values.get(TAG.CVC3_TRACK1);
    const atc = values.get(TAG.ATC);
    if (cvc3Track2?.length !== 2 || atc?.length !== 2 || (m1 !== undefined && cvc3Track1?.length !== 2)) throw new CardFault('COMPUTE CRYPTOGRAPHIC CHECKSUM response without CVC3 (9F61, 9F60 with track 1) or ATC (9F36)');
    this.removeCardIfDone('first-generate-ac');
    setBit(this.tsi, TSI.CARD_RISK_MANAGEMENT_PERFORMED);
    this.magstripeAtc = atc;
    const common = { unDigits: un.digits, atc: (atc[0]! << 8) | atc[1]!, nUN };
    this.dynamicTracks = {
      track2: dynamicTrack2(track2, m2, { ...common, cvc3: (cvc3Track2[0]! << 8) | cvc3Track2[1]! }),
      ...(m1 === undefined ? {} : { track1: dynamicTrack1(track1!, m1, { ...common, cvc3: (cvc3Track1![0]! << 8) | cvc3Track1![1]! }) }),
    };
    if (this.cvm.method === 'failed') return this.outcome('declined', 'CVM required and none possible');
    return this.outcome('online-request', 'mag-stripe mode: dynamic CVC3 for online authorisation (Book C-2)');
  }

  // --- Book 3 10.5: cardholder verification --------------------------------------------

  private async cardholderVerification(): Promise<StepResult> {
    const aip = this.card.get(TAG.AIP)!;
    if (!hasBit(aip, AIP.CARDHOLDER_VERIFICATION)) {
      this.cvm = noCvmPerformed(0);
    } else {
      const caps = this.iface === 'contactless' ? this.contactlessCapabilities() : this.config.capabilities;
      this.cvm = await processCvmList({
        io: this.io,
        card: this.card,
        capabilities: caps,
        terminalType: this.config.terminalType,
        transactionType: this.params.type,
        amount: this.params.amount,
        currency: this.params.currency,
        tvr: this.tvr,
        pin: this.deps.pin,
        oda: this.oda,
        caKey: this.config.caKeys.find((k) => bytesEqual(k.rid, this.selected!.aid.subarray(0, 5)) && k.index === this.card.get(TAG.CA_PUBLIC_KEY_INDEX_CARD)?.[0]),
        date: this.params.date,
        pan: this.pan(),
        staticData: this.staticData(),
      });
      setBit(this.tsi, TSI.CVM_PERFORMED);
    }
    this.cvmResults = this.cvm.bytes;
    return 'terminal-risk-management';
  }

  /**
   * Book C-2 (CVM Capability): over the CVM required limit, the terminal's CVMs without
   * offline PIN (none over the air); at or under it, "no CVM required" only.
   */
  private contactlessCapabilities(): Uint8Array {
    const c = Uint8Array.from(this.config.capabilities);
    c[1] = this.clCvmRequired ? c[1]! & ~0x90 : 0x08;
    return c;
  }

  // --- Book 3 10.6: terminal risk management -------------------------------------------

  private async terminalRiskManagement(): Promise<StepResult> {
    const aid = this.aid!;
    const amount = this.params.amount;
    const floor = this.iface === 'contactless' ? aid.contactless?.floorLimit ?? aid.floorLimit : aid.floorLimit;
    // Book 3 10.6.1 (greater than or equal, with the most recent logged amount for the same PAN); Book A: above the contactless floor limit.
    const pan = this.pan();
    const psn = this.card.get(TAG.PAN_SEQUENCE_NUMBER);
    const last = this.iface === 'contact' && pan !== undefined ? this.deps.lastLoggedAmount?.(pan, psn === undefined ? undefined : toHex(psn)) : undefined;
    const logged = last !== undefined && Number.isSafeInteger(last) && last > 0 ? last : 0;
    if (this.iface === 'contact' ? amount + logged >= floor : amount > floor) setBit(this.tvr, TVR.FLOOR_LIMIT_EXCEEDED);
    if (this.params.forcedOnline) setBit(this.tvr, TVR.FORCED_ONLINE);
    if (pan !== undefined && this.config.exceptionFile?.includes(pan)) setBit(this.tvr, TVR.EXCEPTION_FILE);
    const aip = this.card.get(TAG.AIP)!;
    if (this.iface === 'contact' && hasBit(aip, AIP.TERMINAL_RISK_MANAGEMENT)) {
      this.randomSelection(aid, amount);
      await this.velocity();
    }
    setBit(this.tsi, TSI.TRM_PERFORMED);
    return 'terminal-action-analysis';
  }

  /** Book 3 10.6.2: random transaction selection with biased probability between threshold and floor limit. */
  private randomSelection(aid: AidConfig, amount: number): void {
    if (amount >= aid.floorLimit) return;
    const draw = this.params.randomSelectionDraw ?? 99;
    let target: number;
    if (amount < aid.threshold) target = aid.targetPercent;
    else {
      const span = aid.floorLimit - aid.threshold;
      target = span <= 0 ? aid.maxTargetPercent : ((aid.maxTargetPercent - aid.targetPercent) * (amount - aid.threshold)) / span + aid.targetPercent;
    }
    if (draw <= target) setBit(this.tvr, TVR.RANDOM_SELECTED);
  }

  /** Book 3 10.6.3: velocity checking with LCOL (9F14), UCOL (9F23), ATC and Last Online ATC Register. */
  private async velocity(): Promise<void> {
    const lcol = this.card.get(TAG.LOWER_CONSECUTIVE_OFFLINE_LIMIT);
    const ucol = this.card.get(TAG.UPPER_CONSECUTIVE_OFFLINE_LIMIT);
    if (lcol === undefined || ucol === undefined) return;
    const atc = await this.getData2(TAG.ATC);
    const lastOnline = await this.getData2(TAG.LAST_ONLINE_ATC_REGISTER);
    if (atc === undefined || lastOnline === undefined || atc <= lastOnline) {
      setBit(this.tvr, TVR.ICC_DATA_MISSING);
      setBit(this.tvr, TVR.LCOL_EXCEEDED);
      setBit(this.tvr, TVR.UCOL_EXCEEDED);
    } else {
      const consecutive = atc - lastOnline;
      if (consecutive > lcol[0]!) setBit(this.tvr, TVR.LCOL_EXCEEDED);
      if (consecutive > ucol[0]!) setBit(this.tvr, TVR.UCOL_EXCEEDED);
    }
    if (lastOnline === 0) setBit(this.tvr, TVR.NEW_CARD);
  }

  private async getData2(tag: number): Promise<number | undefined> {
    const r = await this.io.exchange(getData(tag));
    if (r.sw !== 0x9000 || r.data.length !== 5 || r.data[0] !== tag >> 8 || r.data[1] !== (tag & 0xff) || r.data[2] !== 2) return undefined;
    return (r.data[3]! << 8) | r.data[4]!;
  }

  // --- Book 3 10.7: terminal action analysis -------------------------------------------

  private onlineCapable(): boolean {
    return [1, 2, 4, 5].includes(this.config.terminalType & 0x0f);
  }

  private iac(tag: number, absent: number): Uint8Array {
    const v = this.card.get(tag);
    return v !== undefined && v.length === 5 ? v : new Uint8Array(5).fill(absent);
  }

  private requestedType: CryptogramType = 'AAC';

  private terminalActionAnalysis(): StepResult {
    const aid = this.aid!;
    const tvr = this.tvr;
    if (intersects(tvr, aid.tacDenial) || intersects(tvr, this.iac(TAG.IAC_DENIAL, 0x00))) this.requestedType = 'AAC';
    else if ([1, 4].includes(this.config.terminalType & 0x0f) || this.clOnlineRequired) this.requestedType = 'ARQC';
    else if (this.onlineCapable()) this.requestedType = intersects(tvr, aid.tacOnline) || intersects(tvr, this.iac(TAG.IAC_ONLINE, 0xff)) ? 'ARQC' : 'TC';
    else this.requestedType = this.defaultAction() ? 'AAC' : 'TC';
    return 'first-generate-ac';
  }

  /** Book 3 10.7: TAC/IAC default, used offline-only and when unable to go online; true means decline. */
  private defaultAction(): boolean {
    return intersects(this.tvr, this.aid!.tacDefault) || intersects(this.tvr, this.iac(TAG.IAC_DEFAULT, 0xff));
  }

  // --- Book 3 10.8, 9.3: GENERATE AC ---------------------------------------------------

  private async firstGenerateAc(): Promise<StepResult> {
    const cda = this.odaMethod === 'CDA' && this.requestedType !== 'AAC';
    const ac = await this.generateAc(this.requestedType, TAG.CDOL1, cda);
    setBit(this.tsi, TSI.CARD_RISK_MANAGEMENT_PERFORMED);
    if (this.iface === 'contactless') this.removeCardIfDone('first-generate-ac');
    if (ac === 'cda-failed') return this.outcome('declined', 'CDA failed (Book 2 6.6)');
    this.ac = ac;
    const type = ac.cid & 0xc0;
    if (type === CID_TYPE.AAC) return this.outcome('declined', 'card declined (AAC)');
    if (type === CID_TYPE.TC) {
      this.step = 'completion';
      return this.outcome('approved', 'offline approval (TC)');
    }
    const result = this.outcome('online-request', 'card requests online authorisation (ARQC)');
    if (this.iface === 'contactless') return result;
    return { ...result, complete: (host) => this.complete(host) };
  }

  /** GENERATE AC with the CDOL's data; checks the answer against the request (Book 3 9.3 Table 13). */
  private async generateAc(type: CryptogramType, cdolTag: number, cda: boolean): Promise<Ac | 'cda-failed'> {
    const cdol = this.card.get(cdolTag);
    const entries = cdol === undefined ? [] : parseDolOrFault(cdol, 'CDOL');
    // Before the CDOL data is built, so that a TVR in the same CDOL carries "default TDOL used".
    if (entries.some((e) => e.tag === TAG.TC_HASH_VALUE)) this.tcHash = this.tcHashValue();
    const data = buildDol(entries, (t) => this.source(t));
    if (data.length > 255) throw new CardFault('CDOL asks for more data than GENERATE AC can carry');
    if (cdolTag === TAG.CDOL1) this.cdol1Data = data;
    const r = await this.io.exchange(generateAc(type, data, { cda }));
    if (r.sw !== 0x9000) throw new CardFault(`GENERATE AC answered ${toHex(Uint8Array.of(r.sw1, r.sw2))}`);
    const top = decodeCard(r.data, 'GENERATE AC response');
    if (top.length !== 1) throw new CardFault('GENERATE AC response is not one data object');
    let cid: number;
    let atc: Uint8Array;
    let cryptogram: Uint8Array | undefined;
    let values = new Map<number, Uint8Array>();
    if (top[0]!.tag === TAG.RESPONSE_FORMAT_1 && top[0]!.children === undefined && !cda) {
      const v = top[0]!.value;
      if (v.length < 11 || v.length > 43) throw new CardFault('GENERATE AC format 1 with a bad length');
      cid = v[0]!;
      atc = Uint8Array.from(v.subarray(1, 3));
      cryptogram = Uint8Array.from(v.subarray(3, 11));
      if (v.length > 11) values.set(TAG.ISSUER_APPLICATION_DATA, Uint8Array.from(v.subarray(11)));
    } else if (top[0]!.tag === TAG.RESPONSE_FORMAT_2 && top[0]!.children !== undefined) {
      values = indexOnce(top[0]!.children, 'GENERATE AC response');
      const c = values.get(TAG.CRYPTOGRAM_INFORMATION_DATA);
      const a = values.get(TAG.ATC);
      cryptogram = values.get(TAG.APPLICATION_CRYPTOGRAM);
      if (c === undefined || c.length !== 1 || a === undefined || a.length !== 2) throw new CardFault('GENERATE AC response without CID or ATC');
      if (cryptogram !== undefined && cryptogram.length !== 8) throw new CardFault('Application Cryptogram is not 8 bytes');
      if (cryptogram === undefined && !(cda && values.has(TAG.SIGNED_DYNAMIC_APPLICATION_DATA))) throw new CardFault('GENERATE AC response without a cryptogram');
      cid = c[0]!;
      atc = Uint8Array.from(a);
      cryptogram = cryptogram === undefined ? undefined : Uint8Array.from(cryptogram);
    } else {
      throw new CardFault(cda ? 'GENERATE AC with CDA must answer format 2 (Book 2 6.6.2)' : 'GENERATE AC response is neither format 1 nor format 2');
    }
    const got = cid & 0xc0;
    if (got === 0xc0) throw new CardFault('CID type 11 is reserved');
    // The card may answer a lower type than requested, never a higher one; TC for ARQC is not allowed.
    if ((type === 'AAC' && got !== CID_TYPE.AAC) || (type === 'ARQC' && got === CID_TYPE.TC)) throw new CardFault(`card answered ${got.toString(16)} to a ${type} request (Book 3 9.3)`);
    for (const [k, v] of values) if (k !== TAG.CRYPTOGRAM_INFORMATION_DATA && k !== TAG.ATC && k !== TAG.APPLICATION_CRYPTOGRAM) this.card.set(k, Uint8Array.from(v));
    if (cda && got !== CID_TYPE.AAC) {
      const ok = this.verifyCda(values, cid, data);
      if (ok === undefined) return 'cda-failed';
      cryptogram = ok;
    }
    return { cid, atc, cryptogram };
  }

  /**
   * Book 3 5.4 (TDOL) and Annex A (98): SHA-1 (Book 2 Annex B3) over the data the card's
   * TDOL (97) names; without one, the terminal's default TDOL, which sets TVR byte 5 bit 8
   * (Annex C5); without either, a TDOL naming nothing.
   */
  private tcHashValue(): Uint8Array {
    let tdol = this.card.get(TAG.TDOL);
    if (tdol === undefined && this.aid!.defaultTdol !== undefined) {
      tdol = this.aid!.defaultTdol;
      setBit(this.tvr, TVR.DEFAULT_TDOL_USED);
    }
    const entries = tdol === undefined ? [] : parseDolOrFault(tdol, 'TDOL');
    return sha1Of(buildDol(entries.filter((e) => e.tag !== TAG.TC_HASH_VALUE), (t) => this.source(t)));
  }

  /** Book 2 6.6.2: CDA signature over the GENERATE AC answer; returns the cryptogram it carries. */
  private verifyCda(values: Map<number, Uint8Array>, cid: number, cdolData: Uint8Array): Uint8Array | undefined {
    setBit(this.tsi, TSI.ODA_PERFORMED);
    const prep = this.odaPrepare();
    const sdad = values.get(TAG.SIGNED_DYNAMIC_APPLICATION_DATA);
    if (prep === undefined) return undefined;
    if (sdad === undefined) {
      setBit(this.tvr, TVR.CDA_FAILED);
      return undefined;
    }
    const pdol = this.fci.get(TAG.PDOL);
    const pdolData = pdol === undefined ? new Uint8Array(0) : buildDol(parseDolOrFault(pdol, 'PDOL'), (t) => this.source(t));
    const others: TlvLike[] = [];
    for (const [k, v] of values) if (k !== TAG.SIGNED_DYNAMIC_APPLICATION_DATA) others.push({ tag: k, value: v });
    // Book 2 6.6.1: PDOL data, CDOL1 data (and CDOL2 data at the second GENERATE AC), then the response objects but the SDAD.
    const cdols = this.cdol1Data === cdolData || this.cdol1Data === undefined ? [cdolData] : [this.cdol1Data, cdolData];
    const hashInput = concatBytes([pdolData, ...cdols, encodeTlv(others)]);
    const r = this.oda!.authenticate({ method: 'CDA', caKey: prep.caKey, card: this.card, staticData: prep.staticData, date: this.params.date, sdad, dynamicData: this.params.unpredictableNumber, cda: { cid, hashInput } });
    if (!r.ok) {
      setBit(this.tvr, TVR.CDA_FAILED);
      return undefined;
    }
    return r.cryptogram;
  }

  // --- Book 3 10.9-10.11: online processing, issuer scripts, completion -----------------

  private async complete(host: HostResponse): Promise<KernelOutcome> {
    if (this.completed) throw new EmvError('EMV_KERNEL_STATE', 'this transaction was already completed');
    this.completed = true;
    return this.loop(async (step) => {
      if (step !== 'first-generate-ac') throw new EmvError('EMV_KERNEL_STATE', 'complete() after a non-online outcome');
      return this.completeOnce(host);
    });
  }

  private async completeOnce(host: HostResponse): Promise<KernelOutcome> {
    let want: CryptogramType;
    let scripts: Tlv[] = [];
    this.step = 'online-processing';
    if (host.kind === 'unable-to-go-online') {
      // Book 3 10.7 (default action codes) and Book 4 A6: terminal ARC Y3 / Z3.
      want = this.defaultAction() ? 'AAC' : 'TC';
      this.arc = ascii2(want === 'TC' ? 'Y3' : 'Z3');
    } else {
      this.arc = ascii2(host.arc);
      const cdol2 = this.card.get(TAG.CDOL2);
      const iadInCdol2 = cdol2 !== undefined && parseDolOrFault(cdol2, 'CDOL2').some((e) => e.tag === TAG.ISSUER_AUTHENTICATION_DATA);
      if (host.issuerAuthenticationData !== undefined) {
        this.issuerAuthenticationData = host.issuerAuthenticationData;
        const aip = this.card.get(TAG.AIP)!;
        if (iadInCdol2) setBit(this.tsi, TSI.ISSUER_AUTHENTICATION_PERFORMED);
        else if (hasBit(aip, AIP.ISSUER_AUTHENTICATION) && host.issuerAuthenticationData.length >= 8 && host.issuerAuthenticationData.length <= 16) {
          // Book 3 10.9: EXTERNAL AUTHENTICATE once; a failure only sets the TVR bit.
          const r = await this.io.exchange(externalAuthenticate(host.issuerAuthenticationData));
          setBit(this.tsi, TSI.ISSUER_AUTHENTICATION_PERFORMED);
          if (r.sw !== 0x9000) setBit(this.tvr, TVR.ISSUER_AUTHENTICATION_FAILED);
        }
      }
      if (host.scripts !== undefined && host.scripts.length > 0) {
        try {
          scripts = decodeTlv2(host.scripts);
        } catch {
          scripts = [];
          setBit(this.tvr, TVR.SCRIPT_FAILED_BEFORE_FINAL_AC);
        }
      }
      want = APPROVED_ARC.has(host.arc) ? 'TC' : 'AAC';
    }
    this.step = 'issuer-script-processing';
    await this.runScripts(scripts, TAG.ISSUER_SCRIPT_TEMPLATE_1);
    this.step = 'second-generate-ac';
    const cda = this.odaMethod === 'CDA' && want === 'TC';
    const ac = await this.generateAc(want, TAG.CDOL2, cda);
    this.removeCardIfDone('second-generate-ac');
    this.step = 'issuer-script-processing';
    await this.runScripts(scripts, TAG.ISSUER_SCRIPT_TEMPLATE_2);
    this.step = 'second-generate-ac';
    if (ac === 'cda-failed') return this.outcome('declined', 'CDA failed on the second GENERATE AC');
    this.ac = ac;
    if ((ac.cid & 0xc0) !== CID_TYPE.TC) return this.outcome('declined', want === 'TC' ? 'card declined after online approval (AAC)' : 'declined online');
    this.step = 'completion';
    return this.outcome('approved', host.kind === 'response' ? 'approved online' : 'unable to go online; approved offline by default action analysis');
  }

  /**
   * Book 3 10.10: each script's commands in order; a command failing (SW1 not 90, 62, 63)
   * ends that script and sets the TVR bit. Each script leaves its Issuer Script Results
   * entry (Book 4 Annex A5): result nibble 1 failed / 2 successful, then the sequence
   * number of the failing command (1-14, F for 15 or later, 0 when none), then the Issuer
   * Script Identifier (9F18) or zeros.
   */
  private async runScripts(scripts: readonly Tlv[], template: number): Promise<void> {
    for (const s of scripts) {
      if (s.tag !== template) continue;
      setBit(this.tsi, TSI.SCRIPT_PROCESSING_PERFORMED);
      const failBit = template === TAG.ISSUER_SCRIPT_TEMPLATE_1 ? TVR.SCRIPT_FAILED_BEFORE_FINAL_AC : TVR.SCRIPT_FAILED_AFTER_FINAL_AC;
      const id = s.children?.find((c) => c.tag === TAG.ISSUER_SCRIPT_IDENTIFIER)?.value;
      let ok = s.children !== undefined;
      let seq = 0;
      let failedAt = 0;
      for (const cmd of s.children ?? []) {
        if (cmd.tag !== TAG.ISSUER_SCRIPT_COMMAND) continue;
        seq++;
        if (cmd.value.length < 4) {
          ok = false;
          failedAt = seq;
          break;
        }
        const r = await this.io.exchange(Uint8Array.from(cmd.value));
        if (!isSuccess(r.sw)) {
          ok = false;
          failedAt = seq;
          break;
        }
      }
      if (!ok) setBit(this.tvr, failBit);
      const result = new Uint8Array(5);
      result[0] = ((ok ? 2 : 1) << 4) | Math.min(failedAt, 15);
      if (id !== undefined && id.length === 4) result.set(id, 1);
      this.scriptResults.push(result);
      this.events.push({ kind: 'issuer-script', id: id === undefined ? undefined : Uint8Array.from(id), ok });
    }
  }

  // --- data and outcome ----------------------------------------------------------------

  /** A DOL's data element: terminal data first, then the card's (Book 3 5.4). */
  private source(tag: number): Uint8Array | undefined {
    if (tag === TAG.TC_HASH_VALUE) return this.tcHash;
    if (tag === TAG.UNPREDICTABLE_NUMBER_NUMERIC) return this.unNumeric;
    return terminalValue(this, tag) ?? this.card.get(tag) ?? this.fci.get(tag);
  }

  private pan(): string | undefined {
    const p = this.card.get(TAG.PAN);
    try {
      if (p !== undefined) return cnDigits(p);
      const t2 = this.card.get(TAG.TRACK2_EQUIVALENT_DATA) ?? (this.magstripe ? this.card.get(TAG.TRACK2_DATA) : undefined);
      return t2 === undefined ? undefined : parseTrack2Equivalent(t2).pan;
    } catch {
      return undefined;
    }
  }

  /** YYMMDD expiry from 5F24 or, contactless, from Track 2 Equivalent Data (last day of the month). */
  private expiry(): string | undefined {
    const e = this.card.get(TAG.APPLICATION_EXPIRATION_DATE);
    if (e !== undefined) return bcdDigits(e);
    const t2 = this.card.get(TAG.TRACK2_EQUIVALENT_DATA) ?? (this.magstripe ? this.card.get(TAG.TRACK2_DATA) : undefined);
    if (t2 === undefined) return undefined;
    try {
      return parseTrack2Equivalent(t2).expiry + '31';
    } catch {
      return undefined;
    }
  }

  private removeCardIfDone(after: KernelStep): void {
    if (this.removable) return;
    // Contactless: after reading when the GPO carried the cryptogram (Book C-3), else after GENERATE AC (Book C-2); contact: after the final GENERATE AC.
    const done = this.iface === 'contactless' ? (after === 'read-application-data' ? this.isQvsdc() : true) : after === 'second-generate-ac';
    if (!done) return;
    this.removable = true;
    this.events.push({ kind: 'card-removable', afterStep: after });
    this.deps.onCardRemovable?.();
  }

  private outcome(kind: OutcomeKind, reason: string): KernelResult {
    if (!this.removable && kind !== 'online-request') {
      this.removable = true;
      this.events.push({ kind: 'card-removable', afterStep: this.step });
      this.deps.onCardRemovable?.();
    } else if (!this.removable && this.iface === 'contactless') this.removeCardIfDone(this.step);
    const pan = this.selected === undefined ? undefined : this.pan();
    const expiry = this.selected === undefined ? undefined : safe(() => this.expiry());
    const psn = this.card.get(TAG.PAN_SEQUENCE_NUMBER);
    const finished = kind === 'approved' && this.step === 'completion';
    return {
      outcome: kind,
      stoppedAt: finished ? undefined : this.step,
      reason,
      interface: this.iface,
      entryMode: this.entryMode,
      tvr: Uint8Array.from(this.tvr),
      tsi: Uint8Array.from(this.tsi),
      aid: this.selected?.aid,
      applicationLabel: this.selected?.preferredName ?? this.selected?.label,
      cryptogram: this.ac?.cryptogram,
      cid: this.ac?.cid,
      atc: this.ac?.atc ?? this.magstripeAtc,
      cvm: this.cvm,
      panMasked: pan === undefined ? undefined : maskPan(pan),
      field55: this.ac === undefined ? undefined : this.field55(),
      account:
        pan === undefined || expiry === undefined
          ? undefined
          : { pan, expiry: expiry.slice(0, 4), panSequenceNumber: psn === undefined ? undefined : toHex(psn), track2: this.dynamicTracks?.track2 ?? this.card.get(TAG.TRACK2_EQUIVALENT_DATA), ...(this.dynamicTracks?.track1 === undefined ? {} : { track1: this.dynamicTracks.track1 }) },
      arc: this.arc === undefined ? undefined : String.fromCharCode(...this.arc),
      ...(this.scriptResults.length === 0 ? {} : { issuerScriptResults: concatBytes(this.scriptResults) }),
      events: [...this.events],
    };
  }

  /** ICC system related data for ISO 8583 field 55 (Book 4 Annex; scheme field 55 lists). */
  private field55(): Uint8Array {
    const ac = this.ac!;
    const values = new Map<number, Uint8Array | undefined>([
      [TAG.APPLICATION_CRYPTOGRAM, ac.cryptogram],
      [TAG.CRYPTOGRAM_INFORMATION_DATA, Uint8Array.of(ac.cid)],
      [TAG.ISSUER_APPLICATION_DATA, this.card.get(TAG.ISSUER_APPLICATION_DATA)],
      [TAG.UNPREDICTABLE_NUMBER, this.params.unpredictableNumber],
      [TAG.ATC, ac.atc],
      [TAG.TVR, this.tvr],
      [TAG.TRANSACTION_DATE, terminalValue(this, TAG.TRANSACTION_DATE)],
      [TAG.TRANSACTION_TYPE, terminalValue(this, TAG.TRANSACTION_TYPE)],
      [TAG.AMOUNT_AUTHORISED, terminalValue(this, TAG.AMOUNT_AUTHORISED)],
      [TAG.TRANSACTION_CURRENCY_CODE, terminalValue(this, TAG.TRANSACTION_CURRENCY_CODE)],
      [TAG.AIP, this.card.get(TAG.AIP)],
      [TAG.TERMINAL_COUNTRY_CODE, terminalValue(this, TAG.TERMINAL_COUNTRY_CODE)],
      [TAG.AMOUNT_OTHER, terminalValue(this, TAG.AMOUNT_OTHER)],
      [TAG.TERMINAL_CAPABILITIES, this.config.capabilities],
      [TAG.CVM_RESULTS, this.cvm?.bytes],
      [TAG.TERMINAL_TYPE, terminalValue(this, TAG.TERMINAL_TYPE)],
      [TAG.IFD_SERIAL_NUMBER, terminalValue(this, TAG.IFD_SERIAL_NUMBER)],
      [TAG.DF_NAME, this.selected?.aid],
      [TAG.APPLICATION_VERSION_NUMBER_TERMINAL, terminalValue(this, TAG.APPLICATION_VERSION_NUMBER_TERMINAL)],
      [TAG.TRANSACTION_SEQUENCE_COUNTER, terminalValue(this, TAG.TRANSACTION_SEQUENCE_COUNTER)],
      [TAG.PAN_SEQUENCE_NUMBER, this.card.get(TAG.PAN_SEQUENCE_NUMBER)],
      [TAG.TSI, this.iface === 'contact' ? this.tsi : undefined],
      [TAG.TTQ, this.iface === 'contactless' ? this.ttq : undefined],
      [TAG.FFI, this.card.get(TAG.FFI)],
      [TAG.CUSTOMER_EXCLUSIVE_DATA, this.card.get(TAG.CUSTOMER_EXCLUSIVE_DATA)],
      [TAG.AUTHORISATION_RESPONSE_CODE, this.arc],
      [TAG.ISSUER_SCRIPT_RESULTS, this.scriptResults.length === 0 ? undefined : concatBytes(this.scriptResults)],
    ]);
    const nodes: TlvLike[] = [];
    for (const [tag, value] of values) if (value !== undefined && !isConstructed(tag)) nodes.push({ tag, value: Uint8Array.from(value) });
    return encodeTlv(nodes);
  }
}

type TlvLike = { tag: number; value: Uint8Array };

function parseDolOrFault(dol: Uint8Array, what: string): DolEntry[] {
  try {
    return parseDol(dol);
  } catch (err) {
    if (isEmvError(err)) throw new CardFault(`${what}: ${err.message}`);
    throw err;
  }
}

function decodeTlv2(bytes: Uint8Array): Tlv[] {
  return decodeCard(bytes, 'issuer scripts', true);
}

function ascii2(s: string): Uint8Array {
  const v = (s + '  ').slice(0, 2);
  return Uint8Array.from(v, (c) => c.charCodeAt(0) & 0x7f);
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Compares YYMMDD dates in the 2000-2099 window... with the Book 3 10.4.3 rule: YY < 50 is 20YY, else 19YY. */
export function compareYymmdd(a: string, b: string): number {
  const full = (d: string): string => (Number(d.slice(0, 2)) < 50 ? '20' : '19') + d;
  const x = full(a);
  const y = full(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
