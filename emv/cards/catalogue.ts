/**
 * The catalogue of named TEST cards the simulator, the engine, `pos cards` and the tests
 * use. Names are stable. PANs are Luhn-valid numbers in the schemes' test-style ranges;
 * keys are TEST keys (issuer master keys below, RSA keys in test-issuer-keys.ts), never a
 * real issuer's.
 */
import { createHash } from 'node:crypto';
import { fromHex } from '../bytes.js';
import type { ArpcRequest, IccKeyOption } from '../crypto/emv-keys.js';
import { EmvError } from '../errors.js';
import { luhnCheckDigit } from '../track/pan.js';
import { VirtualCard } from './card.js';
import { track2EquivalentHex } from './personalise.js';
import type { ApplicationProfile, CardInterface, CardProfile, Scheme } from './profile.js';

/** TEST issuer master key for the Mastercard mag-stripe CVC3 (IMK-CVC3). */
export const TEST_CVC3_MASTER_KEY = '4F2A7C1E9B3D5A6880C1E2F3A4B5C6D7';

/** TEST issuer master keys for application cryptograms (IMK-AC), per scheme. */
export const TEST_ISSUER_MASTER_KEYS: Readonly<Record<Scheme, string>> = {
  visa: '0123456789ABCDEFFEDCBA9876543210',
  mastercard: '9E15204313F7318ACB79B90BD986AD29',
  unionpay: '11223344556677888877665544332211',
};

export interface TestCard {
  /** Stable name (`pos cards`, the engine's tests). */
  readonly name: string;
  readonly description: string;
  /** The outcome a correct terminal reaches with this card, and why. */
  readonly expected: string;
  readonly interfaces: readonly CardInterface[];
  readonly profile: CardProfile;
  /** The first application's PAN, expiry (YYMM), track 2 equivalent (57, hex) and magnetic track 2 (ISO/IEC 7813 data, no sentinels). */
  readonly pan: string;
  readonly expiry: string;
  readonly track2Equivalent: string;
  readonly track2: string;
}

const withCheckDigit = (partial: string): string => partial + String(luhnCheckDigit(partial));

const VISA_AID = 'A0000000031010';
const VISA_DEBIT_AID = 'A0000000032010';
const MC_AID = 'A0000000041010';
const UP_DEBIT_AID = 'A000000333010101';

const CVM_STANDARD = '0000000000000000' + '4203' + '1E03' + '1F03'; // online PIN if supported, else signature, else no CVM (Book 3 C3)
const CVM_ONLINE_PIN = '0000000000000000' + '0200'; // enciphered PIN verified online, always, fail if not done
const CVM_OFFLINE_PIN = '0000000000000000' + '4103' + '1E03' + '1F03'; // plaintext PIN by ICC, then signature, then no CVM
const CVM_ENCIPHERED_PIN = '0000000000000000' + '4403' + '1E03' + '1F03'; // enciphered PIN by ICC, then signature, then no CVM

const IAC_VISA = { default: 'D84000A800', denial: '0010000000', online: 'D84004F800' };
const IAC_MC = { default: 'F45084800C', denial: '0000000000', online: 'F45084800C' };
const IAC_UP = { default: 'D84000A800', denial: '0010000000', online: 'D84004F800' };

function app(scheme: Scheme, over: Partial<ApplicationProfile> & { pan: string }): ApplicationProfile {
  const base: ApplicationProfile = {
    scheme,
    aid: scheme === 'visa' ? VISA_AID : scheme === 'mastercard' ? MC_AID : UP_DEBIT_AID,
    label: scheme === 'visa' ? 'VISA CREDIT' : scheme === 'mastercard' ? 'MASTERCARD' : 'UnionPay Debit',
    priority: 0x01,
    interfaces: ['contact', 'contactless'],
    pan: over.pan,
    psn: '01',
    expiry: '301231',
    effective: '200101',
    serviceCode: '201',
    issuerCountry: scheme === 'unionpay' ? '0156' : '0840',
    currency: scheme === 'unionpay' ? '0156' : '0840',
    auc: 'FF00',
    iac: scheme === 'visa' ? IAC_VISA : scheme === 'mastercard' ? IAC_MC : IAC_UP,
    cvmList: CVM_STANDARD,
    ctq: '0000',
    imk: TEST_ISSUER_MASTER_KEYS[scheme],
    keyOption: 'a',
    sessionKeys: scheme === 'mastercard' ? 'mastercard' : 'common',
    arpcMethod: scheme === 'visa' ? 2 : 1,
    oda: scheme === 'mastercard' ? 'cda' : 'fdda',
    decision: { kind: 'online' },
    atc: 0x0010,
  };
  return { ...base, ...over };
}

const ALL: readonly CardInterface[] = ['contact', 'contactless', 'magstripe'];

function card(
  name: string,
  description: string,
  expected: string,
  applications: ApplicationProfile[],
  extra: { interfaces?: readonly CardInterface[]; faults?: CardProfile['faults'] } = {},
): TestCard {
  const first = applications[0]!;
  const uid = '08' + createHash('sha1').update(name).digest('hex').slice(0, 6).toUpperCase();
  const profile: CardProfile = { applications, uid, ...(extra.faults === undefined ? {} : { faults: extra.faults }) };
  return {
    name,
    description,
    expected,
    interfaces: extra.interfaces ?? ALL,
    profile,
    pan: first.pan,
    expiry: first.expiry.slice(0, 4),
    track2Equivalent: track2EquivalentHex(first),
    track2: `${first.pan}=${first.expiry.slice(0, 4)}${first.serviceCode}0000000000`,
  };
}

const visaPan = (n: number): string => withCheckDigit('47617390010' + String(n).padStart(4, '0'));
const mcPan = (n: number): string => withCheckDigit('54133300890' + String(n).padStart(4, '0'));

export const TEST_CARDS: readonly TestCard[] = [
  card('visa-online', 'Visa credit (VSDC contact with DDA, qVSDC contactless with fDDA); the card asks to go online',
    'online authorisation: ARQC at first GENERATE AC (contact) or in the GPO response (contactless); approved when the host approves',
    [app('visa', { pan: visaPan(1) })]),
  card('mastercard-online', 'Mastercard M/Chip with CDA and the Mastercard session key derivation; the card asks to go online',
    'online authorisation: ARQC with a CDA signature; ARPC method 1 checked in the second GENERATE AC (91 in CDOL2)',
    [app('mastercard', { pan: mcPan(1) })]),
  card('unionpay-online', 'UnionPay debit (PBOC contact, qPBOC contactless) with a 19-digit PAN: ICC master key option B',
    'online authorisation: ARQC; ARPC method 1 checked by EXTERNAL AUTHENTICATE',
    [app('unionpay', { pan: withCheckDigit('622526000000000001'), keyOption: 'b' })]),
  card('visa-offline', 'Visa credit that approves offline up to 100.00 when the terminal asks for a TC',
    'approved offline (TC) when the amount is below the terminal floor limit and 100.00; otherwise online (ARQC)',
    [app('visa', { pan: visaPan(2), decision: { kind: 'offline-below', limit: 10000 } })]),
  card('decline-offline', 'Visa credit whose card risk management always declines',
    'declined offline: AAC at first GENERATE AC (contact) or in the GPO response (contactless)',
    [app('visa', { pan: visaPan(3), decision: { kind: 'decline' } })]),
  card('mastercard-magstripe', 'Mastercard whose contactless application has no EMV mode (AIP byte 2 bit 8 clear): PayPass mag-stripe with dynamic CVC3; M/Chip with CDA on contact',
    'contactless: mag-stripe mode (Book C-2): COMPUTE CRYPTOGRAPHIC CHECKSUM, online request with entry mode 91 and the dynamic Track 1/2 (CVC3, UN, ATC in the discretionary data); contact: as mastercard-online',
    [app('mastercard', { pan: mcPan(5), magstripe: { imkCvc3: TEST_CVC3_MASTER_KEY } })]),
  card('online-pin', 'Mastercard whose CVM list requires online PIN (contactless: CTQ online PIN required)',
    'CVM online PIN: the terminal asks for the PIN and sends it online (TVR byte 3 bit 3 online PIN entered); ARQC',
    [app('mastercard', { pan: mcPan(2), cvmList: CVM_ONLINE_PIN, ctq: '8000' })]),
  card('offline-pin', 'Visa credit (contact only) with offline plaintext PIN 1234, PIN try limit 3',
    'CVM offline plaintext PIN: VERIFY 1234 answers 9000; a wrong PIN answers 63C2, 63C1, then 6983 (blocked)',
    [app('visa', { pan: visaPan(4), cvmList: CVM_OFFLINE_PIN, pin: '1234', pinTryLimit: 3, interfaces: ['contact'] })], { interfaces: ['contact', 'magstripe'] }),
  card('offline-enciphered-pin', 'Mastercard (contact only) with offline enciphered PIN 1234 under the ICC public key (no separate PIN key), PIN try limit 3',
    'CVM offline enciphered PIN: GET CHALLENGE, then VERIFY P2 88 with the block enciphered under the ICC key (Book 2 7); 9000 for 1234',
    [app('mastercard', { pan: mcPan(4), cvmList: CVM_ENCIPHERED_PIN, pin: '1234', pinTryLimit: 3, interfaces: ['contact'] })], { interfaces: ['contact', 'magstripe'] }),
  card('expired', 'Visa credit whose application expired on 2023-12-31 (no ODA data)',
    'processing restrictions set TVR byte 2 bit 7 (expired application); IAC-denial does not list it, so the terminal goes online or declines per its action codes',
    [app('visa', { pan: visaPan(5), expiry: '231231', oda: 'none' })]),
  card('not-yet-effective', 'Visa credit whose application becomes effective on 2035-01-01 (no ODA data)',
    'processing restrictions set TVR byte 2 bit 6 (application not yet effective)',
    [app('visa', { pan: visaPan(6), expiry: '391231', effective: '350101', oda: 'none' })]),
  card('blocked-application', 'Visa credit whose application is blocked: SELECT answers the FCI with 6283',
    'the application is not selectable (Book 1 12.3.1): no other candidate, so the terminal ends with "not accepted" / try another card',
    [app('visa', { pan: visaPan(7), blocked: true })]),
  card('oda-failure', 'Visa credit whose issuer public key certificate is damaged',
    'ODA fails at issuer key recovery: TVR byte 1 bit 4 (DDA failed, contact) / fDDA failed (contactless); the card asks to go online',
    [app('visa', { pan: visaPan(8), badCertificate: true })]),
  card('unknown-aid', 'A card whose only application has an AID no terminal supports (A0000009999001)',
    'no mutually supported application: the terminal ends the transaction (no candidate list)',
    [app('visa', { pan: visaPan(9), aid: 'A0000009999001', label: 'PRIVATE LABEL' })]),
  card('two-applications', 'Visa credit and Visa debit on one card, both needing cardholder confirmation (priority 81 and 82)',
    'the terminal offers a choice of two applications (Book 1 12.4); either then goes online',
    [
      app('visa', { pan: visaPan(10), priority: 0x81, label: 'VISA CREDIT' }),
      app('visa', { pan: visaPan(11), priority: 0x82, aid: VISA_DEBIT_AID, label: 'VISA DEBIT', psn: '02' }),
    ]),
  card('card-removed', 'Visa credit that leaves the field at the second READ RECORD',
    'the transaction ends with a card-removed fault (contactless: "try again", present card again; contact: end application)',
    [app('visa', { pan: visaPan(12) })], { faults: { removeAt: { command: 'READ RECORD', occurrence: 2 } } }),
  card('malformed-bad-tlv', 'Mastercard whose GPO response template claims one byte more than it carries',
    'the kernel ends the transaction with a card data error (Book 3 6.5.8.4: GPO response format error), never an exception',
    [app('mastercard', { pan: mcPan(3) })], { faults: { corrupt: { command: 'GET PROCESSING OPTIONS', kind: 'bad-tlv' } } }),
  card('malformed-wrong-sw', 'Visa credit that answers READ RECORD of SFI 2 record 1 with 6F00',
    'the kernel ends the transaction: a record named by the AFL could not be read (Book 3 10.2)',
    [app('visa', { pan: visaPan(13) })], { faults: { corrupt: { command: 'READ RECORD', kind: 'wrong-sw', record: { sfi: 2, record: 1 } } } }),
  card('malformed-missing-data', 'Visa credit whose SFI 2 record 1 lacks the PAN (5A), a mandatory data object',
    'the kernel ends the transaction: mandatory data missing (Book 3 7.2)',
    [app('visa', { pan: visaPan(14) })], { faults: { corrupt: { command: 'READ RECORD', kind: 'missing-data', record: { sfi: 2, record: 1 } } } }),
  card('malformed-duplicate-tags', 'Visa credit whose SFI 2 record 1 carries the PAN (5A) twice',
    'the kernel ends the transaction: a primitive data object appears twice in the records (Book 3 7.5)',
    [app('visa', { pan: visaPan(15) })], { faults: { corrupt: { command: 'READ RECORD', kind: 'duplicate-tags', record: { sfi: 2, record: 1 } } } }),
];

/** The catalogue entry with this name; throws EMV_CARD_UNKNOWN. */
export function testCard(name: string): TestCard {
  const c = TEST_CARDS.find((x) => x.name === name);
  if (c === undefined) throw new EmvError('EMV_CARD_UNKNOWN', `no test card named "${name}" (known: ${TEST_CARDS.map((x) => x.name).join(', ')})`);
  return c;
}

/** A fresh virtual card (its own ATC and PIN try counter) for a catalogue entry or profile. */
export function createCard(card: string | TestCard | CardProfile, iface: 'contact' | 'contactless'): VirtualCard {
  const profile = typeof card === 'string' ? testCard(card).profile : 'profile' in card ? card.profile : card;
  return new VirtualCard(profile, iface);
}

/** Structurally the `SimContactlessCard` of hal/roles/contactless.ts (emv/ may not import hal/). */
export interface SimContactlessCardShape {
  readonly uid: Uint8Array;
  readonly atqa: Uint8Array;
  readonly sak: number;
  readonly ats: Uint8Array;
  transceive(capdu: Uint8Array): Uint8Array;
}

/**
 * What the PN532 model holds for a card: ISO/IEC 14443-3 identity (4-byte random-style UID
 * 08xxxxxx, ATQA 00 04, SAK 20 = ISO/IEC 14443-4) and ATS (TL 05, T0 78: FSCI 8 = 256
 * bytes, TA TB TC present), with APDUs answered by a contactless {@link VirtualCard}.
 */
export function simContactlessCard(card: string | TestCard | VirtualCard): SimContactlessCardShape {
  const vc = card instanceof VirtualCard ? card : createCard(card, 'contactless');
  return {
    uid: fromHex(vc.profile.uid ?? '08A1B2C3'),
    atqa: Uint8Array.of(0x00, 0x04),
    sak: 0x20,
    ats: Uint8Array.of(0x05, 0x78, 0x80, 0x70, 0x02),
    transceive: (capdu) => vc.transceive(capdu),
  };
}

/** What the acquirer simulator needs to verify a card's ARQC and answer with an ARPC. */
export interface IssuerKeys {
  /** IMK-AC, 16 bytes (TEST key). */
  readonly imk: Uint8Array;
  readonly psn: string;
  readonly option: IccKeyOption;
  /** True when the card derives its session key with the unpredictable number (Mastercard SKD). */
  readonly useUnpredictableNumber: boolean;
  /** How to answer: method 1 with an ARC, or method 2 with a CSU. */
  readonly arpcMethod: ArpcRequest['method'];
  /** Mag-stripe cards: the IMK-CVC3 (TEST key) to check the CVC3 of a dynamic track with computeCvc3. */
  readonly imkCvc3?: Uint8Array;
}

/** The TEST issuer keys of the catalogue application with this PAN (and PSN when given). */
export function issuerKeysFor(pan: string, psn?: string): IssuerKeys | undefined {
  for (const c of TEST_CARDS) {
    for (const a of c.profile.applications) {
      if (a.pan === pan && (psn === undefined || a.psn === psn)) {
        return { imk: fromHex(a.imk), psn: a.psn, option: a.keyOption, useUnpredictableNumber: a.sessionKeys === 'mastercard', arpcMethod: a.arpcMethod, ...(a.magstripe === undefined ? {} : { imkCvc3: fromHex(a.magstripe.imkCvc3) }) };
      }
    }
  }
  return undefined;
}
