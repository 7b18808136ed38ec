/**
 * The interactive face of the sim board (`make run` in a terminal), a client of the control
 * channel like any script or test: the keyboard becomes `press` requests, a card menu
 * presents catalogue cards (tap, insert, swipe) and removes them, and the screen shows the
 * `lcd` events in a box, the last `receipt` in a pane beside it and the last `beep`.
 */
import type { ControlLink } from '../control/hub.js';
import type { ControlMessage, ControlVia } from '../control/protocol.js';
import type { CatalogueCard } from './cards.js';
import { keysToType } from '../app/entry.js';

export interface TtyUiOptions {
  link: ControlLink;
  /** The card menu's entries (the virtual-card catalogue). */
  cards: readonly CatalogueCard[];
  /** LCD columns and rows (the display role's geometry). */
  cols: number;
  rows: number;
  onQuit(): void;
  /** Lines shown under the panel (the start banner). */
  status?: string;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

const HELP = [
  'keys: 0-9  Enter=ENTER  Backspace=CLEAR  Esc=CANCEL  f=FUNC  .=00  Tab=F1 (ALPHA)',
  '/ type text (letters become digit + ALPHA presses; Enter ends)',
  'c card menu   r remove card   p paper out/in   Ctrl-C quit',
];

/** The keypad's ALPHA key on the sim board (F1): a digit key then ALPHA n times gives a letter (src/app/entry.ts). */
const ALPHA_KEY = 'F1';

/** Maps a keypress (raw terminal bytes) to a key name, or undefined. */
export function keyFor(data: string): string | undefined {
  if (/^[0-9]$/.test(data)) return data;
  switch (data) {
    case '\r':
    case '\n':
      return 'ENTER';
    case '\x7f':
    case '\b':
      return 'CLEAR';
    case '\x1b':
      return 'CANCEL';
    case 'f':
    case 'F':
      return 'FUNC';
    case '.':
      return '00';
    case '\t':
      return ALPHA_KEY;
    default:
      return undefined;
  }
}

/** A framed box, one string per line, `cols` wide inside. */
export function drawBox(rows: readonly string[], cols: number, title: string): string[] {
  const top = `┌${`─ ${title} `.padEnd(cols, '─').slice(0, cols)}┐`;
  const body = rows.map((r) => `│${r.padEnd(cols).slice(0, cols)}│`);
  return [top, ...body, `└${'─'.repeat(cols)}┘`];
}

/** Two columns side by side (the left one padded to `width`). */
export function sideBySide(left: readonly string[], right: readonly string[], width: number): string[] {
  const n = Math.max(left.length, right.length);
  return Array.from({ length: n }, (_, i) => `${[...(left[i] ?? '')].length < width ? (left[i] ?? '').padEnd(width) : (left[i] ?? '')}  ${right[i] ?? ''}`.trimEnd());
}

const MENU_LETTERS = 'abcdeghijklmnoqstuvwxyz'; // not f, p, r: those keep their meaning
const VIA_KEYS: Readonly<Record<string, ControlVia>> = { t: 'tap', i: 'insert', s: 'swipe' };
const RECEIPT_ROWS = 36;

type Mode = { kind: 'keys' } | { kind: 'text' } | { kind: 'cards' } | { kind: 'via'; card: CatalogueCard };

/** What a typed character asks of the channel. */
export type TypedAction = { press: string } | { present: { card: string; via: ControlVia } } | { remove: true } | { paper: 'out' | 'in' };

/** The state of the screen, kept apart from the terminal I/O so it can be tested. */
export class TtyUiModel {
  lcd: string[];
  receipt: string[] = [];
  beep = '';
  message = '';
  mode: Mode = { kind: 'keys' };
  paperOut = false;

  constructor(private readonly options: Pick<TtyUiOptions, 'cards' | 'cols' | 'rows' | 'status'>) {
    this.lcd = Array.from({ length: options.rows }, () => '');
  }

  /** Applies a message from the channel. */
  receive(m: ControlMessage): void {
    if ('lcd' in m) this.lcd = [...m.lcd];
    else if ('receipt' in m) this.receipt = m.receipt.text.split('\n');
    else if ('beep' in m) this.beep = `${m.beep} at ${new Date().toTimeString().slice(0, 8)}`;
    else if ('error' in m) this.message = `! ${m.error.message}`;
  }

  /** What one typed character asks for: a control request, a quit, or nothing (menu moves). */
  type(ch: string): TypedAction | TypedAction[] | 'quit' | undefined {
    if (ch === '\x03' || ch === '\x04') return 'quit';
    const mode = this.mode;
    if (mode.kind === 'text') {
      // Operator IDs and passwords have letters: each becomes its digit key and ALPHA presses.
      if (ch === '\r' || ch === '\n' || ch === '\x1b') {
        this.mode = { kind: 'keys' };
        this.message = '';
        return ch === '\x1b' ? undefined : { press: 'ENTER' };
      }
      if (ch === '\x7f' || ch === '\b') return { press: 'CLEAR' };
      const keys = keysToType(ch, ALPHA_KEY);
      if (!keys) {
        this.message = `"${ch}" cannot be typed on the keypad`;
        return undefined;
      }
      return keys.map((press) => ({ press }));
    }
    if (ch === '/') {
      this.mode = { kind: 'text' };
      this.message = 'typing text: Enter ends (and presses ENTER), Esc ends';
      return undefined;
    }
    if (mode.kind === 'cards') {
      const i = MENU_LETTERS.indexOf(ch);
      const card = i >= 0 ? this.options.cards[i] : undefined;
      this.mode = card ? { kind: 'via', card } : { kind: 'keys' };
      return undefined;
    }
    if (mode.kind === 'via') {
      const via = VIA_KEYS[ch];
      this.mode = { kind: 'keys' };
      if (!via) return undefined;
      this.message = `${mode.card.name}: ${via}`;
      return { present: { card: mode.card.name, via } };
    }
    if (ch === 'c' || ch === 'C') {
      this.mode = { kind: 'cards' };
      return undefined;
    }
    if (ch === 'r' || ch === 'R') {
      this.message = 'card removed';
      return { remove: true };
    }
    if (ch === 'p' || ch === 'P') {
      this.paperOut = !this.paperOut;
      this.message = this.paperOut ? 'printer: paper out' : 'printer: paper loaded';
      return { paper: this.paperOut ? 'out' : 'in' };
    }
    const key = keyFor(ch);
    return key ? { press: key } : undefined;
  }

  /** The whole screen as lines. */
  frame(): string[] {
    const { cols } = this.options;
    const left = [...drawBox(this.lcd, cols, 'LCD'), '', `buzzer: ${this.beep || '-'}`, this.message, '', ...HELP, ''];
    const mode = this.mode;
    if (mode.kind === 'cards') {
      left.push('choose a card (any other key: back):');
      this.options.cards.forEach((c, i) => left.push(`  ${MENU_LETTERS[i] ?? ' '}  ${c.name.padEnd(24)} ${c.vias.join('/')}`));
    } else if (mode.kind === 'via') {
      left.push(`${mode.card.name}: ${mode.card.description}`.slice(0, 78));
      left.push(`  ${mode.card.vias.map((v) => `${v[0]} ${v}`).join('   ')}   (any other key: back)`);
    }
    const shown = this.receipt.slice(0, RECEIPT_ROWS);
    if (this.receipt.length > RECEIPT_ROWS) shown.push(`... ${this.receipt.length - RECEIPT_ROWS} more lines`);
    const right = this.receipt.length ? drawBox(shown, 34, 'last receipt') : drawBox(['(nothing printed yet)'], 34, 'last receipt');
    const width = Math.max(cols + 2, ...left.map((l) => [...l].length));
    return [...sideBySide(left, right, Math.min(width, 80)), '', ...(this.options.status ?? '').split('\n')];
  }
}

export function startTtyUi(options: TtyUiOptions): { close(): void } {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const model = new TtyUiModel(options);
  let last = '';
  let scheduled = false;
  const draw = (): void => {
    scheduled = false;
    const frame = model.frame().join('\n');
    if (frame === last) return;
    last = frame;
    output.write(`\x1b[H\x1b[2J${frame}\n`);
  };
  const redraw = (): void => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(draw, 30);
  };
  const offMessages = options.link.onMessage((m) => {
    model.receive(m);
    redraw();
  });
  output.write('\x1b[?25l');
  draw();
  input.setRawMode?.(true);
  input.resume();
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    const typed = text === '\x1b' ? ['\x1b'] : [...text.replace(/\x1b\[[0-9;]*[A-Za-z~]/g, '')];
    for (const ch of typed) {
      const action = model.type(ch);
      if (action === 'quit') {
        options.onQuit();
        return;
      }
      // Requests queue on the channel in the order typed (one finger on the keypad).
      for (const a of Array.isArray(action) ? action : action ? [action] : []) void options.link.request(a);
    }
    redraw();
  };
  input.on('data', onData);
  return {
    close() {
      offMessages();
      options.link.close();
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\x1b[?25h\n');
    },
  };
}
