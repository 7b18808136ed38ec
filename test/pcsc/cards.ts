// A small scripted contact card for the PC/SC tests: one Visa application behind the PSE
// (EMV Book 1 12.2: PSE FCI with the directory SFI in 88, directory records of 61
// entries; Book 3 6.5: SELECT, GPO format 1, READ RECORD by AFL, GET DATA). It answers
// whole responses (as over T=1); t0OnlyCard turns it into a T=0 card.
import { encodeTlv, type TlvInput } from '../../emv/ber/tlv.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import type { VirtualContactCard } from '../../hal/pcsc.js';
import type { VpcdCardRecipe } from '../../hal/sim/vpcd.js';
import { t0OnlyCard } from '../../hal/sim/pcsc.js';

/** EMV Book 1 8.3 basic ATRs: T=1 (TCK EB by hand) and T=0. */
export const ATR_T1 = fromHex('3BE000008131FE45EB');
export const ATR_T0 = fromHex('3B6500009C11010103');

export const AID = 'A0000000031010';
export const PAN = '4761739001010010';

const p = (tag: number, hex: string): TlvInput => ({ tag, value: fromHex(hex) });
const c = (tag: number, ...children: TlvInput[]): TlvInput => ({ tag, children });
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const ok = (tlv: TlvInput): string => toHex(encodeTlv(tlv)) + '9000';

/** C-APDU -> R-APDU, hex. */
const SCRIPT: Readonly<Record<string, string>> = {
  // SELECT 1PAY.SYS.DDF01 (Book 1 11.3.2): FCI 6F { 84 DF name, A5 { 88 SFI 01, 5F2D "en" } }
  ['00A404000E' + ascii('1PAY.SYS.DDF01').toUpperCase() + '00']: ok(c(0x6f, p(0x84, ascii('1PAY.SYS.DDF01')), c(0xa5, p(0x88, '01'), p(0x5f2d, ascii('en'))))),
  // READ RECORD SFI 1 record 1 (P2 = 1 << 3 | 4 = 0C): one directory entry
  '00B2010C00': ok(c(0x70, c(0x61, p(0x4f, AID), p(0x50, ascii('VISA CREDIT')), p(0x87, '01')))),
  // record 2: none (6A83, Book 1 12.3.2 step 4: end of the directory)
  '00B2020C00': '6A83',
  ['00A4040007' + AID + '00']: ok(c(0x6f, p(0x84, AID), c(0xa5, p(0x50, ascii('VISA CREDIT')), p(0x87, '01')))),
  // GPO format 1 (Book 3 6.5.8.4): AIP 1800, AFL SFI 2 record 1..1
  '80A8000002830000': ok(p(0x80, '180010010100')),
  // READ RECORD SFI 2 record 1 (P2 = 2 << 3 | 4 = 14)
  '00B2011400': ok(c(0x70, p(0x5a, PAN), p(0x5f24, '301231'))),
  // GET DATA ATC (9F36)
  '80CA9F3600': ok(p(0x9f36, '0007')),
};

export interface ScriptedCard extends VirtualContactCard {
  /** Every command the card got and its answer, uppercase hex ("C-APDU > R-APDU"). */
  readonly log: string[];
  resets: number;
}

/**
 * The scripted card. `stopAt` = a command prefix (hex) at which the card stops answering
 * (pulled out mid-exchange); `onCommand` lets a test act when a command arrives.
 */
export function scriptedCard(options: { atr?: Uint8Array; stopAt?: string; onCommand?: (capdu: string) => Promise<void> | void } = {}): ScriptedCard {
  const card: ScriptedCard = {
    atr: options.atr ?? ATR_T1,
    log: [],
    resets: 0,
    reset() {
      card.resets++;
    },
    async transceive(capdu) {
      const cmd = toHex(capdu);
      await options.onCommand?.(cmd);
      if (options.stopAt !== undefined && cmd.startsWith(options.stopAt)) throw new Error(`card pulled out at ${cmd}`);
      // A case 2 command's Le only bounds the answer (ISO/IEC 7816-4 5.1): the re-send with Le = xx gets the same data.
      const answer = SCRIPT[cmd] ?? (capdu.length === 5 ? SCRIPT[cmd.slice(0, 8) + '00'] : undefined) ?? '6D00';
      card.log.push(`${cmd} > ${answer}`);
      return fromHex(answer);
    },
  };
  return card;
}

/** Records what a wrapped card saw (for cards not built here, e.g. a t0OnlyCard). */
export function recorded(inner: VirtualContactCard): VirtualContactCard & { log: string[] } {
  const log: string[] = [];
  return {
    atr: inner.atr,
    log,
    reset: () => inner.reset?.(),
    async transceive(capdu) {
      const answer = await inner.transceive(capdu);
      log.push(`${toHex(capdu)} > ${toHex(answer)}`);
      return answer;
    },
  };
}

/** The scripted card answering only with T=0's case 2/4 procedures, behind the T=0 basic ATR. */
export function t0ScriptedCard(): VirtualContactCard {
  return t0OnlyCard(scriptedCard(), ATR_T0);
}

// Recipes: how a rig (in-process, or the vpcd card server's thread) builds each card.
const HERE = new URL('./cards.js', import.meta.url).href;
const CATALOGUE = new URL('../../hal/sim/contact-card.js', import.meta.url).href;

export const recipes = {
  scripted: (options: { atr?: Uint8Array; stopAt?: string } = {}): VpcdCardRecipe => ({ module: HERE, factory: 'scriptedCard', args: [options] }),
  t0: (): VpcdCardRecipe => ({ module: HERE, factory: 't0ScriptedCard' }),
  catalogue: (name: string, protocol: 'T=0' | 'T=1'): VpcdCardRecipe => ({ module: CATALOGUE, factory: 'catalogueContactCard', args: [name, protocol] }),
};
