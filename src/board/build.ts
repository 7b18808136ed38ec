/**
 * The composition root: builds a terminal from a board profile. Only this folder may
 * import hal/sim, hal/linux, chip models and virtual cards (STYLE.md layers).
 */
import { loadBoard, type BoardProfile } from '../../boards/loader.js';
import type { RoleName } from '../../hal/devices/binding.js';
import type { BusTrace } from '../../hal/sim/trace.js';
import type { Clock } from '../../hal/clock.js';
import { BusSet } from './buses.js';
import { PARTS } from './parts.js';
import type { PartContext } from './part.js';
import type { OpenedDevice, SelfTestResult, Terminal, TerminalRoles } from './terminal.js';

export interface BuildOptions {
  /** Records all sim bus traffic (`--trace-bus`). */
  trace?: BusTrace;
  /** Where board names are looked up. */
  boardsDir?: string;
  /**
   * What timed parts (the buzzer) and their sim models keep time by; default the host's
   * monotonic clock. Tests hand a SteppedClock (hal/sim/clock.ts) so that what the model
   * measures does not depend on the host's load.
   */
  clock?: Clock;
}

function rolesOf(profile: BoardProfile, device: string): RoleName[] {
  return (Object.entries(profile.roles) as [RoleName, string][]).filter(([, d]) => d === device).map(([r]) => r);
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return `${typeof e.code === 'string' ? e.code + ': ' : ''}${String(e.message ?? err)}`;
}

export async function buildTerminal(board: string | BoardProfile, options: BuildOptions = {}): Promise<Terminal> {
  const profile = typeof board === 'string' ? loadBoard(board, options.boardsDir ? { boardsDir: options.boardsDir } : {}) : board;
  const buses = new BusSet(profile, options.trace);
  const models: Record<string, unknown> = {};
  const devices: OpenedDevice[] = [];
  const failed: SelfTestResult[] = [];
  const roles: TerminalRoles = {};

  // Chip models first (the far ends of the wires), then every driver opens at once: parts
  // on different buses start in parallel (the LCD's power-on wait overlaps the reader's and
  // the printer's start-up); parts on one bus are serialised by the bus itself.
  const contexts = profile.devices.map((device): PartContext => ({ profile, device, buses, models, ...(options.clock ? { clock: options.clock } : {}) }));
  const opened = await Promise.all(
    contexts.map(async (ctx) => {
      const { device } = ctx;
      const wiring = PARTS.get(device.compatible);
      const started = performance.now();
      try {
        if (!wiring) throw new Error(`no wiring for compatible "${device.compatible}"`);
        if (buses.isSim && wiring.model) models[device.name] = await wiring.model(ctx);
        return { device, started, part: await wiring.open(ctx) };
      } catch (err) {
        return { device, started, error: err };
      }
    }),
  );
  // Models listed in profile order, whatever order they finished in.
  const built = { ...models };
  for (const key of Object.keys(models)) delete models[key];
  for (const device of profile.devices) if (device.name in built) models[device.name] = built[device.name];
  for (const { device, started, part, error } of opened) {
    if (!part) {
      failed.push({ device: device.name, compatible: device.compatible, roles: rolesOf(profile, device.name), ok: false, error: `open failed: ${describe(error)}`, ms: performance.now() - started });
      continue;
    }
    devices.push({ name: device.name, compatible: device.compatible, driver: part.driver });
    for (const role of rolesOf(profile, device.name)) {
      const impl = part.roles[role as keyof TerminalRoles];
      if (impl) (roles as Record<string, unknown>)[role] = impl;
    }
  }

  return {
    board: profile.name,
    isSim: buses.isSim,
    roles,
    devices,
    failed,
    models,
    async selfTest() {
      const results: SelfTestResult[] = [...failed];
      for (const d of devices) {
        const started = performance.now();
        const result: SelfTestResult = { device: d.name, compatible: d.compatible, roles: rolesOf(profile, d.name), ok: true, ms: 0 };
        try {
          // A part without a self test of its own (a buzzer) counts as present once opened.
          await d.driver.selfTest?.();
        } catch (err) {
          result.ok = false;
          result.error = describe(err);
        }
        result.ms = performance.now() - started;
        results.push(result);
      }
      return results;
    },
    async close() {
      await Promise.allSettled(devices.map((d) => d.driver.close()));
      await buses.close();
      options.trace?.close();
    },
  };
}
