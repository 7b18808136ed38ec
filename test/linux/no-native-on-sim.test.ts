// STYLE.md: `make test` on a machine without GPIO never loads onoff, i2c-bus or spi-device.
// The sim buses and the Linux backend factory are loaded and used here; then the native
// packages must be absent from the CommonJS module cache (they are all CommonJS, so an
// import() of any of them lands there). The last test loads one on purpose, proving the
// check sees a native module when one is loaded.
import { createRequire } from 'node:module';
import t from 'tap';
import { SimI2cBus } from '../../hal/sim/i2c.js';
import { SimSpiBus } from '../../hal/sim/spi.js';
import { SimGpioController } from '../../hal/sim/gpio.js';
import { createSimSerialPair } from '../../hal/sim/serial.js';
import { createLinuxBackend } from '../../hal/linux/index.js';

const NATIVE = ['onoff', 'epoll', 'i2c-bus', 'spi-device', 'serialport', '@serialport/bindings-cpp'];
const cache = createRequire(import.meta.url).cache;

function loadedNative(): string[] {
  const keys = Object.keys(cache).map((k) => k.split('\\').join('/'));
  return NATIVE.filter((name) => keys.some((k) => k.includes(`/node_modules/${name}/`)));
}

t.test('the sim path and creating the Linux backend load no native module', async (t) => {
  const i2c = new SimI2cBus({ name: 'i2c1' });
  i2c.attach(0x27, { i2cWrite: () => undefined, i2cRead: (n) => new Uint8Array(n) });
  await (await i2c.open(0x27)).write(Uint8Array.of(1));
  await i2c.close();
  await new SimSpiBus({ name: 'spi0' }).close();
  await new SimGpioController().close();
  const { driver, device } = createSimSerialPair({ name: 'tty' });
  await driver.close();
  await device.close();
  const backend = createLinuxBackend();
  t.same(Object.keys(backend).sort(), ['gpio', 'i2cBus', 'serial', 'spiBus']);
  t.same(loadedNative(), []);
});

t.test('control: opening a Linux bus does load its native module, and the check sees it', async (t) => {
  const backend = createLinuxBackend();
  await t.rejects(backend.i2cBus('i2c9', '/dev/i2c-99'), { code: 'HAL_NOT_FOUND', message: /\/dev\/i2c-99/ });
  t.same(loadedNative(), [], 'a missing bus is found missing before i2c-bus loads');
  await t.rejects(backend.serial('/dev/ttyDoesNotExist', { baudRate: 9600 }), { code: 'HAL_NOT_FOUND' });
  t.same(loadedNative(), ['serialport', '@serialport/bindings-cpp']);
});
