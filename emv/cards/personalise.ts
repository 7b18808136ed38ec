/**
 * Personalisation: turns an {@link ApplicationProfile} into the data a card holds: FCI
 * fields, DOLs, AIP, AFL and records, with the ODA certificates issued under the TEST CA
 * and issuer keys (EMV Book 2 5, 6; Book 3 10.2 for the static data to authenticate).
 */
import { encodeTlv, type TlvInput } from '../ber/tlv.js';
import { fromHex } from '../bytes.js';
import { certifyIccKey, certifyIssuerKey, signStaticData, type Certificate } from '../oda/oda.js';
import { publicOf, type RsaPrivateKeyHex } from '../oda/rsa.js';
import type { ApplicationProfile, Scheme } from './profile.js';
import { TEST_CA_PRIVATE_KEYS, TEST_ICC_KEYS, TEST_ISSUER_KEYS } from './test-issuer-keys.js';

/** Which TEST CA key certifies each scheme's TEST issuer key (index 8F). */
export const SCHEME_CA_INDEX: Readonly<Record<Scheme, number>> = { visa: 0xe3, mastercard: 0xe2, unionpay: 0xe4 };

const PDOL_QUICK = '9F66049F02069F03069F1A0295055F2A029A039C019F3704';
const PDOL_CONTACT_MC = '9F3501';
const CDOL1_COMMON = '9F02069F03069F1A0295055F2A029A039C019F3704';
const CDOL1_MC = CDOL1_COMMON + '9F35019F45029F4C089F3403';
const CDOL2_COMMON = '8A029F02069F03069F1A0295055F2A029A039C019F3704';
const CDOL2_MC = '910A8A0295059F37049F4C08';
const DDOL = '9F3704';

/** Everything the applet serves, computed once per card. */
export interface Personalisation {
  readonly profile: ApplicationProfile;
  readonly aid: Uint8Array;
  readonly aip: Uint8Array;
  readonly afl: Uint8Array;
  readonly pdol: Uint8Array;
  readonly cdol1: Uint8Array;
  readonly cdol2: Uint8Array;
  readonly ddol: Uint8Array;
  readonly iad: Uint8Array;
  /** Records by "sfi:record", each a complete 70 template. */
  readonly records: ReadonlyMap<string, Uint8Array>;
  readonly track2Equivalent: Uint8Array;
  readonly imk: Uint8Array;
  readonly iccKey?: RsaPrivateKeyHex;
  /** True when the application runs the quick contactless path (qVSDC / qPBOC) on this interface. */
  readonly quick: boolean;
  /** Mag-stripe mode on this interface (Book C-2): the static tracks the CVC3 covers and the ICC CVC3 key's master. */
  readonly magstripe?: { readonly track1: Uint8Array; readonly track2: Uint8Array; readonly imkCvc3: Uint8Array };
}

/**
 * Book C-2 mag-stripe data (SFI 1 record 2): 13 discretionary digits on track 2 and 16
 * characters on track 1, both with PCVC3 bits 2-4 (three CVC3 digits), PUNATC bits 5-7
 * (three ATC digits, NATC 3) and 10-12 (three UN digits: nUN 3); bit 1, the last digit,
 * carries nUN. UDOL 9F6A04 (the Unpredictable Number (Numeric)).
 */
function magstripeRecord(p: ApplicationProfile): { items: TlvInput[]; track1: Uint8Array; track2: Uint8Array } {
  const track2 = fromHex(`${p.pan}D${p.expiry.slice(0, 4)}${p.serviceCode}${'0'.repeat(13)}`.padEnd(38, 'F').slice(0, 38));
  const name = (p.cardholderName ?? 'TEST/CARDHOLDER').slice(0, 26);
  const track1 = Uint8Array.from(Buffer.from(`B${p.pan}^${name}^${p.expiry.slice(0, 4)}${p.serviceCode}${'0'.repeat(16)}`, 'latin1'));
  const items: TlvInput[] = [
    tlv(0x9f6c, '0001'), // Mag-stripe Application Version Number (Card)
    tlv(0x56, track1),
    tlv(0x9f62, '00000000000E'),
    tlv(0x9f63, '000000000E70'),
    tlv(0x9f64, '03'),
    tlv(0x9f6b, track2),
    tlv(0x9f65, '000E'),
    tlv(0x9f66, '0E70'),
    tlv(0x9f67, '03'),
    tlv(0x9f69, '9F6A04'),
  ];
  return { items, track1, track2 };
}

const tlv = (tag: number, value: Uint8Array | string): TlvInput => ({ tag, value: typeof value === 'string' ? fromHex(value) : value });
const record = (items: TlvInput[]): Uint8Array => encodeTlv({ tag: 0x70, children: items });

/** Track 2 equivalent data (57, Book 3 Annex A): PAN D YYMM service code discretionary, F-padded. */
export function track2EquivalentHex(p: Pick<ApplicationProfile, 'pan' | 'expiry' | 'serviceCode'>): string {
  const digits = `${p.pan}D${p.expiry.slice(0, 4)}${p.serviceCode}00000000000`;
  return digits.length % 2 ? digits + 'F' : digits;
}

function aipFor(p: ApplicationProfile, quick: boolean): Uint8Array {
  // Book 3 Annex C1: byte 1: 40 SDA, 20 DDA, 10 cardholder verification, 08 terminal risk management, 04 issuer authentication, 01 CDA.
  let b1 = 0x10 | 0x08 | 0x04;
  if (p.oda === 'sda') b1 |= 0x40;
  if (p.oda === 'dda' || p.oda === 'fdda') b1 |= 0x20;
  if (p.oda === 'cda') b1 |= 0x01 | 0x20;
  // Byte 2 bit 8: EMV mode supported on the contactless interface (Book C-2 / C-3 AIP).
  return Uint8Array.of(b1, quick || p.scheme === 'mastercard' ? 0x80 : 0x00);
}

const issuerCertCache = new Map<Scheme, Certificate>();

function issuerCertificate(scheme: Scheme): Certificate {
  let cert = issuerCertCache.get(scheme);
  if (cert === undefined) {
    const ca = TEST_CA_PRIVATE_KEYS.find((k) => k.scheme === scheme && k.index === SCHEME_CA_INDEX[scheme])!;
    const issuerId = ISSUER_IDS[scheme];
    cert = certifyIssuerKey(ca.key, { issuerIdentifier: issuerId, expiry: '1249', serial: fromHex('000001'), key: publicOf(TEST_ISSUER_KEYS[scheme]) });
    issuerCertCache.set(scheme, cert);
  }
  return cert;
}

/** Issuer identifiers (leftmost PAN digits) the TEST issuer certificates name. */
export const ISSUER_IDS: Readonly<Record<Scheme, string>> = { visa: '476173', mastercard: '541333', unionpay: '622526' };

export function personalise(p: ApplicationProfile, iface: 'contact' | 'contactless'): Personalisation {
  const quick = iface === 'contactless' && p.scheme !== 'mastercard';
  const ms = iface === 'contactless' && p.magstripe !== undefined ? magstripeRecord(p) : undefined;
  const aip = aipFor(p, quick);
  // Book C-2: no EMV mode on this interface, mag-stripe mode only.
  if (ms !== undefined) aip[1] = 0x00;
  const mc = p.scheme === 'mastercard';
  const pdol = fromHex(quick ? PDOL_QUICK : mc ? PDOL_CONTACT_MC : '');
  const cdol1 = fromHex(mc ? CDOL1_MC : CDOL1_COMMON);
  const cdol2 = fromHex(mc ? CDOL2_MC : CDOL2_COMMON);
  const t2 = fromHex(track2EquivalentHex(p));
  const iad = fromHex(mc ? '0110A00003220000000000000000000000FF' : p.scheme === 'visa' ? '06010A03A00000' : '07010103A00000');

  // SFI 1 record 1: track data; SFI 2 record 1: the data ODA signs; SFI 3: certificates.
  // On the quick path the GPO response carries 57 and 5F34, so the records do not (a data object appears once).
  const r11 = record([...(quick ? [] : [tlv(0x57, t2)]), tlv(0x5f20, Buffer.from((p.cardholderName ?? 'TEST/CARDHOLDER').padEnd(2, ' '), 'ascii')), tlv(0x9f1f, '3030303030')]);
  const odaItems: TlvInput[] = [
    tlv(0x5a, p.pan.length % 2 ? p.pan + 'F' : p.pan),
    tlv(0x5f24, p.expiry),
    tlv(0x5f25, p.effective),
    tlv(0x5f28, p.issuerCountry),
    ...(quick ? [] : [tlv(0x5f34, p.psn)]),
    tlv(0x5f30, '0' + p.serviceCode),
    tlv(0x9f07, p.auc),
    tlv(0x9f08, mc ? '0002' : '008C'),
    tlv(0x9f42, p.currency),
    tlv(0x8c, cdol1),
    tlv(0x8d, cdol2),
    tlv(0x8e, p.cvmList),
    tlv(0x9f0d, p.iac.default),
    tlv(0x9f0e, p.iac.denial),
    tlv(0x9f0f, p.iac.online),
  ];
  if (p.oda !== 'none') odaItems.push(tlv(0x9f4a, '82'));
  const r21 = record(odaItems);
  const records = new Map<string, Uint8Array>([
    ['1:1', r11],
    ['2:1', r21],
  ]);
  if (ms !== undefined) records.set('1:2', record(ms.items));
  const afl: number[] = [0x08, 1, ms === undefined ? 1 : 2, 0, 0x10, 1, 1, 1];
  let iccKey: RsaPrivateKeyHex | undefined;
  if (p.oda !== 'none') {
    // Static data to authenticate (Book 3 10.3): the value of the SFI 1-10 record template, then the AIP (9F4A = 82).
    const staticData = Uint8Array.from([...r21.subarray(r21[1] === 0x81 ? 3 : r21[1] === 0x82 ? 4 : 2), ...aip]);
    const issuer = issuerCertificate(p.scheme);
    let certBytes = issuer.certificate;
    if (p.badCertificate === true) {
      certBytes = Uint8Array.from(certBytes);
      certBytes[certBytes.length - 1]! ^= 0x5a;
    }
    records.set('3:1', record([tlv(0x90, certBytes)]));
    const r32: TlvInput[] = [tlv(0x8f, Uint8Array.of(SCHEME_CA_INDEX[p.scheme])), tlv(0x9f32, TEST_ISSUER_KEYS[p.scheme].e)];
    if (issuer.remainder.length > 0) r32.push(tlv(0x92, issuer.remainder));
    records.set('3:2', record(r32));
    if (p.oda === 'sda') {
      records.set('3:3', record([tlv(0x93, signStaticData(TEST_ISSUER_KEYS[p.scheme], fromHex('DAC1'), staticData))]));
    } else {
      iccKey = TEST_ICC_KEYS[p.scheme];
      const icc = certifyIccKey(TEST_ISSUER_KEYS[p.scheme], {
        pan: p.pan,
        expiry: p.expiry.slice(2, 4) + p.expiry.slice(0, 2),
        serial: fromHex('000002'),
        key: publicOf(iccKey),
        staticData,
      });
      const r33: TlvInput[] = [tlv(0x9f46, icc.certificate), tlv(0x9f47, iccKey.e)];
      if (icc.remainder.length > 0) r33.push(tlv(0x9f48, icc.remainder));
      r33.push(tlv(0x9f49, DDOL));
      records.set('3:3', record(r33));
    }
    afl.push(0x18, 1, 3, 0);
  }
  return {
    profile: p,
    aid: fromHex(p.aid),
    aip,
    afl: Uint8Array.from(afl),
    pdol,
    cdol1,
    cdol2,
    ddol: fromHex(DDOL),
    iad,
    records,
    track2Equivalent: t2,
    imk: fromHex(p.imk),
    ...(iccKey === undefined ? {} : { iccKey }),
    quick,
    ...(ms === undefined ? {} : { magstripe: { track1: ms.track1, track2: ms.track2, imkCvc3: fromHex(p.magstripe!.imkCvc3) } }),
  };
}
