// Certificates and signatures for the test cards, made with the emv/oda signing side and
// the TEST keys (EMV Book 2 Tables 6, 7, 14): issuer certificate under the test CA, ICC
// certificate over the static data to authenticate, SDA's signed static data.
import { certifyIccKey, certifyIssuerKey, signStaticData, type RsaPrivateKeyHex } from '../../../emv/oda/oda.js';
import { publicOf } from '../../../emv/oda/rsa.js';
import { TEST_CA_PRIVATE_KEYS, TEST_ICC_KEYS, TEST_ISSUER_KEYS, type TestScheme } from '../../../emv/cards/test-issuer-keys.js';
import { encodeTlv } from '../../../emv/ber/tlv.js';
import { fromHex, toHex } from '../../../emv/bytes.js';
import { p, type SimApp } from './sim-card.js';
import type { TlvInput } from '../../../emv/ber/tlv.js';

export const CA_INDEX = 0xe2;

export interface OdaPersonalisation {
  scheme: TestScheme;
  pan: string;
  /** 'sda': 93 in the records; 'dda': ICC certificate (DDA, fDDA, CDA). */
  kind: 'sda' | 'dda';
  /** Corrupt the issuer certificate (the "ODA failure" card). */
  badCertificate?: boolean;
  /** Issuer certificate expiry MMYY (default 1249). */
  issuerExpiry?: string;
}

/**
 * Adds SFI 2 record 1 with the ODA data to `app`, whose SFI 1 records (all marked for ODA
 * in its AFL) and the AIP (SDA tag list 9F4A = 82) form the static data (Book 3 10.3).
 */
export function personalise(app: SimApp, o: OdaPersonalisation): { app: SimApp; iccKey: RsaPrivateKeyHex } {
  const ca = TEST_CA_PRIVATE_KEYS.find((k) => k.scheme === o.scheme && k.index === CA_INDEX)!;
  const issuer = TEST_ISSUER_KEYS[o.scheme];
  const icc = TEST_ICC_KEYS[o.scheme];
  const staticParts: Uint8Array[] = [];
  for (const [key, children] of Object.entries(app.records)) if (key.startsWith('1.')) staticParts.push(encodeTlv(children).slice());
  staticParts.push(fromHex(app.aip));
  const staticData = Uint8Array.from(Buffer.concat(staticParts));
  const issuerCert = certifyIssuerKey(ca.key, { issuerIdentifier: o.pan.slice(0, 6), expiry: o.issuerExpiry ?? '1249', serial: fromHex('000001'), key: publicOf(issuer) });
  const cert = Uint8Array.from(issuerCert.certificate);
  if (o.badCertificate) cert[cert.length - 1] = cert[cert.length - 1]! ^ 0x01;
  const rec: TlvInput[] = [p(0x8f, CA_INDEX.toString(16)), p(0x90, toHex(cert)), p(0x9f32, '03')];
  if (issuerCert.remainder.length > 0) rec.push(p(0x92, toHex(issuerCert.remainder)));
  if (o.kind === 'sda') rec.push(p(0x93, toHex(signStaticData(issuer, fromHex('DAC1'), staticData))));
  else {
    const iccCert = certifyIccKey(issuer, { pan: o.pan, expiry: '1249', serial: fromHex('000002'), key: publicOf(icc), staticData });
    rec.push(p(0x9f46, toHex(iccCert.certificate)), p(0x9f47, '03'));
    if (iccCert.remainder.length > 0) rec.push(p(0x9f48, toHex(iccCert.remainder)));
    rec.push(p(0x9f49, '9F3704'));
  }
  return { app: { ...app, records: { ...app.records, '2.1': rec } }, iccKey: icc };
}
