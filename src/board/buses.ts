/**
 * Opens the buses a board profile names, on the backend each one asks for: the sim
 * buses in-process, or the Linux backends loaded by dynamic import (so that a sim run
 * never loads onoff, i2c-bus, spi-device or serialport).
 */
import type { GpioController } from '../../hal/gpio.js';
import type { I2cBus } from '../../hal/i2c.js';
import type { SerialLink } from '../../hal/serial.js';
import type { SpiBus } from '../../hal/spi.js';
import type { BusTrace } from '../../hal/sim/trace.js';
import { SimI2cBus } from '../../hal/sim/i2c.js';
import { SimSpiBus } from '../../hal/sim/spi.js';
import { SimGpioController } from '../../hal/sim/gpio.js';
import { createSimSerialPair, type SimSerialEnd } from '../../hal/sim/serial.js';
import type { BoardBus, BoardProfile } from '../../boards/loader.js';

export interface SerialHandle {
  /** The driver's end. */
  link: SerialLink;
  /** Sim only: the far end, for the chip model. */
  deviceEnd?: SimSerialEnd;
}

export class BusSet {
  private readonly i2c = new Map<string, I2cBus>();
  private readonly spi = new Map<string, SpiBus>();
  private readonly serial = new Map<string, SerialHandle>();
  private gpioController: GpioController | undefined;
  private linux: Promise<typeof import('../../hal/linux/index.js')> | undefined;

  constructor(
    private readonly profile: BoardProfile,
    private readonly trace?: BusTrace,
  ) {}

  /** The sim board: every bus simulated, so chip models sit at the far ends. */
  get isSim(): boolean {
    return Object.values(this.profile.buses).every((b) => b.backend === 'sim');
  }

  private get gpioBackend(): 'sim' | 'linux' {
    return Object.values(this.profile.buses).find((b) => b.kind === 'gpio')?.backend ?? (this.isSim ? 'sim' : 'linux');
  }

  private bus(name: string): BoardBus {
    const bus = this.profile.buses[name];
    if (!bus) throw new Error(`${this.profile.file}: no bus "${name}"`);
    return bus;
  }

  private linuxBackend(): Promise<typeof import('../../hal/linux/index.js')> {
    this.linux ??= import('../../hal/linux/index.js');
    return this.linux;
  }

  async i2cBus(name: string): Promise<I2cBus> {
    let bus = this.i2c.get(name);
    if (!bus) {
      const spec = this.bus(name);
      bus =
        spec.backend === 'sim'
          ? new SimI2cBus({ name, ...(this.trace ? { trace: this.trace } : {}) })
          : await (await this.linuxBackend()).createLinuxBackend().i2cBus(name, spec.device!);
      this.i2c.set(name, bus);
    }
    return bus;
  }

  async spiBus(name: string): Promise<SpiBus> {
    let bus = this.spi.get(name);
    if (!bus) {
      const spec = this.bus(name);
      bus =
        spec.backend === 'sim'
          ? new SimSpiBus({ name, ...(this.trace ? { trace: this.trace } : {}) })
          : await (await this.linuxBackend()).createLinuxBackend().spiBus(name, spec.device!);
      this.spi.set(name, bus);
    }
    return bus;
  }

  async serialLink(name: string): Promise<SerialHandle> {
    let handle = this.serial.get(name);
    if (!handle) {
      const spec = this.bus(name);
      if (spec.backend === 'sim') {
        const pair = createSimSerialPair({ name, ...(this.trace ? { trace: this.trace } : {}) });
        handle = { link: pair.driver, deviceEnd: pair.device };
      } else {
        const link = await (await this.linuxBackend()).createLinuxBackend().serial(spec.device!, { baudRate: spec.baudRate ?? 115200 });
        handle = { link };
      }
      this.serial.set(name, handle);
    }
    return handle;
  }

  async gpio(): Promise<GpioController> {
    if (!this.gpioController) {
      this.gpioController = this.gpioBackend === 'sim'
        ? new SimGpioController({ ...(this.trace ? { trace: this.trace } : {}) })
        : await (await this.linuxBackend()).createLinuxBackend().gpio();
    }
    return this.gpioController;
  }

  /** Sim board: the sim I2C bus, for attaching chip models. */
  async simI2c(name: string): Promise<SimI2cBus> {
    const bus = await this.i2cBus(name);
    if (!(bus instanceof SimI2cBus)) throw new Error(`bus "${name}" is not simulated`);
    return bus;
  }

  async simSpi(name: string): Promise<SimSpiBus> {
    const bus = await this.spiBus(name);
    if (!(bus instanceof SimSpiBus)) throw new Error(`bus "${name}" is not simulated`);
    return bus;
  }

  async simGpio(): Promise<SimGpioController> {
    const gpio = await this.gpio();
    if (!(gpio instanceof SimGpioController)) throw new Error('the GPIO lines are not simulated');
    return gpio;
  }

  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    for (const b of this.i2c.values()) closing.push(b.close());
    for (const b of this.spi.values()) closing.push(b.close());
    for (const s of this.serial.values()) closing.push(s.link.close(), s.deviceEnd?.close() ?? Promise.resolve());
    if (this.gpioController) closing.push(this.gpioController.close());
    await Promise.allSettled(closing);
  }
}
