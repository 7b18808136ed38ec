// Terminal-sourced data elements (Book 3 Annex A, Book 4 Annex A) as the DOLs and field 55
// need them, built from the transaction parameters, the configuration and kernel state.
import { numberToBcd, digitsToBcd } from '../bytes.js';
import { TAG } from '../dict/tags.js';
import { EmvError } from '../errors.js';
import type { AidConfig, TerminalConfig, TransactionParams } from './types.js';

export interface TerminalState {
  readonly params: TransactionParams;
  readonly config: TerminalConfig;
  readonly aid: AidConfig | undefined;
  readonly tvr: Uint8Array;
  readonly tsi: Uint8Array;
  readonly ttq: Uint8Array | undefined;
  readonly cvmResults: Uint8Array | undefined;
  readonly arc: Uint8Array | undefined;
  readonly issuerAuthenticationData: Uint8Array | undefined;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);

/** Checks the inputs once, before any card exchange: bad configuration is a programming fault, not a card outcome. */
export function checkInputs(params: TransactionParams, config: TerminalConfig): void {
  const bad = (why: string): never => {
    throw new EmvError('EMV_KERNEL_CONFIG', why);
  };
  if (!Number.isSafeInteger(params.amount) || params.amount < 0 || params.amount > 999_999_999_999) bad(`amount ${params.amount} does not fit n 12`);
  if (params.amountOther !== undefined && (!Number.isSafeInteger(params.amountOther) || params.amountOther < 0 || params.amountOther > 999_999_999_999)) bad('amountOther does not fit n 12');
  if (!/^[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$/.test(params.date)) bad(`date "${params.date}" is not YYMMDD`);
  if (!/^([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$/.test(params.time)) bad(`time "${params.time}" is not HHMMSS`);
  if (params.unpredictableNumber.length !== 4) bad('unpredictable number must be 4 bytes');
  if (!Number.isInteger(params.currency) || params.currency < 0 || params.currency > 999) bad('currency must be ISO 4217 numeric');
  if (!Number.isInteger(params.type) || params.type < 0 || params.type > 0x99) bad('transaction type must be one BCD byte');
  if (config.capabilities.length !== 3) bad('terminal capabilities (9F33) must be 3 bytes');
  if (config.additionalCapabilities.length !== 5) bad('additional terminal capabilities (9F40) must be 5 bytes');
  if (config.ttq !== undefined && config.ttq.length !== 4) bad('TTQ (9F66) must be 4 bytes');
  if (config.aids.length === 0) bad('no supported AIDs configured');
  for (const a of config.aids) {
    if (a.aid.length < 5 || a.aid.length > 16) bad('an AID must be 5-16 bytes');
    for (const c of [a.tacDefault, a.tacDenial, a.tacOnline]) if (c.length !== 5) bad('terminal action codes must be 5 bytes');
    if (a.versions.length === 0 || a.versions.some((v) => v.length !== 2)) bad('application version numbers must be 2 bytes, at least one');
  }
}

/** The terminal's value of a data element, or undefined. */
export function terminalValue(s: TerminalState, tag: number): Uint8Array | undefined {
  const p = s.params;
  switch (tag) {
    case TAG.AMOUNT_AUTHORISED: return numberToBcd(p.amount, 6);
    case TAG.AMOUNT_OTHER: return numberToBcd(p.amountOther ?? 0, 6);
    case TAG.AMOUNT_AUTHORISED_BINARY: return u32(p.amount);
    case TAG.AMOUNT_OTHER_BINARY: return u32(p.amountOther ?? 0);
    case TAG.TRANSACTION_CURRENCY_CODE: return numberToBcd(p.currency, 2);
    case TAG.TRANSACTION_CURRENCY_EXPONENT: return numberToBcd(p.currencyExponent ?? 2, 1);
    case TAG.TRANSACTION_DATE: return digitsToBcd(p.date);
    case TAG.TRANSACTION_TIME: return digitsToBcd(p.time);
    case TAG.TRANSACTION_TYPE: return Uint8Array.of(p.type);
    case TAG.UNPREDICTABLE_NUMBER: return p.unpredictableNumber;
    case TAG.TRANSACTION_SEQUENCE_COUNTER: return numberToBcd(p.sequenceCounter % 100_000_000, 4);
    case TAG.TVR: return s.tvr;
    case TAG.TSI: return s.tsi;
    case TAG.TERMINAL_CAPABILITIES: return s.config.capabilities;
    case TAG.ADDITIONAL_TERMINAL_CAPABILITIES: return s.config.additionalCapabilities;
    case TAG.TERMINAL_TYPE: return Uint8Array.of(s.config.terminalType);
    case TAG.TERMINAL_COUNTRY_CODE: return numberToBcd(s.config.country, 2);
    case TAG.IFD_SERIAL_NUMBER: return ascii(s.config.ifdSerial.padEnd(8).slice(0, 8));
    case TAG.MERCHANT_CATEGORY_CODE: return s.config.merchantCategoryCode === undefined ? undefined : numberToBcd(s.config.merchantCategoryCode, 2);
    case TAG.TERMINAL_IDENTIFICATION: return s.config.terminalId === undefined ? undefined : ascii(s.config.terminalId.padEnd(8).slice(0, 8));
    case TAG.MERCHANT_IDENTIFIER: return s.config.merchantId === undefined ? undefined : ascii(s.config.merchantId.padEnd(15).slice(0, 15));
    case TAG.TTQ: return s.ttq;
    case TAG.APPLICATION_VERSION_NUMBER_TERMINAL: return s.aid?.versions[0];
    case TAG.APPLICATION_IDENTIFIER_TERMINAL: return s.aid?.aid;
    case TAG.TERMINAL_FLOOR_LIMIT: return s.aid === undefined ? undefined : u32(s.aid.floorLimit);
    case TAG.CVM_RESULTS: return s.cvmResults;
    case TAG.AUTHORISATION_RESPONSE_CODE: return s.arc;
    case TAG.ISSUER_AUTHENTICATION_DATA: return s.issuerAuthenticationData;
    case TAG.POS_ENTRY_MODE: return undefined;
    default: return undefined;
  }
}

function u32(n: number): Uint8Array {
  const v = Math.min(n, 0xffffffff);
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
