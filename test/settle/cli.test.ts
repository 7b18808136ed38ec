// `pos settle` as the real CLI in a child process, against the acquirer simulator on a
// loopback port: settled (exit 0, the Z totals), host unreachable (exit 1, batch open),
// a pending transaction (exit 1), usage errors (exit 2), never a stack trace.
import t from 'tap';
import { ConfigStore } from '../../src/config/store.js';
import { FileDeviceKeyProvider } from '../../src/keys/device-key.js';
import { runPos as pos, tsHook } from '../cli/fixtures/spawn-cli.js';
import { MERCHANT, rig, tempDir, TERMINAL } from './fixtures/rig.js';


// Child processes with the TypeScript hook take seconds each on a shared machine.
t.setTimeout(400_000);

t.test('pos settle', { skip: tsHook === undefined ? "needs tap's TypeScript hook" : false }, async (t) => {
  const data = tempDir();
  const r = await rig({ data, deviceKey: new FileDeviceKeyProvider({ dataDir: data }) });
  t.teardown(() => r.close());
  await r.txn('sale', 10_000);
  await r.txn('refund', 2_500);
  await r.release();
  const config = await ConfigStore.open(data);
  await config.set('terminal.id', TERMINAL, { by: 'test' });
  await config.set('merchant.id', MERCHANT, { by: 'test' });
  await config.set('fees.mdrPercent', { visa: 0.6 }, { by: 'test' });

  const help = await pos(['settle', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /pos settle \[--data DIR\] \[--host ADDR:PORT\] \[--json\]/);

  const down = await pos(['settle', '--data', data, '--host', '127.0.0.1:1', '--json']);
  t.equal(down.code, 1, 'not settled: non-zero exit');
  t.match(JSON.parse(down.out), { status: 'host-unavailable', batch: 1, uploaded: 0, totals: { batch: 1, byCurrency: { CNY: { net: 7500 } } } });
  t.notMatch(down.err, /\n\s+at /, 'no stack trace');

  const ok = await pos(['settle', '--data', data, '--host', `127.0.0.1:${r.port}`]);
  t.equal(ok.code, 0, ok.err);
  t.match(ok.out, /^batch 1: in balance: batch closed \(host answered 00\)\n/);
  // The Z report: net 10000 - 2500 = 75.00 CNY, fee 0.6 % of 7500 = 45.
  t.match(ok.out, /Z report, batch 1\n\s+CNY: 2 transactions, net 75\.00 CNY, fee 0\.45 CNY/);
  t.match(r.sim.ledger.reconciliations, [{ terminalId: TERMINAL, batch: '1', balanced: true }]);

  const z = await pos(['report', 'z', '--data', data, '--json']);
  t.equal(z.code, 0, z.err);
  t.match(JSON.parse(z.out), { report: 'z', batch: 1, byCurrency: { CNY: { net: 7500 } } });

  const empty = await pos(['settle', '--data', data, '--host', `127.0.0.1:${r.port}`, '--json']);
  t.equal(empty.code, 0, empty.err);
  t.match(JSON.parse(empty.out), { status: 'empty', batch: 2, responseCode: '00' });

  const bad = await pos(['settle', '--data', data, '--host', 'nohostport']);
  t.equal(bad.code, 2, 'usage error');
  t.match(bad.err, /--host/);
});

t.test('pos settle refuses while a transaction is pending', { skip: tsHook === undefined ? "needs tap's TypeScript hook" : false }, async (t) => {
  const data = tempDir();
  const r = await rig({ data, deviceKey: new FileDeviceKeyProvider({ dataDir: data }) });
  t.teardown(() => r.close());
  await r.journal.append([{ type: 'txn-pending', at: new Date().toISOString(), txnId: 'p1', txnType: 'sale', batch: 1, amount: 100, currency: 'CNY', scheme: 'visa' }]);
  await r.release();
  const config = await ConfigStore.open(data);
  await config.set('terminal.id', TERMINAL, { by: 'test' });
  await config.set('merchant.id', MERCHANT, { by: 'test' });
  const res = await pos(['settle', '--data', data, '--host', `127.0.0.1:${r.port}`]);
  t.equal(res.code, 1);
  t.match(res.err, /SETTLE_PENDING/);
  t.notMatch(res.err, /\n\s+at /, 'no stack trace');
  t.equal(r.sim.ledger.reconciliations.length, 0, 'nothing sent');
});
