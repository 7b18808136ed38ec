/**
 * The sim board's hands and senses for the control channel: key presses on the keypad
 * model's matrix, catalogue cards into the PN532 model's field, the sim contact reader or
 * through the stripe model, codes through the scanner model, paper in and out of the
 * printer model; and, the other way, what the LCD model shows, what the printer model
 * finished printing and what the buzzer model sounded. Every action goes through the far
 * end of a wire, so the terminal's real drivers do the rest.
 */
import { TEST_CARDS, createCard, simContactlessCard, type TestCard } from '../../emv/cards/catalogue.js';
import type { VirtualCard } from '../../emv/cards/card.js';
import { Hd44780Model } from '../../hal/devices/hd44780/hd44780.sim.js';
import { Pn532Model } from '../../hal/devices/pn532/pn532.sim.js';
import { MagstripeModel } from '../../hal/devices/magstripe/magstripe.sim.js';
import { CodeScannerModel } from '../../hal/devices/code-scanner/code-scanner.sim.js';
import { BuzzerModel } from '../../hal/devices/buzzer/buzzer.sim.js';
import { EscPosPrinterModel } from '../../hal/devices/escpos/escpos.sim.js';
import { renderText, type PrintedItem } from '../../hal/devices/escpos/printed.js';
import { renderPrinted } from '../receipt/render.js';
import { SimPcscContext } from '../../hal/sim/pcsc.js';
import { ControlError, type ControlEvent, type ControlVia } from '../control/protocol.js';
import type { ControlHands } from '../control/hub.js';
import { INTERFACE_OF } from './cards.js';
import { BeepNamer } from './beep-patterns.js';
import { SimKeypad } from './parts/matrix-keypad.js';
import type { Terminal } from './terminal.js';

/** EMV Book 1 8.3 basic ATR for T=1 (TB1 00, TC1 00, TD1 81, TD2 31, IFSC FE, BWI 4 CWI 5, TCK EB). */
const EMV_BASIC_ATR_T1 = Uint8Array.from(Buffer.from('3BE000008131FE45EB', 'hex'));

/** How long a finger waits for the keypad driver to report the key before letting go. */
const KEY_SEEN_MS = 5000;

const VERB: Readonly<Record<ControlVia, string>> = { tap: 'tapped', insert: 'inserted', swipe: 'swiped' };

/** A class by its prototype (some models have private constructors, made by a static factory). */
type ModelClass<T> = { prototype: T };
const isA =
  <T>(type: ModelClass<T>) =>
  (m: unknown): m is T =>
    m instanceof (type as unknown as abstract new () => unknown);

function modelOf<T>(terminal: Terminal, type: ModelClass<T>): T | undefined {
  return Object.values(terminal.models).find(isA(type));
}

function modelsOf<T>(terminal: Terminal, type: ModelClass<T>): T[] {
  return Object.values(terminal.models).filter(isA(type));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The reader names of the sim PC/SC contexts that are contact readers. */
async function contactReaders(terminal: Terminal): Promise<{ ctx: SimPcscContext; reader: string }[]> {
  const out: { ctx: SimPcscContext; reader: string }[] = [];
  for (const ctx of modelsOf(terminal, SimPcscContext)) {
    for (const r of await ctx.listReaders()) if (!/contactless/i.test(r.name)) out.push({ ctx, reader: r.name });
  }
  return out;
}

export function simHands(terminal: Terminal): ControlHands {
  const keypad = modelOf(terminal, SimKeypad);
  const nfc = modelOf(terminal, Pn532Model);
  const stripe = modelOf(terminal, MagstripeModel);
  const scanner = modelOf(terminal, CodeScannerModel);
  const printer = modelOf(terminal, EscPosPrinterModel);
  // One plastic card per catalogue entry and interface for the whole run: its ATC and PIN
  // try counter carry on from one presentation to the next, as on a real card.
  const plastic = new Map<string, VirtualCard>();
  const cardFor = (tc: TestCard, iface: 'contact' | 'contactless'): VirtualCard => {
    const key = `${tc.name}/${iface}`;
    let vc = plastic.get(key);
    if (!vc) plastic.set(key, (vc = createCard(tc, iface)));
    vc.reset();
    return vc;
  };
  let finger: Promise<void> = Promise.resolve();
  const need = <T>(device: T | undefined, what: string): T => {
    if (device === undefined) throw new ControlError('CONTROL_NO_DEVICE', `the board has no ${what}`);
    return device;
  };

  return {
    press(key) {
      const pad = need(keypad, 'sim keypad');
      const label = pad.label(key);
      if (label === undefined) return Promise.reject(new ControlError('CONTROL_UNKNOWN_KEY', `no key "${key}" on the keypad (keys: ${pad.keys.join(' ')})`));
      // One finger: presses from every client are played one after another. The key is held
      // until the keypad driver has reported it (however loaded the machine), then released.
      const job = finger.then(async () => {
        const role = terminal.roles.keypad;
        let seen = false;
        let wake: () => void = () => undefined;
        const off = role?.onKey(() => {
          seen = true;
          wake();
        });
        const pressedAt = performance.now();
        try {
          await pad.model.press(label, { bounce: 3 });
          if (role) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, KEY_SEEN_MS);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
              if (seen) wake();
            });
          } else await sleep(120);
        } finally {
          off?.();
          await pad.model.release(label, { bounce: 3 });
          // The driver debounces the release as it did the press; the next press of the same
          // key must not land while it still sees this one held. It rests (every row driven
          // low) once it has seen all keys released; where that cannot be watched, wait as long
          // as the press took to be reported.
          const until = performance.now() + KEY_SEEN_MS;
          if (pad.driverResting() === undefined) await sleep(Math.min(1000, Math.max(40, 1.5 * (performance.now() - pressedAt))));
          else while (!pad.driverResting() && performance.now() < until) await sleep(5);
        }
        if (role && !seen) throw new ControlError('CONTROL_FAILED', `the keypad driver did not report "${key}" within ${KEY_SEEN_MS} ms`);
      });
      finger = job.catch(() => undefined);
      return job;
    },

    async present(name, via) {
      const tc = TEST_CARDS.find((c) => c.name === name);
      if (!tc) throw new ControlError('CONTROL_UNKNOWN_CARD', `no card "${name}" in the catalogue (pos cards lists them)`);
      if (!tc.interfaces.includes(INTERFACE_OF[via])) {
        const can = (['tap', 'insert', 'swipe'] as const).filter((v) => tc.interfaces.includes(INTERFACE_OF[v]));
        throw new ControlError('CONTROL_UNSUPPORTED_VIA', `card "${name}" cannot be ${VERB[via]} (it can be: ${can.join(', ')})`);
      }
      switch (via) {
        case 'tap': {
          const field = need(nfc, 'contactless reader model (PN532)');
          field.removeCard();
          field.insertCard(simContactlessCard(cardFor(tc, 'contactless')));
          return;
        }
        case 'insert': {
          const slot = (await contactReaders(terminal))[0];
          if (!slot) throw new ControlError('CONTROL_UNSUPPORTED_VIA', 'the board has no sim contact reader');
          const vc = cardFor(tc, 'contact');
          slot.ctx.insert(slot.reader, { atr: EMV_BASIC_ATR_T1, transceive: (c) => vc.transceive(c), reset: () => vc.reset() });
          return;
        }
        case 'swipe':
          // ISO/IEC 7813 track 2 with its sentinels; the stripe model adds the LRC and line ending.
          await need(stripe, 'stripe reader model').swipe({ track2: `;${tc.track2}?` });
          return;
      }
    },

    async remove() {
      nfc?.removeCard();
      for (const { ctx, reader } of await contactReaders(terminal)) ctx.remove(reader);
    },

    async scan(code) {
      if (!/^[\x20-\x7e]{1,512}$/.test(code)) throw new ControlError('CONTROL_BAD_REQUEST', 'a scanned code is 1 to 512 printable ASCII characters');
      await need(scanner, 'code scanner model').scan(code);
    },

    async paper(state) {
      const p = need(printer, 'printer model');
      if (state === 'out') p.runOutAfter(0);
      else p.loadPaper();
    },
  };
}

export interface SimWatchOptions {
  /** Where receipt pictures are written (one PNG per receipt). */
  receiptDir: string;
  /** How often the printer model is looked at for a finished receipt (default 50 ms). */
  printerPollMs?: number;
}

/**
 * Watches the models and publishes `lcd`, `receipt` and `beep` events. A receipt is what
 * the printer model put on paper up to a cut; its picture is written before the event.
 */
export function watchSimBoard(terminal: Terminal, publish: (e: ControlEvent) => void, options: SimWatchOptions): { close(): void } {
  const stops: (() => void)[] = [];
  const lcd = modelOf(terminal, Hd44780Model);
  if (lcd) {
    publish({ lcd: lcd.text() });
    stops.push(lcd.onTextChange((rows) => publish({ lcd: rows })));
  }
  const buzzer = modelOf(terminal, BuzzerModel);
  if (buzzer) {
    const namer = new BeepNamer((pattern) => publish({ beep: pattern }));
    const off = buzzer.onBeep((b) => namer.beep(b.startMs, b.durationMs));
    stops.push(() => {
      off();
      namer.close();
    });
  }
  const printer = modelOf(terminal, EscPosPrinterModel);
  if (printer) {
    const columns = terminal.roles.printer?.columns ?? 32;
    const paperWidthMm = columns > 32 ? 80 : 58;
    let seen = printer.items().length;
    let start = seen;
    let count = 0;
    let chain: Promise<void> = Promise.resolve();
    const finish = async (items: PrintedItem[]): Promise<void> => {
      const name = `receipt-${String(++count).padStart(4, '0')}.png`;
      // No canvas module here, or the folder not writable: the text alone.
      const r = await renderPrinted(items, { dir: options.receiptDir, name, paperWidthMm, columns }).catch(() => ({ text: renderText(items, columns).join('\n'), png: undefined }));
      publish({ receipt: { text: r.text.replace(/\n+$/, ''), png: r.png ?? null } });
    };
    const timer = setInterval(() => {
      const items = printer.items();
      for (; seen < items.length; seen++) {
        if (items[seen]!.kind !== 'cut') continue;
        const receipt = items.slice(start, seen).filter((i) => i.kind !== 'cut');
        start = seen + 1;
        chain = chain.then(() => finish(receipt));
      }
    }, options.printerPollMs ?? 50);
    timer.unref();
    stops.push(() => clearInterval(timer));
  }
  return { close: () => stops.forEach((s) => s()) };
}
