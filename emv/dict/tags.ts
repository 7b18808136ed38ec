/**
 * The EMV data element dictionary as typed readonly data (EMV Book 3 Annex A, Book 4 Annex
 * A, EMV Contactless Book B and C-2/C-3 kernels, and China UnionPay / PBOC 3.0 (JR/T 0025)
 * elements). One entry per tag; where schemes give one tag two meanings the entry names
 * the common one and `aka` lists the others, because a tag is only unambiguous with the
 * kernel in mind.
 *
 * Constants are greppable: `TAG.AMOUNT_AUTHORISED === 0x9F02`, defined once in
 * {@link DATA_ELEMENTS}.
 */
import { EmvError } from '../errors.js';

/** Who provides the value (Book 3 Annex A "Source"). */
export type DataSource = 'card' | 'terminal' | 'issuer';

/**
 * Book 3 4.3 formats: n numeric BCD right-justified; cn compressed numeric left-justified
 * F-padded; a alphabetic; an alphanumeric; ans alphanumeric special; b binary (also every
 * template).
 */
export type DataFormat = 'n' | 'cn' | 'a' | 'an' | 'ans' | 'b';

export interface DataElement {
  readonly tag: number;
  readonly name: string;
  readonly source: DataSource;
  readonly format: DataFormat;
  /** Value length in bytes: [min, max] (equal for a fixed length). */
  readonly length: readonly [number, number];
  /** Templates the element may appear in (tags); empty when it travels on its own or in a DOL. */
  readonly templates: readonly number[];
  /** Where the element is defined. */
  readonly spec: string;
  /** Other meanings the same tag has in other kernels or schemes. */
  readonly aka?: string;
}

// Shorthands for the template lists below.
const FCI = 0x6f;
const FCI_PROP = 0xa5;
const FCI_ISSUER = 0xbf0c;
const APP = 0x61;
const REC = 0x70;
const RMT2 = 0x77;
const SCRIPTS = [0x71, 0x72] as const;
const RECS = [REC, RMT2] as const;
const B3 = 'EMV Book 3 Annex A';
const B4 = 'EMV Book 4 Annex A';
const CLB = 'EMV Contactless Book B';
const C3 = 'EMV Contactless Book C-3 (Visa)';
const C2 = 'EMV Contactless Book C-2 (Mastercard)';
const CUP = 'PBOC 3.0 / UICS (JR/T 0025)';
const ANY = 252;

const e = (tag: number, name: string, source: DataSource, format: DataFormat, length: readonly [number, number], templates: readonly number[], spec: string, aka?: string): DataElement =>
  aka === undefined ? { tag, name, source, format, length, templates, spec } : { tag, name, source, format, length, templates, spec, aka };

export const DATA_ELEMENTS = {
  // Templates
  FCI_TEMPLATE: e(0x6f, 'File Control Information (FCI) Template', 'card', 'b', [0, ANY], [], B3),
  FCI_PROPRIETARY_TEMPLATE: e(0xa5, 'FCI Proprietary Template', 'card', 'b', [0, ANY], [FCI], B3),
  FCI_ISSUER_DISCRETIONARY_DATA: e(0xbf0c, 'FCI Issuer Discretionary Data', 'card', 'b', [0, 222], [FCI_PROP], B3),
  APPLICATION_TEMPLATE: e(0x61, 'Application Template', 'card', 'b', [0, ANY], [REC, FCI_ISSUER], B3),
  DIRECTORY_DISCRETIONARY_TEMPLATE: e(0x73, 'Directory Discretionary Template', 'card', 'b', [0, ANY], [APP], B3),
  RECORD_TEMPLATE: e(0x70, 'READ RECORD Response Message Template', 'card', 'b', [0, ANY], [], B3),
  RESPONSE_FORMAT_1: e(0x80, 'Response Message Template Format 1', 'card', 'b', [0, ANY], [], B3),
  RESPONSE_FORMAT_2: e(0x77, 'Response Message Template Format 2', 'card', 'b', [0, ANY], [], B3),
  COMMAND_TEMPLATE: e(0x83, 'Command Template', 'terminal', 'b', [0, ANY], [], B3),
  ISSUER_SCRIPT_TEMPLATE_1: e(0x71, 'Issuer Script Template 1', 'issuer', 'b', [0, ANY], [], B3),
  ISSUER_SCRIPT_TEMPLATE_2: e(0x72, 'Issuer Script Template 2', 'issuer', 'b', [0, ANY], [], B3),

  // Selection (Book 1 11-12, Book B)
  ADF_NAME: e(0x4f, 'Application Dedicated File (ADF) Name (AID)', 'card', 'b', [5, 16], [APP], B3),
  DF_NAME: e(0x84, 'Dedicated File (DF) Name', 'card', 'b', [5, 16], [FCI], B3),
  DDF_NAME: e(0x9d, 'Directory Definition File (DDF) Name', 'card', 'b', [5, 16], [APP], B3),
  APPLICATION_LABEL: e(0x50, 'Application Label', 'card', 'ans', [1, 16], [APP, FCI_PROP], B3),
  APPLICATION_PREFERRED_NAME: e(0x9f12, 'Application Preferred Name', 'card', 'ans', [1, 16], [APP, FCI_PROP], B3),
  APPLICATION_PRIORITY_INDICATOR: e(0x87, 'Application Priority Indicator', 'card', 'b', [1, 1], [APP, FCI_PROP], B3),
  LANGUAGE_PREFERENCE: e(0x5f2d, 'Language Preference', 'card', 'an', [2, 8], [FCI_PROP], B3),
  ISSUER_CODE_TABLE_INDEX: e(0x9f11, 'Issuer Code Table Index', 'card', 'n', [1, 1], [FCI_PROP], B3),
  SFI: e(0x88, 'Short File Identifier (SFI)', 'card', 'b', [1, 1], [FCI_PROP], B3),
  PDOL: e(0x9f38, 'Processing Options Data Object List (PDOL)', 'card', 'b', [0, ANY], [FCI_PROP], B3),
  LOG_ENTRY: e(0x9f4d, 'Log Entry', 'card', 'b', [2, 2], [FCI_ISSUER], B3),
  ISSUER_URL: e(0x5f50, 'Issuer URL', 'card', 'ans', [0, ANY], [FCI_ISSUER], B3),
  IBAN: e(0x5f53, 'International Bank Account Number (IBAN)', 'card', 'b', [0, 34], [FCI_ISSUER], B3),
  BIC: e(0x5f54, 'Bank Identifier Code (BIC)', 'card', 'b', [8, 11], [FCI_ISSUER], B3),
  ISSUER_COUNTRY_CODE_ALPHA2: e(0x5f55, 'Issuer Country Code (alpha2 format)', 'card', 'a', [2, 2], [FCI_ISSUER], B3),
  ISSUER_COUNTRY_CODE_ALPHA3: e(0x5f56, 'Issuer Country Code (alpha3 format)', 'card', 'a', [3, 3], [FCI_ISSUER], B3),
  IIN: e(0x42, 'Issuer Identification Number (IIN)', 'card', 'n', [3, 3], [FCI_ISSUER], B3),
  IINE: e(0x9f0c, 'Issuer Identification Number Extended (IINE)', 'card', 'n', [3, 4], [FCI_ISSUER], B3),
  KERNEL_IDENTIFIER: e(0x9f2a, 'Kernel Identifier', 'card', 'b', [1, 8], [APP], CLB),
  EXTENDED_SELECTION: e(0x9f29, 'Extended Selection', 'card', 'b', [0, 11], [APP], CLB),
  APPLICATION_SELECTION_REGISTERED_PROPRIETARY_DATA: e(0x9f0a, 'Application Selection Registered Proprietary Data', 'card', 'b', [0, ANY], [APP, FCI_ISSUER], CLB),
  APPLICATION_PROGRAM_ID: e(0x9f5a, 'Application Program Identifier (Program ID)', 'card', 'b', [1, 16], [FCI_ISSUER], C3),

  // GET PROCESSING OPTIONS and records (Book 3 6.5, 10)
  AIP: e(0x82, 'Application Interchange Profile (AIP)', 'card', 'b', [2, 2], [RMT2], B3),
  AFL: e(0x94, 'Application File Locator (AFL)', 'card', 'b', [0, ANY], [RMT2], B3),
  PAN: e(0x5a, 'Application Primary Account Number (PAN)', 'card', 'cn', [1, 10], [...RECS], B3),
  PAN_SEQUENCE_NUMBER: e(0x5f34, 'Application PAN Sequence Number', 'card', 'n', [1, 1], [...RECS], B3),
  TRACK2_EQUIVALENT_DATA: e(0x57, 'Track 2 Equivalent Data', 'card', 'b', [1, 19], [...RECS], B3),
  TRACK1_DISCRETIONARY_DATA: e(0x9f1f, 'Track 1 Discretionary Data', 'card', 'ans', [0, ANY], [REC], B3),
  TRACK2_DISCRETIONARY_DATA: e(0x9f20, 'Track 2 Discretionary Data', 'card', 'cn', [0, ANY], [REC], B3),
  CARDHOLDER_NAME: e(0x5f20, 'Cardholder Name', 'card', 'ans', [2, 26], [...RECS], B3),
  CARDHOLDER_NAME_EXTENDED: e(0x9f0b, 'Cardholder Name Extended', 'card', 'ans', [27, 45], [REC], B3),
  APPLICATION_EXPIRATION_DATE: e(0x5f24, 'Application Expiration Date', 'card', 'n', [3, 3], [...RECS], B3),
  APPLICATION_EFFECTIVE_DATE: e(0x5f25, 'Application Effective Date', 'card', 'n', [3, 3], [REC], B3),
  ISSUER_COUNTRY_CODE: e(0x5f28, 'Issuer Country Code', 'card', 'n', [2, 2], [REC], B3),
  SERVICE_CODE: e(0x5f30, 'Service Code', 'card', 'n', [2, 2], [REC], B3),
  APPLICATION_USAGE_CONTROL: e(0x9f07, 'Application Usage Control (AUC)', 'card', 'b', [2, 2], [REC], B3),
  APPLICATION_VERSION_NUMBER_CARD: e(0x9f08, 'Application Version Number (card)', 'card', 'b', [2, 2], [REC], B3),
  APPLICATION_CURRENCY_CODE: e(0x9f42, 'Application Currency Code', 'card', 'n', [2, 2], [REC], B3),
  APPLICATION_CURRENCY_EXPONENT: e(0x9f44, 'Application Currency Exponent', 'card', 'n', [1, 1], [REC], B3),
  APPLICATION_REFERENCE_CURRENCY: e(0x9f3b, 'Application Reference Currency', 'card', 'n', [2, 8], [REC], B3),
  APPLICATION_REFERENCE_CURRENCY_EXPONENT: e(0x9f43, 'Application Reference Currency Exponent', 'card', 'n', [1, 4], [REC], B3),
  APPLICATION_DISCRETIONARY_DATA: e(0x9f05, 'Application Discretionary Data', 'card', 'b', [1, 32], [REC], B3),
  CDOL1: e(0x8c, 'Card Risk Management Data Object List 1 (CDOL1)', 'card', 'b', [0, ANY], [REC], B3),
  CDOL2: e(0x8d, 'Card Risk Management Data Object List 2 (CDOL2)', 'card', 'b', [0, ANY], [REC], B3),
  DDOL: e(0x9f49, 'Dynamic Data Authentication Data Object List (DDOL)', 'card', 'b', [0, ANY], [REC], B3),
  TDOL: e(0x97, 'Transaction Certificate Data Object List (TDOL)', 'card', 'b', [0, ANY], [REC], B3),
  CVM_LIST: e(0x8e, 'Cardholder Verification Method (CVM) List', 'card', 'b', [10, ANY], [REC], B3),
  IAC_DEFAULT: e(0x9f0d, 'Issuer Action Code - Default', 'card', 'b', [5, 5], [REC], B3),
  IAC_DENIAL: e(0x9f0e, 'Issuer Action Code - Denial', 'card', 'b', [5, 5], [REC], B3),
  IAC_ONLINE: e(0x9f0f, 'Issuer Action Code - Online', 'card', 'b', [5, 5], [REC], B3),
  LOWER_CONSECUTIVE_OFFLINE_LIMIT: e(0x9f14, 'Lower Consecutive Offline Limit', 'card', 'b', [1, 1], [REC], B3),
  UPPER_CONSECUTIVE_OFFLINE_LIMIT: e(0x9f23, 'Upper Consecutive Offline Limit', 'card', 'b', [1, 1], [REC], B3),
  LOG_FORMAT: e(0x9f4f, 'Log Format', 'card', 'b', [0, ANY], [], B3),
  PAYMENT_ACCOUNT_REFERENCE: e(0x9f24, 'Payment Account Reference (PAR)', 'card', 'an', [29, 29], [...RECS], B3),
  LAST_4_DIGITS_OF_PAN: e(0x9f25, 'Last 4 Digits of PAN', 'card', 'n', [2, 2], [...RECS], B3),
  TOKEN_REQUESTOR_ID: e(0x9f19, 'Token Requestor ID', 'card', 'n', [6, 6], [...RECS], B3),

  // Offline data authentication (Book 2, Book 3 Annex A)
  CA_PUBLIC_KEY_INDEX_CARD: e(0x8f, 'Certification Authority Public Key Index (card)', 'card', 'b', [1, 1], [REC], B3),
  CA_PUBLIC_KEY_INDEX_TERMINAL: e(0x9f22, 'Certification Authority Public Key Index (terminal)', 'terminal', 'b', [1, 1], [], B3),
  ISSUER_PUBLIC_KEY_CERTIFICATE: e(0x90, 'Issuer Public Key Certificate', 'card', 'b', [0, ANY], [REC], B3),
  ISSUER_PUBLIC_KEY_EXPONENT: e(0x9f32, 'Issuer Public Key Exponent', 'card', 'b', [1, 3], [REC], B3),
  ISSUER_PUBLIC_KEY_REMAINDER: e(0x92, 'Issuer Public Key Remainder', 'card', 'b', [0, ANY], [REC], B3),
  ICC_PUBLIC_KEY_CERTIFICATE: e(0x9f46, 'ICC Public Key Certificate', 'card', 'b', [0, ANY], [REC], B3),
  ICC_PUBLIC_KEY_EXPONENT: e(0x9f47, 'ICC Public Key Exponent', 'card', 'b', [1, 3], [REC], B3),
  ICC_PUBLIC_KEY_REMAINDER: e(0x9f48, 'ICC Public Key Remainder', 'card', 'b', [0, ANY], [REC], B3),
  ICC_PIN_ENCIPHERMENT_PUBLIC_KEY_CERTIFICATE: e(0x9f2d, 'ICC PIN Encipherment Public Key Certificate', 'card', 'b', [0, ANY], [REC], B3),
  ICC_PIN_ENCIPHERMENT_PUBLIC_KEY_EXPONENT: e(0x9f2e, 'ICC PIN Encipherment Public Key Exponent', 'card', 'b', [1, 3], [REC], B3),
  ICC_PIN_ENCIPHERMENT_PUBLIC_KEY_REMAINDER: e(0x9f2f, 'ICC PIN Encipherment Public Key Remainder', 'card', 'b', [0, ANY], [REC], B3),
  SIGNED_STATIC_APPLICATION_DATA: e(0x93, 'Signed Static Application Data (SSAD)', 'card', 'b', [0, ANY], [REC], B3),
  SIGNED_DYNAMIC_APPLICATION_DATA: e(0x9f4b, 'Signed Dynamic Application Data (SDAD)', 'card', 'b', [0, ANY], [RMT2], B3),
  SDA_TAG_LIST: e(0x9f4a, 'Static Data Authentication Tag List', 'card', 'b', [0, ANY], [REC], B3),
  DATA_AUTHENTICATION_CODE: e(0x9f45, 'Data Authentication Code', 'card', 'b', [2, 2], [], B3),
  ICC_DYNAMIC_NUMBER: e(0x9f4c, 'ICC Dynamic Number', 'card', 'b', [2, 8], [], B3),

  // GENERATE AC and completion (Book 3 6.5.5, 9)
  APPLICATION_CRYPTOGRAM: e(0x9f26, 'Application Cryptogram', 'card', 'b', [8, 8], [RMT2], B3),
  CRYPTOGRAM_INFORMATION_DATA: e(0x9f27, 'Cryptogram Information Data (CID)', 'card', 'b', [1, 1], [RMT2], B3),
  ATC: e(0x9f36, 'Application Transaction Counter (ATC)', 'card', 'b', [2, 2], [RMT2], B3),
  LAST_ONLINE_ATC_REGISTER: e(0x9f13, 'Last Online ATC Register', 'card', 'b', [2, 2], [], B3),
  PIN_TRY_COUNTER: e(0x9f17, 'Personal Identification Number (PIN) Try Counter', 'card', 'b', [1, 1], [], B3),
  ISSUER_APPLICATION_DATA: e(0x9f10, 'Issuer Application Data (IAD)', 'card', 'b', [0, 32], [RMT2], B3),
  ISSUER_AUTHENTICATION_DATA: e(0x91, 'Issuer Authentication Data', 'issuer', 'b', [8, 16], [], B3),
  ISSUER_SCRIPT_COMMAND: e(0x86, 'Issuer Script Command', 'issuer', 'b', [0, 261], [...SCRIPTS], B3),
  ISSUER_SCRIPT_RESULTS: e(0x9f5b, 'Issuer Script Results', 'terminal', 'b', [5, ANY], [], B4, 'format: Book 4 Annex A5; tag as Visa VIS and acquirer field 55 lists carry it'),
  ISSUER_SCRIPT_IDENTIFIER: e(0x9f18, 'Issuer Script Identifier', 'issuer', 'b', [4, 4], [...SCRIPTS], B3),
  AUTHORISATION_CODE: e(0x89, 'Authorisation Code', 'issuer', 'ans', [6, 6], [], B3),
  AUTHORISATION_RESPONSE_CODE: e(0x8a, 'Authorisation Response Code', 'issuer', 'an', [2, 2], [], B3),
  TC_HASH_VALUE: e(0x98, 'Transaction Certificate (TC) Hash Value', 'terminal', 'b', [20, 20], [], B3),

  // Terminal and transaction data (Book 4 Annex A)
  ACQUIRER_IDENTIFIER: e(0x9f01, 'Acquirer Identifier', 'terminal', 'n', [6, 6], [], B4),
  ADDITIONAL_TERMINAL_CAPABILITIES: e(0x9f40, 'Additional Terminal Capabilities', 'terminal', 'b', [5, 5], [], B4),
  AMOUNT_AUTHORISED_BINARY: e(0x81, 'Amount, Authorised (Binary)', 'terminal', 'b', [4, 4], [], B4),
  AMOUNT_AUTHORISED: e(0x9f02, 'Amount, Authorised (Numeric)', 'terminal', 'n', [6, 6], [], B4),
  AMOUNT_OTHER_BINARY: e(0x9f04, 'Amount, Other (Binary)', 'terminal', 'b', [4, 4], [], B4),
  AMOUNT_OTHER: e(0x9f03, 'Amount, Other (Numeric)', 'terminal', 'n', [6, 6], [], B4),
  AMOUNT_REFERENCE_CURRENCY: e(0x9f3a, 'Amount, Reference Currency', 'terminal', 'b', [4, 4], [], B4),
  APPLICATION_IDENTIFIER_TERMINAL: e(0x9f06, 'Application Identifier (AID) - terminal', 'terminal', 'b', [5, 16], [], B4),
  APPLICATION_VERSION_NUMBER_TERMINAL: e(0x9f09, 'Application Version Number (terminal)', 'terminal', 'b', [2, 2], [], B4),
  CVM_RESULTS: e(0x9f34, 'Cardholder Verification Method (CVM) Results', 'terminal', 'b', [3, 3], [], B4),
  IFD_SERIAL_NUMBER: e(0x9f1e, 'Interface Device (IFD) Serial Number', 'terminal', 'an', [8, 8], [], B4),
  MERCHANT_CATEGORY_CODE: e(0x9f15, 'Merchant Category Code', 'terminal', 'n', [2, 2], [], B4),
  MERCHANT_IDENTIFIER: e(0x9f16, 'Merchant Identifier', 'terminal', 'ans', [15, 15], [], B4),
  MERCHANT_NAME_AND_LOCATION: e(0x9f4e, 'Merchant Name and Location', 'terminal', 'ans', [0, ANY], [], B4),
  POS_ENTRY_MODE: e(0x9f39, 'Point-of-Service (POS) Entry Mode', 'terminal', 'n', [1, 1], [], B4),
  TERMINAL_CAPABILITIES: e(0x9f33, 'Terminal Capabilities', 'terminal', 'b', [3, 3], [], B4),
  TERMINAL_COUNTRY_CODE: e(0x9f1a, 'Terminal Country Code', 'terminal', 'n', [2, 2], [], B4),
  TERMINAL_FLOOR_LIMIT: e(0x9f1b, 'Terminal Floor Limit', 'terminal', 'b', [4, 4], [], B4),
  TERMINAL_IDENTIFICATION: e(0x9f1c, 'Terminal Identification', 'terminal', 'an', [8, 8], [], B4),
  TERMINAL_RISK_MANAGEMENT_DATA: e(0x9f1d, 'Terminal Risk Management Data', 'terminal', 'b', [1, 8], [], B4),
  TERMINAL_TYPE: e(0x9f35, 'Terminal Type', 'terminal', 'n', [1, 1], [], B4),
  TVR: e(0x95, 'Terminal Verification Results (TVR)', 'terminal', 'b', [5, 5], [], B4),
  TSI: e(0x9b, 'Transaction Status Information (TSI)', 'terminal', 'b', [2, 2], [], B4),
  TRANSACTION_CURRENCY_CODE: e(0x5f2a, 'Transaction Currency Code', 'terminal', 'n', [2, 2], [], B4),
  TRANSACTION_CURRENCY_EXPONENT: e(0x5f36, 'Transaction Currency Exponent', 'terminal', 'n', [1, 1], [], B4),
  TRANSACTION_DATE: e(0x9a, 'Transaction Date', 'terminal', 'n', [3, 3], [], B4),
  TRANSACTION_TIME: e(0x9f21, 'Transaction Time', 'terminal', 'n', [3, 3], [], B4),
  TRANSACTION_TYPE: e(0x9c, 'Transaction Type', 'terminal', 'n', [1, 1], [], B4),
  TRANSACTION_PIN_DATA: e(0x99, 'Transaction Personal Identification Number (PIN) Data', 'terminal', 'b', [0, ANY], [], B4),
  TRANSACTION_REFERENCE_CURRENCY_CODE: e(0x9f3c, 'Transaction Reference Currency Code', 'terminal', 'n', [2, 2], [], B4),
  TRANSACTION_REFERENCE_CURRENCY_EXPONENT: e(0x9f3d, 'Transaction Reference Currency Exponent', 'terminal', 'n', [1, 1], [], B4),
  TRANSACTION_SEQUENCE_COUNTER: e(0x9f41, 'Transaction Sequence Counter', 'terminal', 'n', [2, 4], [], B4),
  UNPREDICTABLE_NUMBER: e(0x9f37, 'Unpredictable Number', 'terminal', 'b', [4, 4], [], B4),

  // Contactless (Book B, C-2, C-3; Visa and UnionPay share TTQ/CTQ)
  TTQ: e(0x9f66, 'Terminal Transaction Qualifiers (TTQ)', 'terminal', 'b', [4, 4], [], C3, 'Mastercard C-2: PUNATC (Track2); TTQ for Visa, UnionPay and Discover'),
  CTQ: e(0x9f6c, 'Card Transaction Qualifiers (CTQ)', 'card', 'b', [2, 2], [RMT2, REC], C3, 'Mastercard C-2: Mag-stripe Application Version Number (Card)'),
  FFI: e(0x9f6e, 'Form Factor Indicator (FFI)', 'card', 'b', [4, 4], [RMT2, REC], C3, 'Mastercard C-2: Third Party Data; Amex: Enhanced Contactless Reader Capabilities'),
  CARD_AUTHENTICATION_RELATED_DATA: e(0x9f69, 'Card Authentication Related Data', 'card', 'b', [5, 16], [REC], C3, 'UnionPay: fDDA data (same layout); Mastercard C-2: UDOL'),
  CUSTOMER_EXCLUSIVE_DATA: e(0x9f7c, 'Customer Exclusive Data (CED)', 'card', 'b', [0, 32], [RMT2], C3, 'Mastercard C-2: Merchant Custom Data (terminal)'),
  AVAILABLE_OFFLINE_SPENDING_AMOUNT: e(0x9f5d, 'Available Offline Spending Amount (AOSA)', 'card', 'n', [6, 6], [RMT2], C3),
  TRACK1_DATA: e(0x56, 'Track 1 Data', 'card', 'ans', [0, 76], [REC], C2),
  TRACK2_DATA: e(0x9f6b, 'Track 2 Data', 'card', 'b', [0, 19], [REC], C2),
  PCVC3_TRACK1: e(0x9f62, 'PCVC3 (Track1)', 'card', 'b', [6, 6], [REC], C2),
  NATC_TRACK1: e(0x9f64, 'NATC (Track1)', 'card', 'b', [1, 1], [REC], C2),
  PCVC3_TRACK2: e(0x9f65, 'PCVC3 (Track2)', 'card', 'b', [2, 2], [REC], C2),
  NATC_TRACK2: e(0x9f67, 'NATC (Track2)', 'card', 'b', [1, 1], [REC], C2),
  CVC3_TRACK1: e(0x9f60, 'CVC3 (Track1)', 'card', 'b', [2, 2], [RMT2], C2),
  CVC3_TRACK2: e(0x9f61, 'CVC3 (Track2)', 'card', 'b', [2, 2], [RMT2], C2),
  UNPREDICTABLE_NUMBER_NUMERIC: e(0x9f6a, 'Unpredictable Number (Numeric)', 'terminal', 'n', [4, 4], [], C2),
  MOBILE_SUPPORT_INDICATOR: e(0x9f7e, 'Mobile Support Indicator', 'terminal', 'b', [1, 1], [], C2),
  OUTCOME_PARAMETER_SET: e(0xdf8129, 'Outcome Parameter Set', 'terminal', 'b', [8, 8], [], C2),

  // China UnionPay / PBOC (JR/T 0025) and QuickPass
  CARD_PRODUCT_IDENTIFICATION: e(0x9f63, 'Card Product Identification Information', 'card', 'b', [16, 16], [REC], CUP, 'Mastercard C-2: PUNATC (Track 1)'),
  LOAD_LOG_ENTRY: e(0xdf4d, 'Load Log Entry (credit log entry)', 'card', 'b', [2, 2], [FCI_ISSUER], CUP),
  LOAD_LOG_FORMAT: e(0xdf4f, 'Load Log Format', 'card', 'b', [0, ANY], [], CUP),
  EC_ISSUER_AUTHORISATION_CODE: e(0x9f74, 'Electronic Cash Issuer Authorisation Code', 'card', 'an', [6, 6], [RMT2, REC], CUP),
  EC_BALANCE: e(0x9f79, 'Electronic Cash Balance', 'card', 'n', [6, 6], [], CUP),
  EC_BALANCE_LIMIT: e(0x9f77, 'Electronic Cash Balance Limit', 'card', 'n', [6, 6], [], CUP),
  EC_SINGLE_TRANSACTION_LIMIT: e(0x9f78, 'Electronic Cash Single Transaction Limit', 'card', 'n', [6, 6], [], CUP),
  EC_RESET_THRESHOLD: e(0x9f6d, 'Electronic Cash Reset Threshold', 'card', 'n', [6, 6], [], CUP, 'Mastercard C-2: Mag-stripe Application Version Number (Reader)'),
  EC_TERMINAL_SUPPORT_INDICATOR: e(0x9f7a, 'Electronic Cash Terminal Support Indicator', 'terminal', 'b', [1, 1], [], CUP),
  EC_TERMINAL_TRANSACTION_LIMIT: e(0x9f7b, 'Electronic Cash Terminal Transaction Limit', 'terminal', 'n', [6, 6], [], CUP),
  APPLICATION_CURRENCY_CODE_PBOC: e(0x9f51, 'Application Currency Code (PBOC)', 'card', 'n', [2, 2], [REC], CUP),
  APPLICATION_DEFAULT_ACTION: e(0x9f52, 'Application Default Action (ADA)', 'card', 'b', [2, 2], [REC], CUP),
  CONSECUTIVE_TRANSACTION_LIMIT_INTERNATIONAL: e(0x9f53, 'Consecutive Transaction Limit (International)', 'card', 'b', [1, 1], [REC], CUP, 'Mastercard: Transaction Category Code (terminal, an 1)'),
  CUMULATIVE_TOTAL_TRANSACTION_AMOUNT_LIMIT: e(0x9f54, 'Cumulative Total Transaction Amount Limit', 'card', 'n', [6, 6], [REC], CUP),
  ISSUER_AUTHENTICATION_INDICATOR: e(0x9f56, 'Issuer Authentication Indicator', 'card', 'b', [1, 1], [REC], CUP),
  SECONDARY_APPLICATION_CURRENCY_CODE: e(0x9f76, 'Secondary Application Currency Code', 'card', 'n', [2, 2], [REC], CUP),
  SM_ALGORITHM_SUPPORTED: e(0xdf69, 'SM Algorithm Supported Indicator', 'card', 'b', [1, 1], [FCI_ISSUER], CUP),
} as const satisfies Record<string, DataElement>;

export type DataElementKey = keyof typeof DATA_ELEMENTS;

/** Tag constants: `TAG.TVR === 0x95`. */
export const TAG = Object.freeze(Object.fromEntries(Object.entries(DATA_ELEMENTS).map(([k, v]) => [k, v.tag]))) as {
  readonly [K in DataElementKey]: (typeof DATA_ELEMENTS)[K]['tag'];
};

const BY_TAG: ReadonlyMap<number, DataElement> = new Map(Object.values(DATA_ELEMENTS).map((d) => [d.tag, d as DataElement]));

/** The dictionary entry of `tag`, or undefined for a tag the dictionary does not know. */
export function dataElement(tag: number): DataElement | undefined {
  return BY_TAG.get(tag);
}

/** Every entry, in dictionary order. */
export function allDataElements(): readonly DataElement[] {
  return [...BY_TAG.values()];
}

/**
 * Checks `value` against the entry's length rule and format (Book 3 4.3): n is BCD digits,
 * cn digits then F padding, a letters, an letters and digits, ans printable characters.
 * Unknown tags pass. Throws EMV_DATA_BAD_FORMAT naming the tag and the rule broken.
 */
export function checkDataElement(tag: number, value: Uint8Array): void {
  const d = BY_TAG.get(tag);
  if (d === undefined) return;
  const [min, max] = d.length;
  const hex = tag.toString(16).toUpperCase();
  if (value.length < min || value.length > max) {
    throw new EmvError('EMV_DATA_BAD_FORMAT', `${hex} (${d.name}) has ${value.length} bytes, expected ${min === max ? min : `${min}-${max}`}`);
  }
  const bad = firstBadByte(d.format, value);
  if (bad >= 0) throw new EmvError('EMV_DATA_BAD_FORMAT', `${hex} (${d.name}) is not format ${d.format}: byte ${bad} is ${value[bad]!.toString(16).toUpperCase().padStart(2, '0')}`, { offset: bad });
}

function firstBadByte(format: DataFormat, v: Uint8Array): number {
  let padding = false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    const hi = b >> 4;
    const lo = b & 15;
    let ok: boolean;
    switch (format) {
      case 'n':
        ok = hi < 10 && lo < 10;
        break;
      case 'cn':
        // digits, then F nibbles to the end
        if (padding) ok = b === 0xff;
        else if (hi === 15) ok = lo === 15 && (padding = true);
        else if (lo === 15) ok = hi < 10 && (padding = true);
        else ok = hi < 10 && lo < 10;
        break;
      case 'a':
        ok = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
        break;
      case 'an':
        ok = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39);
        break;
      case 'ans':
        ok = (b >= 0x20 && b <= 0x7e) || b >= 0xa0;
        break;
      default:
        ok = true;
    }
    if (!ok) return i;
  }
  return -1;
}
