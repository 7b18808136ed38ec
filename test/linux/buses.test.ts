// What the Linux I2C and SPI backends decide before touching a bus: device names, missing
// nodes (none exist on this machine), capabilities from the kernel's limits.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { LinuxI2cBus, LINUX_I2C_CAPABILITIES, i2cBusNumber } from '../../hal/linux/i2c.js';
import { LinuxSpiBus, spiBusNumber } from '../../hal/linux/spi.js';

t.test('i2c: device names and a missing bus', async (t) => {
  t.equal(i2cBusNumber('/dev/i2c-1'), 1);
  t.equal(i2cBusNumber('/dev/i2c-22'), 22);
  for (const bad of ['/dev/i2c1', 'i2c-1', '/dev/i2c-', '/dev/i2c-1x']) {
    t.throws(() => i2cBusNumber(bad), { code: 'HAL_INVALID_ARGUMENT' }, bad);
  }
  // i2c-bus has no combined transfer (no I2C_RDWR): writeRead is two transactions.
  t.same(LINUX_I2C_CAPABILITIES, { repeatedStart: false, maxTransferLength: 8192 });
  await t.rejects(LinuxI2cBus.open('i2c7', '/dev/i2c-77'), { code: 'HAL_NOT_FOUND', message: /dtparam=i2c_arm=on/ });
});

t.test('spi: device names, a missing chip select, bufsiz from sysfs, argument checks', async (t) => {
  t.equal(spiBusNumber('/dev/spidev0'), 0);
  t.equal(spiBusNumber('/dev/spidev1.2'), 1);
  t.throws(() => spiBusNumber('/dev/spi0'), { code: 'HAL_INVALID_ARGUMENT' });
  const sysfs = await mkdtemp(path.join(tmpdir(), 'pos-sysfs-'));
  t.teardown(() => rm(sysfs, { recursive: true, force: true }));
  // spidev's module parameter bufsiz bounds one message (drivers/spi/spidev.c); 4096 by default.
  const def = await LinuxSpiBus.open('spi0', '/dev/spidev0', { sysfsRoot: sysfs });
  t.equal(def.capabilities.maxTransferLength, 4096);
  t.equal(def.capabilities.lsbFirst, false, 'spi-bcm2835 rejects SPI_LSB_FIRST');
  await mkdir(path.join(sysfs, 'module', 'spidev', 'parameters'), { recursive: true });
  await writeFile(path.join(sysfs, 'module', 'spidev', 'parameters', 'bufsiz'), '65536\n');
  const bus = await LinuxSpiBus.open('spi0', '/dev/spidev9', { sysfsRoot: sysfs });
  t.equal(bus.capabilities.maxTransferLength, 65536);
  await t.rejects(bus.open(0, { mode: 0, speedHz: 1_000_000 }), { code: 'HAL_NOT_FOUND', message: /\/dev\/spidev9\.0 does not exist/ });
  await t.rejects(bus.open(0, { mode: 4 as 0, speedHz: 1_000_000 }), { code: 'HAL_INVALID_ARGUMENT' });
  await t.rejects(bus.open(0, { mode: 0, speedHz: 0 }), { code: 'HAL_INVALID_ARGUMENT' });
  await t.rejects(bus.open(-1, { mode: 0, speedHz: 1000 }), { code: 'HAL_NOT_FOUND' });
  await bus.close();
  await t.rejects(bus.open(0, { mode: 0, speedHz: 1_000_000 }), { code: 'HAL_CLOSED' });
  await def.close();
});
