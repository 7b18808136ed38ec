// The console over the in-memory sim serial pair (fast): the same sessions as over a real
// pseudo-terminal pair (console-pty.test.ts).
import t from 'tap';
import fc from 'fast-check';
import { createSimSerialPair } from '../../hal/sim/serial.js';
import { setLogSink } from '../../src/log.js';
import { CommandRegistry, registerCommand, consoleCommands, ConsoleCommandError } from '../../src/console/registry.js';
import { code } from './helpers.js';
import { adminScenario, factoryResetScenario, idleScenario, login, run, scanForSecrets, signInScenario, startEnv, technicianScenario, TECH } from './scenario.js';

const logLines: string[] = [];
setLogSink((line) => logLines.push(line));

t.test('sign-in, admin and technician commands, factory reset; then a scan for secrets', async (t) => {
  const dataDir = t.testdir();
  const pair = createSimSerialPair({ name: 'console' });
  const env = await startEnv(dataDir, pair.driver, pair.device);
  t.equal(env.console.idleTimeoutMs, 60_000);
  await t.test('sign-in', (t) => signInScenario(t, env));
  await t.test('admin', (t) => adminScenario(t, env));
  await t.test('technician', (t) => technicianScenario(t, env));
  await t.test('factory reset', (t) => factoryResetScenario(t, env));
  await env.console.close();
  await scanForSecrets(t, dataDir, env.far.transcript, logLines);
  await pair.driver.close();
});

t.test('idle timeout signs out, at a prompt and while typing', async (t) => {
  const pair = createSimSerialPair({ name: 'console' });
  const env = await startEnv(t.testdir(), pair.driver, pair.device, 1000);
  await idleScenario(t, env);
  await env.console.close();
});

t.test('the idle timeout comes from console.idleTimeoutSec', async (t) => {
  const pair = createSimSerialPair({ name: 'console' });
  const env = await startEnv(t.testdir(), pair.driver, pair.device);
  await env.services.config.set('console.idleTimeoutSec', 45, { by: 'test' });
  const { TechnicianConsole } = await import('../../src/console/console.js');
  t.equal(new TechnicianConsole({ link: pair.driver, services: env.services }).idleTimeoutMs, 45_000);
  await env.console.close();
});

t.test('commands registered by other parts: listed, permission-checked, run', async (t) => {
  const registry = new CommandRegistry();
  registry.register({
    name: 'batch',
    summary: 'show the open batch',
    usage: 'batch',
    action: 'settlement',
    run: async (ctx) => ctx.print('batch 000042: 3 sales'),
  });
  registry.register({
    name: 'journal',
    summary: 'show journal records',
    usage: 'journal [N]',
    action: 'keys.manage',
    run: async (ctx, args) => {
      if (args[0] === 'boom') throw new Error('disk on fire');
      if (args[0] === 'nope') throw new ConsoleCommandError('journal not open');
      await ctx.print('journal: 0 records');
    },
  });
  t.throws(() => registry.register({ name: 'batch', summary: '', usage: '', run: async () => undefined }), /registered twice/);
  t.throws(() => registry.register({ name: 'Bad Name', summary: '', usage: '', run: async () => undefined }), /lower-case/);
  registerCommand({ name: 'ext-global', summary: 'x', usage: 'x', run: async () => undefined });
  t.ok(consoleCommands.get('ext-global'), 'the global registry takes commands');

  const pair = createSimSerialPair({ name: 'console' });
  const env = await startEnv(t.testdir(), pair.driver, pair.device);
  const { TechnicianConsole } = await import('../../src/console/console.js');
  await env.console.close();
  const clashing = new CommandRegistry();
  clashing.register({ name: 'key', summary: 'x', usage: 'x', run: async () => undefined });
  t.throws(() => new TechnicianConsole({ link: pair.driver, services: env.services, registry: clashing }), /console command "key" is built in/);
  const c = new TechnicianConsole({ link: pair.driver, services: env.services, registry });
  void c.start();
  await login(env, TECH.id, TECH.password);
  env.clock.advance(30);
  await env.far.expect(`${TECH.id}@pos> `);
  t.match(await run(env, 'help', TECH.id), /batch +show the open batch \(not for your role\)[\s\S]*journal +show journal records\r\n/);
  t.match(await run(env, 'batch', TECH.id), 'permission denied: "batch" needs the settlement permission');
  t.match(await run(env, 'journal', TECH.id), 'journal: 0 records');
  t.match(await run(env, 'journal nope', TECH.id), 'error: journal not open');
  t.match(await run(env, 'journal boom', TECH.id), 'error: internal error (see the log)');
  t.ok(logLines.some((l) => l.includes('disk on fire')), 'an unexpected failure is logged, not shown');
  await env.far.type('\x04');
  await env.far.expect('logged out');
  await c.close();
});

t.test('random bytes on the line never stop the console', async (t) => {
  const pair = createSimSerialPair({ name: 'console' });
  const env = await startEnv(t.testdir(), pair.driver, pair.device);
  let stopped = false;
  void env.console.start().then(() => (stopped = true));
  await env.far.expect('login: ');
  const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 200 }), { numRuns: 40, seed: 5 });
  for (const bytes of samples) await env.far.type(Buffer.from(bytes).toString('latin1'));
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(stopped, 'still serving');
  // Ctrl-C until a fresh login prompt, then a normal sign-in works.
  for (let i = 0; i < 20 && !/login: $/.test(env.far.transcript); i++) {
    await env.far.type('\x03');
    await new Promise((r) => setTimeout(r, 50));
  }
  t.match(env.far.transcript, /login: $/);
  await env.far.expect(/login: $/);
  await env.far.line(TECH.id);
  await env.far.answer(['password: ', TECH.password], ['one-time code: ', code(env.secrets.get(TECH.id)!, env.clock)]);
  await env.far.expect(`welcome, ${TECH.id}`);
  await env.console.close();
});
