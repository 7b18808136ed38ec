/**
 * Board-profile binding of the HD44780 character LCD behind a PCF8574 I2C backpack.
 * Facts: hardware.md section 6 (PCF8574/74A address ranges, backpack pin maps, A00/A02 ROMs).
 */
import type { DeviceBinding, PropSchema } from '../binding.js';

/** Which PCF8574 port bit (P0..P7) drives each LCD signal. */
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

/** The props of a `hitachi,hd44780-pcf8574` device as the board loader returns them (defaults applied). */
export interface Hd44780Props {
  cols: number;
  rows: number;
  pins: Hd44780Pins;
  /** The backlight is on when its port bit is 1 (most backpacks); false for active-low boards. */
  backlightActiveHigh: boolean;
  /** The character ROM of the controller: A00 (Japanese, most modules) or A02 (European). */
  rom: 'A00' | 'A02';
}

// The common "LCM1602 IIC" / LiquidCrystal_I2C map (duinoWitchery/hd44780 hd44780_I2Cexp.h).
export const DEFAULT_PINS: Readonly<Hd44780Pins> = { rs: 0, rw: 1, e: 2, backlight: 3, d4: 4, d5: 5, d6: 6, d7: 7 };

const PIN_NAMES = Object.keys(DEFAULT_PINS) as (keyof Hd44780Pins)[];

const portBit = (signal: string, bit: number): PropSchema => ({
  type: 'integer',
  minimum: 0,
  maximum: 7,
  default: bit,
  description: `expander port bit (P0..P7) wired to ${signal}`,
});

// PCF8574: 0x20-0x27; PCF8574A: 0x38-0x3f (NXP PCF8574/74A datasheet, table "address map").
const ADDRESSES = [...Array.from({ length: 8 }, (_, i) => 0x20 + i), ...Array.from({ length: 8 }, (_, i) => 0x38 + i)];

// One HD44780 addresses 80 DDRAM cells (datasheet "Display Data RAM"); 40x4 modules carry two controllers.
const MAX_CELLS = 80;

const binding: DeviceBinding = {
  compatible: 'hitachi,hd44780-pcf8574',
  bus: 'i2c',
  roles: ['display'],
  description: 'HD44780 character LCD (16x2, 20x4, ...) behind a PCF8574 I2C backpack',
  i2cAddresses: { default: 0x27, allowed: ADDRESSES },
  props: {
    type: 'object',
    properties: {
      cols: { type: 'integer', minimum: 8, maximum: 40, default: 16, description: 'characters per row' },
      rows: { type: 'integer', minimum: 1, maximum: 4, default: 2, description: 'rows of the panel' },
      pins: {
        type: 'object',
        description: 'expander bit of each LCD signal (default P0=RS, P1=RW, P2=E, P3=backlight, P4..P7=D4..D7)',
        properties: {
          rs: portBit('RS', DEFAULT_PINS.rs),
          rw: portBit('RW', DEFAULT_PINS.rw),
          e: portBit('E', DEFAULT_PINS.e),
          backlight: portBit('the backlight transistor', DEFAULT_PINS.backlight),
          d4: portBit('D4', DEFAULT_PINS.d4),
          d5: portBit('D5', DEFAULT_PINS.d5),
          d6: portBit('D6', DEFAULT_PINS.d6),
          d7: portBit('D7', DEFAULT_PINS.d7),
        },
      },
      backlightActiveHigh: { type: 'boolean', default: true, description: 'backlight on when its bit is 1' },
      rom: { type: 'string', enum: ['A00', 'A02'], default: 'A00', description: 'character ROM of the controller' },
    },
  },
  validate(props) {
    const p = props as unknown as Hd44780Props;
    const problems: string[] = [];
    const seen = new Map<number, string>();
    for (const name of PIN_NAMES) {
      const bit = p.pins[name];
      const other = seen.get(bit);
      if (other !== undefined) problems.push(`pins.${name}: P${bit} is already used by pins.${other}; each signal needs its own expander bit`);
      else seen.set(bit, name);
    }
    if (p.cols * p.rows > MAX_CELLS) {
      problems.push(`cols: ${p.cols}x${p.rows} is ${p.cols * p.rows} cells; one HD44780 drives at most ${MAX_CELLS}`);
    }
    return problems;
  },
};

export default binding;
