/**
 * Human-readable decoding of data elements and TLV trees (what `pos tools tlv decode`
 * prints). Not on the kernel path: the kernel never imports emv/strings.
 * Card numbers are masked unless the caller asks to reveal them.
 */
import { bcdDigits, cnDigits, toHex } from '../bytes.js';
import { isEmvError } from '../errors.js';
import { tagHex, walkTlv, type Tlv } from '../ber/tlv.js';
import { dataElement, TAG, type DataFormat } from '../dict/tags.js';
import { parseDol } from '../dol/dol.js';
import { maskPan } from '../track/pan.js';
import { parseTrack2Equivalent } from '../track/track.js';
import { decodeServiceCode } from '../track/service-code.js';
import { AIP_BITS, AUC_BITS, CTQ_BITS, TERMINAL_CAPABILITIES_BITS, TSI_BITS, TTQ_BITS, TVR_BITS, describeBits, describeCid, type BitTable } from './bits.js';
import { describeCvmResults, parseCvmList } from './cvm.js';
import { describeIad } from './iad.js';
import { country } from './country.js';
import { currency, formatAmount, formatMinorUnits } from './currency.js';

export interface DescribeContext {
  /** Transaction or application currency (numeric ISO 4217), for amounts. */
  currency?: number;
  /** Show PANs and track data in full. Default false: masked. */
  reveal?: boolean;
}

export interface Description {
  /** One-line rendering of the value. */
  text: string;
  /** Further lines (bit meanings, CVM rules, DOL entries...). */
  details: string[];
}

const BIT_TABLES: ReadonlyMap<number, BitTable> = new Map<number, BitTable>([
  [TAG.TVR, TVR_BITS],
  [TAG.IAC_DEFAULT, TVR_BITS],
  [TAG.IAC_DENIAL, TVR_BITS],
  [TAG.IAC_ONLINE, TVR_BITS],
  [TAG.TSI, TSI_BITS],
  [TAG.AIP, AIP_BITS],
  [TAG.APPLICATION_USAGE_CONTROL, AUC_BITS],
  [TAG.TERMINAL_CAPABILITIES, TERMINAL_CAPABILITIES_BITS],
  [TAG.TTQ, TTQ_BITS],
  [TAG.CTQ, CTQ_BITS],
]);

const AMOUNTS: ReadonlySet<number> = new Set([TAG.AMOUNT_AUTHORISED, TAG.AMOUNT_OTHER, TAG.AVAILABLE_OFFLINE_SPENDING_AMOUNT, TAG.EC_BALANCE, TAG.EC_BALANCE_LIMIT, TAG.EC_SINGLE_TRANSACTION_LIMIT, TAG.EC_RESET_THRESHOLD, TAG.EC_TERMINAL_TRANSACTION_LIMIT, TAG.CUMULATIVE_TOTAL_TRANSACTION_AMOUNT_LIMIT]);
const CURRENCY_CODES: ReadonlySet<number> = new Set([TAG.TRANSACTION_CURRENCY_CODE, TAG.APPLICATION_CURRENCY_CODE, TAG.TRANSACTION_REFERENCE_CURRENCY_CODE, TAG.APPLICATION_CURRENCY_CODE_PBOC, TAG.SECONDARY_APPLICATION_CURRENCY_CODE]);
const COUNTRY_CODES: ReadonlySet<number> = new Set([TAG.ISSUER_COUNTRY_CODE, TAG.TERMINAL_COUNTRY_CODE]);
const DATES: ReadonlySet<number> = new Set([TAG.TRANSACTION_DATE, TAG.APPLICATION_EXPIRATION_DATE, TAG.APPLICATION_EFFECTIVE_DATE]);
const DOLS: ReadonlySet<number> = new Set([TAG.PDOL, TAG.CDOL1, TAG.CDOL2, TAG.DDOL, TAG.TDOL]);
const SENSITIVE_TRACK: ReadonlySet<number> = new Set([TAG.TRACK1_DATA, TAG.TRACK2_DATA, TAG.TRACK1_DISCRETIONARY_DATA, TAG.TRACK2_DISCRETIONARY_DATA]);

const TRANSACTION_TYPES: Readonly<Record<string, string>> = {
  '00': 'goods and services',
  '01': 'cash',
  '09': 'purchase with cashback',
  '20': 'refund',
  '30': 'balance inquiry',
  '31': 'balance inquiry',
  '40': 'transfer',
  '50': 'payment',
  '60': 'load (UnionPay electronic cash)',
};

const POS_ENTRY_MODES: Readonly<Record<string, string>> = {
  '01': 'manual key entry',
  '02': 'magnetic stripe (track data may be incomplete)',
  '05': 'integrated circuit card (contact)',
  '07': 'contactless chip (EMV)',
  '80': 'magnetic stripe, fallback from chip',
  '90': 'magnetic stripe, full track read',
  '91': 'contactless magnetic stripe',
};

/** Describes one primitive value for people. Never throws: unreadable values fall back to hex. */
export function describeValue(tag: number, value: Uint8Array, context: DescribeContext = {}): Description {
  try {
    return describeStrict(tag, value, context);
  } catch (err) {
    if (!isEmvError(err)) throw err;
    return { text: toHex(value), details: [`not readable as ${dataElement(tag)?.format ?? 'b'}: ${err.message}`] };
  }
}

function describeStrict(tag: number, value: Uint8Array, ctx: DescribeContext): Description {
  const de = dataElement(tag);
  const hex = toHex(value);
  const table = BIT_TABLES.get(tag);
  if (table !== undefined) return { text: hex, details: describeBits(table, value) };
  if (tag === TAG.PAN) {
    const pan = cnDigits(value);
    return { text: ctx.reveal ? pan : maskPan(pan), details: [] };
  }
  if (tag === TAG.TRACK2_EQUIVALENT_DATA) {
    const t = parseTrack2Equivalent(value);
    const sc = decodeServiceCode(t.serviceCode);
    return {
      text: ctx.reveal ? hex : `${maskPan(t.pan)} (masked)`,
      details: [`PAN ${ctx.reveal ? t.pan : maskPan(t.pan)}${t.luhnValid ? '' : ' (fails Luhn)'}`, `expiry (YYMM) ${t.expiry}`, `service code ${t.serviceCode}: ${sc.meaning.join('; ')}`, `discretionary data ${ctx.reveal ? t.discretionary : `(${t.discretionary.length} digits, hidden)`}`],
    };
  }
  if (SENSITIVE_TRACK.has(tag) && !ctx.reveal) return { text: `(${value.length} bytes of track data, hidden; --reveal shows them)`, details: [] };
  if (AMOUNTS.has(tag)) {
    const digits = bcdDigits(value);
    const minor = BigInt(digits);
    return { text: ctx.currency !== undefined ? formatAmount(minor, ctx.currency) : `${formatMinorUnits(minor, 2)} (currency unknown, exponent 2 assumed)`, details: [] };
  }
  if (CURRENCY_CODES.has(tag)) {
    const code = Number(bcdDigits(value));
    const cur = currency(code);
    return { text: cur ? `${code} ${cur.alpha} (${cur.name}, exponent ${cur.exponent})` : `${code} (unknown currency)`, details: [] };
  }
  if (COUNTRY_CODES.has(tag)) {
    const code = Number(bcdDigits(value));
    const ctry = country(code);
    return { text: ctry ? `${code} ${ctry.alpha2} (${ctry.name})` : `${code} (unknown country)`, details: [] };
  }
  if (DATES.has(tag)) {
    const d = bcdDigits(value);
    return { text: `20${d.slice(0, 2)}-${d.slice(2, 4)}-${d.slice(4, 6)}`, details: [] };
  }
  if (tag === TAG.TRANSACTION_TIME) {
    const d = bcdDigits(value);
    return { text: `${d.slice(0, 2)}:${d.slice(2, 4)}:${d.slice(4, 6)}`, details: [] };
  }
  if (tag === TAG.TRANSACTION_TYPE) {
    const d = bcdDigits(value);
    return { text: `${d} ${TRANSACTION_TYPES[d] ?? '(unknown transaction type)'}`, details: [] };
  }
  if (tag === TAG.POS_ENTRY_MODE) {
    const d = bcdDigits(value);
    return { text: `${d} ${POS_ENTRY_MODES[d] ?? ''}`.trimEnd(), details: [] };
  }
  if (tag === TAG.SERVICE_CODE) {
    const d = bcdDigits(value).slice(-3);
    return { text: d, details: [...decodeServiceCode(d).meaning] };
  }
  if (tag === TAG.TERMINAL_TYPE) {
    const d = bcdDigits(value);
    const op = ['', 'financial institution', 'merchant', 'cardholder'][Number(d[0])] ?? '';
    const env = ['', 'attended, online only', 'attended, offline with online capability', 'attended, offline only', 'unattended, online only', 'unattended, offline with online capability', 'unattended, offline only'][Number(d[1])] ?? '';
    return { text: d, details: [op && `operated by ${op}`, env].filter((s) => s !== '') };
  }
  if (tag === TAG.CRYPTOGRAM_INFORMATION_DATA && value.length === 1) return { text: hex, details: describeCid(value[0]!) };
  if (tag === TAG.CVM_LIST) {
    const list = parseCvmList(value);
    if (list === undefined) return { text: hex, details: ['malformed CVM list'] };
    const cur = ctx.currency;
    const amt = (n: number): string => (cur !== undefined ? formatAmount(n, cur) : String(n));
    return { text: hex, details: [`amount X ${amt(list.amountX)}, amount Y ${amt(list.amountY)}`, ...list.rules.map((r, i) => `rule ${i + 1}: ${r.text}`)] };
  }
  if (tag === TAG.CVM_RESULTS) return { text: hex, details: describeCvmResults(value) };
  if (tag === TAG.ISSUER_APPLICATION_DATA) return { text: hex, details: describeIad(value) };
  if (tag === TAG.AFL) return { text: hex, details: aflLines(value) };
  if (tag === TAG.RESPONSE_FORMAT_1 && value.length >= 2) {
    // Book 3 6.5.8.4: format 1 is the AIP followed by the AFL, without tags
    return { text: hex, details: [`AIP ${toHex(value.subarray(0, 2))}`, ...describeBits(AIP_BITS, value.subarray(0, 2)).map((l) => `  ${l}`), `AFL ${toHex(value.subarray(2))}`, ...aflLines(value.subarray(2)).map((l) => `  ${l}`)] };
  }
  if (DOLS.has(tag)) {
    const entries = parseDol(value);
    return { text: hex, details: entries.map((e) => `${tagHex(e.tag)} ${dataElement(e.tag)?.name ?? 'unknown tag'}: ${e.length} byte${e.length === 1 ? '' : 's'}`) };
  }
  if (tag === TAG.APPLICATION_PRIORITY_INDICATOR && value.length === 1) {
    const v = value[0]!;
    return { text: hex, details: [`priority ${v & 0x0f || 'none'}`, v & 0x80 ? 'cardholder confirmation required' : 'may be selected without confirmation'] };
  }
  if (tag === TAG.LANGUAGE_PREFERENCE) return { text: ascii(value).match(/.{1,2}/g)?.join(' ') ?? '', details: [] };
  return { text: formatByFormat(de?.format ?? 'b', value), details: [] };
}

/** Application File Locator entries (Book 3 10.2): SFI, first and last record, records for ODA. */
function aflLines(value: Uint8Array): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 4 <= value.length; i += 4) {
    lines.push(`SFI ${value[i]! >> 3}, records ${value[i + 1]}-${value[i + 2]}, ${value[i + 3]} for offline data authentication`);
  }
  if (value.length % 4 !== 0) lines.push('malformed: length not a multiple of 4');
  return lines;
}

function ascii(value: Uint8Array): string {
  let s = '';
  for (const b of value) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return s;
}

function formatByFormat(format: DataFormat, value: Uint8Array): string {
  switch (format) {
    case 'n':
      return bcdDigits(value);
    case 'cn':
      return cnDigits(value);
    case 'a':
    case 'an':
    case 'ans':
      return JSON.stringify(ascii(value));
    default:
      return toHex(value);
  }
}

export interface FormatTreeOptions extends DescribeContext {
  /** Indent per level; default two spaces. */
  indent?: string;
}

/**
 * An indented tree: one line per object with tag, length, name and value, then the
 * details of the value indented below it. The currency for amounts is taken from the
 * first 5F2A or 9F42 in the tree unless given.
 */
export function formatTlvTree(nodes: readonly Tlv[], options: FormatTreeOptions = {}): string {
  const indent = options.indent ?? '  ';
  let cur = options.currency;
  if (cur === undefined) {
    walkTlv(nodes, (n) => {
      if ((n.tag === TAG.TRANSACTION_CURRENCY_CODE || n.tag === TAG.APPLICATION_CURRENCY_CODE) && n.children === undefined && /^[0-9]+$/.test(toHex(n.value))) {
        cur = Number(toHex(n.value));
        return true;
      }
      return false;
    });
  }
  const ctx: DescribeContext = { reveal: options.reveal === true, ...(cur !== undefined ? { currency: cur } : {}) };
  const lines: string[] = [];
  walkTlv(nodes, (n, depth) => {
    const pad = indent.repeat(depth);
    const name = dataElement(n.tag)?.name ?? 'unknown tag';
    if (n.children !== undefined) {
      lines.push(`${pad}${tagHex(n.tag)} (${n.value.length}) ${name}`);
      return;
    }
    const d = describeValue(n.tag, n.value, ctx);
    lines.push(`${pad}${tagHex(n.tag)} (${n.value.length}) ${name}: ${d.text}`);
    for (const line of d.details) lines.push(`${pad}${indent}  ${line}`);
  });
  return lines.join('\n') + (lines.length ? '\n' : '');
}
