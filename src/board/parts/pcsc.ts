/**
 * PC/SC readers: the sim backend in-process (its context is the "model" a person or a
 * test puts virtual cards into), or pcscd through the Linux backend, loaded by dynamic
 * import so a sim run never loads the smartcard addon.
 */
import type { PcscReaderProps } from '../../../hal/devices/pcsc/binding.js';
import { PcscContactReader } from '../../../hal/devices/pcsc/contact.js';
import { PcscContactlessReader } from '../../../hal/devices/pcsc/contactless.js';
import type { PcscContext } from '../../../hal/pcsc.js';
import { SimPcscContext } from '../../../hal/sim/pcsc.js';
import type { PartContext, PartWiring } from '../part.js';

/** The reader name the sim backend plugs in for a device (the profile's pattern must match it). */
export function simReaderName(props: PcscReaderProps): string {
  return props.interface === 'contactless' ? 'Sim Contactless Reader 00 00' : 'Sim Contact Reader 00 00';
}

const props = (ctx: PartContext): PcscReaderProps => ctx.device.props as unknown as PcscReaderProps;

export const pcscWiring: PartWiring = {
  compatible: 'pcsc,reader',
  async model(ctx) {
    const p = props(ctx);
    if (p.backend !== 'sim') return undefined;
    return new SimPcscContext({ readers: [simReaderName(p)] });
  },
  async open(ctx) {
    const p = props(ctx);
    let pcsc: PcscContext;
    if (p.backend === 'sim') {
      // Off the sim board the model is not built for us: the reader still needs its far end.
      const model = ctx.models[ctx.device.name];
      pcsc = model instanceof SimPcscContext ? model : new SimPcscContext({ readers: [simReaderName(p)] });
      if (!(model instanceof SimPcscContext)) (ctx.models as Record<string, unknown>)[ctx.device.name] = pcsc;
    } else {
      pcsc = await (await import('../../../hal/linux/pcsc.js')).LinuxPcscContext.open({ pollIntervalMs: p.pollIntervalMs });
    }
    const options = { pcsc, readerPattern: p.readerPattern, share: p.share, ownsContext: true };
    if (p.interface === 'contactless') {
      const reader = new PcscContactlessReader(options);
      return { driver: reader, roles: { contactless: reader } };
    }
    const reader = new PcscContactReader(options);
    return { driver: reader, roles: { contact: reader } };
  },
};
