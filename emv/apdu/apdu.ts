/**
 * Command and response APDUs (ISO/IEC 7816-4 5.1, EMV Book 1 9.4 and 11, Book 3 6.5).
 * Builders produce short APDUs (Lc <= 255, Le 00 meaning "up to 256"); the parser also
 * reads extended-length APDUs so that any trace can be shown.
 */
import { EmvError } from '../errors.js';
import { encodeTlv } from '../ber/tlv.js';

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data (empty for cases 1 and 2). */
  readonly data: Uint8Array;
  /** Expected response length, 0-65536; undefined for cases 1 and 3. Le 00 means 256 (short). */
  readonly le: number | undefined;
}

export interface ResponseApdu {
  /** The data field: a view into the response. */
  readonly data: Uint8Array;
  readonly sw1: number;
  readonly sw2: number;
  /** sw1 << 8 | sw2, e.g. 0x9000. */
  readonly sw: number;
}

/** Builds a short C-APDU. Throws EMV_APDU_BAD_ARGUMENT for out-of-range fields. */
export function encodeCommand(cmd: { cla: number; ins: number; p1: number; p2: number; data?: Uint8Array; le?: number }): Uint8Array {
  const data = cmd.data ?? new Uint8Array(0);
  for (const k of ['cla', 'ins', 'p1', 'p2'] as const) byteArg(cmd[k], k);
  if (data.length > 255) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `command data of ${data.length} bytes does not fit a short APDU (max 255)`);
  if (cmd.le !== undefined && (!Number.isInteger(cmd.le) || cmd.le < 0 || cmd.le > 256)) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `Le ${cmd.le} out of range 0-256`);
  const out = new Uint8Array(4 + (data.length > 0 ? 1 + data.length : 0) + (cmd.le !== undefined ? 1 : 0));
  out[0] = cmd.cla;
  out[1] = cmd.ins;
  out[2] = cmd.p1;
  out[3] = cmd.p2;
  let pos = 4;
  if (data.length > 0) {
    out[pos++] = data.length;
    out.set(data, pos);
    pos += data.length;
  }
  if (cmd.le !== undefined) out[pos] = cmd.le & 0xff;
  return out;
}

function byteArg(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `${what} ${v} is not a byte`);
}

/**
 * Parses a C-APDU into its case (ISO/IEC 7816-4 5.1): 1 header only; 2 header + Le;
 * 3 header + Lc + data; 4 header + Lc + data + Le; short or extended lengths.
 */
export function parseCommand(apdu: Uint8Array): CommandApdu & { case: 1 | 2 | 3 | 4; extended: boolean } {
  const bad = (why: string): EmvError => new EmvError('EMV_APDU_BAD_COMMAND', `command APDU: ${why}`);
  if (apdu.length < 4) throw bad(`${apdu.length} bytes, a header needs 4`);
  const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
  const body = apdu.length - 4;
  const base = { cla, ins, p1, p2 };
  if (body === 0) return { ...base, data: apdu.subarray(4, 4), le: undefined, case: 1, extended: false };
  const b0 = apdu[4]!;
  if (body === 1) return { ...base, data: apdu.subarray(5, 5), le: b0 === 0 ? 256 : b0, case: 2, extended: false };
  if (b0 !== 0) {
    // Short case 3 (Lc data) or 4 (Lc data Le)
    if (body === 1 + b0) return { ...base, data: apdu.subarray(5, 5 + b0), le: undefined, case: 3, extended: false };
    if (body === 2 + b0) {
      const le = apdu[5 + b0]!;
      return { ...base, data: apdu.subarray(5, 5 + b0), le: le === 0 ? 256 : le, case: 4, extended: false };
    }
    throw bad(`Lc ${b0} but ${body - 1} bytes follow it`);
  }
  // Extended: 00 then two length bytes
  if (body === 3) {
    const le = (apdu[5]! << 8) | apdu[6]!;
    return { ...base, data: apdu.subarray(7, 7), le: le === 0 ? 65536 : le, case: 2, extended: true };
  }
  if (body < 3) throw bad(`${body} bytes after the header do not form Lc/Le`);
  const lc = (apdu[5]! << 8) | apdu[6]!;
  if (lc === 0) throw bad('extended Lc of 0');
  if (body === 3 + lc) return { ...base, data: apdu.subarray(7, 7 + lc), le: undefined, case: 3, extended: true };
  if (body === 5 + lc) {
    const le = (apdu[7 + lc]! << 8) | apdu[8 + lc]!;
    return { ...base, data: apdu.subarray(7, 7 + lc), le: le === 0 ? 65536 : le, case: 4, extended: true };
  }
  throw bad(`extended Lc ${lc} but ${body - 3} bytes follow it`);
}

/** Splits an R-APDU into data (a view) and status word. Throws EMV_APDU_TOO_SHORT under 2 bytes. */
export function parseResponse(rapdu: Uint8Array): ResponseApdu {
  const n = rapdu.length;
  if (n < 2) throw new EmvError('EMV_APDU_TOO_SHORT', `response APDU of ${n} byte${n === 1 ? '' : 's'} has no status word`);
  const sw1 = rapdu[n - 2]!;
  const sw2 = rapdu[n - 1]!;
  return { data: rapdu.subarray(0, n - 2), sw1, sw2, sw: (sw1 << 8) | sw2 };
}

/** Instruction bytes used by EMV (Book 3 6.5, Book 1 11). */
export const INS = {
  SELECT: 0xa4,
  READ_RECORD: 0xb2,
  GET_PROCESSING_OPTIONS: 0xa8,
  GET_DATA: 0xca,
  GENERATE_AC: 0xae,
  INTERNAL_AUTHENTICATE: 0x88,
  EXTERNAL_AUTHENTICATE: 0x82,
  GET_CHALLENGE: 0x84,
  VERIFY: 0x20,
  GET_RESPONSE: 0xc0,
  APPLICATION_BLOCK: 0x1e,
  APPLICATION_UNBLOCK: 0x18,
  CARD_BLOCK: 0x16,
  PIN_CHANGE_UNBLOCK: 0x24,
  COMPUTE_CRYPTOGRAPHIC_CHECKSUM: 0x2a,
} as const;

/** Names of the instructions above, for decoders. */
export const INS_NAMES: Readonly<Record<number, string>> = {
  0xa4: 'SELECT',
  0xb2: 'READ RECORD',
  0xa8: 'GET PROCESSING OPTIONS',
  0xca: 'GET DATA',
  0xae: 'GENERATE APPLICATION CRYPTOGRAM',
  0x88: 'INTERNAL AUTHENTICATE',
  0x82: 'EXTERNAL AUTHENTICATE',
  0x84: 'GET CHALLENGE',
  0x20: 'VERIFY',
  0xc0: 'GET RESPONSE',
  0x1e: 'APPLICATION BLOCK',
  0x18: 'APPLICATION UNBLOCK',
  0x16: 'CARD BLOCK',
  0x24: 'PIN CHANGE/UNBLOCK',
  0x2a: 'COMPUTE CRYPTOGRAPHIC CHECKSUM',
};

/**
 * SELECT by DF name (Book 1 11.3): P1 04; P2 00 for the first or only occurrence, 02 for
 * the next occurrence (partial AID matching, Book 1 12.3.3).
 */
export function selectByName(name: Uint8Array, options?: { next?: boolean }): Uint8Array {
  if (name.length < 1 || name.length > 16) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `DF name of ${name.length} bytes (1-16 expected)`);
  return encodeCommand({ cla: 0x00, ins: INS.SELECT, p1: 0x04, p2: options?.next ? 0x02 : 0x00, data: name, le: 0 });
}

/** "1PAY.SYS.DDF01", the contact PSE (Book 1 12.2.2). */
export const PSE_NAME = new Uint8Array([0x31, 0x50, 0x41, 0x59, 0x2e, 0x53, 0x59, 0x53, 0x2e, 0x44, 0x44, 0x46, 0x30, 0x31]);
/** "2PAY.SYS.DDF01", the contactless PPSE (Book B 3.3). */
export const PPSE_NAME = new Uint8Array([0x32, 0x50, 0x41, 0x59, 0x2e, 0x53, 0x59, 0x53, 0x2e, 0x44, 0x44, 0x46, 0x30, 0x31]);

/**
 * GET PROCESSING OPTIONS (Book 3 6.5.8): CLA 80, data = Command Template 83 wrapping the
 * PDOL-related data (83 00 when the card has no PDOL).
 */
export function getProcessingOptions(pdolData: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (pdolData.length > 253) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `PDOL data of ${pdolData.length} bytes does not fit (max 253)`);
  return encodeCommand({ cla: 0x80, ins: INS.GET_PROCESSING_OPTIONS, p1: 0, p2: 0, data: encodeTlv({ tag: 0x83, value: pdolData }), le: 0 });
}

/** READ RECORD (Book 3 6.5.11): P1 record number, P2 = SFI << 3 | 100b. */
export function readRecord(sfi: number, record: number): Uint8Array {
  if (!Number.isInteger(sfi) || sfi < 1 || sfi > 30) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `SFI ${sfi} out of range 1-30`);
  if (!Number.isInteger(record) || record < 1 || record > 255) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `record number ${record} out of range 1-255`);
  return encodeCommand({ cla: 0x00, ins: INS.READ_RECORD, p1: record, p2: (sfi << 3) | 0x04, le: 0 });
}

/** GET DATA (Book 3 6.5.7): CLA 80, P1P2 the tag of the primitive data object (ATC 9F36, PIN Try Counter 9F17, ...). */
export function getData(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 1 || tag > 0xffff) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `GET DATA tag ${tag} does not fit P1P2`);
  return encodeCommand({ cla: 0x80, ins: INS.GET_DATA, p1: tag >> 8, p2: tag & 0xff, le: 0 });
}

/** Cryptogram types (Book 3 Table 12: P1 bits 8-7). */
export const CRYPTOGRAM_TYPE = { AAC: 0x00, TC: 0x40, ARQC: 0x80 } as const;
export type CryptogramType = keyof typeof CRYPTOGRAM_TYPE;

/** GENERATE AC (Book 3 6.5.5): P1 = cryptogram type, bit 5 set to request CDA. */
export function generateAc(type: CryptogramType, cdolData: Uint8Array, options?: { cda?: boolean }): Uint8Array {
  return encodeCommand({ cla: 0x80, ins: INS.GENERATE_AC, p1: CRYPTOGRAM_TYPE[type] | (options?.cda ? 0x10 : 0), p2: 0, data: cdolData, le: 0 });
}

/** COMPUTE CRYPTOGRAPHIC CHECKSUM (Book C-2 mag-stripe mode): CLA 80, P1 8E, P2 80, the UDOL-related data. */
export function computeCryptographicChecksum(udolData: Uint8Array): Uint8Array {
  if (udolData.length > 255) throw new EmvError('EMV_APDU_BAD_ARGUMENT', `UDOL data of ${udolData.length} bytes does not fit (max 255)`);
  return encodeCommand({ cla: 0x80, ins: INS.COMPUTE_CRYPTOGRAPHIC_CHECKSUM, p1: 0x8e, p2: 0x80, data: udolData, le: 0 });
}

/** INTERNAL AUTHENTICATE (Book 3 6.5.9) with the DDOL-related data. */
export function internalAuthenticate(ddolData: Uint8Array): Uint8Array {
  return encodeCommand({ cla: 0x00, ins: INS.INTERNAL_AUTHENTICATE, p1: 0, p2: 0, data: ddolData, le: 0 });
}

/** EXTERNAL AUTHENTICATE (Book 3 6.5.4) with the Issuer Authentication Data (tag 91 value, 8-16 bytes). */
export function externalAuthenticate(issuerAuthenticationData: Uint8Array): Uint8Array {
  if (issuerAuthenticationData.length < 8 || issuerAuthenticationData.length > 16) {
    throw new EmvError('EMV_APDU_BAD_ARGUMENT', `Issuer Authentication Data of ${issuerAuthenticationData.length} bytes (8-16 expected)`);
  }
  return encodeCommand({ cla: 0x00, ins: INS.EXTERNAL_AUTHENTICATE, p1: 0, p2: 0, data: issuerAuthenticationData });
}

/** GET CHALLENGE (Book 3 6.5.6): an 8-byte unpredictable number for PIN encipherment. */
export function getChallenge(): Uint8Array {
  return encodeCommand({ cla: 0x00, ins: INS.GET_CHALLENGE, p1: 0, p2: 0, le: 0 });
}

/** VERIFY qualifiers (Book 3 Table 23): P2 80 plaintext PIN, 88 enciphered PIN. */
export const VERIFY_PIN = { PLAINTEXT: 0x80, ENCIPHERED: 0x88 } as const;

/**
 * VERIFY (Book 3 6.5.12). `data` is the PIN block (plaintext: the 8-byte ISO 9564 format 2
 * block; enciphered: the RSA-enciphered block). Callers must never log this APDU.
 */
export function verify(p2: number, data: Uint8Array): Uint8Array {
  return encodeCommand({ cla: 0x00, ins: INS.VERIFY, p1: 0, p2, data });
}

/** GET RESPONSE (ISO/IEC 7816-4 7.6.1; EMV Book 1 9.3.1.3: CLA 00). */
export function getResponse(le: number): Uint8Array {
  return encodeCommand({ cla: 0x00, ins: INS.GET_RESPONSE, p1: 0, p2: 0, le: le === 256 ? 0 : le });
}
