// The GPIO contract on sysfs through onoff 6.0.3 (loaded on first open, so nothing loads
// onoff unless a real board opens a line). Lines are resolved with gpio-chips.ts.
import { closeSync } from 'node:fs';
import type { Gpio } from 'onoff';
import { HalError } from '../errors.js';
import { bounded, type CallOptions, type Unsubscribe } from '../io.js';
import {
  gpioRefName,
  type GpioCapabilities,
  type GpioController,
  type GpioDirection,
  type GpioEdge,
  type GpioLine,
  type GpioLineOptions,
  type GpioLineRef,
  type GpioValue,
} from '../gpio.js';
import { toHalError } from './errno.js';
import { readGpioChips, resolveGpioLine, type GpioChipInfo } from './gpio-chips.js';

type GpioClass = typeof Gpio;
let onoff: Promise<GpioClass> | undefined;

function loadOnoff(): Promise<GpioClass> {
  onoff ??= import('onoff').then((m) => (m as { Gpio?: GpioClass; default?: { Gpio: GpioClass } }).Gpio ?? m.default.Gpio);
  return onoff;
}

/**
 * sysfs "high"/"low" set the raw (electrical) level: gpiolib-sysfs direction_store calls
 * gpiod_direction_output_raw, so active-low is applied here, not by the kernel.
 */
function outputDirection(logical: GpioValue, activeLow: boolean): 'high' | 'low' {
  return (logical ^ (activeLow ? 1 : 0)) === 1 ? 'high' : 'low';
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export interface LinuxGpioOptions {
  /** Where sysfs is mounted (default "/sys"); only line resolution reads it, onoff always uses /sys. */
  sysfsRoot?: string;
}

export class LinuxGpioController implements GpioController {
  readonly capabilities: GpioCapabilities = { bias: false, edgeEvents: true };
  private readonly sysfsRoot: string;
  private chips: Promise<GpioChipInfo[]> | undefined;
  private readonly lines = new Map<number, LinuxGpioLine>();
  private closed = false;

  constructor(options: LinuxGpioOptions = {}) {
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
  }

  async open(ref: GpioLineRef, options: GpioLineOptions): Promise<GpioLine> {
    const name = gpioRefName(ref);
    if (this.closed) throw new HalError('HAL_CLOSED', `gpio ${name}: open after close`);
    const bias = options.bias ?? 'as-is';
    if (bias !== 'as-is') {
      // onoff README "Configuring Pullup and Pulldown Resistors": sysfs has no bias control.
      throw new HalError(
        'HAL_UNSUPPORTED',
        `gpio ${name}: bias "${bias}" cannot be set through sysfs; set it at boot in config.txt (e.g. gpio=17=ip,pu) and open the line with bias "as-is"`,
      );
    }
    if (options.direction !== 'in' && options.direction !== 'out') {
      throw new HalError('HAL_INVALID_ARGUMENT', `gpio ${name}: direction "${String(options.direction)}"`);
    }
    // Chips are read once: their bases do not change while the system runs.
    this.chips ??= readGpioChips(this.sysfsRoot);
    const chips = await this.chips.catch((err: unknown) => {
      this.chips = undefined;
      throw err;
    });
    const { number } = resolveGpioLine(chips, ref);
    if (this.lines.has(number)) throw new HalError('HAL_BUSY', `gpio ${name}: already open (sysfs gpio${number})`);
    const Gpio = await loadOnoff();
    if (this.closed) throw new HalError('HAL_CLOSED', `gpio ${name}: closed during open`);
    if (this.lines.has(number)) throw new HalError('HAL_BUSY', `gpio ${name}: already open (sysfs gpio${number})`);
    const activeLow = options.activeLow ?? false;
    const edge = options.edge ?? 'both';
    let gpio: Gpio;
    try {
      gpio =
        options.direction === 'out'
          ? new Gpio(number, outputDirection(options.initial ?? 0, activeLow), 'none', { activeLow })
          : new Gpio(number, 'in', edge, { activeLow });
    } catch (err) {
      throw toHalError(err, `/sys/class/gpio/gpio${number} (${name})`, 'export');
    }
    const line = new LinuxGpioLine(name, number, gpio, activeLow, options.direction, edge, () => this.lines.delete(number));
    this.lines.set(number, line);
    return line;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.lines.values()].map((l) => l.close()));
  }
}

class LinuxGpioLine implements GpioLine {
  private closed = false;
  private readonly device: string;
  private readonly stops = new Set<() => void>();

  constructor(
    readonly name: string,
    number: number,
    private readonly gpio: Gpio,
    readonly activeLow: boolean,
    public direction: GpioDirection,
    private readonly edge: GpioEdge,
    private readonly forget: () => void,
  ) {
    this.device = `/sys/class/gpio/gpio${number} (${name})`;
  }

  private check(what: string): void {
    if (this.closed) throw new HalError('HAL_CLOSED', `gpio ${this.name}: ${what} after close`);
  }

  async read(options?: CallOptions): Promise<GpioValue> {
    this.check('read');
    const value = await bounded(`gpio ${this.name}: read`, this.gpio.read(), options).catch((err: unknown) => {
      throw toHalError(err, this.device, 'read');
    });
    this.check('read');
    return value;
  }

  async write(value: GpioValue, options?: CallOptions): Promise<void> {
    this.check('write');
    if (value !== 0 && value !== 1) throw new HalError('HAL_INVALID_ARGUMENT', `gpio ${this.name}: value ${String(value)}`);
    if (this.direction !== 'out') throw new HalError('HAL_INVALID_ARGUMENT', `gpio ${this.name}: write to an input`);
    await bounded(`gpio ${this.name}: write`, this.gpio.write(value), options).catch((err: unknown) => {
      throw toHalError(err, this.device, 'write');
    });
  }

  async setDirection(direction: GpioDirection, initial: GpioValue = 0, options?: CallOptions): Promise<void> {
    this.check('setDirection');
    if (options?.signal?.aborted) throw new HalError('HAL_ABORTED', `gpio ${this.name}: setDirection aborted`);
    try {
      // sysfs writes are synchronous in onoff: there is nothing in flight to time out.
      if (direction === 'out') {
        this.gpio.setDirection(outputDirection(initial, this.activeLow));
      } else if (direction === 'in') {
        this.gpio.setDirection('in');
        // onoff only arms edges on inputs (writing edge on an output can fail with EIO, onoff#87).
        this.gpio.setEdge(this.edge);
      } else {
        throw new HalError('HAL_INVALID_ARGUMENT', `gpio ${this.name}: direction "${String(direction)}"`);
      }
    } catch (err) {
      throw toHalError(err, this.device, `set direction ${direction}`);
    }
    this.direction = direction;
  }

  watch(listener: (value: GpioValue, timeUs: number) => void): Unsubscribe {
    this.check('watch');
    let active = true;
    const callback = (err: Error | null | undefined, value: GpioValue): void => {
      if (!active || this.closed || err) return;
      listener(value, nowUs());
    };
    const stop = (): void => {
      if (!active) return;
      active = false;
      this.stops.delete(stop);
      if (!this.closed) this.gpio.unwatch(callback);
    };
    this.stops.add(stop);
    this.gpio.watch(callback);
    return stop;
  }

  /**
   * An input is unexported (handed back to the kernel). An output stays exported so that
   * it keeps driving its last value: freeing the line would make pinctrl-bcm2835 switch the
   * pin to input (bcm2835_pmx_gpio_disable_free); only the value fd is closed, which onoff
   * 6.0.3 can do only through unexport().
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.stops]) stop();
    this.forget();
    try {
      this.gpio.unwatchAll();
      if (this.direction === 'in') this.gpio.unexport();
      else {
        const fd = (this.gpio as unknown as { _valueFd?: number })._valueFd;
        if (typeof fd === 'number') closeSync(fd);
      }
    } catch (err) {
      throw toHalError(err, this.device, 'close');
    }
  }
}
