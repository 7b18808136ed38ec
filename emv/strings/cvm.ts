/** CVM List (tag 8E) and CVM Results (tag 9F34), EMV Book 3 Annex C3 and Book 4 Annex A4. */

export interface CvmRule {
  /** CVM code (byte 1 bits 6-1). */
  readonly method: number;
  /** Byte 1 bit 7: apply the next rule if this CVM fails. */
  readonly applyNextIfUnsuccessful: boolean;
  readonly condition: number;
  readonly text: string;
}

export interface CvmList {
  /** Amount X and Y, binary, in the application currency's minor units. */
  readonly amountX: number;
  readonly amountY: number;
  readonly rules: readonly CvmRule[];
}

const METHODS: Readonly<Record<number, string>> = {
  0x00: 'Fail CVM processing',
  0x01: 'Plaintext PIN verification performed by ICC',
  0x02: 'Enciphered PIN verified online',
  0x03: 'Plaintext PIN verification performed by ICC and signature (paper)',
  0x04: 'Enciphered PIN verification performed by ICC',
  0x05: 'Enciphered PIN verification performed by ICC and signature (paper)',
  0x1e: 'Signature (paper)',
  0x1f: 'No CVM required',
  0x3f: 'No CVM performed',
};

const CONDITIONS: Readonly<Record<number, string>> = {
  0x00: 'Always',
  0x01: 'If unattended cash',
  0x02: 'If not unattended cash and not manual cash and not purchase with cashback',
  0x03: 'If terminal supports the CVM',
  0x04: 'If manual cash',
  0x05: 'If purchase with cashback',
  0x06: 'If transaction is in the application currency and is under X value',
  0x07: 'If transaction is in the application currency and is over X value',
  0x08: 'If transaction is in the application currency and is under Y value',
  0x09: 'If transaction is in the application currency and is over Y value',
};

export function cvmMethodName(code: number): string {
  const m = code & 0x3f;
  return METHODS[m] ?? (m >= 0x20 && m <= 0x2f ? `Payment-system CVM ${m.toString(16).toUpperCase()}` : m >= 0x30 && m <= 0x3e ? `Issuer CVM ${m.toString(16).toUpperCase()}` : `RFU CVM ${m.toString(16).toUpperCase()}`);
}

export function cvmConditionName(code: number): string {
  return CONDITIONS[code] ?? `condition ${code.toString(16).toUpperCase().padStart(2, '0')} (${code >= 0x80 ? 'payment system' : 'RFU'})`;
}

const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;

/** Parses a CVM List value. Returns undefined when it is shorter than the 8 amount bytes or has an odd rule byte. */
export function parseCvmList(value: Uint8Array): CvmList | undefined {
  if (value.length < 8 || (value.length - 8) % 2 !== 0) return undefined;
  const rules: CvmRule[] = [];
  for (let i = 8; i < value.length; i += 2) {
    const b1 = value[i]!;
    const b2 = value[i + 1]!;
    const next = (b1 & 0x40) !== 0;
    rules.push({ method: b1 & 0x3f, applyNextIfUnsuccessful: next, condition: b2, text: `${cvmMethodName(b1)}; ${cvmConditionName(b2)}; ${next ? 'if unsuccessful apply next rule' : 'if unsuccessful fail cardholder verification'}` });
  }
  return { amountX: u32(value, 0), amountY: u32(value, 4), rules };
}

/** CVM Results (9F34): method performed, condition, result (0 unknown, 1 failed, 2 successful). */
export function describeCvmResults(value: Uint8Array): string[] {
  if (value.length !== 3) return [];
  const result = ['unknown', 'failed', 'successful'][value[2]!] ?? `RFU result ${value[2]}`;
  return [`method: ${cvmMethodName(value[0]!)}`, `condition: ${cvmConditionName(value[1]!)}`, `result: ${result}`];
}
