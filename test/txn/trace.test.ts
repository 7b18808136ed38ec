// APDU tracing in the engine (issue 10 "Recording"): the technician arms the next N
// transactions; each armed transaction's card exchange is stored (encrypted) through the
// console's TraceStore, up to and including the second GENERATE AC, with track data
// redacted; the (N+1)th transaction is not recorded; the trace replays to the live outcome.
import t from 'tap';
import { makeRig, present, startHost } from './fixtures/rig.js';
import { TraceStore } from '../../src/trace/trace-store.js';
import { KeyStore, MemoryKeyStoreBackend } from '../../src/keys/key-store.js';
import { SecretDeviceKeyProvider } from '../../src/keys/device-key.js';
import { parseTrace } from '../../emv/trace/format.js';
import { replayTrace } from '../../emv/trace/replay.js';
import { SAMPLE_TERMINAL } from '../../emv/kernel/sample-config.js';
import { readFileSync } from 'node:fs';
import { tempDir } from './fixtures/rig.js';

t.test('the next N transactions are traced, then none', async (t) => {
  const host = await startHost();
  const dataDir = tempDir();
  const keys = await KeyStore.open({ backend: new MemoryKeyStoreBackend(), deviceKey: new SecretDeviceKeyProvider('test-secret', 'test-salt-123') });
  const traces = new TraceStore({ dataDir, keys });
  const rig = await makeRig({ port: host.port, dataDir, traces });
  t.teardown(async () => {
    await rig.close();
    await host.close();
  });
  await traces.arm(1);
  const first = await rig.run({ type: 'sale', amount: 2000 }, present('unionpay-online', 'insert'));
  t.equal(first.result.status, 'approved', first.result.reason ?? '');
  const second = await rig.run({ type: 'sale', amount: 3000 }, present('unionpay-online', 'insert'));
  t.equal(second.result.status, 'approved');
  // Storing is off the transaction's path: wait for it.
  let list = await traces.list();
  for (let i = 0; i < 50 && list.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    list = await traces.list();
  }
  t.equal(list.length, 1, 'one armed transaction, one trace');
  t.equal(list[0]!.interface, 'contact');
  t.equal(list[0]!.outcome, 'approved', 'stored after completion: the final outcome');
  t.equal(await traces.armed(), 0, 'disarmed after use');
  const out = tempDir();
  const { file } = await traces.export(list[0]!.id, out);
  const text = readFileSync(file, 'utf8');
  const trace = parseTrace(text);
  const genAcs = trace.exchanges.filter((x) => x.command[1] === 0xae);
  t.equal(genAcs.length, 2, 'both GENERATE AC commands are in the trace');
  t.match(text, /^# redacted/m, 'track data redacted at capture (the trace says where)');
  const replay = await replayTrace(trace, { config: SAMPLE_TERMINAL });
  t.not(replay.outcome, 'incomplete-trace', `the exported trace replays (${replay.outcome})`);
});
