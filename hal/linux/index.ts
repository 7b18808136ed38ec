/**
 * The Linux backend as the composition root sees it. Every backend module, and through it
 * every native module (onoff + epoll, i2c-bus, spi-device, serialport), is loaded by
 * dynamic import on the first call that needs it: creating the backend loads nothing, so a
 * sim board never loads a native addon (test/linux/no-native-on-sim.test.ts).
 */
import type { GpioController } from '../gpio.js';
import type { I2cBus } from '../i2c.js';
import type { SpiBus } from '../spi.js';
import type { SerialLink, SerialOptions } from '../serial.js';

export interface LinuxGpioBackendOptions {
  /** Where sysfs is mounted (default "/sys"); used to resolve lines to sysfs numbers. */
  sysfsRoot?: string;
}

export interface LinuxBackend {
  /** A GPIO controller on sysfs (onoff); lines resolve against /sys/class/gpio/gpiochip*. */
  gpio(options?: LinuxGpioBackendOptions): Promise<GpioController>;
  /** The I2C bus named `name` in the profile, on `device` ("/dev/i2c-1"). */
  i2cBus(name: string, device: string): Promise<I2cBus>;
  /** The SPI bus named `name`, on `device` ("/dev/spidev0"; chip select C opens /dev/spidev0.C). */
  spiBus(name: string, device: string): Promise<SpiBus>;
  /** Opens a serial port ("/dev/ttyAMA0", "/dev/serial0", a pty). */
  serial(path: string, options: SerialOptions): Promise<SerialLink>;
}

export function createLinuxBackend(): LinuxBackend {
  return {
    gpio: async (options) => new (await import('./gpio.js')).LinuxGpioController(options),
    i2cBus: async (name, device) => (await import('./i2c.js')).LinuxI2cBus.open(name, device),
    spiBus: async (name, device) => (await import('./spi.js')).LinuxSpiBus.open(name, device),
    serial: async (path, options) => new (await import('./serial.js')).LinuxSerialOpener().open(path, options),
  };
}
