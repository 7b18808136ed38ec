/**
 * The composition root: builds a terminal from a board profile. Only this folder may
 * import hal/sim, hal/linux, chip models and virtual cards (STYLE.md layers).
 */
import { loadBoard, type BoardProfile } from '../../boards/loader.js';
import type { RoleName } from '../../hal/devices/binding.js';
import type { BusTrace } from '../../hal/sim/trace.js';
import { BusSet } from './buses.js';
import { PARTS } from './parts.js';
import type { PartContext } from './part.js';
import type { OpenedDevice, SelfTestResult, Terminal, TerminalRoles } from './terminal.js';

export interface BuildOptions {
  /** Records all sim bus traffic (`--trace-bus`). */
  trace?: BusTrace;
  /** Where board names are looked up. */
  boardsDir?: string;
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

  for (const device of profile.devices) {
    const wiring = PARTS.get(device.compatible);
    const started = performance.now();
    const ctx: PartContext = { profile, device, buses, models };
    try {
      if (!wiring) throw new Error(`no wiring for compatible "${device.compatible}"`);
      if (buses.isSim && wiring.model) models[device.name] = await wiring.model(ctx);
      const opened = await wiring.open(ctx);
      devices.push({ name: device.name, compatible: device.compatible, driver: opened.driver });
      for (const role of rolesOf(profile, device.name)) {
        const impl = opened.roles[role as keyof TerminalRoles];
        if (impl) (roles as Record<string, unknown>)[role] = impl;
      }
    } catch (err) {
      failed.push({ device: device.name, compatible: device.compatible, roles: rolesOf(profile, device.name), ok: false, error: `open failed: ${describe(err)}`, ms: performance.now() - started });
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
