/**
 * Simulated GPIO: named lines (GPIO0..GPIO53 by default) whose electrical level is
 * resolved like a wire: a driver output wins; otherwise a model may drive the line
 * (open-drain style, `null` = released); otherwise the bias (pull-up 1, pull-down 0,
 * none 0). Whenever a level changes, models are told and watched inputs report an edge,
 * asynchronously. A keypad model, for one, drives a column low while its key is pressed
 * and the driver pulls that key's row low.
 */
import { HalError } from '../errors.js';
import type { Unsubscribe } from '../io.js';
import {
  gpioRefName,
  type GpioBias,
  type GpioCapabilities,
  type GpioController,
  type GpioDirection,
  type GpioLine,
  type GpioLineOptions,
  type GpioLineRef,
  type GpioValue,
} from '../gpio.js';
import type { BusTrace } from './trace.js';

/** The chip label the sim controller answers to in `{chip, line}` references. */
export const SIM_GPIO_CHIP = 'sim-gpio';

/** The model's view of one line. */
export interface SimPin {
  readonly name: string;
  /** Current electrical level. */
  readonly level: GpioValue;
  /** Whether the driver has the line open as an output. */
  readonly drivenByHost: boolean;
  /** Drives the line from the model side (`null` releases it). */
  drive(source: GpioValue | null | (() => GpioValue | null)): void;
  /** Called (synchronously, during resolution) when the level changes. */
  onLevel(listener: (level: GpioValue) => void): Unsubscribe;
}

interface PinState {
  name: string;
  level: GpioValue;
  hostDirection: GpioDirection | null;
  hostPhysical: GpioValue;
  bias: GpioBias;
  external: GpioValue | null | (() => GpioValue | null);
  listeners: Set<(level: GpioValue) => void>;
  line: SimGpioLine | null;
}

export interface SimGpioOptions {
  /** Bus name for traces (default "gpio"). */
  name?: string;
  trace?: BusTrace;
  /** Line names; default GPIO0..GPIO53. */
  lines?: readonly string[];
}

export class SimGpioController implements GpioController {
  readonly capabilities: GpioCapabilities = { bias: true, edgeEvents: true };
  readonly name: string;
  private readonly pins = new Map<string, PinState>();
  private readonly trace: BusTrace | undefined;
  private closed = false;
  private resolving = false;
  private again = false;

  constructor(options: SimGpioOptions = {}) {
    this.name = options.name ?? 'gpio';
    this.trace = options.trace;
    const names = options.lines ?? Array.from({ length: 54 }, (_, i) => `GPIO${i}`);
    for (const name of names) {
      this.pins.set(name, { name, level: 0, hostDirection: null, hostPhysical: 0, bias: 'disabled', external: null, listeners: new Set(), line: null });
    }
  }

  private resolveRef(ref: GpioLineRef): PinState {
    let name: string;
    if (typeof ref === 'string') name = ref;
    else {
      if (ref.chip !== SIM_GPIO_CHIP) throw new HalError('HAL_NOT_FOUND', `gpio: no chip labelled "${ref.chip}" (the sim board has "${SIM_GPIO_CHIP}")`);
      name = `GPIO${ref.line}`;
    }
    const pin = this.pins.get(name);
    if (!pin) throw new HalError('HAL_NOT_FOUND', `gpio: no line ${gpioRefName(ref)}`);
    return pin;
  }

  /** The model side of a line. */
  pin(ref: GpioLineRef): SimPin {
    const state = this.resolveRef(ref);
    const settle = (): void => this.settle();
    return {
      name: state.name,
      get level() {
        return state.level;
      },
      get drivenByHost() {
        return state.hostDirection === 'out';
      },
      drive(source) {
        state.external = source;
        settle();
      },
      onLevel(listener) {
        state.listeners.add(listener);
        return () => void state.listeners.delete(listener);
      },
    };
  }

  async open(ref: GpioLineRef, options: GpioLineOptions): Promise<GpioLine> {
    if (this.closed) throw new HalError('HAL_CLOSED', 'gpio: open after close');
    const state = this.resolveRef(ref);
    if (state.line) throw new HalError('HAL_BUSY', `gpio: line ${state.name} is already open`);
    const line = new SimGpioLine(this, state, options);
    state.line = line;
    state.bias = options.bias && options.bias !== 'as-is' ? options.bias : state.bias;
    this.setHost(state, options.direction, options.initial ?? 0, line.activeLow);
    return line;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const pin of this.pins.values()) await pin.line?.close();
    this.closed = true;
  }

  /** @internal */ setHost(state: PinState, direction: GpioDirection | null, logical: GpioValue, activeLow: boolean): void {
    state.hostDirection = direction;
    state.hostPhysical = (activeLow ? 1 - logical : logical) as GpioValue;
    if (direction === 'out') this.trace?.record(this.name, { line: state.name, op: 'set', value: state.hostPhysical });
    this.settle();
  }

  /** @internal */ release(state: PinState): void {
    state.line = null;
    state.hostDirection = null;
    this.settle();
  }

  /** @internal */ traceGet(state: PinState): void {
    this.trace?.record(this.name, { line: state.name, op: 'get', value: state.level });
  }

  private compute(state: PinState): GpioValue {
    if (state.hostDirection === 'out') return state.hostPhysical;
    const ext = typeof state.external === 'function' ? state.external() : state.external;
    if (ext !== null) return ext;
    return state.bias === 'pull-up' ? 1 : 0;
  }

  /**
   * Recomputes every level until nothing changes (models' sources may depend on other
   * lines), then notifies models synchronously and driver watchers asynchronously.
   */
  settle(): void {
    if (this.resolving) {
      this.again = true;
      return;
    }
    this.resolving = true;
    try {
      for (let pass = 0; pass < 16; pass++) {
        this.again = false;
        for (const state of this.pins.values()) {
          const level = this.compute(state);
          if (level === state.level) continue;
          state.level = level;
          for (const l of [...state.listeners]) l(level);
          if (state.line && state.hostDirection === 'in') {
            this.trace?.record(this.name, { line: state.name, op: 'edge', value: level });
            state.line.edge(level);
          }
          this.again = true;
        }
        if (!this.again) return;
      }
      throw new HalError('HAL_PROTOCOL', 'gpio: line levels do not settle (a model oscillates)');
    } finally {
      this.resolving = false;
    }
  }
}

class SimGpioLine implements GpioLine {
  readonly name: string;
  readonly activeLow: boolean;
  private dir: GpioDirection;
  private closed = false;
  private readonly watchers = new Set<(value: GpioValue, timeUs: number) => void>();
  private readonly edgeKind: NonNullable<GpioLineOptions['edge']>;

  constructor(
    private readonly ctl: SimGpioController,
    private readonly state: PinState,
    options: GpioLineOptions,
  ) {
    this.name = state.name;
    this.activeLow = options.activeLow ?? false;
    this.dir = options.direction;
    this.edgeKind = options.edge ?? 'both';
  }

  get direction(): GpioDirection {
    return this.dir;
  }

  private check(what: string): void {
    if (this.closed) throw new HalError('HAL_CLOSED', `gpio ${this.name}: ${what} after close`);
  }

  private logical(level: GpioValue): GpioValue {
    return (this.activeLow ? 1 - level : level) as GpioValue;
  }

  async read(): Promise<GpioValue> {
    this.check('read');
    await new Promise((r) => setImmediate(r));
    this.check('read');
    this.ctl.traceGet(this.state);
    return this.logical(this.state.level);
  }

  async write(value: GpioValue): Promise<void> {
    this.check('write');
    if (this.dir !== 'out') throw new HalError('HAL_INVALID_ARGUMENT', `gpio ${this.name}: write to an input`);
    if (value !== 0 && value !== 1) throw new HalError('HAL_INVALID_ARGUMENT', `gpio ${this.name}: value ${String(value)}`);
    this.ctl.setHost(this.state, 'out', value, this.activeLow);
  }

  async setDirection(direction: GpioDirection, initial: GpioValue = 0): Promise<void> {
    this.check('setDirection');
    this.dir = direction;
    this.ctl.setHost(this.state, direction, initial, this.activeLow);
  }

  watch(listener: (value: GpioValue, timeUs: number) => void): Unsubscribe {
    this.check('watch');
    this.watchers.add(listener);
    return () => void this.watchers.delete(listener);
  }

  /** @internal */ edge(level: GpioValue): void {
    const value = this.logical(level);
    if (this.edgeKind === 'rising' && value !== 1) return;
    if (this.edgeKind === 'falling' && value !== 0) return;
    const timeUs = Number(process.hrtime.bigint() / 1000n);
    const listeners = [...this.watchers];
    setImmediate(() => {
      if (this.closed) return;
      for (const l of listeners) if (this.watchers.has(l)) l(value, timeUs);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    // An output keeps its last level (as sysfs does); an input just stops reporting.
    if (this.dir === 'in') this.ctl.release(this.state);
    else this.state.line = null;
  }
}
