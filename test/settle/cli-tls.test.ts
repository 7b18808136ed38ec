// `pos settle` with host.tls on: the batch is settled over TLS with the acquirer (the
// simulator behind a TLS listener; a TEST CA and server certificate made here); a host whose
// certificate does not chain to host.tlsCaFile is not settled with; an unreadable
// certificate file is an error naming the key. Never a stack trace.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigStore } from '../../src/config/store.js';
import { FileDeviceKeyProvider } from '../../src/keys/device-key.js';
import { serveChannels } from '../../src/host/channel.js';
import { runPos, tsHook } from '../cli/fixtures/spawn-cli.js';
import { createTestCa, serverIdentity } from '../host/test-ca.js';
import { MERCHANT, rig, tempDir, TERMINAL } from './fixtures/rig.js';

const pos = (argv: string[]): ReturnType<typeof runPos> => runPos(argv);

t.setTimeout(400_000);

t.test('pos settle over TLS', { skip: tsHook === undefined ? "needs tap's TypeScript hook" : false }, async (t) => {
  const data = tempDir();
  const r = await rig({ data, deviceKey: new FileDeviceKeyProvider({ dataDir: data }) });
  t.teardown(() => r.close());
  await r.txn('sale', 10_000);
  await r.release();
  const ca = createTestCa('TEST Acquirer CA');
  const other = createTestCa('TEST Other CA');
  const server = serverIdentity(ca);
  const tlsHost = await serveChannels({ port: 0, tls: { cert: server.certPem, key: server.keyPem } }, (ch) => r.sim.attach(ch));
  t.teardown(() => tlsHost.close());
  const caFile = path.join(data, 'TEST-acquirer-ca.pem');
  const otherFile = path.join(data, 'TEST-other-ca.pem');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(otherFile, other.certPem);
  const config = await ConfigStore.open(data);
  await config.setMany({ 'terminal.id': TERMINAL, 'merchant.id': MERCHANT, 'host.tls': true, 'host.tlsCaFile': path.join(data, 'TEST-absent.pem') }, { by: 'test' });
  const host = `127.0.0.1:${tlsHost.port}`;

  const missing = await pos(['settle', '--data', data, '--host', host]);
  t.not(missing.code, 0);
  t.match(missing.err, /HOST_TLS_CONFIG: host\.tlsCaFile: cannot read .*TEST-absent\.pem \(ENOENT\)/);
  t.notMatch(missing.err, /\n\s+at /, 'no stack trace');

  await config.set('host.tlsCaFile', otherFile, { by: 'test' });
  const untrusted = await pos(['settle', '--data', data, '--host', host, '--json']);
  t.equal(untrusted.code, 1, 'not settled with a host outside the pinned CA');
  t.match(JSON.parse(untrusted.out), { status: 'host-unavailable', batch: 1 });
  t.equal(r.sim.ledger.reconciliations.length, 0, 'the host never saw the totals');

  await config.set('host.tlsCaFile', caFile, { by: 'test' });
  const ok = await pos(['settle', '--data', data, '--host', host]);
  t.equal(ok.code, 0, ok.err);
  t.match(ok.out, /^batch 1: in balance: batch closed \(host answered 00\)\n/);
  t.match(r.sim.ledger.reconciliations, [{ terminalId: TERMINAL, batch: '1', balanced: true }]);
});
