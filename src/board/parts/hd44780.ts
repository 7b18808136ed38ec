/** HD44780 character LCD behind a PCF8574 I2C backpack; the sim model renders the panel. */
import { Hd44780Display, type Hd44780Options } from '../../../hal/devices/hd44780/hd44780.js';
import { Hd44780Model } from '../../../hal/devices/hd44780/hd44780.sim.js';
import { BACKSLASH_GLYPH, EURO_GLYPH, TILDE_GLYPH } from '../../../hal/devices/hd44780/charset.js';
import type { PartWiring } from '../part.js';

export const hd44780Wiring: PartWiring = {
  compatible: 'hitachi,hd44780-pcf8574',
  async model(ctx) {
    // The panel shows the driver's CGRAM glyphs as the characters they draw.
    const knownGlyphs = [
      { ch: '€', rows: EURO_GLYPH },
      { ch: '\\', rows: BACKSLASH_GLYPH },
      { ch: '~', rows: TILDE_GLYPH },
    ];
    const model = new Hd44780Model({ ...(ctx.device.props as Hd44780Options), knownGlyphs });
    (await ctx.buses.simI2c(ctx.device.bus!)).attach(ctx.device.address!, model);
    return model;
  },
  async open(ctx) {
    const device = await (await ctx.buses.i2cBus(ctx.device.bus!)).open(ctx.device.address!);
    const display = await Hd44780Display.open({ device, ...(ctx.device.props as Hd44780Options) });
    return { driver: display, roles: { display } };
  },
};
