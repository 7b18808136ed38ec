/**
 * HD44780 character LCD (any of 8..40 x 1..4 on one controller) behind a PCF8574 I2C
 * backpack, written against the I2C contract only. Facts: shared/reference/hardware.md
 * section 6; HD44780U datasheet (Hitachi ADE-207-272) and NXP PCF8574 datasheet.
 *
 * Every LCD nibble goes out as PCF8574 port values: D7..D4 with E high, then E low (the
 * controller latches on the falling edge of E, datasheet Figure 25 / bus timing p.49).
 * When RS changes, one port value with E low comes first so RS is set up before E rises
 * (tAS). One I2C write may carry many port values: the PCF8574 sets its port after each
 * byte (6.1), and one byte takes ~90 us at 100 kHz (22 us at 400 kHz), longer than the
 * 37/41 us an instruction or a data write needs, so only Clear and Home need a wait.
 */
import { HalError, isHalError } from '../../errors.js';
import { sleep } from '../../io.js';
import type { I2cDevice } from '../../i2c.js';
import type { Display } from '../../roles/display.js';
import { BACKSLASH_GLYPH, CGRAM_GLYPHS, EURO_GLYPH, romCode, TILDE_GLYPH, type GlyphRows } from './charset.js';
import { CMD, nextDdramAddress, nibbleBits, resolveHd44780Options, rowStarts, type Hd44780Config, type Hd44780Options } from './geometry.js';

export type { Hd44780Options, Hd44780Pins } from './geometry.js';
export { EURO_GLYPH } from './charset.js';

export interface Hd44780OpenOptions extends Hd44780Options {
  device: I2cDevice;
}

interface Glyph {
  ch: string;
  rows: GlyphRows;
}

/** Milliseconds the driver waits; each is above the datasheet minimum (Figure 24, Table 6). */
// Margins cover a timer that fires early against the write it follows (libuv starts it
// from the loop's cached time).
const WAIT_MS = { POWER_ON: 50, FIRST_FUNCTION_SET: 6, SECOND_FUNCTION_SET: 2, CLEAR: 4 } as const;

export class Hd44780Display implements Display {
  readonly kind = 'character' as const;
  readonly cols: number;
  readonly rows: number;
  private readonly cfg: Hd44780Config;
  private readonly starts: number[];
  /** Codes in DDRAM as the driver last wrote them (-1: unknown). */
  private shadow: number[][];
  /** What each cell shows, for text(). */
  private shown: string[][];
  private lastLines: readonly string[] = [];
  private readonly glyphs: (Glyph | null)[] = Array.from({ length: CGRAM_GLYPHS }, () => null);
  /** The DDRAM address counter when known (null after a CGRAM write). */
  private ac: number | null = null;
  private port = 0;
  private backlightOn = true;
  private closed = false;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly device: I2cDevice,
    options: Hd44780Options,
  ) {
    this.cfg = resolveHd44780Options(options);
    this.cols = this.cfg.cols;
    this.rows = this.cfg.rows;
    this.starts = rowStarts(this.cols, this.rows);
    this.shadow = this.grid(-1);
    this.shown = this.grid(' ');
  }

  /** Opens the panel: checks the backpack answers, initialises the controller, loads the glyphs. */
  static async open({ device, ...props }: Hd44780OpenOptions): Promise<Hd44780Display> {
    let lcd: Hd44780Display;
    try {
      lcd = new Hd44780Display(device, props);
    } catch (err) {
      await device.close().catch(() => undefined);
      throw err;
    }
    lcd.glyphs[0] = { ch: '€', rows: EURO_GLYPH };
    if (lcd.cfg.rom === 'A00') {
      // A00 shows 0x5C as a yen sign and 0x7E as an arrow (hardware.md risk 8).
      lcd.glyphs[1] = { ch: '\\', rows: BACKSLASH_GLYPH };
      lcd.glyphs[2] = { ch: '~', rows: TILDE_GLYPH };
    }
    try {
      await lcd.exclusive(() => lcd.initialise(true));
    } catch (err) {
      await device.close().catch(() => undefined);
      throw err;
    }
    return lcd;
  }

  show(lines: readonly string[]): Promise<void> {
    return this.exclusive(() => this.draw(lines));
  }

  text(): readonly string[] {
    return this.shown.map((row) => row.join(''));
  }

  setBacklight(on: boolean): Promise<void> {
    return this.exclusive(async () => {
      this.backlightOn = on;
      this.port = this.base(false);
      await this.send([this.port]);
    });
  }

  /**
   * Defines a 5x8 glyph in CGRAM (datasheet Table 5; hardware.md 6.6) shown wherever `ch`
   * appears. `rows` are 8 (or 7) values of 5 pixel bits. Without `slot`, reuses the slot
   * already showing `ch` or takes a free one. Returns the slot (0..7).
   */
  defineGlyph(ch: string, rows: GlyphRows, slot?: number): Promise<number> {
    return this.exclusive(async () => {
      if ([...ch].length !== 1) throw new HalError('HAL_INVALID_ARGUMENT', `hd44780: glyph "${ch}" is not one character`);
      if ((rows.length !== 7 && rows.length !== 8) || rows.some((r) => !Number.isInteger(r) || r < 0 || r > 0x1f)) {
        throw new HalError('HAL_INVALID_ARGUMENT', 'hd44780: a glyph is 7 or 8 rows of 5 bits (0..31)');
      }
      const index = slot ?? this.freeSlot(ch);
      if (!Number.isInteger(index) || index < 0 || index >= CGRAM_GLYPHS) {
        throw new HalError('HAL_INVALID_ARGUMENT', `hd44780: glyph slot ${index} is outside 0..7`);
      }
      this.glyphs.forEach((g, i) => {
        if (g?.ch === ch) this.glyphs[i] = null;
      });
      this.glyphs[index] = { ch, rows: rows.length === 8 ? rows : [...rows, 0] };
      await this.uploadGlyphs([index]);
      // Cells that showed the slot's old glyph now show the new one: redraw them.
      for (const row of this.shadow) row.forEach((code, c) => (row[c] = code === index ? -1 : code));
      await this.draw(this.lastLines);
      return index;
    });
  }

  selfTest(): Promise<void> {
    return this.exclusive(async () => {
      // The controller has been powered at least since open(): no power-on wait here.
      await this.initialise(false);
      const [read] = await this.io(() => this.device.read(1));
      // PCF8574: a read returns the pin levels; with RW low the LCD drives nothing, so the
      // port reads back what was written (NXP PCF8574 datasheet, quasi-bidirectional I/O).
      if (read !== this.port) {
        throw new HalError('HAL_DEVICE', `hd44780 at ${this.addressName()}: expander port reads 0x${hex2(read ?? 0)} after writing 0x${hex2(this.port)}`);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    await this.device.close();
  }

  private grid<T>(value: T): T[][] {
    return Array.from({ length: this.rows }, () => Array.from({ length: this.cols }, () => value));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new HalError('HAL_CLOSED', `hd44780 at ${this.addressName()}: closed`));
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private addressName(): string {
    return `0x${hex2(this.device.address)}`;
  }

  /** Maps a missing backpack onto a NACK that names the address and what to check. */
  private async io<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (isHalError(err, 'HAL_NACK')) {
        throw new HalError(
          'HAL_NACK',
          `hd44780: no PCF8574 backpack answers at ${this.addressName()} (PCF8574 uses 0x20-0x27, PCF8574A 0x38-0x3F; check wiring and the profile's address)`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  private async send(bytes: number[]): Promise<void> {
    const max = this.device.capabilities.maxTransferLength;
    for (let i = 0; i < bytes.length; i += max) {
      const chunk = Uint8Array.from(bytes.slice(i, i + max));
      await this.io(() => this.device.write(chunk));
    }
  }

  /** Port value with E low: backlight as set, RS as given, RW low (write), data bits 0. */
  private base(rs: boolean): number {
    const { pins, backlightActiveHigh } = this.cfg;
    const bl = this.backlightOn === backlightActiveHigh ? 1 << pins.backlight : 0;
    return bl | (rs ? 1 << pins.rs : 0);
  }

  /** One E pulse carrying D7..D4 (datasheet Figure 25: data latched on E falling). */
  private pulse(out: number[], nibble: number, rs: boolean): void {
    const e = 1 << this.cfg.pins.e;
    const value = this.base(rs) | nibbleBits(this.cfg.pins, nibble);
    const rsMask = 1 << this.cfg.pins.rs;
    if ((this.port & rsMask) !== (value & rsMask)) out.push(value); // RS set up before E rises (tAS)
    out.push(value | e, value);
    this.port = value;
  }

  /** A byte in 4-bit mode: high nibble first (datasheet Figure 17). */
  private byte(out: number[], value: number, rs: boolean): void {
    this.pulse(out, value >> 4, rs);
    this.pulse(out, value & 0x0f, rs);
  }

  /** HD44780U datasheet Figure 24 "4-Bit Interface" (p.46), then the display set up. */
  private async initialise(powerOnWait: boolean): Promise<void> {
    this.port = this.base(false);
    await this.send([this.port]); // the first byte proves the backpack answers
    if (powerOnWait) await sleep(WAIT_MS.POWER_ON); // > 40 ms after VCC rises to 2.7 V
    // Function set 8-bit as single pulses (DB3..DB0 are not wired): resynchronises the
    // controller from any state, including 4-bit mode with a lost nibble (6.4).
    const out: number[] = [];
    this.pulse(out, 0x3, false);
    await this.send(out.splice(0));
    await sleep(WAIT_MS.FIRST_FUNCTION_SET); // > 4.1 ms
    this.pulse(out, 0x3, false);
    await this.send(out.splice(0));
    await sleep(WAIT_MS.SECOND_FUNCTION_SET); // > 100 us
    this.pulse(out, 0x3, false);
    this.pulse(out, 0x2, false); // 4-bit interface from here on
    this.byte(out, CMD.FUNCTION_SET | (this.rows > 1 ? CMD.TWO_LINES : 0), false);
    this.byte(out, CMD.DISPLAY_CONTROL, false); // display off
    this.byte(out, CMD.CLEAR, false);
    await this.send(out.splice(0));
    await sleep(WAIT_MS.CLEAR); // clear: 1.52 ms
    this.byte(out, CMD.ENTRY_MODE | CMD.ENTRY_INCREMENT, false);
    this.byte(out, CMD.DISPLAY_CONTROL | CMD.DISPLAY_ON, false);
    await this.send(out);
    this.ac = 0;
    this.shadow = this.grid(0x20); // clear fills DDRAM with spaces
    this.shown = this.grid(' ');
    await this.uploadGlyphs(this.glyphs.map((_, i) => i));
    await this.draw(this.lastLines);
  }

  /** Writes glyphs to CGRAM at slot * 8 (datasheet Table 5; hardware.md 6.6). */
  private async uploadGlyphs(slots: number[]): Promise<void> {
    const out: number[] = [];
    for (const slot of slots) {
      const glyph = this.glyphs[slot];
      if (!glyph) continue;
      this.byte(out, CMD.SET_CGRAM | (slot << 3), false);
      for (const row of glyph.rows) this.byte(out, row, true);
      // Data keeps going to CGRAM until a DDRAM address is set (6.6).
      this.ac = null;
    }
    await this.send(out);
  }

  private freeSlot(ch: string): number {
    const same = this.glyphs.findIndex((g) => g?.ch === ch);
    if (same >= 0) return same;
    const free = this.glyphs.indexOf(null);
    if (free < 0) throw new HalError('HAL_INVALID_ARGUMENT', 'hd44780: all 8 CGRAM glyphs are in use; pass a slot to replace one');
    return free;
  }

  /** The code that shows `ch` and the character that code really shows. */
  private map(ch: string): [number, string] {
    const slot = this.glyphs.findIndex((g) => g?.ch === ch);
    if (slot >= 0) return [slot, ch];
    const code = romCode(this.cfg.rom, ch);
    if (code !== undefined) return [code, ch];
    // No surprises from a ROM that lacks the character: a plain look-alike or '?'.
    const fallback = ch === '\\' ? '/' : ch === '~' ? '-' : '?';
    return [romCode(this.cfg.rom, fallback) ?? 0x3f, fallback];
  }

  /** Writes only the cells that differ from the shadow, each run after one Set DDRAM address. */
  private async draw(lines: readonly string[]): Promise<void> {
    this.lastLines = [...lines];
    const out: number[] = [];
    const twoLines = this.rows > 1;
    for (let r = 0; r < this.rows; r++) {
      const chars = [...(lines[r] ?? '').normalize('NFC')];
      for (let c = 0; c < this.cols; c++) {
        const [code, shown] = this.map(chars[c] ?? ' ');
        this.shown[r]![c] = shown;
        if (this.shadow[r]![c] === code) continue;
        const address = this.starts[r]! + c;
        if (this.ac !== address) this.byte(out, CMD.SET_DDRAM | address, false); // Table 6
        this.byte(out, code, true);
        this.ac = nextDdramAddress(address, twoLines);
        this.shadow[r]![c] = code;
      }
    }
    if (out.length > 0) await this.send(out);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0').toUpperCase();
}
