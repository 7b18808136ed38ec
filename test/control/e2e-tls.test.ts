// `pos run --host ADDR:PORT` with host.tls on: a sale on the sim board goes to an acquirer
// that only speaks TLS and asks for the terminal's certificate (a TEST CA, server and
// terminal certificates made here; the acquirer simulator behind a TLS listener on
// loopback, in this process, so its ledger is read directly). A certificate file that
// cannot be read stops `pos run` at start with the key named.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnPos, tsHook } from '../cli/fixtures/spawn-cli.js';
import { startTerminal, type RunningTerminal } from './fixtures/terminal.js';
import { ConfigStore } from '../../src/config/store.js';
import { createSimulator } from '../../src/board/acquirer.js';
import { serveChannels } from '../../src/host/channel.js';
import { loadLayout } from '../../src/host/iso8583/layout.js';
import { createTestCa, serverIdentity } from '../host/test-ca.js';

t.setTimeout(600_000);

if (!tsHook) {
  t.pass('skipped: needs the TypeScript import hook of tap');
} else {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pos-e2e-tls-'));
  const ca = createTestCa('TEST Acquirer CA');
  const server = serverIdentity(ca);
  const terminalId = serverIdentity(ca);
  const file = (name: string, text: string, mode = 0o644): string => {
    const p = path.join(dataDir, name);
    writeFileSync(p, text, { mode });
    return p;
  };
  const files = { ca: file('TEST-acquirer-ca.pem', ca.certPem), cert: file('TEST-terminal-cert.pem', terminalId.certPem), key: file('TEST-terminal-key.pem', terminalId.keyPem, 0o600) };
  const sim = createSimulator({ layout: loadLayout('binary') });
  let clientsVerified = 0;
  let host: { port: number; close(): Promise<void> };
  let term: RunningTerminal | undefined;
  t.before(async () => {
    host = await serveChannels({ port: 0, tls: { cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true } }, (ch) => {
      clientsVerified++; // requestCert + rejectUnauthorized: only a terminal with a certificate of the CA gets here
      sim.attach(ch);
    });
    const config = await ConfigStore.open(dataDir);
    await config.setMany({ 'host.tls': true, 'host.tlsCaFile': files.ca, 'host.tlsCertFile': files.cert, 'host.tlsKeyFile': files.key }, { by: 'test' });
  });
  t.teardown(async () => {
    await term?.stop();
    await host?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  t.test('sale over TLS to the acquirer given with --host', async (t) => {
    term = await startTerminal(dataDir, {}, ['--host', `127.0.0.1:${host.port}`]);
    await term.signIn('cashier-test', '2580');
    const since = term.mark();
    await term.press('1', '2', '5', '0', 'ENTER');
    await term.screen('present-card', since);
    await term.present('visa-online', 'tap');
    const next = await term.firstScreen(['pin', 'result'], since);
    if (next.screen === 'pin') await term.press('1', '2', '3', '4', 'ENTER');
    await term.screen('result', since);
    t.match((await term.lcd(/APPROVED|DECLINED/, since)).join('\n'), /APPROVED[\s\S]*AUTH CODE \d{6}/);
    t.equal(sim.ledger.cards.get('visa-online')?.approvals, 1, 'the TLS acquirer approved it');
    t.ok(clientsVerified >= 1, 'the terminal presented its certificate');
    t.equal(await term.stop(), 0);
    term = undefined;
  });

  t.test('an unreadable certificate file stops pos run, naming the key', async (t) => {
    const config = await ConfigStore.open(dataDir);
    await config.set('host.tlsCaFile', path.join(dataDir, 'TEST-absent-ca.pem'), { by: 'test' });
    const child = spawnPos(['run', '--board', 'sim', '--data', dataDir, '--no-ui', '--host', `127.0.0.1:${host.port}`]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    t.not(code, 0);
    t.match(stderr, /HOST_TLS_CONFIG: host\.tlsCaFile: cannot read .*TEST-absent-ca\.pem \(ENOENT\)/);
    t.notMatch(stderr, /\n\s+at /, 'no stack trace');
  });
}
