/**
 * What a virtual card is: the personalisation profile of each application on it and the
 * faults it can be told to show. Profiles are data; {@link VirtualCard} (card.ts) answers
 * APDUs from them with real cryptography.
 */

export type Scheme = 'visa' | 'mastercard' | 'unionpay';

/** How a card can be presented. */
export type CardInterface = 'contact' | 'contactless' | 'magstripe';

/** Offline data authentication the application supports (sets AIP bits and personalises keys). */
export type OdaMethod = 'none' | 'sda' | 'dda' | 'cda' | 'fdda';

/**
 * Card risk management: what the card answers to the terminal's GENERATE AC (or, for the
 * quick contactless paths qVSDC / qPBOC, at GPO). The card never answers above what the
 * terminal asked (AAC < TC < ARQC, Book 3 9.3).
 */
export type CardDecision =
  /** ARQC whenever the terminal asks TC or ARQC. */
  | { readonly kind: 'online' }
  /** AAC always. */
  | { readonly kind: 'decline' }
  /** TC when the terminal asks TC and the amount (minor units) is at most `limit`; else ARQC. */
  | { readonly kind: 'offline-below'; readonly limit: number };

/** Command names used by fault injection. */
export type CardCommand =
  | 'SELECT'
  | 'READ RECORD'
  | 'GET PROCESSING OPTIONS'
  | 'GENERATE AC'
  | 'INTERNAL AUTHENTICATE'
  | 'EXTERNAL AUTHENTICATE'
  | 'VERIFY'
  | 'GET DATA'
  | 'GET CHALLENGE'
  | 'COMPUTE CRYPTOGRAPHIC CHECKSUM';

export interface ApplicationProfile {
  readonly scheme: Scheme;
  /** AID, hex. */
  readonly aid: string;
  readonly label: string;
  readonly preferredName?: string;
  /** Application priority indicator (tag 87): bit 8 = cardholder confirmation required, bits 4-1 priority. */
  readonly priority?: number;
  /** Interfaces whose directory (PSE / PPSE) lists this application and that may select it. */
  readonly interfaces: readonly ('contact' | 'contactless')[];
  readonly pan: string;
  /** PAN sequence number, 2 digits. */
  readonly psn: string;
  /** Application expiration date YYMMDD (5F24). */
  readonly expiry: string;
  /** Application effective date YYMMDD (5F25). */
  readonly effective: string;
  readonly cardholderName?: string;
  /** Service code, 3 digits (5F30 and track data). */
  readonly serviceCode: string;
  /** Issuer country code, numeric ISO 3166 (5F28), 4 digits as stored ("0840"). */
  readonly issuerCountry: string;
  /** Application currency code (9F42), 4 digits. */
  readonly currency: string;
  /** Application usage control (9F07), hex 4. */
  readonly auc: string;
  /** Issuer action codes default / denial / online, hex 10 each. */
  readonly iac: { readonly default: string; readonly denial: string; readonly online: string };
  /** CVM list (8E), hex. */
  readonly cvmList: string;
  /** Card transaction qualifiers (9F6C) for the quick contactless paths, hex 4. */
  readonly ctq?: string;
  /** Issuer master key for application cryptograms (TEST key), hex 32. */
  readonly imk: string;
  readonly keyOption: 'a' | 'b';
  /** Session key: EMV common session key, or the Mastercard one with the unpredictable number. */
  readonly sessionKeys: 'common' | 'mastercard';
  /** How the card checks the ARPC (EMV Book 2 8.2). */
  readonly arpcMethod: 1 | 2;
  /** When true, a missing or failed issuer authentication makes the second GENERATE AC an AAC. */
  readonly issuerAuthRequired?: boolean;
  readonly oda: OdaMethod;
  readonly decision: CardDecision;
  /** Offline PIN (VERIFY plaintext), 4-12 digits; absent = no offline PIN on the card. */
  readonly pin?: string;
  readonly pinTryLimit?: number;
  /** Initial ATC. */
  readonly atc?: number;
  /** SELECT answers with the FCI and 6283 (application blocked, Book 1 12.3.1). */
  readonly blocked?: boolean;
  /** The issuer public key certificate is damaged (ODA fails at issuer key recovery). */
  readonly badCertificate?: boolean;
  /**
   * Mastercard contactless without EMV mode (AIP byte 2 bit 8 clear): the records carry
   * Track 1/2 Data with the PCVC3 / PUNATC / NATC bitmaps and the UDOL, and the card
   * answers COMPUTE CRYPTOGRAPHIC CHECKSUM with CVC3 (Book C-2 mag-stripe mode).
   * `imkCvc3` is the TEST issuer master key for CVC3, hex 32.
   */
  readonly magstripe?: { readonly imkCvc3: string };
}

export interface CardFaults {
  /** The card leaves the field when it receives the `occurrence`-th (default 1st) such command: transceive throws EMV_CARD_REMOVED. */
  readonly removeAt?: { readonly command: CardCommand; readonly occurrence?: number };
  /** The answer to that command is damaged. */
  readonly corrupt?: {
    readonly command: CardCommand;
    readonly kind: 'bad-tlv' | 'wrong-sw' | 'missing-data' | 'duplicate-tags';
    /** For READ RECORD: which record (SFI, record number) to damage; default the first read. */
    readonly record?: { readonly sfi: number; readonly record: number };
  };
}

export interface CardProfile {
  readonly applications: readonly ApplicationProfile[];
  readonly faults?: CardFaults;
  /** ISO/IEC 14443-3 UID, hex (4 or 7 bytes). */
  readonly uid?: string;
}
