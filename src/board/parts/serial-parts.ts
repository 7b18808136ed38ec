/** The serial parts (stripe reader, code scanner) and the GPIO buzzer/LEDs. */
import { SerialStripeReader, type MagstripeProps } from '../../../hal/devices/magstripe/magstripe.js';
import { MagstripeModel } from '../../../hal/devices/magstripe/magstripe.sim.js';
import { SerialCodeScanner, type CodeScannerProps } from '../../../hal/devices/code-scanner/code-scanner.js';
import { CodeScannerModel } from '../../../hal/devices/code-scanner/code-scanner.sim.js';
import { GpioBuzzer, type BuzzerProps } from '../../../hal/devices/buzzer/buzzer.js';
import { BuzzerModel } from '../../../hal/devices/buzzer/buzzer.sim.js';
import { EscPosPrinter } from '../../../hal/devices/escpos/escpos.js';
import { EscPosPrinterModel } from '../../../hal/devices/escpos/escpos.sim.js';
import type { EscPosProps } from '../../../hal/devices/escpos/binding.js';
import type { PartWiring } from '../part.js';

export const magstripeWiring: PartWiring = {
  compatible: 'generic,magstripe-serial',
  async model(ctx) {
    const props = ctx.device.props as MagstripeProps;
    const end = (await ctx.buses.serialLink(ctx.device.bus!)).deviceEnd!;
    return new MagstripeModel(end, { ...(props.lineEnding ? { lineEnding: props.lineEnding } : {}), ...(props.lrc !== undefined ? { lrc: props.lrc } : {}) });
  },
  async open(ctx) {
    const link = (await ctx.buses.serialLink(ctx.device.bus!)).link;
    const reader = await SerialStripeReader.open({ link, ...(ctx.device.props as MagstripeProps) });
    return { driver: reader, roles: { stripe: reader } };
  },
};

export const codeScannerWiring: PartWiring = {
  compatible: 'generic,code-scanner-serial',
  async model(ctx) {
    const props = ctx.device.props as CodeScannerProps;
    const end = (await ctx.buses.serialLink(ctx.device.bus!)).deviceEnd!;
    return new CodeScannerModel(end, { ...(props.lineEnding ? { lineEnding: props.lineEnding } : {}), ...(props.aimPrefix !== undefined ? { aimPrefix: props.aimPrefix } : {}) });
  },
  async open(ctx) {
    const link = (await ctx.buses.serialLink(ctx.device.bus!)).link;
    const scanner = await SerialCodeScanner.open({ link, ...(ctx.device.props as CodeScannerProps) });
    return { driver: scanner, roles: { scanner } };
  },
};

export const buzzerWiring: PartWiring = {
  compatible: 'generic,gpio-buzzer',
  async model(ctx) {
    return new BuzzerModel(await ctx.buses.simGpio(), ctx.device.props as unknown as BuzzerProps, ctx.clock);
  },
  async open(ctx) {
    const indicator = await GpioBuzzer.open({ gpio: await ctx.buses.gpio(), ...(ctx.device.props as unknown as BuzzerProps), ...(ctx.clock ? { clock: ctx.clock } : {}) });
    return { driver: indicator, roles: { indicator } };
  },
};

export const escposWiring: PartWiring = {
  compatible: 'epson,escpos',
  async model(ctx) {
    const props = ctx.device.props as unknown as EscPosProps;
    const end = (await ctx.buses.serialLink(ctx.device.bus!)).deviceEnd!;
    // A Chinese printer powers up in Hanzi mode (hardware.md risk 12); the driver must cope.
    return EscPosPrinterModel.attach(end, { paperWidthMm: props.paperWidthMm, cutter: props.cutter, startInHanziMode: props.charset === 'gb18030' });
  },
  async open(ctx) {
    const link = (await ctx.buses.serialLink(ctx.device.bus!)).link;
    const printer = await EscPosPrinter.open({ link, ...(ctx.device.props as unknown as EscPosProps) });
    return { driver: printer, roles: { printer } };
  },
};
