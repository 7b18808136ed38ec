/**
 * What the driver and the chip model share about an HD44780 behind a PCF8574 backpack:
 * option defaults and checks, the instruction set and DDRAM addressing. Data and pure
 * functions only.
 */
import { HalError } from '../../errors.js';
import type { Hd44780Rom } from './charset.js';

/** Which PCF8574 port bit (P0..P7) carries each LCD signal. */
export interface Hd44780Pins {
  rs: number;
  rw: number;
  e: number;
  backlight: number;
  d4: number;
  d5: number;
  d6: number;
  d7: number;
}

/** The props of `hitachi,hd44780-pcf8574` (binding.ts); every field has a default. */
export interface Hd44780Options {
  /** Characters per row, 8..40 (default 16). */
  cols?: number;
  /** Rows, 1..4 (default 2). */
  rows?: number;
  /** Expander bit of each signal (default the common "LCM1602 IIC" mapping, hardware.md 6.2). */
  pins?: Partial<Hd44780Pins>;
  /** Whether a 1 on the backlight bit lights it (default true). */
  backlightActiveHigh?: boolean;
  /** The character ROM fitted (default "A00", the usual Japanese one). */
  rom?: Hd44780Rom;
}

export interface Hd44780Config {
  cols: number;
  rows: number;
  pins: Hd44780Pins;
  backlightActiveHigh: boolean;
  rom: Hd44780Rom;
}

/** P0=RS, P1=RW, P2=E, P3=backlight, P4..P7=D4..D7 (YwRobot/LCM1602, hardware.md 6.2). */
export const DEFAULT_PINS: Readonly<Hd44780Pins> = { rs: 0, rw: 1, e: 2, backlight: 3, d4: 4, d5: 5, d6: 6, d7: 7 };

/** HD44780U datasheet Table 6 (p.24): instruction codes and flags. */
export const CMD = {
  CLEAR: 0x01,
  HOME: 0x02,
  ENTRY_MODE: 0x04,
  ENTRY_INCREMENT: 0x02,
  ENTRY_SHIFT: 0x01,
  DISPLAY_CONTROL: 0x08,
  DISPLAY_ON: 0x04,
  CURSOR_ON: 0x02,
  BLINK_ON: 0x01,
  SHIFT: 0x10,
  SHIFT_DISPLAY: 0x08,
  SHIFT_RIGHT: 0x04,
  FUNCTION_SET: 0x20,
  EIGHT_BIT: 0x10,
  TWO_LINES: 0x08,
  FONT_5X10: 0x04,
  SET_CGRAM: 0x40,
  SET_DDRAM: 0x80,
} as const;

/** Execution times in microseconds at fosc 270 kHz (Table 6); clear is unspecified there, taken as home's. */
export const EXEC_US = { CLEAR_HOME: 1520, OTHER: 37, DATA: 41 } as const;

const bad = (msg: string): HalError => new HalError('HAL_INVALID_ARGUMENT', `hd44780: ${msg}`);

/** Applies defaults and checks ranges; throws HAL_INVALID_ARGUMENT naming the prop. */
export function resolveHd44780Options(options: Hd44780Options): Hd44780Config {
  const cols = options.cols ?? 16;
  const rows = options.rows ?? 2;
  if (!Number.isInteger(cols) || cols < 8 || cols > 40) throw bad(`cols ${cols} is outside 8..40`);
  if (!Number.isInteger(rows) || rows < 1 || rows > 4) throw bad(`rows ${rows} is outside 1..4`);
  // One controller holds 2 lines of 40 cells; rows 2/3 are the tails of lines 0/1 (6.5).
  if (rows > 2 && cols > 20) throw bad(`${cols}x${rows} needs two controllers (at most 20 columns with 3-4 rows)`);
  const pins = { ...DEFAULT_PINS, ...options.pins };
  const used = new Set<number>();
  for (const [name, bit] of Object.entries(pins)) {
    if (!Number.isInteger(bit) || bit < 0 || bit > 7) throw bad(`pins.${name} ${bit} is not an expander bit 0..7`);
    if (used.has(bit)) throw bad(`pins.${name}: P${bit} is used twice`);
    used.add(bit);
  }
  const rom = options.rom ?? 'A00';
  if (rom !== 'A00' && rom !== 'A02') throw bad(`rom "${String(rom)}" is not A00 or A02`);
  return { cols, rows, pins, backlightActiveHigh: options.backlightActiveHigh ?? true, rom };
}

/** DDRAM address of each row's first cell: {0, 0x40, cols, 0x40+cols} (6.5; hd44780.cpp setRowOffsets). */
export function rowStarts(cols: number, rows: number): number[] {
  return rows === 1 ? [0x00] : [0x00, 0x40, cols, 0x40 + cols].slice(0, rows);
}

/** The address counter after one increment (datasheet p.11: 0x27 -> 0x40 and 0x67 -> 0x00 with 2 lines). */
export function nextDdramAddress(address: number, twoLines: boolean): number {
  if (!twoLines) return (address + 1) % 0x50;
  if (address === 0x27) return 0x40;
  if (address === 0x67) return 0x00;
  return (address + 1) & 0x7f;
}

/** Port value with D7..D4 = `nibble` on the mapped bits. */
export function nibbleBits(pins: Hd44780Pins, nibble: number): number {
  return (
    (nibble & 1 ? 1 << pins.d4 : 0) | (nibble & 2 ? 1 << pins.d5 : 0) | (nibble & 4 ? 1 << pins.d6 : 0) | (nibble & 8 ? 1 << pins.d7 : 0)
  );
}

/** The nibble D7..D4 carried by a port value. */
export function portNibble(pins: Hd44780Pins, port: number): number {
  const bit = (p: number): number => (port >> p) & 1;
  return bit(pins.d4) | (bit(pins.d5) << 1) | (bit(pins.d6) << 2) | (bit(pins.d7) << 3);
}
