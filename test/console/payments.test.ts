// The console's `payments`: what the terminal's configuration lacks for taking payments, as
// the next start will see it (src/board/emv-config.ts), and ready once the technician has
// set the acquirer's identities.
import t from 'tap';
import { createSimSerialPair } from '../../hal/sim/serial.js';
import { paymentsCheck } from '../../src/board/emv-config.js';
import { login, run, startEnv, TECH } from './scenario.js';

t.test('payments: NOT CONFIGURED with what is missing, then ready', async (t) => {
  const dataDir = t.testdir({});
  const pair = createSimSerialPair({ name: 'console' });
  const env = await startEnv(dataDir, pair.driver, pair.device);
  t.teardown(async () => {
    await env.console.close();
    await pair.driver.close();
  });
  const { config, caKeys } = env.services;
  env.services.paymentsCheck = paymentsCheck({ config, caKeys: caKeys! });
  await login(env, TECH.id, TECH.password);
  await env.far.expect(`${TECH.id}@pos> `);
  const out = await run(env, 'payments', TECH.id);
  t.match(out, /NOT CONFIGURED for payments:\s+- terminal\.id is not set[^\n]*\s+- merchant\.id is not set/);
  await config.setMany({ 'terminal.id': 'TERM0042', 'merchant.id': 'MERCHANT0000042', 'capk.testKeys': true }, { by: 'test' });
  t.match(await run(env, 'payments', TECH.id), /ready: the configuration gives a payment terminal/);
  t.match(await run(env, 'payments now', TECH.id), /payments takes no arguments/);
});
