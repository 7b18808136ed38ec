/**
 * A sample terminal configuration for the simulator, benchmarks and tests: attended,
 * offline with online capability (9F35 22), France (250), all CVMs, SDA/DDA/CDA, the Visa,
 * Mastercard and UnionPay AIDs with Visa-style TACs, and the TEST CA keys of emv/oda. It
 * holds TEST keys: never use it with live cards.
 */
import { fromHex } from '../bytes.js';
import { TEST_CA_KEYS } from '../oda/test-ca-keys.js';
import type { AidConfig, TerminalConfig } from './types.js';

/** Contactless limits of the sample: transaction 100.00, floor 50.00, CVM required 50.00. */
export const SAMPLE_CONTACTLESS_LIMITS = { transactionLimit: 10000, floorLimit: 5000, cvmRequiredLimit: 5000 } as const;

/** One AID with TACs default DC4000A800, denial 0010000000, online DC4004F800, floor 20.00, random selection 20-50% from 10.00. */
export function sampleAid(hex: string, versions: readonly string[], partialMatch = false, magstripeMode = false): AidConfig {
  return {
    aid: fromHex(hex),
    partialMatch,
    versions: versions.map(fromHex),
    tacDefault: fromHex('DC4000A800'),
    tacDenial: fromHex('0010000000'),
    tacOnline: fromHex('DC4004F800'),
    floorLimit: 2000,
    threshold: 1000,
    targetPercent: 20,
    maxTargetPercent: 50,
    contactless: magstripeMode ? { ...SAMPLE_CONTACTLESS_LIMITS, magstripeMode } : SAMPLE_CONTACTLESS_LIMITS,
  };
}

export const SAMPLE_TERMINAL: TerminalConfig = {
  capabilities: fromHex('E0F8C8'),
  additionalCapabilities: fromHex('6000F0A001'),
  terminalType: 0x22,
  country: 250,
  ifdSerial: 'POS00001',
  merchantCategoryCode: 5411,
  terminalId: 'TERM0001',
  ttq: fromHex('36004000'),
  aids: [
    sampleAid('A0000000031010', ['008C'], true),
    sampleAid('A0000000032010', ['008C']),
    sampleAid('A0000000041010', ['0002'], false, true), // Mastercard: mag-stripe mode for cards without EMV mode (Book C-2)
    sampleAid('A000000333010101', ['0030', '008C']),
    sampleAid('A000000333010102', ['0030', '008C']),
    sampleAid('A000000333010103', ['0030', '008C']),
  ],
  caKeys: TEST_CA_KEYS.map((k) => ({ rid: fromHex(k.rid), index: k.index, modulus: k.modulus, exponent: k.exponent })),
};
