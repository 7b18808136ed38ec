/**
 * The three-digit service code (ISO/IEC 7813 and ISO/IEC 7811-6; hardware.md 8.1) as
 * structured data plus the meaning of each digit.
 */
import { EmvError } from '../errors.js';

export type Interchange = 'international' | 'national' | 'private' | 'test' | 'reserved';
export type Authorisation = 'normal' | 'online' | 'online-except-bilateral' | 'reserved';
export type AllowedServices = 'any' | 'goods-and-services' | 'atm-only' | 'cash-only' | 'reserved';
export type PinRequirement = 'required' | 'when-pin-pad-present' | 'none';

export interface ServiceCode {
  readonly code: string;
  readonly interchange: Interchange;
  /** First digit 2 or 6: the card has a chip, which must be used when the terminal can. */
  readonly chipCapable: boolean;
  readonly authorisation: Authorisation;
  readonly services: AllowedServices;
  readonly pin: PinRequirement;
  /** One line per digit, e.g. "2: international interchange, IC (chip) card - use chip when feasible". */
  readonly meaning: readonly [string, string, string];
}

const FIRST: Record<string, [Interchange, boolean, string]> = {
  '1': ['international', false, 'international interchange OK'],
  '2': ['international', true, 'international interchange, IC (chip) card - use chip when feasible'],
  '5': ['national', false, 'national interchange only, except under bilateral agreement'],
  '6': ['national', true, 'national interchange only, IC (chip) card - use chip when feasible'],
  '7': ['private', false, 'no interchange except under bilateral agreement (closed loop)'],
  '9': ['test', false, 'test card'],
};
const SECOND: Record<string, [Authorisation, string]> = {
  '0': ['normal', 'normal authorisation rules'],
  '2': ['online', 'contact issuer: authorise online'],
  '4': ['online-except-bilateral', 'contact issuer except under bilateral agreement'],
};
const THIRD: Record<string, [AllowedServices, PinRequirement, string]> = {
  '0': ['any', 'required', 'no restrictions, PIN required'],
  '1': ['any', 'none', 'no restrictions'],
  '2': ['goods-and-services', 'none', 'goods and services only, no cash'],
  '3': ['atm-only', 'required', 'ATM only, PIN required'],
  '4': ['cash-only', 'none', 'cash only'],
  '5': ['goods-and-services', 'required', 'goods and services only, PIN required'],
  '6': ['any', 'when-pin-pad-present', 'no restrictions, prompt for PIN if a PIN pad is present'],
  '7': ['goods-and-services', 'when-pin-pad-present', 'goods and services only, prompt for PIN if a PIN pad is present'],
};

/** Decodes a service code; reserved digit values are reported as 'reserved', not rejected. */
export function decodeServiceCode(code: string): ServiceCode {
  if (!/^[0-9]{3}$/.test(code)) throw new EmvError('EMV_TRACK_FORMAT', `service code "${code}" is not 3 digits`);
  const [d1, d2, d3] = [code[0]!, code[1]!, code[2]!];
  const [interchange, chipCapable, m1] = FIRST[d1] ?? ['reserved', false, 'reserved for future use'];
  const [authorisation, m2] = SECOND[d2] ?? ['reserved', 'reserved for future use'];
  const [services, pin, m3] = THIRD[d3] ?? ['reserved', 'none', 'reserved for future use'];
  return { code, interchange, chipCapable, authorisation, services, pin, meaning: [`${d1}: ${m1}`, `${d2}: ${m2}`, `${d3}: ${m3}`] };
}

/** The chip-capable rule (DESIGN step 3): a swiped card whose service code starts with 2 or 6 goes to the chip reader. */
export function isChipCard(serviceCode: string): boolean {
  return serviceCode[0] === '2' || serviceCode[0] === '6';
}
