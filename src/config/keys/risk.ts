/**
 * Keys of the engine's risk limits (issue 9 "Risk limits"), enforced before a transaction goes
 * online: amounts are integer minor units of the terminal currency; 0 means "no limit".
 */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'risk.maxAmount': number;
    'risk.card.maxCount': number;
    'risk.card.maxAmount': number;
    'risk.card.periodMinutes': number;
    'risk.terminal.maxCount': number;
    'risk.terminal.maxAmount': number;
    'risk.terminal.periodMinutes': number;
    'risk.offline.maxAmount': number;
    'risk.offline.maxCount': number;
    'risk.offline.maxAgeHours': number;
  }
}

const MAX_MINOR = 1_000_000_000_000;
const amount = (key: string, description: string, dflt: number): ConfigKeyDef => ({ key, type: 'integer', min: 0, max: MAX_MINOR, expected: 'minor units (0 = no limit)', default: dflt, description });
const count = (key: string, description: string, dflt: number): ConfigKeyDef => ({ key, type: 'integer', min: 0, max: 1_000_000, expected: 'a count (0 = no limit)', default: dflt, description });

export const riskKeys: readonly ConfigKeyDef[] = [
  amount('risk.maxAmount', 'largest amount of one transaction, minor units (0: no limit)', 0),
  count('risk.card.maxCount', 'approved transactions per card within risk.card.periodMinutes (0: no limit)', 0),
  amount('risk.card.maxAmount', 'amount per card within risk.card.periodMinutes, minor units (0: no limit)', 0),
  { key: 'risk.card.periodMinutes', type: 'integer', min: 1, max: 44_640, default: 1440, description: 'per-card velocity period in minutes' },
  count('risk.terminal.maxCount', 'approved transactions of the terminal within risk.terminal.periodMinutes (0: no limit)', 0),
  amount('risk.terminal.maxAmount', 'amount of the terminal within risk.terminal.periodMinutes, minor units (0: no limit)', 0),
  { key: 'risk.terminal.periodMinutes', type: 'integer', min: 1, max: 44_640, default: 1440, description: 'per-terminal velocity period in minutes' },
  amount('risk.offline.maxAmount', 'largest offline (store-and-forward) approval, minor units (0: no limit)', 0),
  count('risk.offline.maxCount', 'offline approvals whose advice is still owed (0: no limit)', 0),
  { key: 'risk.offline.maxAgeHours', type: 'integer', min: 0, max: 720, default: 0, description: 'oldest advice still owed before offline approvals stop, hours (0: no limit)' },
];
