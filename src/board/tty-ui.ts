/**
 * The interactive face of the sim board (`make run` in a terminal): draws what the LCD
 * model really displays (its DDRAM through the character ROM) in a box, and turns the
 * keyboard into key presses on the keypad model's matrix, so every key goes through the
 * real keypad driver and every character through the real HD44780 driver.
 */
import type { Terminal } from './terminal.js';

export interface LcdView {
  text(): string[];
}

export interface KeyMatrix {
  /** Presses and releases the key with this name (ENTER, CANCEL, "5", ...). */
  tapKey(name: string, holdMs?: number): Promise<void>;
}

export interface TtyUiOptions {
  onQuit(): void;
  /** Lines shown under the panel (the start banner). */
  status?: string;
  /** Subscribes to the key events the application received (shown as an echo). */
  onKeyEvents?(listener: (e: { key: string }) => void): () => void;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

const HELP = 'keys: 0-9  Enter=ENTER  Backspace=CLEAR  Esc=CANCEL  f=FUNC  .=00   Ctrl-C quit';

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
    default:
      return undefined;
  }
}

/** The LCD as a framed box, one string per screen line. */
export function drawBox(rows: string[], cols: number, title: string): string[] {
  const top = `┌${`─ ${title} `.padEnd(cols, '─').slice(0, cols)}┐`;
  const body = rows.map((r) => `│${r.padEnd(cols).slice(0, cols)}│`);
  return [top, ...body, `└${'─'.repeat(cols)}┘`];
}

function findModel<T>(terminal: Terminal, role: 'display' | 'keypad', probe: (m: unknown) => m is T): T | undefined {
  for (const m of Object.values(terminal.models)) if (probe(m)) return m;
  void role;
  return undefined;
}

const isLcd = (m: unknown): m is LcdView => typeof (m as LcdView)?.text === 'function';
const isMatrix = (m: unknown): m is KeyMatrix => typeof (m as KeyMatrix)?.tapKey === 'function';

export function startTtyUi(terminal: Terminal, options: TtyUiOptions): { close(): void } {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const lcd = findModel(terminal, 'display', isLcd);
  const keys = findModel(terminal, 'keypad', isMatrix);
  const cols = terminal.roles.display?.cols ?? 20;
  let last = '';
  let keyEcho = '';
  const unsubscribe = options.onKeyEvents?.((e) => (keyEcho = `${keyEcho} ${e.key}`.slice(-60)));
  const draw = (): void => {
    const rows = lcd?.text() ?? ['(no display model)'];
    const frame = [...drawBox(rows, cols, 'LCD'), '', HELP, `keys received by the terminal:${keyEcho}`, '', options.status ?? ''].join('\n');
    if (frame === last) return;
    last = frame;
    output.write(`\x1b[H\x1b[2J${frame}\n`);
  };
  output.write('\x1b[?25l');
  const timer = setInterval(draw, 50);
  draw();
  input.setRawMode?.(true);
  input.resume();
  // One finger: taps are played one after another, as typed (a burst of typed keys would
  // otherwise be two keys down at once, which the keypad driver rightly ignores).
  let fingers: Promise<void> = Promise.resolve();
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    if (text.includes('\x03') || text.includes('\x04')) {
      options.onQuit();
      return;
    }
    const pressed = text === '\x1b' ? ['\x1b'] : [...text.replace(/\x1b\[[0-9;]*[A-Za-z~]/g, '')];
    for (const ch of pressed) {
      const key = keyFor(ch);
      if (key && keys) fingers = fingers.then(() => keys.tapKey(key)).then(() => new Promise<void>((r) => setTimeout(r, 40))).catch(() => undefined);
    }
  };
  input.on('data', onData);
  return {
    close() {
      clearInterval(timer);
      unsubscribe?.();
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\x1b[?25h\n');
    },
  };
}
