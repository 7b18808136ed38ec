/**
 * Matrix keypad (4x4, 4x3, any rows x cols) scanned over GPIO lines, written against the
 * GPIO contract only. Facts: shared/reference/hardware.md section 9.
 *
 * Row drive, column sense: columns are inputs with pull-ups (set by the backend where
 * `capabilities.bias`, else from the board, e.g. config.txt `gpio=...=ip,pu`); rows are
 * released (input, high impedance) except the one being scanned, which is driven low; a
 * column reading low is a key at (row, col). The GPIO calls themselves take longer than
 * the few microseconds a row needs to settle (kernel `col-scan-delay-us` 2-10 us).
 *
 * Idle power: where the backend delivers edge events, an idle keypad drives every row low
 * and waits for a falling edge on any column; scanning (every `scanIntervalMs`) runs only
 * from that edge until every key has been released and stable again. Without edge events
 * it scans continuously.
 *
 * Debounce: a scan result counts once it is the same for ceil(debounceMs / scanIntervalMs)
 * consecutive scans (section 9: "the same scan result for N consecutive scans").
 *
 * Ghost keys: without diodes, three keys on the corners of a rectangle make the fourth
 * read as pressed (section 9), and two keys down cannot be told apart from the start of
 * such a pattern. Rule: a press is reported only when the debounced scan goes to exactly
 * one key down and that key was not down in the previous debounced state; while two or
 * more keys are down nothing new is reported (and keys still down after the others are
 * released are not reported late).
 */
import { HalError, isHalError } from '../../errors.js';
import type { Unsubscribe } from '../../io.js';
import { type GpioController, type GpioLine, type GpioLineRef } from '../../gpio.js';
import type { KeyEvent, KeyName, Keypad } from '../../roles/keypad.js';
import { DEFAULT_KEY_NAMES, layoutGrid, type KeypadLayout } from './layout.js';

/** The props of `generic,matrix-keypad` (binding.ts). */
export interface MatrixKeypadOptions {
  /** Row lines, top to bottom (driven). */
  rows: readonly GpioLineRef[];
  /** Column lines, left to right (sensed, pulled up). */
  cols: readonly GpioLineRef[];
  /** One entry per row: "123A" or ["1", "2", "3", "F1"]. */
  layout: KeypadLayout;
  /** Name of each one-character label (default {"*": CANCEL, "#": ENTER, A: F1, B: F2, C: CLEAR, D: FUNC}). */
  keyNames?: Readonly<Record<string, string>>;
  /** How long a scan result must hold to count, 5..100 ms (default 20). */
  debounceMs?: number;
  /** Time between scans, 1..50 ms (default 5). */
  scanIntervalMs?: number;
}

export interface MatrixKeypadOpenOptions extends MatrixKeypadOptions {
  gpio: GpioController;
}

const bad = (msg: string): HalError => new HalError('HAL_INVALID_ARGUMENT', `matrix-keypad: ${msg}`);

function inRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw bad(`${name} ${value} is outside ${min}..${max}`);
  return value;
}

export class MatrixKeypad implements Keypad {
  readonly keys: readonly KeyName[];
  private readonly names: string[][];
  private readonly needed: number;
  private readonly listeners = new Set<(event: KeyEvent) => void>();
  private readonly unwatch: Unsubscribe[] = [];
  private readonly useEdges: boolean;
  private mode: 'idle' | 'scanning' = 'scanning';
  private candidate = '';
  private count = 0;
  private stable = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private lastError: unknown;
  private closed = false;

  private constructor(
    gpio: GpioController,
    private readonly rowLines: GpioLine[],
    private readonly colLines: GpioLine[],
    names: string[][],
    private readonly scanIntervalMs: number,
    debounceMs: number,
  ) {
    this.names = names;
    this.keys = [...new Set(names.flat())];
    this.needed = Math.max(1, Math.ceil(debounceMs / scanIntervalMs));
    this.useEdges = gpio.capabilities.edgeEvents;
  }

  /** Opens the lines (rows released, columns pulled up) and starts watching for keys. */
  static async open({ gpio, ...props }: MatrixKeypadOpenOptions): Promise<MatrixKeypad> {
    const { rows, cols } = props;
    if (rows.length < 1 || cols.length < 1) throw bad('needs at least one row and one column');
    const debounceMs = inRange('debounceMs', props.debounceMs ?? 20, 5, 100);
    const scanIntervalMs = inRange('scanIntervalMs', props.scanIntervalMs ?? 5, 1, 50);
    const keyNames = { ...DEFAULT_KEY_NAMES, ...props.keyNames };
    const names = layoutGrid(props.layout, rows.length, cols.length).map((row) => row.map((label) => keyNames[label] ?? label));
    const opened: GpioLine[] = [];
    const open = async (ref: GpioLineRef, column: boolean): Promise<GpioLine> => {
      const line = await gpio.open(
        ref,
        column ? { direction: 'in', bias: gpio.capabilities.bias ? 'pull-up' : 'as-is', edge: 'falling' } : { direction: 'in', bias: 'as-is' },
      );
      opened.push(line);
      return line;
    };
    try {
      const rowLines: GpioLine[] = [];
      for (const ref of rows) rowLines.push(await open(ref, false));
      const colLines: GpioLine[] = [];
      for (const ref of cols) colLines.push(await open(ref, true));
      const keypad = new MatrixKeypad(gpio, rowLines, colLines, names, scanIntervalMs, debounceMs);
      keypad.start();
      return keypad;
    } catch (err) {
      await Promise.all(opened.map((l) => l.close().catch(() => undefined)));
      throw err;
    }
  }

  onKey(listener: (event: KeyEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  selfTest(): Promise<void> {
    return this.locked(async () => {
      if (this.lastError !== undefined) {
        const err = this.lastError;
        this.lastError = undefined;
        throw new HalError('HAL_DEVICE', `matrix-keypad: scanning failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      await this.releaseRows();
      const levels = await this.readColumns();
      if (this.mode === 'idle') await this.driveAllRows();
      const low = levels.findIndex((v) => v === 0);
      if (low >= 0) {
        throw new HalError(
          'HAL_DEVICE',
          `matrix-keypad: column ${this.colLines[low]!.name} reads low with no row driven: shorted to ground, or no pull-up (on a Pi: gpio=<pins>=ip,pu in config.txt)`,
        );
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    if (this.timer) clearTimeout(this.timer);
    for (const u of this.unwatch) u();
    await this.chain.catch(() => undefined);
    // Leave no row driving low: release them, then let go of every line.
    await this.releaseRows().catch(() => undefined);
    await Promise.all([...this.rowLines, ...this.colLines].map((l) => l.close().catch(() => undefined)));
  }

  private start(): void {
    if (this.useEdges) {
      for (const col of this.colLines) this.unwatch.push(col.watch((value) => value === 0 && this.wake()));
    }
    this.schedule(0);
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new HalError('HAL_CLOSED', 'matrix-keypad: closed'));
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.step();
    }, delayMs);
  }

  private wake(): void {
    if (this.closed || this.mode !== 'idle') return;
    this.mode = 'scanning';
    this.candidate = '';
    this.count = 0;
    this.locked(() => this.releaseRows()).then(
      () => this.schedule(0),
      (err: unknown) => this.failed(err),
    );
  }

  private failed(err: unknown): void {
    if (this.closed || isHalError(err, 'HAL_CLOSED')) return;
    this.lastError = err;
    this.mode = 'scanning';
    this.schedule(this.scanIntervalMs * 20); // keep trying, slowly; selfTest reports it
  }

  private async step(): Promise<void> {
    if (this.closed || this.mode !== 'scanning') return;
    try {
      const down = await this.locked(() => this.scan());
      if (this.closed) return;
      this.debounce(down);
      if (this.useEdges && this.stable.size === 0 && this.candidate === '' && this.count >= this.needed) {
        await this.locked(() => this.enterIdle());
        return;
      }
      this.schedule(this.scanIntervalMs);
    } catch (err) {
      this.failed(err);
    }
  }

  /** One pass over the rows; returns the indices (row * cols + col) of keys down. */
  private async scan(): Promise<number[]> {
    const down: number[] = [];
    for (let r = 0; r < this.rowLines.length; r++) {
      const row = this.rowLines[r]!;
      await row.setDirection('out', 0);
      try {
        const levels = await this.readColumns();
        levels.forEach((v, c) => v === 0 && down.push(r * this.colLines.length + c));
      } finally {
        await row.setDirection('in');
      }
    }
    return down;
  }

  private debounce(down: number[]): void {
    const key = down.join(',');
    if (key === this.candidate) this.count++;
    else {
      this.candidate = key;
      this.count = 1;
    }
    if (this.count !== this.needed) return;
    const previous = this.stable;
    this.stable = new Set(down);
    const [only] = down;
    if (down.length === 1 && only !== undefined && !previous.has(only)) {
      const cols = this.colLines.length;
      this.emit({ key: this.names[Math.floor(only / cols)]![only % cols]!, at: performance.now() });
    }
  }

  private emit(event: KeyEvent): void {
    for (const l of [...this.listeners]) {
      if (this.closed) return;
      l(event);
    }
  }

  private async enterIdle(): Promise<void> {
    this.mode = 'idle';
    await this.driveAllRows();
    // A key pressed between the last scan and now: the watch may have missed its edge.
    if ((await this.readColumns()).some((v) => v === 0)) this.wake();
  }

  private async driveAllRows(): Promise<void> {
    for (const row of this.rowLines) await row.setDirection('out', 0);
  }

  private async releaseRows(): Promise<void> {
    for (const row of this.rowLines) if (row.direction === 'out') await row.setDirection('in');
  }

  private readColumns(): Promise<(0 | 1)[]> {
    return Promise.all(this.colLines.map((c) => c.read()));
  }

}
