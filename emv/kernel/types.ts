/**
 * The EMV kernel's inputs and outputs, kept apart by origin (STYLE.md "emv/ and the host
 * link"): {@link TransactionParams} (this transaction), {@link TerminalConfig} (the
 * terminal, per AID), card data (what the card returned; inside the kernel only), and the
 * {@link KernelOutcome} the kernel returns. Byte strings are Uint8Array; amounts are
 * integers in minor units of the transaction currency.
 */

/** The transaction (EMV Book 4 6.3): supplied per transaction, injectable for tests and replay. */
export interface TransactionParams {
  /** Amount, Authorised (9F02), minor units. */
  readonly amount: number;
  /** Amount, Other (9F03): the cashback part, minor units. Default 0. */
  readonly amountOther?: number;
  /** Transaction Currency Code (5F2A), ISO 4217 numeric, e.g. 978. */
  readonly currency: number;
  /** Transaction Currency Exponent (5F36). Default 2. */
  readonly currencyExponent?: number;
  /** Transaction Type (9C), ISO 8583 processing code first two digits: 0x00 goods/services, 0x01 cash, 0x09 cashback, 0x20 refund. */
  readonly type: number;
  /** Transaction Date (9A), YYMMDD. */
  readonly date: string;
  /** Transaction Time (9F21), HHMMSS. */
  readonly time: string;
  /** Unpredictable Number (9F37), 4 bytes. */
  readonly unpredictableNumber: Uint8Array;
  /** Transaction Sequence Counter (9F41), a number that fits n 8. */
  readonly sequenceCounter: number;
  /** 1-99: the number drawn for random transaction selection (Book 3 10.6.2). Default: 99 (never selected). */
  readonly randomSelectionDraw?: number;
  /** Merchant forced the transaction online (TVR byte 4 bit 4). */
  readonly forcedOnline?: boolean;
}

/** One application the terminal supports, with its parameters (Book 3 10.6, 10.7; Book A 5.7). */
export interface AidConfig {
  /** Application Identifier (Terminal) (9F06), 5-16 bytes. */
  readonly aid: Uint8Array;
  /** Application Selection Indicator (Book 1 12.3.1): true when a card AID longer than this one matches. */
  readonly partialMatch: boolean;
  /** Application Version Numbers the terminal supports for this AID (9F09, 2 bytes each); the first is sent. */
  readonly versions: readonly Uint8Array[];
  /** Terminal Action Codes (Book 3 10.7), 5 bytes each. */
  readonly tacDefault: Uint8Array;
  readonly tacDenial: Uint8Array;
  readonly tacOnline: Uint8Array;
  /** Terminal Floor Limit (9F1B), minor units. */
  readonly floorLimit: number;
  /** Random transaction selection (Book 3 10.6.2): threshold value, target and maximum target percentages. */
  readonly threshold: number;
  readonly targetPercent: number;
  readonly maxTargetPercent: number;
  /** Default DDOL and TDOL (Book 3 10.3, 5.4). */
  readonly defaultDdol?: Uint8Array;
  readonly defaultTdol?: Uint8Array;
  /** Contactless limits (Book A 5.7): absent means no limit. */
  readonly contactless?: {
    readonly transactionLimit?: number;
    readonly floorLimit?: number;
    readonly cvmRequiredLimit?: number;
    /** Book C-2: a card without EMV mode (AIP byte 2 bit 8 clear) may run mag-stripe mode (entry mode 91). Default false. */
    readonly magstripeMode?: boolean;
  };
}

/** A certification authority public key (Book 2 5.1, 11.2.2): selected by RID and index. */
export interface CaKey {
  readonly rid: Uint8Array;
  readonly index: number;
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
  /**
   * The certification revocation list entries for this CA key (Book 2 5.3 step 10: RID,
   * CA Public Key Index and Certificate Serial Number): serial numbers (3 bytes) of issuer
   * certificates it signed that are revoked. A card whose issuer certificate is listed fails ODA.
   */
  readonly revokedSerials?: readonly Uint8Array[];
}

/** The terminal (Book 4 Annex A): the same for every transaction until reconfigured. */
export interface TerminalConfig {
  /** Terminal Capabilities (9F33), 3 bytes. */
  readonly capabilities: Uint8Array;
  /** Additional Terminal Capabilities (9F40), 5 bytes. */
  readonly additionalCapabilities: Uint8Array;
  /** Terminal Type (9F35), e.g. 0x22 attended, offline with online capability. */
  readonly terminalType: number;
  /** Terminal Country Code (9F1A), ISO 3166 numeric. */
  readonly country: number;
  /** Interface Device Serial Number (9F1E), 8 ASCII characters. */
  readonly ifdSerial: string;
  /**
   * Terminal exception file: PANs (digits) the terminal must not accept offline; a card found
   * here sets TVR byte 1 bit 5 in terminal risk management, which the action codes act on.
   */
  readonly exceptionFile?: readonly string[];
  /** Merchant Category Code (9F15), Terminal Identification (9F1C), Merchant Identifier (9F16). */
  readonly merchantCategoryCode?: number;
  readonly terminalId?: string;
  readonly merchantId?: string;
  /** Terminal Transaction Qualifiers (9F66), 4 bytes (Book A 5.7): the base value before per-transaction bits. */
  readonly ttq?: Uint8Array;
  readonly aids: readonly AidConfig[];
  readonly caKeys: readonly CaKey[];
}

/** What the CVM step asks the PIN pad (Book 3 10.5; Book 4 6.3.4). The kernel never sees or keeps a PIN. */
export type PinEntryResult = { readonly kind: 'entered' } | { readonly kind: 'bypassed' } | { readonly kind: 'pinpad-failed' };

/** Offline PIN: the PIN pad answers with the VERIFY data itself (plaintext: the ISO 9564 format 2 block; enciphered: the RSA block of Book 2 7.1). */
export type OfflinePinResult = { readonly kind: 'entered'; readonly verifyData: Uint8Array } | { readonly kind: 'bypassed' } | { readonly kind: 'pinpad-failed' };

export interface PinEntry {
  /** Online enciphered PIN: the PIN pad builds and keeps the PIN block for the host. */
  online(request: { readonly panMasked: string }): Promise<PinEntryResult>;
  /** Offline plaintext PIN (`enciphered` false) or offline enciphered PIN (with the ICC's key and GET CHALLENGE number). */
  offline(request: {
    readonly enciphered: boolean;
    readonly triesLeft: number | undefined;
    readonly challenge?: Uint8Array;
    readonly iccPinKey?: { readonly modulus: Uint8Array; readonly exponent: Uint8Array };
  }): Promise<OfflinePinResult>;
}

/** A mutually supported application found by application selection (Book 1 12.3). */
export interface Candidate {
  readonly aid: Uint8Array;
  readonly label: string | undefined;
  readonly preferredName: string | undefined;
  /** Application Priority Indicator bits 4-1; undefined when absent (lowest). */
  readonly priority: number | undefined;
  readonly confirmationRequired: boolean;
  /** The terminal AID entry it matched. */
  readonly config: AidConfig;
}

export type OdaMethod = 'SDA' | 'DDA' | 'fDDA' | 'CDA';

/** Input to offline data authentication (Book 2 5-6; Book C-3 Annex C for fDDA). */
export interface OdaRequest {
  readonly method: OdaMethod;
  readonly caKey: CaKey;
  /** Card data objects (issuer and ICC certificates, exponents, remainders, PAN, 93/9F4B...). */
  readonly card: ReadonlyMap<number, Uint8Array>;
  /** Static data to be authenticated (Book 3 10.3): the ODA records, then the SDA Tag List values. */
  readonly staticData: Uint8Array;
  /** Transaction date YYMMDD, for certificate expiry. */
  readonly date: string;
  /** DDA/fDDA/CDA: the Signed Dynamic Application Data (9F4B). */
  readonly sdad?: Uint8Array;
  /** DDA: the DDOL data; fDDA: 9F37 9F02 5F2A 9F69 values; CDA: the unpredictable number. */
  readonly dynamicData?: Uint8Array;
  /** CDA: the cryptogram information (Book 2 6.6.2) the signature must agree with, and the transaction data hash input. */
  readonly cda?: { readonly cid: number; readonly hashInput: Uint8Array };
}

export type OdaResult =
  | { readonly ok: true; readonly iccPublicKey?: { readonly modulus: Uint8Array; readonly exponent: Uint8Array }; readonly cryptogram?: Uint8Array }
  | { readonly ok: false; readonly reason: string };

/** The ODA primitives the kernel uses (emv/oda); injected so that the kernel stays testable without keys. */
export interface OdaVerifier {
  authenticate(request: OdaRequest): OdaResult;
  /** Recovers the ICC PIN encipherment key (9F2D, or the ICC key) for offline enciphered PIN (Book 2 7.1). */
  iccPinKey?(card: ReadonlyMap<number, Uint8Array>, caKey: CaKey, date: string, staticData: Uint8Array): { modulus: Uint8Array; exponent: Uint8Array } | undefined;
}

/** The host's answer to an online request (Book 3 10.9; Book 4 6.3.7). */
export type HostResponse =
  | {
      readonly kind: 'response';
      /** Authorisation Response Code (8A), two ASCII characters, e.g. "00". */
      readonly arc: string;
      /** Issuer Authentication Data (91), 8-16 bytes. */
      readonly issuerAuthenticationData?: Uint8Array;
      /** Issuer scripts: a concatenation of 71 and 72 templates. */
      readonly scripts?: Uint8Array;
      readonly authorisationCode?: string;
    }
  | { readonly kind: 'unable-to-go-online' };

export type Interface = 'contact' | 'contactless';

/** The kernel's steps, one per EMV book section. */
export type KernelStep =
  | 'application-selection' // Book 1 12; Book B 3
  | 'initiate-application-processing' // Book 3 10.1
  | 'read-application-data' // Book 3 10.2
  | 'offline-data-authentication' // Book 3 10.3
  | 'processing-restrictions' // Book 3 10.4
  | 'cardholder-verification' // Book 3 10.5
  | 'terminal-risk-management' // Book 3 10.6
  | 'terminal-action-analysis' // Book 3 10.7
  | 'first-generate-ac' // Book 3 10.8, 9.3
  | 'online-processing' // Book 3 10.9
  | 'issuer-script-processing' // Book 3 10.10
  | 'second-generate-ac' // Book 3 9.3
  | 'completion' // Book 3 10.11
  | 'swipe'; // Book 4 6.5.5 (fallback), ISO 7813

export type OutcomeKind = 'approved' | 'declined' | 'online-request' | 'try-another-interface' | 'end-application';

/** POS entry mode (ISO 8583 field 22 positions 1-2): 05 chip, 07 contactless chip, 80 fallback, 90 magstripe, 91 contactless magstripe. */
export type EntryMode = '05' | '07' | '80' | '90' | '91';

export interface CvmResultInfo {
  /** CVM Results (9F34), 3 bytes. */
  readonly bytes: Uint8Array;
  /** What the receipt must show. */
  readonly method: 'online-pin' | 'offline-pin' | 'signature' | 'no-cvm' | 'cdcvm' | 'none' | 'failed';
  readonly signatureRequired: boolean;
}

/** The kernel's result (Book 4 6.3.7 and Book A 6.2 outcome parameter set, as far as the terminal needs them). */
export interface KernelOutcome {
  readonly outcome: OutcomeKind;
  /** The step that stopped the transaction, for outcomes other than an approval after completion. */
  readonly stoppedAt?: KernelStep;
  /** Why, in words (never card data). */
  readonly reason?: string;
  readonly interface: Interface | 'magstripe';
  readonly entryMode: EntryMode | undefined;
  readonly tvr: Uint8Array;
  readonly tsi: Uint8Array;
  readonly aid: Uint8Array | undefined;
  readonly applicationLabel: string | undefined;
  readonly cryptogram: Uint8Array | undefined;
  /** Cryptogram Information Data (9F27). */
  readonly cid: number | undefined;
  readonly atc: Uint8Array | undefined;
  readonly cvm: CvmResultInfo | undefined;
  readonly panMasked: string | undefined;
  /** ICC system related data for the authorisation request (ISO 8583 field 55), as BER-TLV. */
  readonly field55: Uint8Array | undefined;
  /** The full PAN and expiry for the host request (never log or display these). */
  readonly account?: {
    readonly pan: string;
    readonly expiry: string;
    readonly panSequenceNumber?: string;
    /** Track 2 Equivalent Data (57) as the card gave it; in mag-stripe mode (entry mode 91) the dynamic Track 2 (CVC3, UN, ATC in place), same packed encoding with D. */
    readonly track2?: Uint8Array;
    /** Mag-stripe mode only: the dynamic Track 1 (ASCII, no sentinels), when the card has Track 1 Data. */
    readonly track1?: string;
  };
  /** Authorisation Response Code (8A) used at completion (host's, or Y1/Z1/Y3/Z3 terminal-generated). */
  readonly arc?: string;
  /**
   * Issuer Script Results (9F5B, Book 4 Annex A5) after completion when the host sent
   * scripts: 5 bytes per script in the order run (result and failing command sequence
   * number, then the script identifier or zeros). Also in `field55` then, for the
   * reversal, advice or batch upload that carries them to the issuer.
   */
  readonly issuerScriptResults?: Uint8Array;
  /** Events in order: 'card-removable' is when the card is no longer needed (Book A 6.2 "Removal Timeout"/UI). */
  readonly events: readonly KernelEvent[];
}

export type KernelEvent = { readonly kind: 'card-removable'; readonly afterStep: KernelStep } | { readonly kind: 'issuer-script'; readonly id: Uint8Array | undefined; readonly ok: boolean };
