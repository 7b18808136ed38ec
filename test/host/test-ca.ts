// A throwaway test CA for the TLS tests (generated per run; nothing here is a real key).
import forgeModule from 'node-forge';
import { generateKeyPairSync } from 'node:crypto';

const forge = forgeModule;

export interface TestCa {
  certPem: string;
  keyPem: string;
  /** Issues a certificate for a public key (PEM) or a CSR (PEM). */
  issue(opts: { csrPem?: string; publicKeyPem?: string; commonName?: string; altNames?: string[]; days?: number; notBefore?: Date }): string;
}

function newKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

export function createTestCa(name = 'Test Acquirer CA'): TestCa {
  const keyPem = newKeyPem();
  const key = forge.pki.privateKeyFromPem(keyPem) as forgeModule.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86400_000);
  cert.setSubject([{ name: 'commonName', value: name }]);
  cert.setIssuer([{ name: 'commonName', value: name }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }]);
  cert.sign(key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  let serial = 2;
  return {
    certPem,
    keyPem,
    issue(opts) {
      const c = forge.pki.createCertificate();
      let subject = [{ name: 'commonName', value: opts.commonName ?? 'localhost' }];
      if (opts.csrPem) {
        const csr = forge.pki.certificationRequestFromPem(opts.csrPem);
        if (!csr.verify()) throw new Error('bad CSR signature');
        c.publicKey = csr.publicKey!;
        subject = csr.subject.attributes.map((a) => ({ name: a.name!, value: String(a.value) }));
      } else c.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem!);
      c.serialNumber = String(serial++).padStart(2, '0');
      c.validity.notBefore = opts.notBefore ?? new Date(Date.now() - 3600_000);
      c.validity.notAfter = new Date(c.validity.notBefore.getTime() + (opts.days ?? 30) * 86400_000);
      c.setSubject(subject);
      c.setIssuer(cert.subject.attributes);
      c.setExtensions([{ name: 'subjectAltName', altNames: (opts.altNames ?? ['localhost']).map((v) => (/^\d/.test(v) ? { type: 7, ip: v } : { type: 2, value: v })) }]);
      c.sign(key, forge.md.sha256.create());
      return forge.pki.certificateToPem(c);
    },
  };
}

export function serverIdentity(ca: TestCa): { keyPem: string; certPem: string } {
  const keyPem = newKeyPem();
  const pub = forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(...((k) => [k.n, k.e] as const)(forge.pki.privateKeyFromPem(keyPem) as forgeModule.pki.rsa.PrivateKey)));
  return { keyPem, certPem: ca.issue({ publicKeyPem: pub, commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] }) };
}

export function toPkcs12(keyPem: string, certPems: string[], password: string): Uint8Array {
  const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPem), certPems.map((p) => forge.pki.certificateFromPem(p)), password, { algorithm: '3des' });
  return Uint8Array.from(Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
}
