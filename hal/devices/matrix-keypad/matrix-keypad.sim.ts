/**
 * Model of a diode-less key matrix on sim GPIO lines. Each key is a contact between its
 * row and its column wire; the model resolves the wires as a circuit: a line is pulled
 * low when a chain of closed contacts connects it to a line the driver drives low
 * (otherwise the line's bias decides). So two keys in one row with a third key below one
 * of them really make the ghost fourth key read as pressed (hardware.md section 9).
 *
 * Tests press and release keys by label, optionally with contact bounce: a number of
 * open/close toggles about a millisecond apart before the contact settles.
 */
import type { GpioLineRef } from '../../gpio.js';
import { HalError } from '../../errors.js';
import { layoutGrid, type KeypadLayout } from './layout.js';

/** The model side of one GPIO line, as sim controllers give it (hal/sim/gpio.ts SimPin). */
export interface MatrixPin {
  readonly level: 0 | 1;
  readonly drivenByHost: boolean;
  drive(source: 0 | 1 | null | (() => 0 | 1 | null)): void;
}

/** Where the model finds its lines: a sim GPIO controller (`SimGpioController`). */
export interface MatrixPinSource {
  pin(ref: GpioLineRef): MatrixPin;
}

export interface MatrixKeypadModelOptions {
  rows: readonly GpioLineRef[];
  cols: readonly GpioLineRef[];
  layout: KeypadLayout;
}

export interface ContactOptions {
  /** Open/close toggles before the contact settles, about 1 ms apart (default 0). */
  bounce?: number;
}

const ms = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));

export class MatrixKeypadModel {
  private readonly rowPins: MatrixPin[];
  private readonly colPins: MatrixPin[];
  private readonly positions = new Map<string, [number, number]>();
  /** Closed contacts as row * cols + col. */
  private readonly closed = new Set<number>();

  constructor(gpio: MatrixPinSource, options: MatrixKeypadModelOptions) {
    this.rowPins = options.rows.map((r) => gpio.pin(r));
    this.colPins = options.cols.map((c) => gpio.pin(c));
    layoutGrid(options.layout, this.rowPins.length, this.colPins.length).forEach((row, r) =>
      row.forEach((label, c) => {
        if (!this.positions.has(label)) this.positions.set(label, [r, c]);
      }),
    );
    this.rowPins.forEach((pin, r) => pin.drive(() => this.resolve(r)));
    this.colPins.forEach((pin, c) => pin.drive(() => this.resolve(this.rowPins.length + c)));
  }

  /** Every label of the layout. */
  get labels(): string[] {
    return [...this.positions.keys()];
  }

  isDown(label: string): boolean {
    return this.closed.has(this.index(label));
  }

  /** Closes a key's contact (after `bounce` toggles); resolves once it has settled. */
  press(label: string, options: ContactOptions = {}): Promise<void> {
    return this.contact(label, true, options.bounce ?? 0);
  }

  /** Opens a key's contact (after `bounce` toggles); resolves once it has settled. */
  release(label: string, options: ContactOptions = {}): Promise<void> {
    return this.contact(label, false, options.bounce ?? 0);
  }

  /** Press, hold for `holdMs`, release. */
  async tap(label: string, holdMs: number, options: ContactOptions = {}): Promise<void> {
    await this.press(label, options);
    await ms(holdMs);
    await this.release(label, options);
  }

  /** Releases every key and stops driving the lines (keypad unplugged). */
  detach(): void {
    this.closed.clear();
    for (const pin of [...this.rowPins, ...this.colPins]) pin.drive(null);
  }

  private index(label: string): number {
    const pos = this.positions.get(label);
    if (!pos) throw new HalError('HAL_INVALID_ARGUMENT', `matrix model: no key labelled "${label}"`);
    return pos[0] * this.colPins.length + pos[1];
  }

  private async contact(label: string, close: boolean, bounce: number): Promise<void> {
    const i = this.index(label);
    for (let n = 0; n < bounce; n++) {
      this.set(i, n % 2 === 0 ? close : !close);
      await ms(1);
    }
    this.set(i, close);
  }

  private set(i: number, close: boolean): void {
    if (close) this.closed.add(i);
    else this.closed.delete(i);
    this.rowPins[0]?.drive(() => this.resolve(0)); // re-resolve every wire
  }

  /** Node n (rows first, then columns): 0 when closed contacts join it to a line driven low. */
  private resolve(node: number): 0 | null {
    const rows = this.rowPins.length;
    const cols = this.colPins.length;
    const pinOf = (n: number): MatrixPin => (n < rows ? this.rowPins[n]! : this.colPins[n - rows]!);
    const seen = new Set([node]);
    const queue = [node];
    while (queue.length > 0) {
      const n = queue.shift()!;
      const pin = pinOf(n);
      if (n !== node && pin.drivenByHost && pin.level === 0) return 0;
      const neighbours =
        n < rows
          ? Array.from({ length: cols }, (_, c) => (this.closed.has(n * cols + c) ? rows + c : -1))
          : Array.from({ length: rows }, (_, r) => (this.closed.has(r * cols + (n - rows)) ? r : -1));
      for (const m of neighbours) {
        if (m >= 0 && !seen.has(m)) {
          seen.add(m);
          queue.push(m);
        }
      }
    }
    return null;
  }
}
