// A small EMV card applet for the kernel tests, answering as Book 1 11 and Book 3 6.5
// describe: PSE/PPSE directories, SELECT by AID (with next occurrence), GPO formats 1 and
// 2, READ RECORD, GET DATA, VERIFY (plaintext PIN, format 2 block), GET CHALLENGE,
// INTERNAL AUTHENTICATE, GENERATE AC (with the Table 13 rules: never a higher type than
// requested), EXTERNAL AUTHENTICATE and script commands. Its cryptograms are stand-ins (a
// hash), because the kernel never verifies them; the real applets are emv/cards/.
import { createHash } from 'node:crypto';
import { encodeTlv, decodeTlv, type TlvInput } from '../../../emv/ber/tlv.js';
import { fromHex, toHex, concatBytes } from '../../../emv/bytes.js';
import { PPSE_NAME, PSE_NAME } from '../../../emv/apdu/apdu.js';
import type { SimContactlessCard } from '../../../hal/roles/contactless.js';
import { cdaDynamicData, sha1Of, signDynamicData, type RsaPrivateKeyHex } from '../../../emv/oda/oda.js';
import { parseDol } from '../../../emv/dol/dol.js';

export const p = (tag: number, hex: string): TlvInput => ({ tag, value: fromHex(hex) });
export const c = (tag: number, ...children: TlvInput[]): TlvInput => ({ tag, children });
export const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex').toUpperCase();

export type Policy = 'online' | 'offline' | 'decline';

export interface SimApp {
  aid: string;
  label: string;
  /** Application Priority Indicator (87) hex, e.g. "01", "81" (confirmation required). */
  priority?: string;
  pdol?: string;
  /** Further FCI proprietary data objects (A5). */
  fciExtra?: TlvInput[];
  aip: string;
  afl: string;
  /** Records by "sfi.record": the children of template 70. */
  records: Record<string, TlvInput[]>;
  gpoFormat: 1 | 2;
  /** qVSDC (Book C-3): the GPO response carries these extra objects (cryptogram, CID, ATC, ...), computed from the PDOL data. */
  qvsdc?: (pdolData: Uint8Array, card: SimCardState) => TlvInput[];
  /** What card risk management answers at the first GENERATE AC. */
  policy: Policy;
  /** Second GENERATE AC: approve when the terminal asks for TC. Default true. */
  approveSecond?: boolean;
  blocked?: boolean;
  /** GPO answers 6985 (conditions of use not satisfied). */
  gpoConditionsNotSatisfied?: boolean;
  atc?: number;
  lastOnlineAtc?: number;
  pinTries?: number;
  /** Offline plaintext PIN digits the card holds (the test PIN pad sends the same block). */
  pin?: string;
  /** Answer GENERATE AC in format 2 (77) instead of format 1 (80). */
  acFormat2?: boolean;
  /** ICC private key: DDA (INTERNAL AUTHENTICATE), CDA (GENERATE AC with P1 bit 5). */
  iccKey?: RsaPrivateKeyHex;
  /** External authenticate answers 6300 when false. */
  issuerAuthenticationOk?: boolean;
}

export interface SimCardState {
  atc: number;
  commands: string[];
}

export interface SimCardOptions {
  apps: SimApp[];
  /** Contact: "pse"; contactless: "ppse"; or neither. */
  directory?: 'pse' | 'ppse' | 'none';
  /** Rewrites the response to a command (the malformed-response cards). */
  mutate?: (capdu: Uint8Array, rapdu: Uint8Array, state: SimCardState) => Uint8Array;
}

const SW_OK = [0x90, 0x00];
const sw = (a: number, b: number): Uint8Array => Uint8Array.of(a, b);
const ok = (data: Uint8Array): Uint8Array => Uint8Array.of(...data, ...SW_OK);

export class SimEmvCard implements SimContactlessCard {
  readonly uid = Uint8Array.of(0x08, 0x12, 0x34, 0x56);
  readonly atqa = Uint8Array.of(0x00, 0x04);
  readonly sak = 0x20;
  readonly ats = Uint8Array.of(0x05, 0x78, 0x80, 0x70, 0x02);
  readonly state: SimCardState;
  private current: SimApp | undefined;
  private selectIndex = 0;
  private acCount = 0;
  private pdolData = new Uint8Array(0);
  private cdolData: Uint8Array[] = [];
  private tries: number;
  private lastSelectPrefix: string | undefined;

  constructor(readonly options: SimCardOptions) {
    this.state = { atc: options.apps[0]?.atc ?? 1, commands: [] };
    this.tries = options.apps[0]?.pinTries ?? 3;
  }

  /** The card as a Transceive (contact readers, direct tests). */
  readonly transceiveAsync = async (capdu: Uint8Array): Promise<Uint8Array> => this.transceive(capdu);

  transceive(capdu: Uint8Array): Uint8Array {
    this.state.commands.push(toHex(capdu));
    const r = this.answer(capdu);
    return this.options.mutate === undefined ? r : this.options.mutate(capdu, r, this.state);
  }

  private answer(capdu: Uint8Array): Uint8Array {
    const ins = capdu[1]!;
    const lc = capdu.length > 5 ? capdu[4]! : 0;
    const data = capdu.subarray(5, 5 + lc);
    switch (ins) {
      case 0xa4: return this.select(data, capdu[3] === 0x02);
      case 0xb2: return this.readRecord(capdu[3]! >> 3, capdu[2]!);
      case 0xa8: return this.gpo(data);
      case 0xca: return this.getData((capdu[2]! << 8) | capdu[3]!);
      case 0x20: return this.verify(data);
      case 0x84: return ok(fromHex('0102030405060708'));
      case 0x88: return this.internalAuthenticate(data);
      case 0xae: return this.generateAc(capdu[2]!, data);
      case 0x82: return this.current?.issuerAuthenticationOk === false ? sw(0x63, 0x00) : sw(0x90, 0x00);
      default: return this.current === undefined ? sw(0x6d, 0x00) : sw(0x90, 0x00); // script commands (PUT DATA, APPLICATION BLOCK, ...)
    }
  }

  private select(name: Uint8Array, next: boolean): Uint8Array {
    const hex = toHex(name);
    const dir = this.options.directory ?? 'none';
    if ((hex === toHex(PSE_NAME) && dir === 'pse') || (hex === toHex(PPSE_NAME) && dir === 'ppse')) {
      this.current = undefined;
      const entries = this.options.apps.map((a) => c(0x61, p(0x4f, a.aid), p(0x50, ascii(a.label)), ...(a.priority === undefined ? [] : [p(0x87, a.priority)])));
      if (dir === 'pse') return ok(encodeTlv(c(0x6f, p(0x84, hex), c(0xa5, p(0x88, '01')))));
      return ok(encodeTlv(c(0x6f, p(0x84, hex), c(0xa5, c(0xbf0c, ...entries)))));
    }
    // Partial name: the n-th application whose AID starts with it (Book 1 11.3.2 P2 02).
    if (!next || this.lastSelectPrefix !== hex) this.selectIndex = 0;
    this.lastSelectPrefix = hex;
    const matches = this.options.apps.filter((a) => a.aid.startsWith(hex));
    const app = matches[this.selectIndex++];
    if (app === undefined) return sw(0x6a, 0x82);
    this.current = app;
    this.state.atc = app.atc ?? this.state.atc;
    this.tries = app.pinTries ?? 3;
    const fci = encodeTlv(c(0x6f, p(0x84, app.aid), c(0xa5, p(0x50, ascii(app.label)), ...(app.priority === undefined ? [] : [p(0x87, app.priority)]), ...(app.pdol === undefined ? [] : [p(0x9f38, app.pdol)]), ...(app.fciExtra ?? []))));
    return app.blocked ? Uint8Array.of(...fci, 0x62, 0x83) : ok(fci);
  }

  private readRecord(sfi: number, rec: number): Uint8Array {
    if (sfi === 1 && this.current === undefined && (this.options.directory ?? 'none') === 'pse') {
      const a = this.options.apps[rec - 1];
      if (a === undefined) return sw(0x6a, 0x83);
      return ok(encodeTlv(c(0x70, c(0x61, p(0x4f, a.aid), p(0x50, ascii(a.label)), ...(a.priority === undefined ? [] : [p(0x87, a.priority)])))));
    }
    const r = this.current?.records[`${sfi}.${rec}`];
    return r === undefined ? sw(0x6a, 0x83) : ok(encodeTlv(c(0x70, ...r)));
  }

  private gpo(data: Uint8Array): Uint8Array {
    const app = this.current;
    if (app === undefined) return sw(0x69, 0x85);
    if (app.gpoConditionsNotSatisfied) return sw(0x69, 0x85);
    this.state.atc++;
    const pdolData = data.subarray(2);
    this.pdolData = Uint8Array.from(pdolData);
    if (app.gpoFormat === 1) return ok(encodeTlv(p(0x80, app.aip + app.afl)));
    const extra = app.qvsdc?.(pdolData, this.state) ?? [];
    return ok(encodeTlv(c(0x77, p(0x82, app.aip), ...(app.afl === '' ? [] : [p(0x94, app.afl)]), ...extra)));
  }

  private getData(tag: number): Uint8Array {
    const app = this.current;
    if (app === undefined) return sw(0x6a, 0x88);
    if (tag === 0x9f36) return ok(encodeTlv(p(0x9f36, this.state.atc.toString(16).padStart(4, '0'))));
    if (tag === 0x9f13 && app.lastOnlineAtc !== undefined) return ok(encodeTlv(p(0x9f13, app.lastOnlineAtc.toString(16).padStart(4, '0'))));
    if (tag === 0x9f17 && app.pin !== undefined) return ok(encodeTlv(p(0x9f17, this.tries.toString(16).padStart(2, '0'))));
    return sw(0x6a, 0x88);
  }

  private verify(block: Uint8Array): Uint8Array {
    const app = this.current;
    if (app?.pin === undefined) return sw(0x6a, 0x81);
    if (this.tries === 0) return sw(0x69, 0x83);
    if (toHex(block) === toHex(pinBlock(app.pin))) {
      this.tries = app.pinTries ?? 3;
      return sw(0x90, 0x00);
    }
    this.tries--;
    return sw(0x63, 0xc0 | this.tries);
  }

  private internalAuthenticate(ddolData: Uint8Array): Uint8Array {
    const key = this.current?.iccKey;
    if (key === undefined) return sw(0x6d, 0x00);
    return ok(encodeTlv(p(0x80, toHex(signDynamicData(key, fromHex('080102030405060708'), ddolData)))));
  }

  private generateAc(p1: number, cdolData: Uint8Array): Uint8Array {
    const app = this.current;
    if (app === undefined) return sw(0x69, 0x85);
    const requested = p1 & 0xc0;
    const first = this.acCount++ === 0;
    let cid: number;
    if (first) {
      const want = app.policy === 'decline' ? 0x00 : app.policy === 'online' ? 0x80 : 0x40;
      // Book 3 9.3 Table 13: AAC < TC < ARQC in strength; never above the request (ARQC may answer a TC request).
      cid = requested === 0x00 ? 0x00 : requested === 0x80 ? (want === 0x40 ? 0x80 : want) : want;
    } else {
      cid = requested === 0x40 && app.approveSecond !== false ? 0x40 : 0x00;
    }
    this.cdolData.push(Uint8Array.from(cdolData));
    const atc = this.state.atc.toString(16).padStart(4, '0');
    const ac = createHash('sha256').update(cdolData).update(Uint8Array.of(cid, this.state.atc)).digest().subarray(0, 8);
    const iad = '06010A03A00000';
    if ((p1 & 0x10) !== 0 && app.iccKey !== undefined && cid !== 0x00) {
      // Book 2 6.6.1: transaction data hash over PDOL data, CDOL1 (and CDOL2) data, and the response objects but the SDAD.
      const objs = [p(0x9f27, cid.toString(16).padStart(2, '0')), p(0x9f36, atc), p(0x9f10, iad)];
      const hash = sha1Of(this.pdolData, ...this.cdolData, encodeTlv(objs));
      const un = unpredictableNumberIn(app, first ? 0x8c : 0x8d, cdolData);
      const sdad = signDynamicData(app.iccKey, cdaDynamicData(fromHex('0102030405060708'), cid, ac, hash), un);
      return ok(encodeTlv(c(0x77, objs[0]!, objs[1]!, p(0x9f4b, toHex(sdad)), objs[2]!)));
    }
    if (app.acFormat2) return ok(encodeTlv(c(0x77, p(0x9f27, cid.toString(16).padStart(2, '0')), p(0x9f36, atc), p(0x9f26, toHex(ac)), p(0x9f10, iad))));
    return ok(encodeTlv(p(0x80, cid.toString(16).padStart(2, '0') + atc + toHex(ac) + iad)));
  }
}

function unpredictableNumberIn(app: SimApp, cdolTag: number, data: Uint8Array): Uint8Array {
  let cdol: Uint8Array | undefined;
  for (const r of Object.values(app.records)) for (const o of r) if (o.tag === cdolTag && 'value' in o) cdol = o.value;
  let off = 0;
  for (const e of parseDol(cdol ?? new Uint8Array(0))) {
    if (e.tag === 0x9f37) return data.subarray(off, off + e.length);
    off += e.length;
  }
  return new Uint8Array(0);
}

/** ISO 9564-1 format 2 PIN block as the PIN pad builds it for offline plaintext PIN (Book 3 6.5.12). */
export function pinBlock(pin: string): Uint8Array {
  return fromHex(('2' + pin.length.toString(16) + pin).padEnd(16, 'F'));
}

/** Records a transcript (">" command, "<" response) of every exchange, for failure messages and fixtures. */
export function recording(send: (c: Uint8Array) => Promise<Uint8Array>, lines: string[]): (c: Uint8Array) => Promise<Uint8Array> {
  return async (cmd) => {
    lines.push(`> ${toHex(cmd)}`);
    const r = await send(cmd);
    lines.push(`< ${toHex(r)}`);
    return r;
  };
}

export { decodeTlv, concatBytes };
