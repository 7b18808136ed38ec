/** The terminal's configuration schema: every area's keys (keys/index.ts), plus any registered at run time. */
import { ConfigSchema, type ConfigKeyDef } from './schema.js';
import { AREA_KEYS } from './keys/index.js';

export const configSchema = new ConfigSchema(AREA_KEYS.flat());

/** Adds keys to the terminal's schema (for work that cannot add a module to keys/index.ts). */
export function registerKeys(defs: readonly ConfigKeyDef[]): void {
  configSchema.registerKeys(defs);
}
