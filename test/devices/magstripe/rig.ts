// Builds a SerialStripeReader + MagstripeModel pair on a sim serial link or a real pty pair.
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import type { SerialLink } from '../../../hal/serial.js';
import { SerialStripeReader, type MagstripeProps } from '../../../hal/devices/magstripe/magstripe.js';
import { MagstripeModel, type MagstripeFormat } from '../../../hal/devices/magstripe/magstripe.sim.js';
import type { StripeRig } from '../../conformance/stripe.js';
import { socatPair, TestPtyLink } from '../pty-link.js';

export type Ends = { driver: SerialLink; device: SerialLink; stop(): Promise<void> };

export function simEnds(): Promise<Ends> {
  const { driver, device } = createSimSerialPair({ name: 'ttyStripe' });
  return Promise.resolve({ driver, device, stop: () => device.close() });
}

export async function ptyEnds(): Promise<Ends> {
  const pair = await socatPair();
  const driver = await TestPtyLink.open(pair.paths[0], 9600);
  const device = await TestPtyLink.open(pair.paths[1], 9600);
  return {
    driver,
    device,
    stop: async () => {
      await driver.close();
      await device.close();
      await pair.stop();
    },
  };
}

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
