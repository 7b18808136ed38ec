/**
 * The top-level `pos` subcommands. Each entry is a lazy import so that `pos run` loads
 * only what boot needs. Later work adds its commands here, one line each.
 */
import type { Command } from './command.js';

const load = (p: Promise<{ default: Command }>): Promise<Command> => p.then((m) => m.default);

export const commands: Record<string, () => Promise<Command>> = {
  run: () => load(import('./run.js')),
  tools: () => load(import('./tools.js')),
  board: () => load(import('./board.js')),
  config: () => load(import('./config.js')),
  'host-sim': () => load(import('./host-sim.js')),
  'vpcd-card': () => load(import('./vpcd-card.js')),
  console: () => load(import('./console.js')),
  diag: () => load(import('./diag.js')),
  backup: () => load(import('./backup.js')),
  restore: () => load(import('./restore.js')),
  journal: () => load(import('./journal.js')),
  report: () => load(import('./report.js')),
  settle: () => load(import('./settle.js')),
  cards: () => load(import('./cards.js')),
};
