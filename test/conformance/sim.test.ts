// The HAL contracts' conformance suites against the sim backend.
import t from 'tap';
import { HalError } from '../../hal/errors.js';
import { SimI2cBus } from '../../hal/sim/i2c.js';
import { SimSpiBus } from '../../hal/sim/spi.js';
import { SimGpioController } from '../../hal/sim/gpio.js';
import { createSimSerialPair } from '../../hal/sim/serial.js';
import { i2cConformance } from './i2c.js';
import { spiConformance } from './spi.js';
import { gpioConformance } from './gpio.js';
import { serialConformance } from './serial.js';

/** A one-register part that latches what is written and reads it back (as a PCF8574 does). */
function latch() {
  let value = 0xff;
  return {
    i2cWrite(data: Uint8Array) {
      value = data[data.length - 1] ?? value;
    },
    i2cRead(length: number) {
      return new Uint8Array(length).fill(value);
    },
  };
}

i2cConformance(t, {
  name: 'sim',
  fixtures: { presentAddress: 0x27, absentAddress: 0x3f, stallAddress: 0x50 },
  factory: async () => {
    const bus = new SimI2cBus({ name: 'i2c1' });
    bus.attach(0x27, latch());
    bus.attach(0x50, { i2cWrite: () => new Promise(() => undefined), i2cRead: () => new Promise(() => undefined) });
    return bus;
  },
});

i2cConformance(t, {
  name: 'sim without repeated start',
  fixtures: { presentAddress: 0x27, absentAddress: 0x3f },
  factory: async () => {
    const bus = new SimI2cBus({ name: 'i2c1', repeatedStart: false });
    bus.attach(0x27, latch());
    return bus;
  },
});

spiConformance(t, {
  name: 'sim',
  fixtures: { chipSelect: 0, absentChipSelect: 5, loopbackChipSelect: 1 },
  factory: async () => {
    const bus = new SimSpiBus({ name: 'spi0' });
    bus.attach(1, { exchange: (tx) => tx });
    return bus;
  },
});

gpioConformance(t, {
  name: 'sim',
  fixtures: { output: 'GPIO17', loopback: ['GPIO22', 'GPIO23'], invalid: { chip: 'pinctrl-bcm2711', line: 4 } },
  factory: async () => {
    const gpio = new SimGpioController();
    const driven = gpio.pin('GPIO22');
    gpio.pin('GPIO23').drive(() => driven.level);
    return gpio;
  },
});

serialConformance(t, {
  name: 'sim',
  factory: async () => {
    const { driver, device } = createSimSerialPair({ name: 'ttyTest' });
    return { a: driver, b: device, cleanup: async () => Promise.all([driver.close(), device.close()]).then(() => undefined) };
  },
});

t.test('HalError carries a code from the closed set', async (t) => {
  const err = new HalError('HAL_NACK', 'x');
  t.equal(err.code, 'HAL_NACK');
  t.ok(err instanceof Error);
});
