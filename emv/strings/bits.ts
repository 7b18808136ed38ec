/**
 * Bit-by-bit meaning of the EMV bit-mapped data elements, as tables: TVR and TSI (Book 3
 * Annex C5, C6), AIP and AUC (Annex C1, C2), Terminal Capabilities (Book 4 Annex A2), TTQ
 * and CTQ (Book C-3 Annex A), Cryptogram Information Data (Book 3 Table 15).
 */

/** Meanings of bits 8..1 of one byte, index 0 = bit 8 (the most significant). Empty string = RFU. */
export type ByteBits = readonly [string, string, string, string, string, string, string, string];

export interface BitTable {
  readonly name: string;
  readonly bytes: readonly ByteBits[];
}

export interface SetBit {
  /** 1-based byte and bit (bit 8 = most significant), as the books number them. */
  readonly byte: number;
  readonly bit: number;
  readonly meaning: string;
}

const RFU: ByteBits = ['', '', '', '', '', '', '', ''];

export const TVR_BITS: BitTable = {
  name: 'Terminal Verification Results',
  bytes: [
    ['Offline data authentication was not performed', 'SDA failed', 'ICC data missing', 'Card appears on terminal exception file', 'DDA failed', 'CDA failed', 'SDA selected', ''],
    ['ICC and terminal have different application versions', 'Expired application', 'Application not yet effective', 'Requested service not allowed for card product', 'New card', '', '', ''],
    ['Cardholder verification was not successful', 'Unrecognised CVM', 'PIN Try Limit exceeded', 'PIN entry required and PIN pad not present or not working', 'PIN entry required, PIN pad present, but PIN was not entered', 'Online PIN entered', '', ''],
    ['Transaction exceeds floor limit', 'Lower consecutive offline limit exceeded', 'Upper consecutive offline limit exceeded', 'Transaction selected randomly for online processing', 'Merchant forced transaction online', '', '', ''],
    ['Default TDOL used', 'Issuer authentication failed', 'Script processing failed before final GENERATE AC', 'Script processing failed after final GENERATE AC', '', '', '', ''],
  ],
};

export const TSI_BITS: BitTable = {
  name: 'Transaction Status Information',
  bytes: [
    ['Offline data authentication was performed', 'Cardholder verification was performed', 'Card risk management was performed', 'Issuer authentication was performed', 'Terminal risk management was performed', 'Script processing was performed', '', ''],
    RFU,
  ],
};

export const AIP_BITS: BitTable = {
  name: 'Application Interchange Profile',
  bytes: [
    ['', 'SDA supported', 'DDA supported', 'Cardholder verification is supported', 'Terminal risk management is to be performed', 'Issuer authentication is supported', 'On device cardholder verification supported (contactless)', 'CDA supported'],
    ['EMV mode supported (contactless, Mastercard C-2)', '', '', '', '', '', '', 'Relay resistance protocol supported (contactless, Mastercard C-2)'],
  ],
};

export const AUC_BITS: BitTable = {
  name: 'Application Usage Control',
  bytes: [
    ['Valid for domestic cash transactions', 'Valid for international cash transactions', 'Valid for domestic goods', 'Valid for international goods', 'Valid for domestic services', 'Valid for international services', 'Valid at ATMs', 'Valid at terminals other than ATMs'],
    ['Domestic cashback allowed', 'International cashback allowed', '', '', '', '', '', ''],
  ],
};

export const TERMINAL_CAPABILITIES_BITS: BitTable = {
  name: 'Terminal Capabilities',
  bytes: [
    ['Manual key entry', 'Magnetic stripe', 'IC with contacts', '', '', '', '', ''],
    ['Plaintext PIN for ICC verification', 'Enciphered PIN for online verification', 'Signature (paper)', 'Enciphered PIN for offline verification', 'No CVM required', '', '', ''],
    ['SDA', 'DDA', 'Card capture', '', 'CDA', '', '', ''],
  ],
};

export const TTQ_BITS: BitTable = {
  name: 'Terminal Transaction Qualifiers',
  bytes: [
    ['Mag-stripe mode supported', '', 'EMV mode supported', 'EMV contact chip supported', 'Offline-only reader', 'Online PIN supported', 'Signature supported', 'Offline Data Authentication for Online Authorizations supported'],
    ['Online cryptogram required', 'CVM required', '(Contact chip) Offline PIN supported', '', '', '', '', ''],
    ['Issuer Update Processing supported', 'Consumer Device CVM supported', '', '', '', '', '', ''],
    RFU,
  ],
};

export const CTQ_BITS: BitTable = {
  name: 'Card Transaction Qualifiers',
  bytes: [
    ['Online PIN required', 'Signature required', 'Go online if offline data authentication fails and reader is online capable', 'Switch interface if offline data authentication fails and reader supports contact chip', 'Go online if application expired', 'Switch interface for cash transactions', 'Switch interface for cashback transactions', ''],
    ['Consumer Device CVM performed', 'Card supports Issuer Update Processing at the POS', '', '', '', '', '', ''],
  ],
};

/** The set bits of `value` with their meaning; set RFU bits are reported as "RFU bit set". */
export function setBits(table: BitTable, value: Uint8Array): SetBit[] {
  const out: SetBit[] = [];
  for (let i = 0; i < value.length; i++) {
    const meanings = table.bytes[i] ?? RFU;
    for (let j = 0; j < 8; j++) {
      if ((value[i]! & (0x80 >> j)) === 0) continue;
      out.push({ byte: i + 1, bit: 8 - j, meaning: meanings[j] || 'RFU bit set' });
    }
  }
  return out;
}

/** One line per set bit: "byte 1 bit 8: Offline data authentication was not performed". */
export function describeBits(table: BitTable, value: Uint8Array): string[] {
  return setBits(table, value).map((b) => `byte ${b.byte} bit ${b.bit}: ${b.meaning}`);
}

/** Cryptogram Information Data (Book 3 Table 15). */
export function describeCid(cid: number): string[] {
  const type = ['AAC (decline)', 'TC (approve offline)', 'ARQC (go online)', 'RFU'][cid >> 6]!;
  const lines = [`cryptogram type: ${type}`];
  if (cid & 0x08) lines.push('advice required');
  const reason = ['', 'service not allowed', 'PIN Try Limit exceeded', 'issuer authentication failed'][cid & 0x07];
  if (reason) lines.push(`reason: ${reason}`);
  else if ((cid & 0x07) > 3) lines.push(`reason code ${cid & 0x07} (RFU)`);
  return lines;
}
