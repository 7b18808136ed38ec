/**
 * Chip model of a PCF8574 backpack wired to an HD44780 controller, attached to a sim I2C
 * bus (`bus.attach(0x27, model)`). It is the far end of the wire: it sees only the port
 * values the driver writes and decodes them as the silicon would (hardware.md 6.1-6.7):
 *
 * - PCF8574: every byte of a write sets the 8-bit port in turn; a read returns the pin
 *   levels (a pin written 1 is a weak pull-up the LCD may pull low when it drives D7..D4).
 * - HD44780: RS/RW are sampled when E rises, D7..D4 latched when E falls (never by
 *   matching byte patterns). Power-on is 8-bit mode with DB3..DB0 pulled up, so a nibble
 *   executes as `nibble << 4 | 0xF`; function set with DL=0 switches to 4-bit, where
 *   nibbles pair high-then-low.
 * - Time: the model keeps its own clock, wall time plus the bus time of the bytes already
 *   sent (9 clocks per byte at `busHz`), and checks the datasheet's waits.
 *
 * Protocol mistakes are recorded in `violations` and reported to `onViolation` listeners.
 */
import { HalError } from '../../errors.js';
import type { Unsubscribe } from '../../io.js';
import { EURO_GLYPH, ROM_TABLES, type GlyphRows } from './charset.js';
import { CMD, EXEC_US, portNibble, resolveHd44780Options, rowStarts, type Hd44780Config, type Hd44780Options } from './geometry.js';

export type Hd44780ViolationKind =
  /** A data write before the initialisation sequence finished (Figure 24). */
  | 'data-before-init'
  /** RS changed between the two nibbles of a 4-bit transfer: the nibbles are out of step. */
  | 'nibble-sync'
  /** An E pulse while the controller was still executing (Table 6 execution times). */
  | 'busy'
  /** The first instruction came sooner than 40 ms after power-on (Figure 24). */
  | 'power-on-wait'
  /** The 4.1 ms / 100 us waits between the init function sets were cut short (Figure 24). */
  | 'init-timing'
  /** RW high while the expander drove a data line low: both sides drive the bus. */
  | 'rw-contention'
  /** A DDRAM address outside the lines that exist. */
  | 'address-range';

export interface Hd44780Violation {
  kind: Hd44780ViolationKind;
  message: string;
  /** Model time in microseconds since power-on. */
  atUs: number;
}

/** One operation the controller executed (in order), for tests that read the sequence. */
export interface Hd44780Op {
  rs: 0 | 1;
  rw: 0 | 1;
  /** The 8-bit value executed (in 8-bit mode with DB3..DB0 pulled up: nibble << 4 | 0xF). */
  value: number;
  /** The interface width when it executed. */
  bits: 4 | 8;
  atUs: number;
}

export interface Hd44780ModelOptions extends Hd44780Options {
  /** I2C clock used to time bytes (default 100 kHz, the Pi's default; hardware.md 6.1). */
  busHz?: number;
  /** Glyph patterns shown as a character by text() (default: the euro sign). */
  knownGlyphs?: ReadonlyArray<{ ch: string; rows: GlyphRows }>;
  /** What text() shows for any other CGRAM glyph (default "□"). */
  glyphPlaceholder?: string;
  /** Clock in microseconds (default: performance.now). */
  nowUs?: () => number;
}

const SETTLE_US = { INIT_FIRST: 4100, INIT_SECOND: 100, POWER_ON: 40_000 } as const;

export class Hd44780Model {
  readonly config: Hd44780Config;
  readonly violations: Hd44780Violation[] = [];
  /** Every operation executed since power-on. */
  readonly ops: Hd44780Op[] = [];
  /** Number of data writes into DDRAM since power-on (cells written). */
  ddramWrites = 0;
  readonly ddram = new Uint8Array(80);
  readonly cgram = new Uint8Array(64);

  private readonly busHz: number;
  private readonly knownGlyphs: ReadonlyArray<{ ch: string; rows: GlyphRows }>;
  private readonly placeholder: string;
  private readonly now: () => number;
  private readonly listeners = new Set<(v: Hd44780Violation) => void>();
  private readonly textListeners = new Set<(rows: string[]) => void>();
  private lastText = '';
  private present = true;
  private busOffsetUs = 0;

  // PCF8574 and controller state (reset by powerCycle).
  private port = 0xff;
  private latchedRs: 0 | 1 = 0;
  private latchedRw: 0 | 1 = 0;
  private powerOnUs = 0;
  private fourBit = false;
  private pending: { nibble: number; rs: 0 | 1; rw: 0 | 1 } | null = null;
  private twoLines = false;
  private ac = 0;
  private acCgram = false;
  private increment = true;
  private shiftOnWrite = false;
  private displayShift = 0;
  private displayOn = false;
  private cursorOn = false;
  private blinkOn = false;
  private busyUntilUs = 0;
  /** Figure 24 progress: 0 = waiting for the first 0x3 ... 4 = in 4-bit, waiting for function set; 5 = done. */
  private initStep = 0;
  private initStepAtUs = 0;
  private everInitialised = false;

  constructor(options: Hd44780ModelOptions = {}) {
    this.config = resolveHd44780Options(options);
    this.busHz = options.busHz ?? 100_000;
    this.knownGlyphs = options.knownGlyphs ?? [{ ch: '€', rows: EURO_GLYPH }];
    this.placeholder = options.glyphPlaceholder ?? '□';
    this.now = options.nowUs ?? (() => performance.now() * 1000);
    this.powerCycle();
  }

  // --- fault hooks -------------------------------------------------------------------

  /** Unplugs (false) or plugs back (true) the backpack: while unplugged it NACKs. */
  setPresent(present: boolean): void {
    this.present = present;
  }

  /** Power cycle: the controller forgets its initialisation, DDRAM and CGRAM. */
  powerCycle(): void {
    this.port = 0xff; // PCF8574 pins are high after power-on: E, RS and RW too
    this.latchedRs = 1;
    this.latchedRw = 1;
    this.powerOnUs = this.clock();
    // Internal reset state (datasheet "Initializing by Internal Reset Circuit", p.23).
    this.fourBit = false;
    this.pending = null;
    this.twoLines = false;
    this.ac = 0;
    this.acCgram = false;
    this.increment = true;
    this.shiftOnWrite = false;
    this.displayShift = 0;
    this.displayOn = false;
    this.cursorOn = false;
    this.blinkOn = false;
    this.busyUntilUs = 0;
    this.initStep = 0;
    this.initStepAtUs = 0;
    this.everInitialised = false;
    this.ddram.fill(0x20);
    this.cgram.fill(0);
    this.ops.length = 0;
    this.ddramWrites = 0;
    this.textMayHaveChanged();
  }

  onViolation(listener: (v: Hd44780Violation) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Called after a bus write (or a power cycle) that changed what a person reads on the
   * panel, with the new rows (as text()). One I2C write carries a whole screen update from
   * the driver, so a listener sees whole screens rather than single characters.
   */
  onTextChange(listener: (rows: string[]) => void): Unsubscribe {
    if (this.textListeners.size === 0) this.lastText = this.text().join('\n');
    this.textListeners.add(listener);
    return () => void this.textListeners.delete(listener);
  }

  private textMayHaveChanged(): void {
    if (this.textListeners.size === 0) return;
    const rows = this.text();
    const joined = rows.join('\n');
    if (joined === this.lastText) return;
    this.lastText = joined;
    for (const l of [...this.textListeners]) l([...rows]);
  }

  // --- what a person sees ------------------------------------------------------------

  get backlight(): boolean {
    return (((this.port >> this.config.pins.backlight) & 1) === 1) === this.config.backlightActiveHigh;
  }

  get initialised(): boolean {
    return this.initStep === 5;
  }

  get state(): { fourBit: boolean; twoLines: boolean; displayOn: boolean; cursorOn: boolean; blinkOn: boolean; increment: boolean; shiftOnWrite: boolean; ac: number; acCgram: boolean } {
    const { fourBit, twoLines, displayOn, cursorOn, blinkOn, increment, shiftOnWrite, ac, acCgram } = this;
    return { fourBit, twoLines, displayOn, cursorOn, blinkOn, increment, shiftOnWrite, ac, acCgram };
  }

  /** The DDRAM byte at an address (0x00-0x27 / 0x40-0x67 with 2 lines, 0x00-0x4F with 1). */
  ddramAt(address: number): number | undefined {
    const i = this.ddramIndex(address);
    return i === undefined ? undefined : this.ddram[i];
  }

  /** The CGRAM rows of glyph `slot` (8 bytes, 5 pixel bits each). */
  glyph(slot: number): number[] {
    return [...this.cgram.subarray(slot * 8, slot * 8 + 8)].map((b) => b & 0x1f);
  }

  /** The visible rows decoded through the ROM (blank while the display is off). */
  text(): string[] {
    const { cols, rows } = this.config;
    const starts = rowStarts(cols, rows);
    return starts.map((start) => {
      let line = '';
      for (let c = 0; c < cols; c++) {
        if (!this.displayOn) {
          line += ' ';
          continue;
        }
        // Display shift moves each line's window over its 40 (or 80) cells (datasheet p.11).
        const lineBase = start >= 0x40 ? 0x40 : 0;
        const width = this.twoLines ? 40 : 80;
        const offset = (start - lineBase + c + this.displayShift + width * 2) % width;
        line += this.decode(this.ddramAt(lineBase + offset) ?? 0x20);
      }
      return line;
    });
  }

  private decode(code: number): string {
    if (code < 0x10) {
      const rows = this.glyph(code & 7);
      const known = this.knownGlyphs.find((g) => g.rows.length === 8 && g.rows.every((r, i) => r === rows[i]));
      return known?.ch ?? this.placeholder;
    }
    return ROM_TABLES[this.config.rom][code] ?? ' ';
  }

  // --- I2C target --------------------------------------------------------------------

  i2cWrite(data: Uint8Array): void {
    if (!this.present) throw new HalError('HAL_NACK', 'pcf8574: not present');
    const byteUs = 9e6 / this.busHz;
    const start = this.clock();
    data.forEach((byte, i) => this.setPort(byte, start + (i + 2) * byteUs)); // +1 byte: the address
    this.busOffsetUs += (data.length + 1) * byteUs;
    this.textMayHaveChanged();
  }

  i2cRead(length: number): Uint8Array {
    if (!this.present) throw new HalError('HAL_NACK', 'pcf8574: not present');
    this.busOffsetUs += (length + 1) * (9e6 / this.busHz);
    return new Uint8Array(length).fill(this.pins());
  }

  /** Pin levels: the port, with D7..D4 pulled low where the LCD drives a 0 (RW high, E high). */
  private pins(): number {
    const { pins } = this.config;
    if (!(this.bit(pins.rw) && this.bit(pins.e))) return this.port;
    const out = this.readValue();
    const nibble = this.pending === null || !this.fourBit ? out >> 4 : out & 0x0f;
    let level = this.port;
    [pins.d4, pins.d5, pins.d6, pins.d7].forEach((p, i) => {
      if (!((nibble >> i) & 1)) level &= ~(1 << p);
    });
    return level;
  }

  private readValue(): number {
    if (this.latchedRs === 0) return (this.busyUntilUs > this.clock() ? 0x80 : 0) | (this.ac & 0x7f);
    return this.acCgram ? (this.cgram[this.ac & 0x3f] ?? 0) : (this.ddramAt(this.ac) ?? 0);
  }

  private clock(): number {
    return this.now() + this.busOffsetUs;
  }

  private bit(p: number, port = this.port): number {
    return (port >> p) & 1;
  }

  private setPort(value: number, atUs: number): void {
    const { pins } = this.config;
    const before = this.port;
    this.port = value & 0xff;
    const eBefore = this.bit(pins.e, before);
    const eAfter = this.bit(pins.e);
    if (!eBefore && eAfter) {
      // RS and RW are sampled on the rising edge (bus timing, tAS).
      this.latchedRs = this.bit(pins.rs) as 0 | 1;
      this.latchedRw = this.bit(pins.rw) as 0 | 1;
    }
    if (eAfter && this.latchedRw === 1) {
      const driven = [pins.d4, pins.d5, pins.d6, pins.d7].some((p) => !this.bit(p));
      if (driven) this.violate('rw-contention', `RW is high (LCD drives D7..D4) while the expander drives a data line low (port 0x${hex2(this.port)})`, atUs);
    }
    // Data is latched on the falling edge, from the levels present while E was high.
    if (eBefore && !eAfter) this.fallingEdge(portNibble(pins, before), atUs);
  }

  private fallingEdge(nibble: number, atUs: number): void {
    const rs = this.latchedRs;
    const rw = this.latchedRw;
    if (!this.fourBit) {
      this.execute(rs, rw, (nibble << 4) | 0x0f, 8, atUs);
      return;
    }
    if (this.pending === null) {
      this.pending = { nibble, rs, rw };
      if (!(rs === 0 && rw === 1)) this.checkBusy(atUs);
      return;
    }
    const high = this.pending;
    this.pending = null;
    if (high.rs !== rs || high.rw !== rw) {
      this.violate('nibble-sync', `the two nibbles of one transfer differ in RS/RW (${high.rs}/${high.rw} then ${rs}/${rw}): the driver lost nibble sync`, atUs);
    }
    this.execute(rs, rw, (high.nibble << 4) | nibble, 4, atUs, true);
  }

  private checkBusy(atUs: number): void {
    if (atUs < this.busyUntilUs) {
      this.violate('busy', `E pulse ${Math.round(this.busyUntilUs - atUs)} us before the previous instruction finished`, atUs);
    }
  }

  private execute(rs: 0 | 1, rw: 0 | 1, value: number, bits: 4 | 8, atUs: number, busyChecked = false): void {
    const isBusyRead = rs === 0 && rw === 1;
    if (!busyChecked && !isBusyRead && this.initStep >= 3) this.checkBusy(atUs);
    this.ops.push({ rs, rw, value, bits, atUs: atUs - this.powerOnUs });
    if (rw === 1) {
      if (rs === 1) this.advance();
      return;
    }
    if (rs === 1) {
      this.writeData(value, atUs);
      this.busyUntilUs = atUs + EXEC_US.DATA;
      return;
    }
    this.instruction(value, atUs);
  }

  private writeData(value: number, atUs: number): void {
    if (!this.initialised && !this.everInitialised) {
      this.violate('data-before-init', `data 0x${hex2(value)} written before the initialisation sequence finished`, atUs);
    } else if (!this.initialised) {
      this.violate('data-before-init', `data 0x${hex2(value)} written during re-initialisation`, atUs);
    }
    if (this.acCgram) {
      this.cgram[this.ac & 0x3f] = value;
    } else {
      const i = this.ddramIndex(this.ac);
      if (i === undefined) this.violate('address-range', `data written at DDRAM 0x${hex2(this.ac)}, which does not exist`, atUs);
      else {
        this.ddram[i] = value;
        this.ddramWrites++;
      }
      if (this.shiftOnWrite) this.shiftDisplay(this.increment ? 1 : -1);
    }
    this.advance();
  }

  /** Display shift moves the window (left when `by` is 1: content moves left, datasheet p.11). */
  private shiftDisplay(by: number): void {
    this.displayShift = (this.displayShift + by + 80) % 80;
  }

  private advance(): void {
    const step = this.increment ? 1 : -1;
    if (this.acCgram) {
      this.ac = (this.ac + step + 64) & 0x3f;
      return;
    }
    if (!this.twoLines) {
      this.ac = (this.ac + step + 0x50) % 0x50;
      return;
    }
    const line = this.ac >= 0x40 ? 0x40 : 0;
    const pos = this.ac - line + step;
    // 2-line mode wraps 0x27 -> 0x40 -> ... 0x67 -> 0x00 (and back when decrementing).
    if (pos > 0x27) this.ac = line === 0 ? 0x40 : 0x00;
    else if (pos < 0) this.ac = line === 0 ? 0x67 : 0x27;
    else this.ac = line + pos;
  }

  private ddramIndex(address: number): number | undefined {
    if (!this.twoLines) return address < 0x50 ? address : undefined;
    if (address < 0x28) return address;
    if (address >= 0x40 && address < 0x68) return address - 0x40 + 40;
    return undefined;
  }

  private instruction(value: number, atUs: number): void {
    let exec: number = EXEC_US.OTHER;
    if (value & CMD.SET_DDRAM) {
      this.ac = value & 0x7f;
      this.acCgram = false;
      if (this.initialised && this.ddramIndex(this.ac) === undefined) {
        this.violate('address-range', `Set DDRAM address 0x${hex2(this.ac)} is outside the display's lines`, atUs);
      }
    } else if (value & CMD.SET_CGRAM) {
      this.ac = value & 0x3f;
      this.acCgram = true;
    } else if (value & CMD.FUNCTION_SET) {
      this.functionSet(value, atUs);
    } else if (value & CMD.SHIFT) {
      const right = (value & CMD.SHIFT_RIGHT) !== 0;
      if (value & CMD.SHIFT_DISPLAY) this.shiftDisplay(right ? -1 : 1);
      else {
        const saved = this.increment;
        this.increment = right;
        this.advance();
        this.increment = saved;
      }
    } else if (value & CMD.DISPLAY_CONTROL) {
      this.displayOn = (value & CMD.DISPLAY_ON) !== 0;
      this.cursorOn = (value & CMD.CURSOR_ON) !== 0;
      this.blinkOn = (value & CMD.BLINK_ON) !== 0;
    } else if (value & CMD.ENTRY_MODE) {
      this.increment = (value & CMD.ENTRY_INCREMENT) !== 0;
      this.shiftOnWrite = (value & CMD.ENTRY_SHIFT) !== 0;
    } else if (value & CMD.HOME) {
      this.ac = 0;
      this.acCgram = false;
      this.displayShift = 0;
      exec = EXEC_US.CLEAR_HOME;
    } else if (value & CMD.CLEAR) {
      this.ddram.fill(0x20);
      this.ac = 0;
      this.acCgram = false;
      this.displayShift = 0;
      this.increment = true;
      exec = EXEC_US.CLEAR_HOME;
    }
    this.busyUntilUs = atUs + exec;
  }

  /** Function set, and the Figure 24 "Initializing by Instruction" sequence it drives. */
  private functionSet(value: number, atUs: number): void {
    const eightBit = (value & CMD.EIGHT_BIT) !== 0;
    if (!this.fourBit && eightBit && this.initStep < 3) {
      if (this.initStep === 0 && !this.everInitialised && atUs - this.powerOnUs < SETTLE_US.POWER_ON) {
        this.violate('power-on-wait', `first instruction ${Math.round((atUs - this.powerOnUs) / 1000)} ms after power-on (> 40 ms needed)`, atUs);
      }
      const need = this.initStep === 1 ? SETTLE_US.INIT_FIRST : this.initStep === 2 ? SETTLE_US.INIT_SECOND : 0;
      if (!this.everInitialised && atUs - this.initStepAtUs < need) {
        this.violate('init-timing', `function set #${this.initStep + 1} only ${Math.round(atUs - this.initStepAtUs)} us after the previous one (> ${need} us needed)`, atUs);
      }
      this.initStep++;
      this.initStepAtUs = atUs;
    } else if (eightBit) {
      // Back to 8-bit from 4-bit (or more 0x3s): a re-initialisation has started.
      this.initStep = 3;
    } else if (!this.fourBit) {
      // DL=0 in 8-bit mode: the switch to 4-bit (only a proper init if three 0x3s came first).
      this.initStep = this.initStep === 3 ? 4 : Math.min(this.initStep, 2);
    } else if (this.initStep === 4 || this.initialised) {
      // The first function set in 4-bit mode fixes lines and font (Figure 24).
      this.initStep = 5;
      this.everInitialised = true;
      this.twoLines = (value & CMD.TWO_LINES) !== 0;
    }
    this.fourBit = !eightBit;
    this.pending = null;
  }

  private violate(kind: Hd44780ViolationKind, message: string, atUs: number): void {
    const v = { kind, message, atUs: Math.round(atUs - this.powerOnUs) };
    this.violations.push(v);
    for (const l of [...this.listeners]) l(v);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0').toUpperCase();
}

