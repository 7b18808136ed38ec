/**
 * Keys of the EMV terminal configuration (EMV Book 4 Annex A, Book 3 10.6/10.7): what the
 * kernel's TerminalConfig is built from (src/board/emv-config.ts), next to `emv.aids`,
 * `limits.*`, `terminal.id`, `merchant.id` and `currency` (one source of truth each).
 *
 * Per-application parameters are maps whose entries are looked up by the AID first, then
 * by the AID's card scheme (its `emv.aids` value), then under `default`. The defaults are
 * the values card schemes publish as typical for an attended POS; the acquirer supplies the
 * real ones at installation (console: config set).
 */
import type { ConfigKeyDef, ValueDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'terminal.country': number;
    'merchant.categoryCode': number | undefined;
    'emv.terminalType': string;
    'emv.capabilities': string;
    'emv.additionalCapabilities': string;
    'emv.ttq': string;
    'emv.tacDefault': Readonly<Record<string, string>>;
    'emv.tacDenial': Readonly<Record<string, string>>;
    'emv.tacOnline': Readonly<Record<string, string>>;
    'emv.appVersions': Readonly<Record<string, string>>;
    'emv.partialMatch': Readonly<Record<string, boolean>>;
    'emv.floorLimits': Readonly<Record<string, number>>;
    'emv.randomThreshold': Readonly<Record<string, number>>;
    'emv.randomTargetPercent': Readonly<Record<string, number>>;
    'emv.randomMaxTargetPercent': Readonly<Record<string, number>>;
    'emv.contactlessMagstripe': Readonly<Record<string, boolean>>;
    'limits.contactlessFloorLimit': number;
  }
}

const hex = (bytes: number, what: string): Extract<ValueDef, { type: 'string' }> => ({ type: 'string', pattern: new RegExp(`^[0-9A-F]{${bytes * 2}}$`), expected: `${bytes * 2} upper-case hex digits (${what})` });

/** An entry key of a per-application map: an AID (Book 1 12.2.1: RID + up to 11 bytes of PIX), a scheme name, or "default". */
export const AID_OR_SCHEME = /^(?:[0-9A-F]{10,32}|[a-z][a-z0-9-]{0,23})$/;

/** Where each lookup of a per-application map goes, in order. */
export const PER_AID_HELP = 'entries by AID, else by card scheme (as in emv.aids), else "default"';

function perAid(key: string, of: Exclude<ValueDef, { type: 'map' }>, dflt: Readonly<Record<string, string | number | boolean>>, description: string): ConfigKeyDef {
  return {
    key,
    type: 'map',
    of,
    keyPattern: AID_OR_SCHEME,
    keyExpected: 'an AID (10 to 32 upper-case hex digits), a card scheme in lower case, or "default"',
    maxEntries: 40,
    default: dflt,
    description: `${description}; ${PER_AID_HELP}`,
  };
}

const TAC = hex(5, 'a Terminal Action Code, 5 bytes');
const SUPPLIED = 'the acquirer supplies the real values; the defaults are the schemes\' published typical ones';

export const emvKeys: readonly ConfigKeyDef[] = [
  {
    key: 'terminal.country',
    type: 'integer',
    min: 1,
    max: 999,
    expected: 'an ISO 3166-1 numeric country code (156 China, 840 United States, 250 France)',
    // The product's first market, as the currency default (CNY).
    default: 156,
    description: 'Terminal Country Code (EMV 9F1A), ISO 3166-1 numeric: where the terminal stands (the card\'s usage control compares it with the issuer\'s country)',
  },
  {
    key: 'merchant.categoryCode',
    type: 'integer',
    min: 0,
    max: 9999,
    expected: 'a 4-digit ISO 18245 merchant category code, e.g. 5411 (grocery stores)',
    description: 'Merchant Category Code (EMV 9F15), assigned by the acquirer; unset: not sent to the card',
  },
  {
    key: 'emv.terminalType',
    type: 'string',
    // EMV Book 4 Annex A1, Table 24: 1x financial institution, 2x merchant, 3x cardholder; x = attended/online capability.
    pattern: /^(?:1[1-6]|2[1-6]|3[4-6])$/,
    expected: 'an EMV Terminal Type (Book 4 Annex A1): 11-16, 21-26 or 34-36',
    default: '22',
    description: 'Terminal Type (EMV 9F35): 22 = attended, operated by the merchant, offline with online capability; 21 = online only',
  },
  {
    key: 'emv.capabilities',
    ...hex(3, 'EMV Terminal Capabilities, Book 4 Annex A2'),
    // Byte 1 60: magnetic stripe, IC with contacts (no manual key entry); byte 2 F8: offline
    // plaintext PIN, online enciphered PIN, signature, offline enciphered PIN, no CVM;
    // byte 3 C8: SDA, DDA, CDA.
    default: '60F8C8',
    description: 'Terminal Capabilities (EMV 9F33): card input, CVMs and offline data authentication the terminal supports',
  },
  {
    key: 'emv.additionalCapabilities',
    ...hex(5, 'EMV Additional Terminal Capabilities, Book 4 Annex A3'),
    // Goods and services; numeric, alphabetic, command and function keys; printer and display for the attendant; code table 1.
    default: '6000F0A001',
    description: 'Additional Terminal Capabilities (EMV 9F40): transaction types, keys, printer/display and code tables',
  },
  {
    key: 'emv.ttq',
    ...hex(4, 'Terminal Transaction Qualifiers, EMV Book A 5.7'),
    // EMV mode, contact chip, online PIN and signature supported; issuer update processing supported.
    default: '36004000',
    description: 'Terminal Transaction Qualifiers (EMV 9F66) before the per-transaction bits: what the contactless reader offers the card',
  },
  perAid('emv.tacDefault', TAC, { visa: 'DC4000A800', mastercard: 'FC50BCA000', unionpay: 'D84000A800', amex: 'DC50FC9800', jcb: 'FC6024A800', default: 'DC4000A800' }, `Terminal Action Code - Default (EMV Book 3 10.7: decline when the terminal cannot go online); ${SUPPLIED}`),
  perAid('emv.tacDenial', TAC, { visa: '0010000000', mastercard: '0000000000', unionpay: '0010000000', amex: '0010000000', jcb: '0010000000', default: '0010000000' }, `Terminal Action Code - Denial (EMV Book 3 10.7: decline offline); ${SUPPLIED}`),
  perAid('emv.tacOnline', TAC, { visa: 'DC4004F800', mastercard: 'FC50BCF800', unionpay: 'D84004F800', amex: 'DE00FC9800', jcb: 'FC60ACF800', default: 'DC4004F800' }, `Terminal Action Code - Online (EMV Book 3 10.7: go online); ${SUPPLIED}`),
  perAid(
    'emv.appVersions',
    { type: 'string', pattern: /^[0-9A-F]{4}(?:,[0-9A-F]{4}){0,7}$/, expected: 'application version numbers (EMV 9F09), 4 upper-case hex digits each, comma-separated, the first sent to the card' },
    { visa: '008C', mastercard: '0002', unionpay: '0030,008C', amex: '0001', jcb: '0200', default: '0001' },
    `Application Version Numbers (Terminal) (EMV 9F09) per application; ${SUPPLIED}`,
  ),
  perAid('emv.partialMatch', { type: 'boolean' }, { default: true }, 'Application Selection Indicator (EMV Book 1 12.3.1): true when a card AID longer than the configured one (same prefix) may be selected'),
  perAid('emv.floorLimits', { type: 'integer', min: 0, max: 999_999_999_999, expected: 'minor units of the currency' }, {}, 'Terminal Floor Limit (EMV 9F1B) per application, minor units; without an entry limits.floorLimit applies'),
  perAid('emv.randomThreshold', { type: 'integer', min: 0, max: 999_999_999_999, expected: 'minor units of the currency' }, { default: 0 }, `random transaction selection threshold (EMV Book 3 10.6.2), minor units below the floor limit; ${SUPPLIED}`),
  perAid('emv.randomTargetPercent', { type: 'integer', min: 0, max: 99 }, { default: 0 }, `random transaction selection target percentage (EMV Book 3 10.6.2, 0 to 99); ${SUPPLIED}`),
  perAid('emv.randomMaxTargetPercent', { type: 'integer', min: 0, max: 99 }, { default: 0 }, `random transaction selection maximum target percentage (EMV Book 3 10.6.2, 0 to 99, at least the target); ${SUPPLIED}`),
  perAid(
    'emv.contactlessMagstripe',
    { type: 'boolean' },
    { default: false },
    'contactless mag-stripe mode (EMV Book C-2) for a card without EMV mode (entry mode 91); the schemes have retired it in most regions',
  ),
  {
    key: 'limits.contactlessFloorLimit',
    type: 'integer',
    min: 0,
    max: 999_999_999_999,
    default: 0,
    description: 'contactless floor limit (EMV Book A 5.7) in minor units of the currency; above it a contactless transaction goes online',
  },
];
