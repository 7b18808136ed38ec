/**
 * Issuer Application Data (tag 9F10) in the two standard layouts: the EMV Common Core
 * Definitions format (Book 3 Annex C7, 32 bytes, first byte 0F) and the Visa VIS layout
 * (first byte 06: length of the Visa discretionary data, then DKI, CVN, CVR).
 * Anything else is issuer-proprietary and shown as hex.
 */
import { toHex } from '../bytes.js';

export function describeIad(iad: Uint8Array): string[] {
  if (iad.length === 32 && iad[0] === 0x0f && iad[16] === 0x0f) {
    const cci = iad[1]!;
    const format = cci >> 4 === 0xa ? 'format A (CCD)' : `format ${(cci >> 4).toString(16).toUpperCase()}`;
    const cv = cci & 0x0f;
    const alg = cv === 5 ? 'TDES' : cv === 6 ? 'AES' : 'proprietary';
    return [
      'EMV Common Core Definitions (Book 3 Annex C7)',
      `common core identifier: ${toHex(iad.subarray(1, 2))}: ${format}, cryptogram version ${cv} (${alg})`,
      `derivation key index: ${toHex(iad.subarray(2, 3))}`,
      `card verification results: ${toHex(iad.subarray(3, 8))}`,
      `counters: ${toHex(iad.subarray(8, 16))}`,
      `issuer discretionary data: ${toHex(iad.subarray(17, 32))}`,
    ];
  }
  if (iad.length >= 7 && iad[0] === 0x06 && iad[3] === 0x03) {
    const lines = [
      'Visa VIS layout',
      `derivation key index: ${toHex(iad.subarray(1, 2))}`,
      `cryptogram version number: ${iad[2]} (${toHex(iad.subarray(2, 3))})`,
      `card verification results: ${toHex(iad.subarray(3, 7))}`,
    ];
    if (iad.length > 7) lines.push(`issuer discretionary data: ${toHex(iad.subarray(7))}`);
    return lines;
  }
  return ['issuer-proprietary layout'];
}
