/**
 * TR-31 / ANSI X9.143 key blocks, versions B (TDES key block protection key, CMAC-derived
 * keys) and D (AES key block protection key, CMAC-derived keys): header parsing with
 * optional blocks, unwrap with MAC check, and wrap (for test blocks and the key store).
 *
 * Layout: header (16 characters + optional blocks) ‖ hex(encrypted payload) ‖ hex(MAC).
 * Payload = key length in bits (2 bytes) ‖ key ‖ random padding to a whole block.
 * MAC = CMAC(KBAK, header ‖ clear payload) (B: 8 bytes, D: 16); the payload is enciphered
 * in CBC mode under KBEK with the MAC as IV (TR-31:2018 5.3.2, X9.143 7.3).
 */
import { randomBytes } from 'node:crypto';
import { decryptCbc, encryptCbc, type BlockAlgorithm } from '../../emv/crypto/block-cipher.js';
import { concat, equalBytes, toHex, wipe } from '../../emv/crypto/bytes.js';
import { cmac } from '../../emv/crypto/cmac.js';
import { KeyError } from './errors.js';

export type Tr31Version = 'B' | 'D';

export interface Tr31OptionalBlock {
  /** Two-character identifier, e.g. "KS" (key set identifier), "PB" (padding), "KC" (KCV). */
  id: string;
  /** The block's data as the text it carries. */
  data: string;
}

/** The header fields of a key block (TR-31:2018 A.2 / X9.143 6.2). */
export interface Tr31Header {
  /** Key block version ID: "A", "B", "C", "D" (only B and D can be unwrapped or wrapped here). */
  version: string;
  /** Total key block length in characters, as the header declares it. */
  length: number;
  /** Key usage, e.g. "B0" BDK, "B1" DUKPT initial key, "K0"/"K1" key encryption/KBPK, "P0" PIN, "M3" X9.19 MAC, "D0" data. */
  keyUsage: string;
  /** Algorithm: "T" TDES, "A" AES, "D" DES, "H" HMAC, ... */
  algorithm: string;
  /** Mode of use: "B" both, "E" encrypt/wrap only, "D" decrypt only, "X" derive keys, "N" none, ... */
  modeOfUse: string;
  /** Key version number, "00" when unused. */
  keyVersion: string;
  /** Exportability: "E" exportable, "N" not, "S" sensitive. */
  exportability: string;
  optionalBlocks: Tr31OptionalBlock[];
  /** Reserved field, "00". */
  reserved: string;
}

const FIXED_HEADER = 16;
const PRINTABLE = /^[\x20-\x7e]*$/;
const KEY_USAGE = /^[0-9A-Z]{2}$/;

function headerError(message: string): KeyError {
  return new KeyError('KEY_TR31_HEADER', message);
}

function parseHex(text: string, what: string): number {
  if (!/^[0-9A-Fa-f]+$/.test(text)) throw headerError(`${what}: expected hex digits, got "${text}"`);
  return parseInt(text, 16);
}

/** Parses the header (fixed part and optional blocks); returns it and its length in characters. */
export function parseTr31Header(block: string): { header: Tr31Header; headerLength: number } {
  if (typeof block !== 'string' || block.length < FIXED_HEADER) throw headerError(`key block too short for a header (${block?.length ?? 0} characters, need 16)`);
  if (!PRINTABLE.test(block)) throw headerError('key block contains characters outside printable ASCII');
  const lengthText = block.slice(1, 5);
  if (!/^[0-9]{4}$/.test(lengthText)) throw headerError(`key block length field must be 4 decimal digits, got "${lengthText}"`);
  const countText = block.slice(12, 14);
  if (!/^[0-9]{2}$/.test(countText)) throw headerError(`number of optional blocks must be 2 decimal digits, got "${countText}"`);
  const header: Tr31Header = {
    version: block[0]!,
    length: Number(lengthText),
    keyUsage: block.slice(5, 7),
    algorithm: block[7]!,
    modeOfUse: block[8]!,
    keyVersion: block.slice(9, 11),
    exportability: block[11]!,
    optionalBlocks: [],
    reserved: block.slice(14, 16),
  };
  if (!KEY_USAGE.test(header.keyUsage)) throw headerError(`key usage must be 2 characters 0-9/A-Z, got "${header.keyUsage}"`);
  let pos = FIXED_HEADER;
  for (let i = 0; i < Number(countText); i++) {
    if (pos + 4 > block.length) throw headerError(`optional block ${i + 1} runs past the end of the key block`);
    const id = block.slice(pos, pos + 2);
    if (!/^[0-9A-Z]{2}$/.test(id)) throw headerError(`optional block ${i + 1} ID must be 2 characters 0-9/A-Z, got "${id}"`);
    let len = parseHex(block.slice(pos + 2, pos + 4), `optional block ${id} length`);
    let dataStart = pos + 4;
    if (len === 0) {
      // Extended length (X9.143 6.3): length-of-length (2 hex) then the length (that many hex digits).
      const lol = parseHex(block.slice(pos + 4, pos + 6), `optional block ${id} length of length`);
      if (lol === 0) throw headerError(`optional block ${id}: extended length of length is zero`);
      len = parseHex(block.slice(pos + 6, pos + 6 + lol), `optional block ${id} extended length`);
      dataStart = pos + 6 + lol;
    }
    if (len < dataStart - pos) throw headerError(`optional block ${id}: length ${len} is shorter than its own ID and length fields`);
    if (pos + len > block.length) throw headerError(`optional block ${id} runs past the end of the key block`);
    header.optionalBlocks.push({ id, data: block.slice(dataStart, pos + len) });
    pos += len;
  }
  return { header, headerLength: pos };
}

/** Encodes a header; `length` and the optional block count are taken from the arguments. */
export function encodeTr31Header(header: Omit<Tr31Header, 'length'>, totalLength: number): string {
  const fields: [string, string, number][] = [
    [header.version, 'version', 1],
    [header.keyUsage, 'key usage', 2],
    [header.algorithm, 'algorithm', 1],
    [header.modeOfUse, 'mode of use', 1],
    [header.keyVersion, 'key version', 2],
    [header.exportability, 'exportability', 1],
    [header.reserved, 'reserved', 2],
  ];
  for (const [v, what, n] of fields) {
    if (typeof v !== 'string' || v.length !== n || !PRINTABLE.test(v)) throw headerError(`${what} must be ${n} printable character(s)`);
  }
  if (totalLength > 9999) throw headerError(`key block length ${totalLength} does not fit 4 digits`);
  if (header.optionalBlocks.length > 99) throw headerError('at most 99 optional blocks');
  let opt = '';
  for (const b of header.optionalBlocks) {
    if (!/^[0-9A-Z]{2}$/.test(b.id) || !PRINTABLE.test(b.data)) throw headerError(`optional block ID "${b.id}" or data is not printable`);
    const len = 4 + b.data.length;
    if (len <= 0xff) opt += b.id + len.toString(16).toUpperCase().padStart(2, '0') + b.data;
    else {
      const ext = (b.data.length + 10).toString(16).toUpperCase().padStart(4, '0');
      opt += b.id + '0004' + ext + b.data;
    }
  }
  return (
    header.version +
    String(totalLength).padStart(4, '0') +
    header.keyUsage +
    header.algorithm +
    header.modeOfUse +
    header.keyVersion +
    header.exportability +
    String(header.optionalBlocks.length).padStart(2, '0') +
    header.reserved +
    opt
  );
}

interface VersionSpec {
  alg: BlockAlgorithm;
  block: number;
  macLength: number;
}

function versionSpec(version: string): VersionSpec {
  if (version === 'B') return { alg: 'tdes', block: 8, macLength: 8 };
  if (version === 'D') return { alg: 'aes', block: 16, macLength: 16 };
  throw new KeyError('KEY_TR31_UNSUPPORTED', `key block version "${version}" is not supported (B and D are)`);
}

/**
 * TR-31:2018 5.3.2.1 (B) and 5.3.2.3 (D): KBEK and KBAK from the KBPK with CMAC in
 * counter mode; derivation data = counter ‖ usage (0000 encryption, 0001 MAC) ‖ 00 ‖
 * algorithm (0000 2TDEA, 0001 3TDEA, 0002 AES-128, 0003 AES-192, 0004 AES-256) ‖ length in bits.
 */
export function deriveTr31Keys(version: Tr31Version, kbpk: Uint8Array): { kbek: Uint8Array; kbak: Uint8Array } {
  const spec = versionSpec(version);
  let algorithm: number;
  if (spec.alg === 'tdes') {
    if (kbpk.length !== 16 && kbpk.length !== 24) throw new KeyError('KEY_BAD_LENGTH', `version B needs a 16- or 24-byte TDES KBPK, got ${kbpk.length} bytes`);
    algorithm = kbpk.length === 16 ? 0 : 1;
  } else {
    if (kbpk.length !== 16 && kbpk.length !== 24 && kbpk.length !== 32) throw new KeyError('KEY_BAD_LENGTH', `version D needs a 16-, 24- or 32-byte AES KBPK, got ${kbpk.length} bytes`);
    algorithm = { 16: 2, 24: 3, 32: 4 }[kbpk.length]!;
  }
  const bits = kbpk.length * 8;
  const derive = (usage: number): Uint8Array => {
    const parts: Uint8Array[] = [];
    for (let counter = 1; parts.length * spec.block < kbpk.length; counter++) {
      const data = Uint8Array.of(counter, 0, usage, 0, 0, algorithm, bits >> 8, bits & 0xff);
      parts.push(cmac(spec.alg, kbpk, data));
    }
    const all = concat(...parts);
    const key = all.slice(0, kbpk.length);
    wipe(all, ...parts);
    return key;
  };
  return { kbek: derive(0), kbak: derive(1) };
}

export interface Tr31Unwrapped {
  key: Uint8Array;
  header: Tr31Header;
  /** The header exactly as it appears in the block (the `pos tools tr31` "header"). */
  headerText: string;
}

/** Unwraps a version B or D key block: checks the structure, deciphers, verifies the MAC. */
export function unwrapTr31(kbpk: Uint8Array, block: string): Tr31Unwrapped {
  const trimmed = typeof block === 'string' ? block.trim() : '';
  const { header, headerLength } = parseTr31Header(trimmed);
  const spec = versionSpec(header.version);
  if (header.length !== trimmed.length) throw headerError(`key block length field says ${header.length} but the block has ${trimmed.length} characters`);
  const body = trimmed.slice(headerLength);
  const macHex = spec.macLength * 2;
  const payloadHex = body.length - macHex;
  if (!/^[0-9A-Fa-f]*$/.test(body)) throw headerError('encrypted key data and MAC must be hex digits');
  if (payloadHex <= 0 || payloadHex % (spec.block * 2) !== 0) {
    throw headerError(`encrypted key data must be a whole number of ${spec.block}-byte blocks (got ${Math.max(payloadHex, 0) / 2} bytes)`);
  }
  const encrypted = Uint8Array.from(Buffer.from(body.slice(0, payloadHex), 'hex'));
  const mac = Uint8Array.from(Buffer.from(body.slice(payloadHex), 'hex'));
  const { kbek, kbak } = deriveTr31Keys(header.version as Tr31Version, kbpk);
  const headerText = trimmed.slice(0, headerLength);
  let payload: Uint8Array | undefined;
  try {
    payload = decryptCbc(spec.alg, kbek, encrypted, mac);
    const expected = cmac(spec.alg, kbak, concat(Buffer.from(headerText, 'ascii'), payload));
    if (!equalBytes(expected, mac)) throw new KeyError('KEY_TR31_MAC', 'key block MAC does not verify (wrong KBPK or altered block)');
    const bits = (payload[0]! << 8) | payload[1]!;
    if (bits === 0 || bits % 8 !== 0 || bits / 8 > payload.length - 2) {
      throw new KeyError('KEY_TR31_PAYLOAD', `key length field ${bits} bits does not fit the ${payload.length - 2}-byte key data`);
    }
    return { key: payload.slice(2, 2 + bits / 8), header, headerText };
  } finally {
    wipe(kbek, kbak, payload);
  }
}

export interface Tr31WrapOptions {
  /** Padding bytes (for reproducible test blocks); random when absent. */
  padding?: Uint8Array;
}

/**
 * Wraps `key` into a version B or D key block. The header's optional blocks are extended
 * with a "PB" padding block when needed so the header is a whole number of cipher blocks.
 */
export function wrapTr31(kbpk: Uint8Array, header: Omit<Tr31Header, 'length'>, key: Uint8Array, options: Tr31WrapOptions = {}): string {
  const spec = versionSpec(header.version);
  if (key.length === 0 || key.length > 0xfff) throw new KeyError('KEY_BAD_LENGTH', 'key to wrap must be 1..4095 bytes');
  const optionalBlocks = [...header.optionalBlocks];
  let headerLength = encodeTr31Header({ ...header, optionalBlocks }, 0).length;
  if (headerLength % spec.block !== 0) {
    // X9.143 6.3: "PB" pads the header to a whole number of encryption blocks; the smallest PB is 4 characters.
    let pad = spec.block - (headerLength % spec.block);
    if (pad < 4) pad += spec.block;
    optionalBlocks.push({ id: 'PB', data: '0'.repeat(pad - 4) });
    headerLength += pad;
  }
  const payloadLength = Math.ceil((2 + key.length) / spec.block) * spec.block;
  const padLength = payloadLength - 2 - key.length;
  const padding = options.padding ?? randomBytes(padLength);
  if (padding.length !== padLength) throw new KeyError('KEY_BAD_ARGUMENT', `padding must be ${padLength} bytes for this key`);
  const total = headerLength + payloadLength * 2 + spec.macLength * 2;
  const headerText = encodeTr31Header({ ...header, optionalBlocks }, total);
  const payload = concat(Uint8Array.of((key.length * 8) >> 8, (key.length * 8) & 0xff), key, padding);
  const { kbek, kbak } = deriveTr31Keys(header.version as Tr31Version, kbpk);
  try {
    const mac = cmac(spec.alg, kbak, concat(Buffer.from(headerText, 'ascii'), payload));
    const encrypted = encryptCbc(spec.alg, kbek, payload, mac);
    return headerText + toHex(encrypted) + toHex(mac);
  } finally {
    wipe(kbek, kbak, payload);
  }
}
