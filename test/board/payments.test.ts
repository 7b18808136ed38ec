// A real (non-sim) board's payments (src/board/app-services.ts openPayments): the engine's
// terminal configuration comes from the data folder's configuration and CA keys; an
// incomplete configuration opens nothing and says what is missing (the keypad shows NOT
// CONFIGURED, read back from the LCD model); with host.tls on, the host link speaks TLS to
// the acquirer (a TEST CA and server certificate made here, the acquirer simulator behind
// a TLS listener on loopback that requires a client certificate), and refuses a host
// whose certificate does not chain to the configured CA.
import t, { type Test } from 'tap';
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildTerminal } from '../../src/board/build.js';
import type { Terminal } from '../../src/board/terminal.js';
import { openPayments, type Payments } from '../../src/board/app-services.js';
import { createSimulator } from '../../src/board/acquirer.js';
import { openConsoleServices } from '../../src/console/index.js';
import { ConfigStore } from '../../src/config/store.js';
import { FileDeviceKeyProvider } from '../../src/keys/device-key.js';
import { serveChannels } from '../../src/host/channel.js';
import { loadLayout } from '../../src/host/iso8583/layout.js';
import { networkManagement } from '../../src/host/messages.js';
import { TerminalApp } from '../../src/app/terminal-app.js';
import type { Hd44780Model } from '../../hal/devices/hd44780/hd44780.sim.js';
import { toHex } from '../../emv/bytes.js';
import { createTestCa, serverIdentity } from '../host/test-ca.js';
import { TEST_SCRYPT } from '../console/helpers.js';

t.setTimeout(120_000);

const BY = { by: 'test' };
const IDS = { 'terminal.id': 'TERM0042', 'merchant.id': 'MERCHANT0000042' };

/** The sim board's devices presented as a real board's (isSim false): what openPayments decides on. */
async function realBoard(t: Test): Promise<Terminal> {
  const sim = await buildTerminal('sim');
  t.teardown(() => sim.close());
  return { ...sim, isSim: false, board: 'real-test' };
}

async function dataFolder(t: Test): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pos-payments-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function open(t: Test, dir: string, terminal: Terminal, acquirer: { host: string; port: number } | undefined): Promise<Payments> {
  const deviceKey = new FileDeviceKeyProvider({ dataDir: dir });
  const console = await openConsoleServices({ dataDir: dir, version: 'test', deviceKey, scrypt: TEST_SCRYPT });
  const config = await ConfigStore.open(dir);
  const payments = await openPayments({ terminal, config, console, dataDir: dir, deviceKey, acquirer: () => acquirer });
  if (payments.ready) {
    t.teardown(async () => {
      await payments.app.close();
      await payments.wiring.close();
    });
  }
  return payments;
}

t.test('not configured: nothing opened, the missing settings named, NOT CONFIGURED on the LCD', async (t) => {
  const dir = await dataFolder(t);
  const terminal = await realBoard(t);
  const payments = await open(t, dir, terminal, undefined);
  t.equal(payments.ready, false);
  if (payments.ready) return;
  t.match(payments.missing, [/^terminal\.id is not set/, /^merchant\.id is not set/]);
  t.notOk((await readdir(dir)).includes('journal'), 'no journal was opened');
  const app = new TerminalApp(terminal, { merchantName: 'TEST', version: '0.1.0', notConfigured: payments.missing });
  t.teardown(() => app.stop());
  const { inService } = await app.start();
  t.equal(inService, true, 'the devices are fine');
  t.equal(app.view().screen, 'not-configured');
  t.same((terminal.models.lcd as Hd44780Model).text(), ['   NOT CONFIGURED   ', ' 2 ITEM(S) MISSING  ', '  SEE TECH CONSOLE  ', '                    ']);
});

t.test('configured from the data folder: the engine gets the configured terminal', async (t) => {
  const dir = await dataFolder(t);
  const config = await ConfigStore.open(dir);
  await config.setMany({ ...IDS, 'capk.testKeys': true, 'terminal.country': 840, 'emv.aids': { A0000000031010: 'visa' } }, BY);
  const payments = await open(t, dir, await realBoard(t), undefined);
  if (!payments.ready) throw new Error(payments.missing.join('; '));
  t.equal(payments.emv.country, 840);
  t.equal(payments.emv.terminalId, 'TERM0042');
  t.same(payments.emv.aids.map((a) => toHex(a.aid)), ['A0000000031010']);
  t.ok(payments.emv.caKeys.some((k) => toHex(k.rid) === 'A000000003'), 'CA keys for the configured RID');
  t.equal(payments.wiring.terminalId, 'TERM0042');
});

t.test('host.tls: echo over TLS with a client certificate; a host outside the configured CA is refused', async (t) => {
  const dir = await dataFolder(t);
  const acquirerCa = createTestCa('TEST Acquirer CA');
  const otherCa = createTestCa('TEST Other CA');
  const server = serverIdentity(acquirerCa);
  const client = serverIdentity(acquirerCa);
  const files = { ca: path.join(dir, 'TEST-acquirer-ca.pem'), cert: path.join(dir, 'TEST-terminal-cert.pem'), key: path.join(dir, 'TEST-terminal-key.pem') };
  await writeFile(files.ca, acquirerCa.certPem);
  await writeFile(files.cert, client.certPem);
  await writeFile(files.key, client.keyPem, { mode: 0o600 });
  const sim = createSimulator({ layout: loadLayout('binary') });
  const host = await serveChannels({ port: 0, tls: { cert: server.certPem, key: server.keyPem, ca: acquirerCa.certPem, requestCert: true } }, (ch) => sim.attach(ch));
  t.teardown(() => host.close());
  const config = await ConfigStore.open(dir);
  await config.setMany({ ...IDS, 'capk.testKeys': true, 'host.tls': true, 'host.tlsCaFile': files.ca, 'host.tlsCertFile': files.cert, 'host.tlsKeyFile': files.key }, BY);
  const payments = await open(t, dir, await realBoard(t), { host: '127.0.0.1', port: host.port });
  if (!payments.ready) throw new Error(payments.missing.join('; '));
  const answer = await payments.wiring.host.request(networkManagement('echo'));
  t.equal(answer.mti, '0810');
  t.equal(answer.get(39), '00', 'the acquirer answered over TLS');

  // The same host, but the configured CA is another one: the handshake is refused.
  const dir2 = await dataFolder(t);
  const otherFile = path.join(dir2, 'TEST-other-ca.pem');
  await writeFile(otherFile, otherCa.certPem);
  const config2 = await ConfigStore.open(dir2);
  await config2.setMany({ ...IDS, 'capk.testKeys': true, 'host.tls': true, 'host.tlsCaFile': otherFile }, BY);
  const refused = await open(t, dir2, await realBoard(t), { host: '127.0.0.1', port: host.port });
  if (!refused.ready) throw new Error(refused.missing.join('; '));
  const got = await refused.wiring.host.request(networkManagement('echo'), { timeoutMs: 60_000 }).catch((err: unknown) => err as { code?: string; message: string });
  t.match(got, { code: 'HOST_TLS' }, 'no answer through an untrusted host: the TLS check refused it');
});

t.test('host.tls: a missing or wrong file stops the start, naming its key', async (t) => {
  const dir = await dataFolder(t);
  const ca = createTestCa('TEST Acquirer CA');
  const id = serverIdentity(ca);
  const other = serverIdentity(ca);
  const f = (name: string): string => path.join(dir, name);
  await writeFile(f('TEST-ca.pem'), ca.certPem);
  await writeFile(f('TEST-cert.pem'), id.certPem);
  await writeFile(f('TEST-key.pem'), id.keyPem, { mode: 0o600 });
  await writeFile(f('TEST-other-key.pem'), other.keyPem, { mode: 0o600 });
  await writeFile(f('TEST-not-pem.pem'), 'hello');
  const config = await ConfigStore.open(dir);
  await config.setMany({ ...IDS, 'capk.testKeys': true, 'host.tls': true }, BY);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /^host\.tls is on but host\.tlsCaFile is not set/],
    [{ 'host.tlsCaFile': f('absent.pem') }, /^host\.tlsCaFile: cannot read .*absent\.pem \(ENOENT\)/],
    [{ 'host.tlsCaFile': f('TEST-not-pem.pem') }, /^host\.tlsCaFile: .* is not a PEM certificate/],
    [{ 'host.tlsCaFile': f('TEST-ca.pem'), 'host.tlsCertFile': f('TEST-cert.pem') }, /host\.tlsCertFile is set without host\.tlsKeyFile/],
    [{ 'host.tlsCaFile': f('TEST-ca.pem'), 'host.tlsCertFile': f('TEST-cert.pem'), 'host.tlsKeyFile': f('TEST-not-pem.pem') }, /^host\.tlsKeyFile: .* is not an unencrypted PEM private key/],
    [{ 'host.tlsCaFile': f('TEST-ca.pem'), 'host.tlsCertFile': f('TEST-cert.pem'), 'host.tlsKeyFile': f('TEST-other-key.pem') }, /^host\.tlsCertFile: .* is not the certificate of the key in host\.tlsKeyFile/],
  ];
  for (const [values, message] of cases) {
    for (const key of ['host.tlsCaFile', 'host.tlsCertFile', 'host.tlsKeyFile']) await config.reset(key, BY);
    await config.setMany(values, BY);
    const err = await open(t, dir, await realBoard(t), undefined).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    t.equal(err?.code, 'HOST_TLS_CONFIG', String(message));
    t.match(err?.message, message);
    t.notMatch(err?.message ?? '', /BEGIN|PRIVATE/, 'no file contents in the message');
  }
});
