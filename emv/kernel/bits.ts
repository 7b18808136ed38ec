/**
 * Bits the kernel sets and reads: TVR (Book 3 Annex C5), TSI (C6), AIP (C1), AUC (C2),
 * CVM (C3), Terminal Capabilities (Book 4 Annex A2), TTQ (Book A 5.7 / C-3 Table 5-4),
 * CTQ (C-3 Table 5-3). Each is [byte index (0-based), mask].
 */
export type Bit = readonly [number, number];

export const TVR = {
  ODA_NOT_PERFORMED: [0, 0x80],
  SDA_FAILED: [0, 0x40],
  ICC_DATA_MISSING: [0, 0x20],
  EXCEPTION_FILE: [0, 0x10],
  DDA_FAILED: [0, 0x08],
  CDA_FAILED: [0, 0x04],
  SDA_SELECTED: [0, 0x02],
  DIFFERENT_VERSIONS: [1, 0x80],
  EXPIRED: [1, 0x40],
  NOT_YET_EFFECTIVE: [1, 0x20],
  SERVICE_NOT_ALLOWED: [1, 0x10],
  NEW_CARD: [1, 0x08],
  CVM_NOT_SUCCESSFUL: [2, 0x80],
  UNRECOGNISED_CVM: [2, 0x40],
  PIN_TRY_LIMIT_EXCEEDED: [2, 0x20],
  PIN_PAD_NOT_WORKING: [2, 0x10],
  PIN_NOT_ENTERED: [2, 0x08],
  ONLINE_PIN_ENTERED: [2, 0x04],
  FLOOR_LIMIT_EXCEEDED: [3, 0x80],
  LCOL_EXCEEDED: [3, 0x40],
  UCOL_EXCEEDED: [3, 0x20],
  RANDOM_SELECTED: [3, 0x10],
  FORCED_ONLINE: [3, 0x08],
  DEFAULT_TDOL_USED: [4, 0x80],
  ISSUER_AUTHENTICATION_FAILED: [4, 0x40],
  SCRIPT_FAILED_BEFORE_FINAL_AC: [4, 0x20],
  SCRIPT_FAILED_AFTER_FINAL_AC: [4, 0x10],
} as const satisfies Record<string, Bit>;

export const TSI = {
  ODA_PERFORMED: [0, 0x80],
  CVM_PERFORMED: [0, 0x40],
  CARD_RISK_MANAGEMENT_PERFORMED: [0, 0x20],
  ISSUER_AUTHENTICATION_PERFORMED: [0, 0x10],
  TRM_PERFORMED: [0, 0x08],
  SCRIPT_PROCESSING_PERFORMED: [0, 0x04],
} as const satisfies Record<string, Bit>;

export const AIP = {
  SDA: [0, 0x40],
  DDA: [0, 0x20],
  CARDHOLDER_VERIFICATION: [0, 0x10],
  TERMINAL_RISK_MANAGEMENT: [0, 0x08],
  ISSUER_AUTHENTICATION: [0, 0x04],
  CDA: [0, 0x01],
  /** Book C-2: EMV mode supported (clear: mag-stripe mode only). */
  EMV_MODE: [1, 0x80],
} as const satisfies Record<string, Bit>;

export const AUC = {
  DOMESTIC_CASH: [0, 0x80],
  INTERNATIONAL_CASH: [0, 0x40],
  DOMESTIC_GOODS: [0, 0x20],
  INTERNATIONAL_GOODS: [0, 0x10],
  DOMESTIC_SERVICES: [0, 0x08],
  INTERNATIONAL_SERVICES: [0, 0x04],
  ATM: [0, 0x02],
  NON_ATM: [0, 0x01],
  DOMESTIC_CASHBACK: [1, 0x80],
  INTERNATIONAL_CASHBACK: [1, 0x40],
} as const satisfies Record<string, Bit>;

export const TERMINAL_CAPABILITIES = {
  PLAINTEXT_PIN: [1, 0x80],
  ONLINE_PIN: [1, 0x40],
  SIGNATURE: [1, 0x20],
  ENCIPHERED_PIN: [1, 0x10],
  NO_CVM: [1, 0x08],
  SDA: [2, 0x80],
  DDA: [2, 0x40],
  CDA: [2, 0x08],
} as const satisfies Record<string, Bit>;

export const TTQ = {
  MAGSTRIPE_MODE: [0, 0x80],
  EMV_MODE: [0, 0x20],
  EMV_CONTACT: [0, 0x10],
  OFFLINE_ONLY: [0, 0x08],
  ONLINE_PIN: [0, 0x04],
  SIGNATURE: [0, 0x02],
  ODA_FOR_ONLINE: [0, 0x01],
  ONLINE_CRYPTOGRAM_REQUIRED: [1, 0x80],
  CVM_REQUIRED: [1, 0x40],
  OFFLINE_PIN: [1, 0x20],
  ISSUER_UPDATE: [2, 0x80],
  CDCVM: [2, 0x40],
} as const satisfies Record<string, Bit>;

export const CTQ = {
  ONLINE_PIN_REQUIRED: [0, 0x80],
  SIGNATURE_REQUIRED: [0, 0x40],
  ONLINE_IF_ODA_FAILS: [0, 0x20],
  SWITCH_INTERFACE_IF_ODA_FAILS: [0, 0x10],
  ONLINE_IF_APPLICATION_EXPIRED: [0, 0x08],
  CDCVM_PERFORMED: [1, 0x80],
} as const satisfies Record<string, Bit>;

export function setBit(bytes: Uint8Array, [i, mask]: Bit): void {
  bytes[i] = bytes[i]! | mask;
}

export function hasBit(bytes: Uint8Array | undefined, [i, mask]: Bit): boolean {
  return bytes !== undefined && ((bytes[i] ?? 0) & mask) !== 0;
}

/** True when any bit set in `a` is set in `b` too (TVR against an action code, Book 3 10.7). */
export function intersects(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length && i < b.length; i++) if ((a[i]! & b[i]!) !== 0) return true;
  return false;
}
