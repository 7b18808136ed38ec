/** Keys of the terminal itself: identity, language, idle screen, limits. */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'terminal.id': string | undefined;
    locale: 'en' | 'zh';
    'display.idleText': string;
    'limits.maxAmount': number;
  }
}

export const terminalKeys: readonly ConfigKeyDef[] = [
  {
    key: 'terminal.id',
    type: 'string',
    pattern: /^[0-9A-Za-z]{8}$/,
    expected: '8 letters or digits (the card acceptor terminal ID, ISO 8583 field 41)',
    description: 'terminal ID assigned by the acquirer',
  },
  { key: 'locale', type: 'enum', values: ['en', 'zh'], default: 'en', description: 'language of screens and receipts' },
  {
    key: 'display.idleText',
    type: 'string',
    minLength: 1,
    maxLength: 40,
    default: 'WELCOME',
    description: 'text of the idle screen (cut to the panel width)',
  },
  {
    key: 'limits.maxAmount',
    type: 'integer',
    min: 1,
    // ISO 8583 field 4 is n12.
    max: 999_999_999_999,
    default: 10_000_000,
    description: 'largest amount a transaction may have, in minor units of the currency',
  },
];
