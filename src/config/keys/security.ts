/** Keys of users and acceptance limits the technician console sets: sign-in policy, EMV AIDs, floor and CVM limits. */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'users.passwordMaxAgeDays': number;
    'users.lockoutThreshold': number;
    'users.lockoutBaseSec': number;
    'users.lockoutMaxSec': number;
    'limits.floorLimit': number;
    'limits.contactlessTransactionLimit': number;
    'limits.cvmLimit': number;
    'emv.aids': Readonly<Record<string, string>>;
  }
}

const MINOR_UNITS = 'in minor units of the currency';

export const securityKeys: readonly ConfigKeyDef[] = [
  {
    key: 'users.passwordMaxAgeDays',
    type: 'integer',
    min: 0,
    max: 365,
    // PCI DSS 4.0 8.3.9: change at least every 90 days when the password is the only factor.
    default: 90,
    description: 'days after which a password must be changed at sign-in (0: never)',
  },
  { key: 'users.lockoutThreshold', type: 'integer', min: 1, max: 10, default: 3, description: 'failed sign-ins in a row that lock an account' },
  { key: 'users.lockoutBaseSec', type: 'integer', min: 1, max: 3600, default: 30, description: 'first lockout, in seconds; it doubles with each further failure' },
  { key: 'users.lockoutMaxSec', type: 'integer', min: 1, max: 86_400, default: 900, description: 'longest lockout, in seconds' },
  { key: 'limits.floorLimit', type: 'integer', min: 0, max: 999_999_999_999, default: 0, description: `terminal floor limit (EMV tag 9F1B) ${MINOR_UNITS}; above it a transaction goes online` },
  {
    key: 'limits.contactlessTransactionLimit',
    type: 'integer',
    min: 0,
    max: 999_999_999_999,
    default: 100_000,
    description: `largest contactless transaction ${MINOR_UNITS} (above it the card must be inserted)`,
  },
  { key: 'limits.cvmLimit', type: 'integer', min: 0, max: 999_999_999_999, default: 30_000, description: `contactless CVM required limit ${MINOR_UNITS}` },
  {
    key: 'emv.aids',
    type: 'map',
    of: { type: 'string', pattern: /^[a-z][a-z0-9-]{0,23}$/, expected: 'a card scheme in lower case (unionpay, visa, mastercard, ...)' },
    // EMV Book 1 12.2.1: an AID is a 5-byte RID plus up to 11 bytes of PIX.
    keyPattern: /^[0-9A-F]{10,32}$/,
    keyExpected: 'an AID: 10 to 32 upper-case hex digits (RID + PIX)',
    maxEntries: 32,
    default: {
      A000000333010101: 'unionpay',
      A000000333010102: 'unionpay',
      A0000000031010: 'visa',
      A0000000041010: 'mastercard',
    },
    description: 'application identifiers the terminal accepts, with their card scheme',
  },
];
