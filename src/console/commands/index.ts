/** The console's own commands (issue 5); help, whoami and logout live in console.ts. */
import type { ConsoleCommand } from '../registry.js';
import { capkCommand } from './capk.js';
import { configCommand } from './config.js';
import { keyCommand } from './key.js';
import { diagCommand, factoryResetCommand, paymentsCommand, versionCommand } from './system.js';
import { traceCommand } from './trace.js';
import { userCommand } from './user.js';

export function builtinCommands(): ConsoleCommand[] {
  return [configCommand, userCommand, keyCommand, diagCommand, versionCommand, factoryResetCommand, traceCommand, capkCommand, paymentsCommand];
}
