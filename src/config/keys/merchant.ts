/** Keys of the merchant: identity, currency, settlement, fees (the merchant guide sets these). */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'merchant.id': string | undefined;
    'merchant.name': string | undefined;
    'merchant.address': string | undefined;
    currency: Currency;
    'settlement.schedule': 'manual' | 'daily' | 'monthly';
    'settlement.time': string;
    'settlement.dayOfMonth': number;
    'fees.mdrPercent': Readonly<Record<string, number>>;
  }
}

/** The currencies a terminal can be set to, with ISO 4217 numeric code and minor-unit exponent. */
export const CURRENCIES = {
  CNY: { numeric: '156', exponent: 2 },
  USD: { numeric: '840', exponent: 2 },
  EUR: { numeric: '978', exponent: 2 },
} as const;

export type Currency = keyof typeof CURRENCIES;

const CURRENCY_CODES = Object.keys(CURRENCIES) as Currency[];

export const merchantKeys: readonly ConfigKeyDef[] = [
  {
    key: 'merchant.id',
    type: 'string',
    pattern: /^[0-9A-Za-z]{15}$/,
    expected: '15 letters or digits (the card acceptor ID, ISO 8583 field 42)',
    description: 'merchant ID assigned by the acquirer',
  },
  { key: 'merchant.name', type: 'string', minLength: 1, maxLength: 40, description: 'merchant name printed on receipts' },
  { key: 'merchant.address', type: 'string', minLength: 1, maxLength: 80, description: 'merchant address printed on receipts' },
  {
    key: 'currency',
    type: 'enum',
    values: CURRENCY_CODES,
    aliases: Object.fromEntries(CURRENCY_CODES.map((c) => [CURRENCIES[c].numeric, c])),
    expected: `one of ${CURRENCY_CODES.join(', ')} (ISO 4217 alpha or numeric)`,
    // China-first merchants (the product's first market) settle in RMB.
    default: 'CNY',
    description: 'transaction and settlement currency',
  },
  {
    key: 'settlement.schedule',
    type: 'enum',
    values: ['manual', 'daily', 'monthly'],
    default: 'manual',
    description: 'when the batch is settled: by hand, every day, or once a month',
  },
  {
    key: 'settlement.time',
    type: 'string',
    pattern: /^([01]\d|2[0-3]):[0-5]\d$/,
    expected: 'a time of day as HH:MM (00:00 to 23:59)',
    default: '23:00',
    description: 'local time of automatic settlement (daily and monthly schedules)',
  },
  {
    key: 'settlement.dayOfMonth',
    type: 'integer',
    min: 1,
    // A day a month does not have means that month's last day (31 -> 30 April, 28/29 February).
    max: 31,
    default: 1,
    description: 'day of the month of a monthly settlement (past the month\'s end: its last day)',
  },
  {
    key: 'fees.mdrPercent',
    type: 'map',
    of: { type: 'number', min: 0, max: 100, maxDecimals: 4 },
    keyPattern: /^[a-z][a-z0-9-]{0,23}$/,
    keyExpected: 'a card scheme in lower case (unionpay, visa, mastercard, ...)',
    maxEntries: 32,
    default: {},
    description: 'merchant discount rate per card scheme, in percent (0.6 = 0.6 %), for reports',
  },
];
