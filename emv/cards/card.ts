/**
 * A virtual EMV card: one or more applications behind the payment system environment
 * (PSE 1PAY.SYS.DDF01 on the contact interface, PPSE 2PAY.SYS.DDF01 contactless; EMV
 * Book 1 12.2, Book B), answering command APDUs synchronously. Faults (removal at a given
 * step, damaged answers) come from the profile. Used by the PN532 model, the PC/SC sim
 * backend and the tests; the kernel never imports it.
 */
import { parseCommand } from '../apdu/apdu.js';
import { randomBytes } from 'node:crypto';
import { decodeTlv, encodeTlv, type TlvInput } from '../ber/tlv.js';
import { EmvError } from '../errors.js';
import { Applet, withSw } from './applet.js';
import { personalise } from './personalise.js';
import type { CardCommand, CardProfile } from './profile.js';

const PSE = '1PAY.SYS.DDF01';
const PPSE = '2PAY.SYS.DDF01';
const DIRECTORY_SFI = 1;

const swOnly = (sw: number): Uint8Array => withSw(new Uint8Array(0), sw);

function commandName(cla: number, ins: number): CardCommand | undefined {
  const proprietary = (cla & 0x80) !== 0;
  switch (ins) {
    case 0xa4: return 'SELECT';
    case 0xb2: return 'READ RECORD';
    case 0xa8: return proprietary ? 'GET PROCESSING OPTIONS' : undefined;
    case 0xae: return proprietary ? 'GENERATE AC' : undefined;
    case 0x88: return 'INTERNAL AUTHENTICATE';
    case 0x82: return 'EXTERNAL AUTHENTICATE';
    case 0x20: return 'VERIFY';
    case 0xca: return proprietary ? 'GET DATA' : undefined;
    case 0x84: return 'GET CHALLENGE';
    case 0x2a: return proprietary ? 'COMPUTE CRYPTOGRAPHIC CHECKSUM' : undefined;
    default: return undefined;
  }
}

export class VirtualCard {
  readonly profile: CardProfile;
  readonly iface: 'contact' | 'contactless';
  readonly applets: readonly Applet[];
  private current: Applet | undefined;
  private directorySelected = false;
  private removed = false;
  private challenge: Uint8Array | undefined;
  private readonly seen = new Map<CardCommand, number>();
  /** Log of command names the card answered, for tests that check where a flow stopped. */
  readonly commands: CardCommand[] = [];

  constructor(profile: CardProfile, iface: 'contact' | 'contactless') {
    this.profile = profile;
    this.iface = iface;
    this.applets = profile.applications.filter((a) => a.interfaces.includes(iface)).map((a) => new Applet(personalise(a, iface)));
  }

  /** Power-on / new activation: nothing selected, the removal fault re-armed. ATC and PIN try counter persist. */
  reset(): void {
    this.current = undefined;
    this.directorySelected = false;
    this.removed = false;
    this.seen.clear();
  }

  /** The applet with this AID, for tests that read its counters. */
  applet(aid: string): Applet | undefined {
    return this.applets.find((a) => a.data.profile.aid === aid.toUpperCase());
  }

  /** Answers one command APDU with data || SW1 SW2; throws EMV_CARD_REMOVED once the card has left. */
  transceive(capdu: Uint8Array): Uint8Array {
    if (this.removed) throw new EmvError('EMV_CARD_REMOVED', 'the card is no longer in the field');
    let cmd;
    try {
      cmd = parseCommand(capdu);
    } catch {
      return swOnly(0x6700);
    }
    const name = commandName(cmd.cla, cmd.ins);
    if (name !== undefined) {
      const n = (this.seen.get(name) ?? 0) + 1;
      this.seen.set(name, n);
      const removal = this.profile.faults?.removeAt;
      if (removal !== undefined && removal.command === name && (removal.occurrence ?? 1) === n) {
        this.removed = true;
        throw new EmvError('EMV_CARD_REMOVED', `the card left the field at ${name}`);
      }
      this.commands.push(name);
    }
    const data = cmd.data ?? new Uint8Array(0);
    const answer = this.dispatch(name, cmd.cla, cmd.p1, cmd.p2, data);
    return this.corrupt(name, cmd.p1, cmd.p2, answer);
  }

  private dispatch(name: CardCommand | undefined, cla: number, p1: number, p2: number, data: Uint8Array): Uint8Array {
    if (cla !== 0x00 && cla !== 0x80 && cla !== 0x84) return swOnly(0x6e00);
    if (name === undefined) return swOnly(0x6d00);
    if (name === 'SELECT') return this.select(p1, p2, data);
    if (name === 'READ RECORD') {
      if ((p2 & 0x07) !== 0x04 || p1 === 0) return swOnly(0x6a86);
      const sfi = p2 >> 3;
      if (this.current === undefined && this.directorySelected && sfi === DIRECTORY_SFI) return this.directoryRecord(p1);
      return this.current === undefined ? swOnly(0x6985) : this.current.readRecord(sfi, p1);
    }
    if (name === 'GET CHALLENGE') {
      this.challenge = Uint8Array.from(randomBytes(8));
      return withSw(this.challenge, 0x9000);
    }
    const app = this.current;
    if (app === undefined) return swOnly(0x6985);
    switch (name) {
      case 'GET PROCESSING OPTIONS': return app.gpo(data);
      case 'GENERATE AC': return app.generateAc(p1, data);
      case 'INTERNAL AUTHENTICATE': return app.internalAuthenticate(data);
      case 'EXTERNAL AUTHENTICATE': return app.externalAuthenticate(data);
      case 'VERIFY': {
        // A challenge serves one enciphered PIN (Book 2 7.1).
        const challenge = this.challenge;
        this.challenge = undefined;
        return app.verify(p2, data, challenge);
      }
      case 'GET DATA': return app.getData((p1 << 8) | p2);
      case 'COMPUTE CRYPTOGRAPHIC CHECKSUM': return p1 === 0x8e && p2 === 0x80 ? app.computeCryptographicChecksum(data) : swOnly(0x6a86);
    }
  }

  private select(p1: number, p2: number, name: Uint8Array): Uint8Array {
    if (p1 !== 0x04) return swOnly(0x6a86);
    const text = Buffer.from(name).toString('latin1');
    this.current = undefined;
    this.directorySelected = false;
    if (text === PSE || text === PPSE) {
      const wanted = this.iface === 'contact' ? PSE : PPSE;
      if (text !== wanted || this.applets.length === 0) return swOnly(0x6a82);
      this.directorySelected = true;
      return withSw(this.directoryFci(text), 0x9000);
    }
    // Book 1 12.3.1: partial name selection; P2 = 02 asks for the next occurrence.
    const hex = Buffer.from(name).toString('hex').toUpperCase();
    const matches = this.applets.filter((a) => a.data.profile.aid.startsWith(hex) && hex.length >= 10);
    const index = (p2 & 0x03) === 0x02 ? this.nextIndex(hex) : 0;
    const app = matches[index];
    if (app === undefined) return swOnly(0x6a82);
    this.lastSelected = { prefix: hex, index };
    this.current = app;
    return app.select();
  }

  private lastSelected: { prefix: string; index: number } | undefined;

  private nextIndex(prefix: string): number {
    return this.lastSelected !== undefined && this.lastSelected.prefix === prefix ? this.lastSelected.index + 1 : 0;
  }

  private entry(a: Applet): TlvInput {
    const p = a.data.profile;
    const items: TlvInput[] = [{ tag: 0x4f, value: a.data.aid }, { tag: 0x50, value: Buffer.from(p.label, 'ascii') }];
    if (p.priority !== undefined) items.push({ tag: 0x87, value: Uint8Array.of(p.priority) });
    return { tag: 0x61, children: items };
  }

  private directoryFci(name: string): Uint8Array {
    const df = { tag: 0x84, value: Buffer.from(name, 'latin1') };
    if (this.iface === 'contactless') {
      // Book B 3.3.1: the PPSE FCI lists the directory entries in BF0C.
      return encodeTlv({ tag: 0x6f, children: [df, { tag: 0xa5, children: [{ tag: 0xbf0c, children: this.applets.map((a) => this.entry(a)) }] }] });
    }
    // Book 1 12.2.3: the PSE FCI names the directory's SFI (88).
    return encodeTlv({ tag: 0x6f, children: [df, { tag: 0xa5, children: [{ tag: 0x88, value: Uint8Array.of(DIRECTORY_SFI) }, { tag: 0x5f2d, value: Buffer.from('en', 'ascii') }] }] });
  }

  /** PSE directory records (Book 1 12.2.3): one application entry (61) per record. */
  private directoryRecord(n: number): Uint8Array {
    const a = this.applets[n - 1];
    if (a === undefined) return swOnly(0x6a83);
    return withSw(encodeTlv({ tag: 0x70, children: [this.entry(a)] }), 0x9000);
  }

  private corruptedOnce = false;

  private corrupt(name: CardCommand | undefined, p1: number, p2: number, answer: Uint8Array): Uint8Array {
    const c = this.profile.faults?.corrupt;
    if (c === undefined || c.command !== name || this.corruptedOnce) return answer;
    if (name === 'READ RECORD' && c.record !== undefined && (c.record.sfi !== p2 >> 3 || c.record.record !== p1)) return answer;
    if (answer.length < 2 || answer[answer.length - 2] !== 0x90) return answer;
    this.corruptedOnce = true;
    const data = answer.subarray(0, answer.length - 2);
    switch (c.kind) {
      case 'wrong-sw':
        // A status the command never defines (ISO/IEC 7816-4: 6F00 no precise diagnosis).
        return withSw(data, 0x6f00);
      case 'bad-tlv': {
        // The outer template claims one byte more than follows.
        const bad = Uint8Array.from(data);
        if (bad.length > 1 && bad[1]! < 0x7f) bad[1]! += 1;
        return withSw(bad, 0x9000);
      }
      case 'missing-data':
        return withSw(dropFirstChild(data), 0x9000);
      case 'duplicate-tags':
        return withSw(duplicateFirstChild(data), 0x9000);
    }
  }
}

/** The response template's children as plain nodes; undefined for format 1 (80) or undecodable data. */
function children(data: Uint8Array): { tag: number; nodes: TlvInput[] } | undefined {
  try {
    const [top] = decodeTlv(data);
    if (top === undefined || top.tag === 0x80 || top.children === undefined) return undefined;
    return { tag: top.tag, nodes: top.children.map((c) => ({ tag: c.tag, value: Uint8Array.from(c.value) })) };
  } catch {
    return undefined;
  }
}

/** The template without its first data object (a mandatory one in the answers faults are set on). */
function dropFirstChild(data: Uint8Array): Uint8Array {
  const t = children(data);
  if (t === undefined) return data.subarray(0, Math.max(0, data.length - 2));
  return encodeTlv({ tag: t.tag, children: t.nodes.slice(1) });
}

/** The template with its first data object repeated (Book 3 10.2 / 6.5.8: a duplicate is an error). */
function duplicateFirstChild(data: Uint8Array): Uint8Array {
  const t = children(data);
  if (t === undefined) return data;
  return encodeTlv({ tag: t.tag, children: [t.nodes[0]!, ...t.nodes] });
}
