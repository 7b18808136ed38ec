/**
 * The key modules of every area, one line each. An area that needs settings adds a
 * module under keys/ (definitions + its ConfigValues types) and a line here.
 */
import type { ConfigKeyDef } from '../schema.js';
import { appKeys } from './app.js';
import { backupKeys } from './backup.js';
import { consoleKeys } from './console.js';
import { emvKeys } from './emv.js';
import { hostKeys } from './host.js';
import { merchantKeys } from './merchant.js';
import { terminalKeys } from './terminal.js';
import { securityKeys } from './security.js';
import { riskKeys } from './risk.js';
import { traceKeys } from './trace.js';

export const AREA_KEYS: readonly (readonly ConfigKeyDef[])[] = [
  terminalKeys,
  merchantKeys,
  hostKeys,
  consoleKeys,
  securityKeys,
  backupKeys,
  appKeys,
  riskKeys,
  traceKeys,
  emvKeys,
];
