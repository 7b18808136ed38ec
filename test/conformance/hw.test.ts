/**
 * The HAL conformance suites (i2c, spi, gpio, serial) against the Linux backends on a real
 * board: `make test-hw BOARD=<profile>` sets POS_TEST_BOARD to the profile's name (or a path
 * to a profile file). Without it this file is skipped. The profile's `testFixtures` say what
 * the rig offers; a suite whose fixture is absent is skipped with the reason.
 *
 * The fixtures read from boards/<name>.json (numbers decimal or "0x27"-style strings):
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import type { GpioLineRef } from '../../hal/gpio.js';
import { createLinuxBackend } from '../../hal/linux/index.js';
import type { SerialLink } from '../../hal/serial.js';
import { i2cConformance } from './i2c.js';
import { spiConformance } from './spi.js';
import { gpioConformance } from './gpio.js';
import { serialConformance } from './serial.js';
import { openPtyPair } from '../linux/pty-pair.js';

type Num = number | string;

export interface HwTestFixtures {
  /** An I2C bus of the profile (`buses.<bus>.device` = "/dev/i2c-N"), an address that ACKs 1-byte writes and reads, one with nothing fitted. */
  i2c?: { bus: string; presentAddress: Num; absentAddress: Num };
  /** An SPI bus (`buses.<bus>.device` = "/dev/spidevB"), an enabled chip select, one without a node, optionally one with MISO jumpered to MOSI. */
  spi?: { bus: string; chipSelect: Num; absentChipSelect: Num; loopbackChipSelect?: Num };
  /** A free line that may be driven, optionally two lines jumpered together [driven, sensed], and a reference that does not exist. */
  gpio?: { output: GpioLineRef; loopback?: [GpioLineRef, GpioLineRef]; invalid: GpioLineRef };
  /** A serial port whose TX is jumpered to its RX. The pty-pair suite runs whenever socat is installed. */
  serial?: { loopbackPath?: string };
}

interface Profile {
  buses?: Record<string, { device?: string }>;
  testFixtures?: HwTestFixtures;
}

function num(value: Num, where: string): number {
  const n = typeof value === 'number' ? value : /^0x[0-9a-f]+$/i.test(value) ? parseInt(value, 16) : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw new Error(`testFixtures.${where}: "${String(value)}" is not a number`);
  return n;
}

function device(profile: Profile, bus: string, where: string): string {
  const dev = profile.buses?.[bus]?.device;
  if (!dev) throw new Error(`testFixtures.${where}.bus names "${bus}", which has no buses.${bus}.device in the profile`);
  return dev;
}

const board = process.env.POS_TEST_BOARD;

if (!board) {
  t.plan(0, 'POS_TEST_BOARD is not set: the hardware conformance suites run on a board with `make test-hw BOARD=<profile>`');
} else {
  const file = board.endsWith('.json') ? path.resolve(board) : path.resolve('boards', `${board}.json`);
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const fixtures = profile.testFixtures ?? {};
  const linux = createLinuxBackend();
  const skip = (what: string, key: string): void => void t.test(`${what} on ${board}`, { skip: `the profile has no testFixtures.${key}` }, () => undefined);

  const i2c = fixtures.i2c;
  if (i2c) {
    const dev = device(profile, i2c.bus, 'i2c');
    i2cConformance(t, {
      name: `linux ${dev}`,
      factory: () => linux.i2cBus(i2c.bus, dev),
      fixtures: { presentAddress: num(i2c.presentAddress, 'i2c.presentAddress'), absentAddress: num(i2c.absentAddress, 'i2c.absentAddress') },
    });
  } else skip('I2C', 'i2c');

  const spi = fixtures.spi;
  if (spi) {
    const dev = device(profile, spi.bus, 'spi');
    spiConformance(t, {
      name: `linux ${dev}`,
      factory: () => linux.spiBus(spi.bus, dev),
      fixtures: {
        chipSelect: num(spi.chipSelect, 'spi.chipSelect'),
        absentChipSelect: num(spi.absentChipSelect, 'spi.absentChipSelect'),
        ...(spi.loopbackChipSelect !== undefined ? { loopbackChipSelect: num(spi.loopbackChipSelect, 'spi.loopbackChipSelect') } : {}),
      },
    });
  } else skip('SPI', 'spi');

  const gpio = fixtures.gpio;
  if (gpio?.output !== undefined && gpio.invalid !== undefined) {
    gpioConformance(t, { name: 'linux sysfs', factory: () => linux.gpio(), fixtures: gpio });
  } else skip('GPIO', 'gpio.output and testFixtures.gpio.invalid');

  // Needs socat; fails (with the command to install it) when it is missing.
  serialConformance(t, {
    name: 'linux (socat pty pair)',
    factory: async () => {
      const pty = await openPtyPair((p) => linux.serial(p, { baudRate: 115200 }));
      const [a, b] = pty.ends;
      return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()]), await pty.kill()) };
    },
  });

  const loopbackPath = fixtures.serial?.loopbackPath;
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
  } else skip('serial loopback', 'serial.loopbackPath');
}
