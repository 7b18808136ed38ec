/**
 * The HAL conformance suites (i2c, spi, gpio, serial) against the Linux backends on a real
 * board: `make test-hw BOARD=<profile>` sets POS_TEST_BOARD to the profile's name (or a path
 * to a profile file). Without it this file is skipped. The profile's `testFixtures` say what
 * the rig offers; a suite whose fixture is absent is skipped with the reason.
 *
 * The fixtures read from boards/<name>.json (numbers decimal or "0x27"-style strings):
 */
import t from 'tap';
import { createLinuxBackend } from '../../hal/linux/index.js';
import type { SerialLink } from '../../hal/serial.js';
import { loadBoard, type BoardProfile } from '../../boards/loader.js';
import { i2cConformance } from './i2c.js';
import { spiConformance } from './spi.js';
import { gpioConformance } from './gpio.js';
import { serialConformance } from './serial.js';
import { openPtyPair } from '../linux/pty-pair.js';

function device(profile: BoardProfile, bus: string, where: string): string {
  const dev = profile.buses[bus]?.device;
  if (!dev) throw new Error(`testFixtures.${where}.bus names "${bus}", which has no buses.${bus}.device in the profile`);
  return dev;
}

const board = process.env.POS_TEST_BOARD;

if (!board) {
  t.plan(0, 'POS_TEST_BOARD is not set: the hardware conformance suites run on a board with `make test-hw BOARD=<profile>`');
} else {
  // The loader checks the fixtures like the rest of the profile (boards/loader.ts BoardTestFixtures).
  const profile = loadBoard(board);
  const fixtures = profile.testFixtures;
  const linux = createLinuxBackend();
  const skip = (what: string, key: string): void => void t.test(`${what} on ${board}`, { skip: `the profile has no testFixtures.${key}` }, () => undefined);

  const i2c = fixtures.i2c;
  if (i2c?.presentAddress !== undefined && i2c.absentAddress !== undefined) {
    const dev = device(profile, i2c.bus, 'i2c');
    i2cConformance(t, {
      name: `linux ${dev}`,
      factory: () => linux.i2cBus(i2c.bus, dev),
      fixtures: { presentAddress: i2c.presentAddress, absentAddress: i2c.absentAddress },
    });
  } else skip('I2C', 'i2c');

  const spi = fixtures.spi;
  if (spi) {
    const dev = device(profile, spi.bus, 'spi');
    spiConformance(t, {
      name: `linux ${dev}`,
      factory: () => linux.spiBus(spi.bus, dev),
      fixtures: { ...spi },
    });
  } else skip('SPI', 'spi');

  const gpio = fixtures.gpio;
  if (gpio?.output !== undefined) {
    gpioConformance(t, { name: 'linux sysfs', factory: () => linux.gpio(), fixtures: { output: gpio.output, invalid: gpio.invalidLine, ...(gpio.loopback ? { loopback: [...gpio.loopback] as [typeof gpio.output, typeof gpio.output] } : {}) } });
  } else skip('GPIO', 'gpio.output');

  // Needs socat; fails (with the command to install it) when it is missing.
  serialConformance(t, {
    name: 'linux (socat pty pair)',
    factory: async () => {
      const pty = await openPtyPair((p) => linux.serial(p, { baudRate: 115200 }));
      const [a, b] = pty.ends;
      return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()]), await pty.kill()) };
    },
  });

  const loopbackBus = fixtures.serialLoopback?.bus;
  const loopbackPath = loopbackBus ? device(profile, loopbackBus, 'serialLoopback') : undefined;
  if (loopbackPath) {
    t.test(`linux serial ${loopbackPath}: TX jumpered to RX reads back what it sends`, async (t) => {
      const link: SerialLink = await linux.serial(loopbackPath, { baudRate: 115200 });
      const got: Buffer[] = [];
      const sent = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const all = new Promise<void>((resolve) =>
        link.onData((c) => {
          got.push(Buffer.from(c));
          if (Buffer.concat(got).length >= sent.length) resolve();
        }),
      );
      await link.write(sent);
      await link.drain();
      await all;
      t.same([...Buffer.concat(got)], [...sent]);
      await link.close();
    });
  } else skip('serial loopback', 'serialLoopback');
}
