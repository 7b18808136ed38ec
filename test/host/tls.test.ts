// The terminal's TLS identity and the TLS channel: CSR generated on the device, the
// acquirer's certificate or PKCS#12 imported and checked against the pinned CA; a host
// whose certificate does not chain to the pinned CA is refused; mutual TLS works.
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { connectChannel, serveChannels, type Channel } from '../../src/host/channel.js';
import { generateCsr, importCertificate, importPkcs12, verifyChain } from '../../src/host/tls-identity.js';
import { createTestCa, serverIdentity, toPkcs12 } from './test-ca.js';

const acquirerCa = createTestCa('Test Acquirer CA');
const otherCa = createTestCa('Some Other CA');

t.test('CSR on the device, certificate from the acquirer, imported and checked', async (t) => {
  const { keyPem, csrPem } = await generateCsr({ commonName: 'TERM0001', organization: 'Test Merchant', country: 'CN' });
  t.match(csrPem, /-----BEGIN CERTIFICATE REQUEST-----/);
  const certPem = acquirerCa.issue({ csrPem });
  const identity = importCertificate(keyPem, certPem, acquirerCa.certPem);
  t.match(new X509Certificate(identity.certPem).subject, /CN=TERM0001/);
  const strangerCert = otherCa.issue({ csrPem });
  t.throws(() => importCertificate(keyPem, strangerCert, acquirerCa.certPem), { code: 'HOST_TLS', message: /does not chain/ });
  const { keyPem: otherKey } = await generateCsr({ commonName: 'X' });
  t.throws(() => importCertificate(otherKey, certPem, acquirerCa.certPem), { code: 'HOST_TLS', message: /not for this terminal's key/ });
  const expired = acquirerCa.issue({ csrPem, notBefore: new Date(Date.now() - 90 * 86400_000), days: 30 });
  t.throws(() => verifyChain(expired, acquirerCa.certPem), { code: 'HOST_TLS', message: /not valid now/ });
});

t.test('PKCS#12 import: right password, wrong password', async (t) => {
  const { keyPem, csrPem } = await generateCsr({ commonName: 'TERM0002' });
  const certPem = acquirerCa.issue({ csrPem });
  const p12 = toPkcs12(keyPem, [certPem], 'test-password');
  const id = await importPkcs12(p12, 'test-password', acquirerCa.certPem);
  t.match(new X509Certificate(id.certPem).subject, /CN=TERM0002/);
  await t.rejects(importPkcs12(p12, 'wrong', acquirerCa.certPem), { code: 'HOST_TLS' });
  await t.rejects(importPkcs12(Uint8Array.of(1, 2, 3), 'x', acquirerCa.certPem), { code: 'HOST_TLS' });
});

t.test('TLS channel: pinned CA accepted, other CA refused, client certificate presented', async (t) => {
  const server = serverIdentity(acquirerCa);
  let serverSide: Channel | undefined;
  const host = await serveChannels({ port: 0, tls: { cert: server.certPem, key: server.keyPem, ca: acquirerCa.certPem, requestCert: true } }, (ch) => (serverSide = ch));
  const { keyPem, csrPem } = await generateCsr({ commonName: 'TERM0001' });
  const certPem = acquirerCa.issue({ csrPem });
  const channel = await connectChannel({ host: '127.0.0.1', port: host.port, tls: { ca: acquirerCa.certPem, cert: certPem, key: keyPem, servername: 'localhost' } });
  const got: string[] = [];
  await new Promise((r) => setTimeout(r, 50));
  serverSide!.onFrame((f) => got.push(Buffer.from(f).toString()));
  await channel.send(Buffer.from('0800'));
  await new Promise((r) => setTimeout(r, 100));
  t.same(got, ['0800']);
  await channel.close();
  await t.rejects(connectChannel({ host: '127.0.0.1', port: host.port, connectTimeoutMs: 3000, tls: { ca: otherCa.certPem, cert: certPem, key: keyPem, servername: 'localhost' } }), { code: 'HOST_TLS' });
  await host.close();
});
