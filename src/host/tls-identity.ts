/**
 * The terminal's TLS identity for the host link (node-forge's job per DESIGN: what
 * node:crypto cannot do): a key pair and certificate signing request generated on the
 * device, the certificate (or a PKCS#12 bundle) the acquirer issues imported and checked
 * against the pinned acquirer CA. node-forge is imported lazily: it costs ~35 ms at boot.
 */
import { generateKeyPairSync, X509Certificate, createPrivateKey } from 'node:crypto';
import { HostError } from './errors.js';

type Forge = typeof import('node-forge');
let forgePromise: Promise<Forge> | undefined;
const forge = (): Promise<Forge> => (forgePromise ??= import('node-forge').then((m) => ((m as unknown as { default?: Forge }).default ?? m) as Forge));

export interface IdentityRequest {
  /** Usually the terminal ID. */
  commonName: string;
  organization?: string;
  country?: string;
  bits?: 2048 | 3072;
}

export interface TlsIdentity {
  keyPem: string;
  certPem: string;
  /** Intermediate certificates between ours and the CA, if the acquirer sent any. */
  chainPem: string[];
}

/** Generates a key pair (node:crypto, fast) and a PKCS#10 CSR signed with it (forge). */
export async function generateCsr(req: IdentityRequest): Promise<{ keyPem: string; csrPem: string }> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: req.bits ?? 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const f = await forge();
  const key = f.pki.privateKeyFromPem(keyPem) as import('node-forge').pki.rsa.PrivateKey;
  const csr = f.pki.createCertificationRequest();
  csr.publicKey = f.pki.setRsaPublicKey(key.n, key.e);
  const subject = [{ name: 'commonName', value: req.commonName }];
  if (req.organization) subject.push({ name: 'organizationName', value: req.organization });
  if (req.country) subject.push({ name: 'countryName', value: req.country });
  csr.setSubject(subject);
  csr.sign(key, f.md.sha256.create());
  return { keyPem, csrPem: f.pki.certificationRequestToPem(csr) };
}

/** Checks that `certPem` (with intermediates) chains to the pinned CA and is valid now. */
export function verifyChain(certPem: string, caPem: string, chainPem: string[] = [], now = new Date()): void {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    ca = new X509Certificate(caPem);
  } catch (err) {
    throw new HostError('HOST_TLS', `not a PEM certificate: ${(err as Error).message}`);
  }
  const chain = chainPem.map((p) => new X509Certificate(p));
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    if (now < new Date(current.validFrom) || now > new Date(current.validTo)) {
      throw new HostError('HOST_TLS', `certificate "${current.subject.replace(/\n/g, ', ')}" is not valid now (valid ${current.validFrom} to ${current.validTo})`);
    }
    if (current.checkIssued(ca) && current.verify(ca.publicKey)) return;
    const parent = chain.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
    if (!parent) break;
    current = parent;
  }
  throw new HostError('HOST_TLS', `certificate "${cert.subject.replace(/\n/g, ', ')}" does not chain to the pinned acquirer CA`);
}

/** Imports the certificate the acquirer issued for our CSR key; checks key match and chain. */
export function importCertificate(keyPem: string, certPem: string, caPem: string, chainPem: string[] = []): TlsIdentity {
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new HostError('HOST_TLS', 'the certificate is not for this terminal\'s key');
  verifyChain(certPem, caPem, chainPem);
  return { keyPem, certPem, chainPem };
}

/** Imports a PKCS#12 bundle (key + certificate + chain) issued by the acquirer. */
export async function importPkcs12(p12: Uint8Array, password: string, caPem: string): Promise<TlsIdentity> {
  const f = await forge();
  let bundle: import('node-forge').pkcs12.Pkcs12Pfx;
  try {
    const asn1 = f.asn1.fromDer(f.util.createBuffer(Buffer.from(p12).toString('binary')));
    bundle = f.pkcs12.pkcs12FromAsn1(asn1, password);
  } catch (err) {
    throw new HostError('HOST_TLS', `cannot read the PKCS#12 bundle (wrong password or damaged file): ${(err as Error).message}`);
  }
  const keyBags = [
    ...(bundle.getBags({ bagType: f.pki.oids.pkcs8ShroudedKeyBag! })[f.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(bundle.getBags({ bagType: f.pki.oids.keyBag! })[f.pki.oids.keyBag!] ?? []),
  ];
  const certBags = bundle.getBags({ bagType: f.pki.oids.certBag! })[f.pki.oids.certBag!] ?? [];
  const key = keyBags[0]?.key;
  if (!key) throw new HostError('HOST_TLS', 'the PKCS#12 bundle holds no private key');
  const keyPem = f.pki.privateKeyToPem(key);
  const certs = certBags.map((b) => b.cert).filter((c): c is import('node-forge').pki.Certificate => c !== undefined && c !== null).map((c) => f.pki.certificateToPem(c));
  const ours = certs.find((pem) => new X509Certificate(pem).checkPrivateKey(createPrivateKey(keyPem)));
  if (!ours) throw new HostError('HOST_TLS', 'the PKCS#12 bundle holds no certificate for its key');
  return importCertificate(keyPem, ours, caPem, certs.filter((c) => c !== ours));
}
