// The console driven the way a technician drives it with picocom: socat makes a linked
// pseudo-terminal pair (pty,raw,echo=0), the console serves one end through the Linux
// serial backend (LinuxSerialOpener, 115200 8N1), the test types on the other end through
// a second LinuxSerialOpener link. Then logs, transcript and data folder are scanned.
import t from 'tap';
import { LinuxSerialOpener } from '../../hal/linux/serial.js';
import { DEFAULT_SERIAL, type SerialLink } from '../../hal/serial.js';
import { setLogLevel, setLogSink } from '../../src/log.js';
import { openPtyPair } from '../linux/pty-pair.js';
import { adminScenario, factoryResetScenario, idleScenario, scanForSecrets, signInScenario, startEnv, technicianScenario } from './scenario.js';

const logLines: string[] = [];
setLogSink((line) => logLines.push(line));
setLogLevel('debug');

const opener = new LinuxSerialOpener();
const openEnd = (path: string): Promise<SerialLink> => opener.open(path, { ...DEFAULT_SERIAL });

t.test('over a real pty pair: sign-in, every command, factory reset, then no secret anywhere', async (t) => {
  const pair = await openPtyPair(openEnd);
  t.teardown(() => pair.kill());
  t.match(pair.paths, [/^\/dev\/pts\/\d+$/, /^\/dev\/pts\/\d+$/]);
  const [consoleEnd, technicianEnd] = pair.ends;
  const dataDir = t.testdir();
  const env = await startEnv(dataDir, consoleEnd, technicianEnd);
  await t.test('sign-in failures, lockout, TOTP valid, wrong and replayed', (t) => signInScenario(t, env));
  await t.test('admin: config, users, permissions, bad arguments', (t) => adminScenario(t, env));
  await t.test('technician: diag, key list/load/delete, two custodians, history', (t) => technicianScenario(t, env));
  await t.test('factory reset and first-boot credentials', (t) => factoryResetScenario(t, env));
  await env.console.close();
  t.match(env.far.transcript, /\r\n/, 'lines end in CRLF for the terminal program');
  await scanForSecrets(t, dataDir, env.far.transcript, logLines);
  await technicianEnd.close();
  await consoleEnd.close();
});

t.test('over a real pty pair: idle timeout', async (t) => {
  const pair = await openPtyPair(openEnd);
  t.teardown(() => pair.kill());
  const env = await startEnv(t.testdir(), pair.ends[0], pair.ends[1], 1000);
  await idleScenario(t, env);
  await env.console.close();
  await pair.ends[1].close();
  await pair.ends[0].close();
});

t.test('the console stops when the line hangs up', async (t) => {
  const pair = await openPtyPair(openEnd);
  const env = await startEnv(t.testdir(), pair.ends[0], pair.ends[1]);
  await env.far.expect('login: ');
  await pair.kill();
  await env.console.start();
  t.pass('start() resolved after the far end went away');
  t.ok((await (env.services.audit as import('../../src/audit/encrypted-log.js').EncryptedAuditLog).readAll()).some((r) => r.type === 'console-close'));
  await pair.ends[0].close();
  await pair.ends[1].close();
});
