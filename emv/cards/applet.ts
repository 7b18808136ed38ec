/**
 * One payment application on a virtual card: answers SELECT (its FCI), GET PROCESSING
 * OPTIONS, READ RECORD, GENERATE AC, INTERNAL / EXTERNAL AUTHENTICATE, VERIFY, GET DATA and
 * GET CHALLENGE as EMV Book 3 section 6 describes, with the cryptography of Book 2.
 * The quick contactless paths (Visa qVSDC, UnionPay qPBOC) return the cryptogram in the
 * GPO response, with an fDDA signature when approving offline.
 */
import { randomBytes } from 'node:crypto';
import { encodeTlv, type TlvInput } from '../ber/tlv.js';
import { bcdToNumber, fromHex } from '../bytes.js';
import { arpcMethod1, arpcMethod2, computeCryptogram, computeCvc3, cryptogramData, deriveIccMasterKey, deriveSessionKey } from '../crypto/emv-keys.js';
import { equalBytes } from '../crypto/bytes.js';
import { parseDol, type DolEntry } from '../dol/dol.js';
import { cdaDynamicData, sha1Of, signDynamicData } from '../oda/oda.js';
import { rsaSign } from '../oda/rsa.js';
import type { Personalisation } from './personalise.js';

/** Cryptogram information data (9F27) types, Book 3 Table 14. */
export const CID = { AAC: 0x00, TC: 0x40, ARQC: 0x80 } as const;

const SW_OK = 0x9000;

export function withSw(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

const swOnly = (sw: number): Uint8Array => withSw(new Uint8Array(0), sw);
const tlv = (tag: number, value: Uint8Array | string): TlvInput => ({ tag, value: typeof value === 'string' ? fromHex(value) : value });

/** The values a DOL's data carries, by tag (Book 3 5.4). */
function splitDol(entries: readonly DolEntry[], data: Uint8Array): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  let o = 0;
  for (const e of entries) {
    m.set(e.tag, data.slice(o, o + e.length));
    o += e.length;
  }
  return m;
}

function dolLength(entries: readonly DolEntry[]): number {
  return entries.reduce((n, e) => n + e.length, 0);
}

interface Transaction {
  pdolData: Uint8Array;
  values: Map<number, Uint8Array>;
  sessionKey?: Uint8Array;
  arqc?: Uint8Array;
  cdol1Data?: Uint8Array;
  /** 'none' until the issuer answered; then whether the ARPC verified. */
  issuerAuth: 'none' | 'ok' | 'failed';
  firstAcType?: number;
  finished: boolean;
}

export class Applet {
  readonly data: Personalisation;
  private atc: number;
  private lastOnlineAtc = 0;
  private pinTries: number;
  private txn: Transaction | undefined;
  private readonly pdolEntries: DolEntry[];
  private readonly cdol1Entries: DolEntry[];
  private readonly cdol2Entries: DolEntry[];

  constructor(data: Personalisation) {
    this.data = data;
    this.atc = data.profile.atc ?? 1;
    this.pinTries = data.profile.pinTryLimit ?? 3;
    this.pdolEntries = parseDol(data.pdol);
    this.cdol1Entries = parseDol(data.cdol1);
    this.cdol2Entries = parseDol(data.cdol2);
  }

  /** Current ATC (for tests and GET DATA). */
  get transactionCounter(): number {
    return this.atc;
  }

  get pinTryCounter(): number {
    return this.pinTries;
  }

  /** FCI of the ADF (Book 1 11.3.4 Table 45); SW 6283 when the application is blocked. */
  select(): Uint8Array {
    this.txn = undefined;
    const p = this.data.profile;
    const prop: TlvInput[] = [tlv(0x50, Buffer.from(p.label, 'ascii'))];
    if (p.priority !== undefined) prop.push(tlv(0x87, Uint8Array.of(p.priority)));
    if (this.data.pdol.length > 0) prop.push(tlv(0x9f38, this.data.pdol));
    prop.push(tlv(0x5f2d, Buffer.from('en', 'ascii')));
    if (p.preferredName !== undefined) prop.push(tlv(0x9f11, '01'), tlv(0x9f12, Buffer.from(p.preferredName, 'ascii')));
    const fci = encodeTlv({ tag: 0x6f, children: [tlv(0x84, this.data.aid), { tag: 0xa5, children: prop }] });
    return withSw(fci, p.blocked === true ? 0x6283 : SW_OK);
  }

  private get blocked(): boolean {
    return this.data.profile.blocked === true;
  }

  gpo(cmdData: Uint8Array): Uint8Array {
    if (this.blocked || this.txn !== undefined) return swOnly(0x6985);
    // Book 3 6.5.8: command template 83 with the PDOL data.
    if (cmdData.length < 2 || cmdData[0] !== 0x83 || cmdData[1] !== cmdData.length - 2) return swOnly(0x6700);
    const pdolData = cmdData.slice(2);
    if (pdolData.length !== dolLength(this.pdolEntries)) return swOnly(0x6700);
    this.atc = (this.atc + 1) & 0xffff;
    const values = splitDol(this.pdolEntries, pdolData);
    this.txn = { pdolData, values, issuerAuth: 'none', finished: false };
    if (this.data.quick) return this.quickGpo(this.txn);
    const p = this.data.profile;
    if (p.scheme === 'visa') return withSw(encodeTlv(tlv(0x80, Uint8Array.from([...this.data.aip, ...this.data.afl]))), SW_OK);
    return withSw(encodeTlv({ tag: 0x77, children: [tlv(0x82, this.data.aip), tlv(0x94, this.data.afl)] }), SW_OK);
  }

  private atcBytes(): Uint8Array {
    return Uint8Array.of(this.atc >> 8, this.atc & 0xff);
  }

  private sessionKey(txn: Transaction): Uint8Array {
    if (txn.sessionKey === undefined) {
      const p = this.data.profile;
      const mk = deriveIccMasterKey(this.data.imk, p.pan, p.psn, p.keyOption);
      txn.sessionKey = deriveSessionKey(mk, this.atcBytes(), p.sessionKeys === 'mastercard' ? txn.values.get(0x9f37) : undefined);
      mk.fill(0);
    }
    return txn.sessionKey;
  }

  private cryptogram(txn: Transaction): Uint8Array {
    const values = txn.values;
    return computeCryptogram(this.sessionKey(txn), cryptogramData((tag) => (tag === 0x82 ? this.data.aip : tag === 0x9f36 ? this.atcBytes() : values.get(tag))));
  }

  /** Card risk management (Book 3 10.8 left to the issuer): the type this card answers to `requested`. */
  private decide(requested: number, amount: number): number {
    const d = this.data.profile.decision;
    if (requested === CID.AAC || d.kind === 'decline') return CID.AAC;
    if (d.kind === 'online') return CID.ARQC;
    return requested === CID.TC && amount <= d.limit ? CID.TC : CID.ARQC;
  }

  private amount(values: Map<number, Uint8Array>): number {
    const a = values.get(0x9f02);
    try {
      return a === undefined ? 0 : bcdToNumber(a);
    } catch {
      return Number.MAX_SAFE_INTEGER;
    }
  }

  /** qVSDC / qPBOC: the cryptogram in the GPO response (Visa VCPS, JR/T 0025 qPBOC). */
  private quickGpo(txn: Transaction): Uint8Array {
    const ttq = txn.values.get(0x9f66) ?? new Uint8Array(4);
    // TTQ byte 2 bit 8: online cryptogram required.
    const requested = (ttq[1]! & 0x80) !== 0 ? CID.ARQC : CID.TC;
    const cid = this.decide(requested, this.amount(txn.values));
    const ac = this.cryptogram(txn);
    if (cid === CID.ARQC) {
      txn.arqc = ac;
      this.lastOnlineAtc = this.atc;
    }
    txn.firstAcType = cid;
    txn.finished = true;
    const p = this.data.profile;
    const items: TlvInput[] = [
      tlv(0x82, this.data.aip),
      tlv(0x94, this.data.afl),
      tlv(0x57, this.data.track2Equivalent),
      tlv(0x5f34, p.psn),
      tlv(0x9f10, this.data.iad),
      tlv(0x9f26, ac),
      tlv(0x9f27, Uint8Array.of(cid)),
      tlv(0x9f36, this.atcBytes()),
      tlv(0x9f6c, p.ctq ?? '0000'),
    ];
    if (p.oda === 'fdda' && cid === CID.TC && this.data.iccKey !== undefined) {
      // fDDA version 01: 9F69 = version || card UN || CTQ; signed over UN || amount || currency || 9F69.
      const carData = Uint8Array.from([0x01, ...randomBytes(4), ...fromHex(p.ctq ?? '0000')]);
      const hashed = Uint8Array.from([...(txn.values.get(0x9f37) ?? []), ...(txn.values.get(0x9f02) ?? []), ...(txn.values.get(0x5f2a) ?? []), ...carData]);
      const dynNumber = randomBytes(8);
      items.push(tlv(0x9f69, carData), tlv(0x9f4b, signDynamicData(this.data.iccKey, Uint8Array.from([8, ...dynNumber]), hashed)));
    }
    return withSw(encodeTlv({ tag: 0x77, children: items }), SW_OK);
  }

  readRecord(sfi: number, rec: number): Uint8Array {
    const r = this.data.records.get(`${sfi}:${rec}`);
    return r === undefined ? swOnly(0x6a83) : withSw(r, SW_OK);
  }

  /** GENERATE AC (Book 3 6.5.5): first and second, with CDA when P1 bit 5 is set and the AIP allows it. */
  generateAc(p1: number, cmdData: Uint8Array): Uint8Array {
    const txn = this.txn;
    if (txn === undefined || txn.finished) return swOnly(0x6985);
    const requested = p1 & 0xc0;
    if (requested === 0xc0) return swOnly(0x6a86);
    const second = txn.firstAcType !== undefined;
    const entries = second ? this.cdol2Entries : this.cdol1Entries;
    if (cmdData.length !== dolLength(entries)) return swOnly(0x6700);
    for (const [k, v] of splitDol(entries, cmdData)) txn.values.set(k, v);
    let cid: number;
    if (!second) {
      txn.cdol1Data = cmdData;
      cid = this.decide(requested, this.amount(txn.values));
      txn.firstAcType = cid;
      if (cid !== CID.ARQC) txn.finished = true;
    } else {
      const iad = txn.values.get(0x91);
      if (iad !== undefined && iad.some((b) => b !== 0)) this.checkArpc(txn, iad);
      const authOk = txn.issuerAuth === 'ok' || (txn.issuerAuth === 'none' && this.data.profile.issuerAuthRequired !== true);
      cid = requested === CID.TC && authOk ? CID.TC : CID.AAC;
      txn.finished = true;
    }
    const ac = this.cryptogram(txn);
    if (cid === CID.ARQC) {
      txn.arqc = ac;
      this.lastOnlineAtc = this.atc;
    }
    const cda = (p1 & 0x10) !== 0 && (this.data.aip[0]! & 0x01) !== 0 && cid !== CID.AAC && this.data.iccKey !== undefined;
    if (cda) {
      // Book 2 6.6.1: SDAD over ICC dynamic data (Table 19) with the transaction data hash code.
      const head: TlvInput[] = [tlv(0x9f27, Uint8Array.of(cid)), tlv(0x9f36, this.atcBytes())];
      const tail: TlvInput[] = [tlv(0x9f10, this.data.iad)];
      const tdhc = sha1Of(txn.pdolData, txn.cdol1Data ?? new Uint8Array(0), second ? cmdData : new Uint8Array(0), encodeTlv(head), encodeTlv(tail));
      const dyn = cdaDynamicData(randomBytes(8), cid, ac, tdhc);
      const sdad = signDynamicData(this.data.iccKey!, dyn, txn.values.get(0x9f37) ?? new Uint8Array(4));
      return withSw(encodeTlv({ tag: 0x77, children: [...head, tlv(0x9f4b, sdad), ...tail] }), SW_OK);
    }
    if (this.data.profile.scheme === 'visa') {
      // Format 1 (Book 3 6.5.5.4): CID || ATC || AC || IAD.
      return withSw(encodeTlv(tlv(0x80, Uint8Array.from([cid, ...this.atcBytes(), ...ac, ...this.data.iad]))), SW_OK);
    }
    return withSw(
      encodeTlv({ tag: 0x77, children: [tlv(0x9f27, Uint8Array.of(cid)), tlv(0x9f36, this.atcBytes()), tlv(0x9f26, ac), tlv(0x9f10, this.data.iad)] }),
      SW_OK,
    );
  }

  private checkArpc(txn: Transaction, iad: Uint8Array): boolean {
    if (txn.arqc === undefined) {
      txn.issuerAuth = 'failed';
      return false;
    }
    const sk = this.sessionKey(txn);
    let ok: boolean;
    if (this.data.profile.arpcMethod === 1) {
      ok = iad.length >= 10 && equalBytes(arpcMethod1(sk, txn.arqc, iad.subarray(8, 10)), iad.subarray(0, 8));
    } else {
      ok = iad.length >= 8 && iad.length <= 16 && equalBytes(arpcMethod2(sk, txn.arqc, iad.subarray(4, 8), iad.subarray(8)), iad.subarray(0, 4));
    }
    txn.issuerAuth = ok ? 'ok' : 'failed';
    return ok;
  }

  /** EXTERNAL AUTHENTICATE (Book 3 6.5.4): 9000 when the ARPC verifies, 6300 otherwise. */
  externalAuthenticate(cmdData: Uint8Array): Uint8Array {
    const txn = this.txn;
    if (txn === undefined || txn.arqc === undefined || txn.issuerAuth !== 'none') return swOnly(0x6985);
    if (cmdData.length < 8 || cmdData.length > 16) return swOnly(0x6700);
    return swOnly(this.checkArpc(txn, cmdData) ? SW_OK : 0x6300);
  }

  /** INTERNAL AUTHENTICATE (Book 3 6.5.9) for DDA: SDAD over the DDOL data. */
  internalAuthenticate(cmdData: Uint8Array): Uint8Array {
    if (this.data.iccKey === undefined || this.data.profile.oda === 'sda') return swOnly(0x6d00);
    if (cmdData.length === 0 || cmdData.length > 128) return swOnly(0x6700);
    const sdad = signDynamicData(this.data.iccKey, Uint8Array.from([8, ...randomBytes(8)]), cmdData);
    if (this.data.profile.scheme === 'visa') return withSw(encodeTlv(tlv(0x80, sdad)), SW_OK);
    return withSw(encodeTlv({ tag: 0x77, children: [tlv(0x9f4b, sdad)] }), SW_OK);
  }

  /**
   * VERIFY (Book 3 6.5.12): P2 80 plaintext PIN block (format 2: 2N PPPP... F); P2 88 the
   * same block enciphered under the ICC public key (Book 2 7.1: 7F || PIN block || the
   * challenge of the last GET CHALLENGE || random pad), recovered with the ICC private key.
   */
  verify(p2: number, cmdData: Uint8Array, challenge: Uint8Array | undefined): Uint8Array {
    const pin = this.data.profile.pin;
    if (p2 !== 0x80 && p2 !== 0x88) return swOnly(0x6a86);
    if (pin === undefined || (p2 === 0x88 && this.data.iccKey === undefined)) return swOnly(0x6a81);
    if (this.pinTries === 0) return swOnly(0x6983);
    let block = cmdData;
    if (p2 === 0x88) {
      const n = this.data.iccKey!.n.length / 2;
      if (cmdData.length !== n || challenge === undefined) return swOnly(0x6985);
      let x: Uint8Array;
      try {
        x = rsaSign(this.data.iccKey!, cmdData);
      } catch {
        return swOnly(0x6a80);
      }
      // Book 2 7.2: a wrong header or challenge is a failed verification, not a format error.
      if (x[0] !== 0x7f || !equalBytes(x.subarray(9, 17), challenge)) return this.wrongPin();
      block = x.slice(1, 9);
    }
    if (block.length !== 8 || block[0]! >> 4 !== 2) return swOnly(0x6a80);
    const n = block[0]! & 0x0f;
    const digits = Buffer.from(block.subarray(1)).toString('hex').toUpperCase();
    const given = digits.slice(0, n);
    const filler = digits.slice(n);
    if (n < 4 || n > 12 || !/^[0-9]+$/.test(given) || !/^F*$/.test(filler)) return swOnly(0x6a80);
    if (given === pin) {
      this.pinTries = this.data.profile.pinTryLimit ?? 3;
      return swOnly(SW_OK);
    }
    return this.wrongPin();
  }

  private wrongPin(): Uint8Array {
    this.pinTries--;
    return swOnly(this.pinTries === 0 ? 0x6983 : 0x63c0 | this.pinTries);
  }

  /**
   * COMPUTE CRYPTOGRAPHIC CHECKSUM (Book C-2 mag-stripe mode): the UDOL data is the
   * Unpredictable Number (Numeric), 4 bytes; answers 77 with CVC3 (Track2) 9F61, CVC3
   * (Track1) 9F60 and the ATC, each CVC3 over its static track (computeCvc3). Once per GPO.
   */
  computeCryptographicChecksum(cmdData: Uint8Array): Uint8Array {
    const ms = this.data.magstripe;
    const txn = this.txn;
    if (ms === undefined) return swOnly(0x6d00);
    if (txn === undefined || txn.finished) return swOnly(0x6985);
    if (cmdData.length !== 4) return swOnly(0x6700);
    txn.finished = true;
    this.lastOnlineAtc = this.atc;
    const p = this.data.profile;
    const key = deriveIccMasterKey(ms.imkCvc3, p.pan, p.psn, p.keyOption);
    const cvc3 = (track: Uint8Array): Uint8Array => {
      const v = computeCvc3(key, track, cmdData, this.atcBytes());
      return Uint8Array.of(v >> 8, v & 0xff);
    };
    const answer = encodeTlv({ tag: 0x77, children: [tlv(0x9f61, cvc3(ms.track2)), tlv(0x9f60, cvc3(ms.track1)), tlv(0x9f36, this.atcBytes())] });
    key.fill(0);
    return withSw(answer, SW_OK);
  }

  /** GET DATA (Book 3 6.5.7): PIN try counter, ATC, last online ATC. */
  getData(tag: number): Uint8Array {
    if (tag === 0x9f17 && this.data.profile.pin !== undefined) return withSw(encodeTlv(tlv(0x9f17, Uint8Array.of(this.pinTries))), SW_OK);
    if (tag === 0x9f36) return withSw(encodeTlv(tlv(0x9f36, this.atcBytes())), SW_OK);
    if (tag === 0x9f13) return withSw(encodeTlv(tlv(0x9f13, Uint8Array.of(this.lastOnlineAtc >> 8, this.lastOnlineAtc & 0xff))), SW_OK);
    return swOnly(0x6a88);
  }
}
