/** PN532 contactless reader: on SPI (the Pi's usual wiring), I2C or HSU; the model holds the cards. */
import { Pn532Reader } from '../../../hal/devices/pn532/pn532.js';
import { HsuPn532Transport, I2cPn532Transport, SpiPn532Transport, type Pn532Transport } from '../../../hal/devices/pn532/pn532-transport.js';
import { Pn532Model } from '../../../hal/devices/pn532/pn532.sim.js';
import type { PartContext, PartWiring } from '../part.js';

interface Props {
  interface: 'spi' | 'i2c' | 'hsu';
  chipSelect: number;
  speedHz: number;
  pollIntervalMs: number;
  maxRetries: number;
}

const props = (ctx: PartContext): Props => ctx.device.props as unknown as Props;

export const pn532Wiring: PartWiring = {
  compatible: 'nxp,pn532',
  async model(ctx) {
    const p = props(ctx);
    const model = new Pn532Model();
    const bus = ctx.device.bus!;
    if (p.interface === 'spi') (await ctx.buses.simSpi(bus)).attach(p.chipSelect, model.spiTarget());
    else if (p.interface === 'i2c') (await ctx.buses.simI2c(bus)).attach(ctx.device.address!, model.i2cTarget());
    else model.attachSerial((await ctx.buses.serialLink(bus)).deviceEnd!);
    return model;
  },
  async open(ctx) {
    const p = props(ctx);
    const bus = ctx.device.bus!;
    const poll = { pollIntervalMs: p.pollIntervalMs };
    let transport: Pn532Transport;
    // SPI mode 0, LSB first by bit reversal in the transport (PN532 UM 6.2.5; hardware.md risk 5).
    if (p.interface === 'spi') transport = new SpiPn532Transport(await (await ctx.buses.spiBus(bus)).open(p.chipSelect, { mode: 0, speedHz: p.speedHz }), poll);
    else if (p.interface === 'i2c') transport = new I2cPn532Transport(await (await ctx.buses.i2cBus(bus)).open(ctx.device.address!), poll);
    else transport = new HsuPn532Transport((await ctx.buses.serialLink(bus)).link);
    const reader = await Pn532Reader.open({ transport, maxRetries: p.maxRetries });
    return { driver: reader, roles: { contactless: reader } };
  },
};
