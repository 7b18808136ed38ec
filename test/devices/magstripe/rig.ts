// Builds a SerialStripeReader + MagstripeModel pair on a sim serial link or a real pty pair.
import { SerialStripeReader, type MagstripeProps } from '../../../hal/devices/magstripe/magstripe.js';
import { MagstripeModel, Msr605Model, type MagstripeFormat } from '../../../hal/devices/magstripe/magstripe.sim.js';
import type { StripeRig } from '../../conformance/stripe.js';
import { simSerialEnds, type Ends } from '../pty-link.js';
export { ptyEnds } from '../pty-link.js';
export const simEnds = (): Promise<Ends> => simSerialEnds('ttyStripe');

export async function stripeRig(ends: () => Promise<Ends>, format: MagstripeFormat & MagstripeProps): Promise<StripeRig> {
  const { driver, device, stop } = await ends();
  const reader = await SerialStripeReader.open({ link: driver, ...format });
  const model = new MagstripeModel(device, format);
  return {
    reader,
    swipe: (s) => model.swipe(s),
    badSwipe: (kind, s) => model.badSwipe(kind, s),
    truncatedSwipe: (s, keep) => model.truncatedSwipe(s, keep),
    lrc: format.lrc ?? false,
    cleanup: async () => {
      await reader.close();
      await stop();
    },
  };
}

export async function msr605Rig(ends: () => Promise<Ends>): Promise<StripeRig & { model: Msr605Model }> {
  const { driver, device, stop } = await ends();
  const model = new Msr605Model(device);
  const reader = await SerialStripeReader.open({ link: driver, protocol: 'msr605', idleTimeoutMs: 250 });
  return {
    model,
    reader,
    swipe: (s) => model.swipe(s),
    badSwipe: (kind, s) => {
      if (kind === 'bad-lrc') throw new Error('the MSR605 sends no LRC');
      return model.badSwipe(kind, s);
    },
    truncatedSwipe: (s, keep) => model.truncatedSwipe(s, keep),
    lrc: false,
    cleanup: async () => {
      await reader.close();
      await stop();
    },
  };
}
