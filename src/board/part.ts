/**
 * How the composition root wires one kind of part: on the sim board it first builds the
 * chip model and attaches it to the far end of the bus; then, on any board, it opens the
 * real driver on the bus handle and says which roles the driver fills.
 */
import type { BoardDevice, BoardProfile } from '../../boards/loader.js';
import type { BusSet } from './buses.js';
import type { TerminalRoles } from './terminal.js';
import type { Clock } from '../../hal/clock.js';

export interface PartContext {
  readonly profile: BoardProfile;
  readonly device: BoardDevice;
  readonly buses: BusSet;
  /** The models built so far on a sim board (by device name). */
  readonly models: Record<string, unknown>;
  /** The clock timed parts and their models share (BuildOptions.clock); absent: the host's. */
  readonly clock?: Clock;
}

export interface OpenedPart {
  driver: { selfTest?(): Promise<unknown>; close(): Promise<void> };
  roles: Partial<TerminalRoles>;
}

export interface PartWiring {
  readonly compatible: string;
  /** Sim board only: build the chip model and attach it to the bus; returns the model. */
  model?(ctx: PartContext): Promise<unknown>;
  open(ctx: PartContext): Promise<OpenedPart>;
}
