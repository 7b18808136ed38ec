// Every contact card of the emv/cards catalogue (TEST_CARDS) through a ContactReader and
// the full kernel (runTransaction, contact interface) to the outcome, and on to completion
// when the card asks to go online (the host approves, ARC 00).
//
// What each card must give is not written again here: test/emv/kernel/virtual-cards.test.ts
// reasons it from the EMV books per card and keeps it, with the kernel-level APDU exchange,
// in test/emv/kernel/fixtures/cards/<card>-contact-1000.apdu (the "# expect:" line and the
// ">"/"<" lines). Through a reader the kernel must see that very exchange and reach that
// outcome, whatever the reader's backend and whether the card speaks T=1 or only T=0.
import type { Test } from 'tap';
import { readFileSync } from 'node:fs';
import { TEST_CARDS } from '../../emv/cards/catalogue.js';
import { toHex } from '../../emv/bytes.js';
import { isEmvError } from '../../emv/errors.js';
import { runTransaction } from '../../emv/kernel/kernel.js';
import type { KernelOutcome, PinEntry } from '../../emv/kernel/types.js';
import type { ContactReader } from '../../hal/roles/contact.js';
import { TERMINAL, params, pinPad } from '../emv/kernel/catalogue.js';
import { checkFixture, transcriptText } from '../emv/kernel/transcript.js';

/** The catalogue cards with a contact interface. */
export const CONTACT_CARDS = TEST_CARDS.filter((c) => c.interfaces.includes('contact')).map((c) => c.name);

const AMOUNT = 1000;
const fixture = (name: string): URL => new URL(`../emv/kernel/fixtures/cards/${name}-contact-${AMOUNT}.apdu`, import.meta.url);

/** The "# expect:" JSON: the outcome (or a transport fault), and the values it names (hex). */
type Want = { outcome: KernelOutcome['outcome'] | 'transport-fault'; final?: { outcome: KernelOutcome['outcome']; tvr: string; tsi: string } } & Partial<Record<'stoppedAt' | 'tvr' | 'tsi' | 'cvm' | 'aid', string>>;

/** The expectation recorded with the card's transcript (see the note at the top). */
export function expected(name: string): Want {
  const line = readFileSync(fixture(name), 'utf8').split('\n').find((l) => l.startsWith('# expect: '));
  if (line === undefined) throw new Error(`${fixture(name).pathname}: no "# expect:" line`);
  return JSON.parse(line.slice('# expect: '.length)) as Want;
}

/** The PIN pad of virtual-cards.test.ts: the test PIN for the offline PIN cards, none at all for visa-offline (signature). */
function pinPadFor(name: string): PinEntry | undefined {
  if (name === 'visa-offline') return undefined;
  const pin = TEST_CARDS.find((c) => c.name === name)!.profile.applications[0]!.pin;
  return pinPad(pin === undefined ? [] : [pin]);
}

export interface CatalogueRun {
  /** The outcome, or after completion the final one; `transport-fault` when the kernel rejected with EMV_KERNEL_TRANSPORT. */
  outcome: KernelOutcome['outcome'] | 'transport-fault';
  first?: KernelOutcome;
  final?: KernelOutcome;
  /** The kernel's rejection, when there was one. */
  error?: unknown;
  /** The kernel's side of the exchange: "> C-APDU" and "< R-APDU" lines (a command the card never answered has no "<"). */
  kernel: string[];
}

/** Runs one transaction on the powered card in `reader` (completion with ARC 00 when the card asks to go online). */
export async function runCard(name: string, reader: ContactReader): Promise<CatalogueRun> {
  const kernel: string[] = [];
  const transceive = async (capdu: Uint8Array): Promise<Uint8Array> => {
    kernel.push(`> ${toHex(capdu)}`);
    const r = await reader.transceive(capdu, { timeoutMs: 15000 });
    kernel.push(`< ${toHex(r)}`);
    return r;
  };
  let first;
  try {
    first = await runTransaction({ interface: 'contact', params: params(AMOUNT), config: TERMINAL, deps: { transceive, pin: pinPadFor(name), chooseApplication: async (l) => l[l.length - 1] } });
  } catch (error) {
    return { outcome: 'transport-fault', error, kernel };
  }
  const final = first.complete !== undefined ? await first.complete({ kind: 'response', arc: '00' }) : undefined;
  return { outcome: (final ?? first).outcome, first, ...(final ? { final } : {}), kernel };
}

/** Asserts the run against the card's recorded expectation and kernel-level transcript. */
export function assertRun(t: Test, name: string, run: CatalogueRun): void {
  const want = expected(name);
  if (want.outcome === 'transport-fault') {
    t.ok(isEmvError(run.error, 'EMV_KERNEL_TRANSPORT'), `a reader fault ends the kernel with EMV_KERNEL_TRANSPORT (${String(run.error)})`);
    t.match((run.error as { cause?: unknown } | undefined)?.cause, { name: 'HalError', fault: 'card-removed' }, 'its cause is the role\'s card-removed');
  } else {
    t.equal(run.error, undefined, 'the kernel ends with an outcome, never a rejection');
    const r = run.first!;
    const got: Record<string, string | undefined> = { outcome: r.outcome, stoppedAt: r.stoppedAt, tvr: toHex(r.tvr), tsi: toHex(r.tsi), cvm: r.cvm && toHex(r.cvm.bytes), aid: r.aid && toHex(r.aid) };
    // The stopping step always counts (none once approved); the others where the expectation names them.
    const { final: _final, ...first } = { stoppedAt: undefined, ...want };
    t.strictSame(Object.fromEntries(Object.keys(first).map((k) => [k, got[k]])), first, 'outcome, stopping step and the TVR, TSI, CVM results, AID named');
    t.equal(r.entryMode, '05', 'entry mode 05 (chip)');
    if (want.final !== undefined) {
      t.equal(run.final?.outcome, want.final.outcome, 'outcome after the host approves');
      t.equal(run.final && toHex(run.final.tvr), want.final.tvr, 'final TVR');
      t.equal(run.final && toHex(run.final.tsi), want.final.tsi, 'final TSI');
    }
  }
  // A removed card's exchange stops at the command the card never answered, in the fixture too.
  t.equal(checkFixture(fixture(name), transcriptText([`${name} through a PC/SC reader`], run.kernel)), undefined, 'the kernel saw the exchange of the card\'s transcript');
}

/**
 * One exchange log with what differs on every run masked: the answers a card computes over
 * a number of its own choosing (INTERNAL AUTHENTICATE, GET CHALLENGE, GENERATE AC with CDA;
 * Book 2 6.5.1, 6.6.1), compared by length and status word, and the enciphered PIN block
 * built on the challenge (VERIFY P2 88, Book 2 7.1). Over T=0 such an answer comes back
 * through GET RESPONSE after 61xx, which inherits the mask.
 */
export function stable(log: readonly string[]): string[] {
  let masked = false;
  return pairs(log).map((l) => {
    const [c, r] = l.split(' > ') as [string, string];
    const ins = c.slice(2, 4);
    const getResponse = ins === 'C0' && c.slice(0, 2) === '00';
    if (!getResponse) masked = ins === '88' || ins === '84' || (ins === 'AE' && (parseInt(c.slice(4, 6), 16) & 0x10) !== 0);
    const command = ins === '20' && c.slice(6, 8) === '88' ? `${c.slice(0, 10)}[enciphered PIN block]` : c;
    const answer = masked && !r.startsWith('61') && r.length > 4 ? `[${r.length / 2 - 2} bytes]${r.slice(-4)}` : r;
    return `${command} > ${answer}`;
  });
}

/** "> C" / "< R" transcript lines as "C > R" (a command without answer as "C > -"); "C > R" lines pass. */
function pairs(log: readonly string[]): string[] {
  if (!log.some((l) => l.startsWith('> '))) return [...log];
  const out: string[] = [];
  for (const l of log) {
    if (l.startsWith('> ')) out.push(`${l.slice(2)} > -`);
    else out[out.length - 1] = out[out.length - 1]!.replace(/ > -$/, ` > ${l.slice(2)}`);
  }
  return out;
}
