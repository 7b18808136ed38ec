// Builds a GpioBuzzer + BuzzerModel pair on sim GPIO lines.
import { SimGpioController } from '../../../hal/sim/gpio.js';
import { GpioBuzzer, type BuzzerProps } from '../../../hal/devices/buzzer/buzzer.js';
import { PATTERNS } from '../../../hal/devices/buzzer/patterns.js';
import { BuzzerModel } from '../../../hal/devices/buzzer/buzzer.sim.js';
import type { IndicatorRig } from '../../conformance/indicator.js';
import type { Clock } from '../../../hal/clock.js';

/** `clock`: shared by the driver and the model (default each keeps the host's). */
export async function buzzerRig(props: BuzzerProps, clock?: Clock): Promise<IndicatorRig & { gpio: SimGpioController; model: BuzzerModel }> {
  const gpio = new SimGpioController();
  const model = new BuzzerModel(gpio, props, clock);
  const indicator = await GpioBuzzer.open({ gpio, ...props, ...(clock ? { clock } : {}) });
  return {
    gpio,
    model,
    indicator,
    beeps: () => model.beeps,
    sounding: () => model.sounding,
    leds: () => model.leds,
    ledChanges: () => model.ledChanges,
    ledKind: props.led ? 'one' : props.ledGreen || props.ledRed ? 'two' : 'none',
    nominal: PATTERNS,
    cleanup: async () => {
      await indicator.close();
      model.close();
      await gpio.close();
    },
  };
}
