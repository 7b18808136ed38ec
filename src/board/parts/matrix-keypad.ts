/** Matrix keypad on GPIO lines; on the sim board a model closes the contacts. */
import { MatrixKeypad, type MatrixKeypadOptions } from '../../../hal/devices/matrix-keypad/matrix-keypad.js';
import { MatrixKeypadModel, type MatrixPinSource } from '../../../hal/devices/matrix-keypad/matrix-keypad.sim.js';
import { DEFAULT_KEY_NAMES, layoutGrid } from '../../../hal/devices/matrix-keypad/layout.js';
import type { PartWiring } from '../part.js';

/** The sim keypad as people and tests drive it: by key name (ENTER, "5") or by label. */
export class SimKeypad {
  private readonly labelOf = new Map<string, string>();

  constructor(
    readonly model: MatrixKeypadModel,
    private readonly options: MatrixKeypadOptions,
    private readonly gpio?: MatrixPinSource,
  ) {
    const names = options.keyNames ?? DEFAULT_KEY_NAMES;
    for (const row of layoutGrid(options.layout, options.rows.length, options.cols.length)) {
      for (const label of row) this.labelOf.set(names[label] ?? label, label);
    }
  }

  /** Every key name the layout has. */
  get keys(): string[] {
    return [...this.labelOf.keys()];
  }

  label(name: string): string | undefined {
    return this.labelOf.get(name) ?? (this.model.labels.includes(name) ? name : undefined);
  }

  /**
   * The driver is resting: every row driven low, waiting for a column edge (it goes there
   * only once every key has been seen released for its debounce time). Undefined when the
   * lines cannot be watched.
   */
  driverResting(): boolean | undefined {
    if (!this.gpio) return undefined;
    return this.options.rows.every((r) => {
      const pin = this.gpio!.pin(r);
      return pin.drivenByHost && pin.level === 0;
    });
  }

  /** Presses and releases a key by name, with a little contact bounce, as a finger would. */
  async tapKey(name: string, holdMs = 120): Promise<void> {
    const label = this.label(name);
    if (label === undefined) throw new Error(`keypad: no key named "${name}" (keys: ${this.keys.join(' ')})`);
    await this.model.tap(label, holdMs, { bounce: 3 });
  }
}

export const matrixKeypadWiring: PartWiring = {
  compatible: 'generic,matrix-keypad',
  async model(ctx) {
    const props = ctx.device.props as unknown as MatrixKeypadOptions;
    const gpio = await ctx.buses.simGpio();
    return new SimKeypad(new MatrixKeypadModel(gpio, props), props, gpio);
  },
  async open(ctx) {
    const keypad = await MatrixKeypad.open({ gpio: await ctx.buses.gpio(), ...(ctx.device.props as unknown as MatrixKeypadOptions) });
    return { driver: keypad, roles: { keypad } };
  },
};
