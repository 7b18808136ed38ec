// The technician's sessions, run over any serial pair: the in-memory sim pair (fast) and a
// real pseudo-terminal pair through the Linux serial backend (the way picocom would).
// Each step types what a person types and waits for what the console must answer.
import type { Test } from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fromHex, toHex, xor } from '../../emv/crypto/bytes.js';
import { keyCheckValue } from '../../emv/crypto/kcv.js';
import type { AuditRecord } from '../../src/audit/audit.js';
import type { EncryptedAuditLog } from '../../src/audit/encrypted-log.js';
import { TechnicianConsole } from '../../src/console/console.js';
import type { ConsoleServices } from '../../src/console/registry.js';
import { unwrapTr31 } from '../../src/keys/tr31.js';
import { ensureFirstBootCredentials, TEST_CREDENTIALS, TEST_TOTP_SECRET } from '../../src/users/first-boot.js';
import type { SerialLink } from '../../hal/serial.js';
import { Clock, code, FarEnd, TEST_PAN, testServices } from './helpers.js';

// Test keys only: TR-31:2018 A.7.3.2 key block protection key and its version B block
// wrapping a TDES BDK (KCV 9A4212), as in test/keys/key-store.test.ts.
export const TEST_KBPK = fromHex('1D22BF32387C600AD97F9B97A51311AC');
export const TR31_BDK_BLOCK = 'B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A52190E248719E24B433627';
/** Two custodians' components of the test KBPK. */
export const COMPONENT_1 = fromHex('0123456789ABCDEFFEDCBA9876543210');
export const COMPONENT_2 = xor(COMPONENT_1, TEST_KBPK);

const cred = (id: string): { id: string; password: string } => {
  const c = TEST_CREDENTIALS.find((x) => x.id === id)!;
  return { id: c.id, password: c.password! };
};
export const ADMIN = cred('admin-test');
export const TECH = cred('tech-test');
export const SUPER = cred('super-test');

/** Every secret typed in the scenarios: none may show up in a transcript, log or data file. */
export const TYPED_SECRETS = {
  passwords: [ADMIN.password, TECH.password, 'Second-Secret#77', 'Second-Chosen#78', 'Temp-Super#55', 'Admin-Own#9911', 'Cash-Tech#4242', 'First-Boss#3141', 'Fixer-Pro#2718'],
  pin: '4826',
  keys: () => [TEST_KBPK, COMPONENT_1, COMPONENT_2, unwrapTr31(TEST_KBPK, TR31_BDK_BLOCK).key],
};

type Tap = Test;

export interface Env {
  far: FarEnd;
  clock: Clock;
  services: ConsoleServices;
  console: TechnicianConsole;
  dataDir: string;
  /** TOTP secrets shown by the console at enrolment, by user. */
  secrets: Map<string, string>;
}

/** Opens console services on a seeded (sim) data folder and starts a console on `consoleEnd`. */
export async function startEnv(dataDir: string, consoleEnd: SerialLink, farEnd: SerialLink, idleTimeoutMs = 60_000): Promise<Env> {
  const clock = new Clock();
  const services = await testServices(dataDir, clock);
  await ensureFirstBootCredentials(services.users, 'sim');
  const far = new FarEnd(farEnd);
  const console = new TechnicianConsole({ link: consoleEnd, services, idleTimeoutMs });
  void console.start();
  return { far, clock, services, console, dataDir, secrets: new Map([[ADMIN.id, TEST_TOTP_SECRET], [TECH.id, TEST_TOTP_SECRET]]) };
}

/** Signs in at a "login:" prompt; `totp` false skips the code, a string types that code. */
export async function login(env: Env, id: string, password: string, totp: boolean | string = true, label = ''): Promise<string | undefined> {
  await env.far.expect(`${label}login: `);
  await env.far.line(id);
  await env.far.expect('password: ');
  await env.far.line(password);
  if (totp === false) return undefined;
  await env.far.expect('one-time code: ');
  const secret = env.secrets.get(id);
  const c = typeof totp === 'string' ? totp : secret ? code(secret, env.clock) : '123456';
  await env.far.line(c);
  return c;
}

/** Runs a command and returns its output up to the next prompt. */
export async function run(env: Env, line: string, user: string): Promise<string> {
  await env.far.line(line);
  return env.far.expect(new RegExp(`${user}@\\S+> $|login: $`));
}

export async function auditRecords(env: Env): Promise<AuditRecord[]> {
  return (env.services.audit as EncryptedAuditLog).readAll();
}

export async function signInScenario(t: Tap, env: Env): Promise<void> {
  const { far, clock } = env;
  await far.expect('POS technician console (terminal ID not set)');
  await login(env, TECH.id, 'Wrong-Password-1');
  t.match(await far.expect('login failed\r\n'), 'login failed', 'wrong password');
  await login(env, TECH.id, TECH.password, '000000');
  await far.expect('login failed\r\n');
  await login(env, TECH.id, TECH.password, '');
  t.match(await far.expect(/account locked for \d+ s/), 'too many failed attempts: account locked for 30 s', 'third failure locks');
  await login(env, TECH.id, TECH.password);
  t.match(await far.expect(/try again in \d+ s/), 'account locked: try again in 30 s', 'refused while locked, even with the right password');
  clock.advance(30);
  const used = await login(env, TECH.id, TECH.password);
  t.match(await far.expect(`${TECH.id}@pos> `), `welcome, ${TECH.id} (technician)`);
  await far.line('logout');
  await far.expect('logged out');
  await login(env, TECH.id, TECH.password, used);
  t.match(await far.expect('login failed\r\n'), 'login failed', 'the same code again within its window (replay)');
  await login(env, SUPER.id, SUPER.password, false);
  t.match(await far.expect('does not use the console\r\n'), 'login refused: the supervisor role does not use the console');
  await login(env, 'ghost', 'Whatever-123');
  await far.expect('login failed\r\n');
  await far.answer(['login: ', 'someone']);
  await far.expect('password: ');
  await far.type('half\x03');
  await far.expect('cancelled\r\n');
  const records = await auditRecords(env);
  const failures = records.filter((r) => r.type === 'login-failure').map((r) => r.detail?.reason);
  t.same(failures, ['bad-credentials', 'totp-invalid', 'totp-required', 'locked', 'totp-replay', 'role', 'bad-credentials'], 'every failure audited with its reason');
  t.ok(records.some((r) => r.type === 'lockout' && r.subject === TECH.id && r.detail?.seconds === 30), 'lockout audited');
  t.ok(records.some((r) => r.type === 'login' && r.actor === TECH.id), 'login audited');
  t.ok(records.some((r) => r.type === 'logout' && r.actor === TECH.id && r.detail?.reason === 'logout'), 'logout audited');
  t.equal(records.filter((r) => r.type === 'login-failure' && r.subject === 'ghost').length, 1, 'unknown ID audited');
  clock.advance(30);
}

function secretFrom(output: string): string {
  return /secret ([A-Z2-7]{16,})/.exec(output)![1]!;
}

export async function adminScenario(t: Tap, env: Env): Promise<void> {
  const { far } = env;
  const me = ADMIN.id;
  await login(env, me, ADMIN.password);
  env.clock.advance(30);
  await far.expect(`${me}@pos> `);
  const cmd = (line: string): Promise<string> => run(env, line, me);
  const help = await cmd('help');
  for (const name of ['config', 'diag', 'factory-reset', 'help', 'key', 'logout', 'user', 'version', 'whoami']) t.match(help, new RegExp(`\\n  ${name} `), `help lists ${name}`);
  t.match(help, /key +list, load .*\(not for your role\)/);
  t.match(await cmd('help key'), 'usage: key list | key load tr31 NAME BLOCK');
  t.match(await cmd('help nope'), 'error: no command "nope": type "help" for the list');
  t.match(await cmd('help a b'), 'error: help takes at most one command name, got 2 words');
  t.match(await cmd('frobnicate now'), 'unknown command "frobnicate": type "help" for the list');
  t.match(await cmd('whoami'), `${me} (admin, password + TOTP)`);
  t.match(await cmd('whoami extra'), 'error: whoami takes no arguments');
  t.match(await cmd('version'), 'pos 0.0.0-test (node ');
  t.match(await cmd('say "hi'), 'error: unclosed double quote');

  // configuration: every area the issue names
  const show = await cmd('config show');
  for (const key of ['merchant.name', 'merchant.id', 'terminal.id', 'host.address', 'host.tls', 'currency', 'fees.mdrPercent', 'settlement.schedule', 'limits.maxAmount', 'limits.cvmLimit', 'emv.aids']) t.match(show, key, `config show lists ${key}`);
  t.match(await cmd('config show merchant'), /merchant\.id[^\n]*\r\nmerchant\.name/);
  t.match(await cmd('config show zzz'), 'error: no key starts with "zzz"');
  t.match(await cmd('config get terminal.id'), 'terminal.id = (not set) (default)');
  t.match(await cmd('config set terminal.id 12345678'), 'terminal.id: (not set) -> 12345678');
  t.match(await cmd('config set terminal.id 12345678'), 'terminal.id already has that value');
  t.match(await cmd('config set merchant.name "Corner Shop"'), 'merchant.name: (not set) -> Corner Shop');
  t.match(await cmd('config set merchant.id 123456789012345'), '-> 123456789012345');
  t.match(await cmd('config set host.address acquirer.example.com:8583'), '127.0.0.1:8583 -> acquirer.example.com:8583');
  t.match(await cmd('config set host.tls yes'), 'host.tls: false -> true');
  t.match(await cmd('config set currency 840'), 'currency: CNY -> USD');
  t.match(await cmd(`config set fees.mdrPercent '{"visa":0.6}'`), '-> {"visa":0.6}');
  t.match(await cmd('config set settlement.schedule daily'), 'manual -> daily');
  t.match(await cmd('config set limits.cvmLimit 50000'), '30000 -> 50000');
  t.match(await cmd(`config set emv.aids '{"A0000000031010":"visa"}'`), '-> {"A0000000031010":"visa"}');
  t.match(await cmd('config reset currency'), 'currency: USD -> CNY (default)');
  t.match(await cmd('config reset currency'), 'currency is already at its default');
  t.match(await cmd('config set currency XYZ'), 'error: CONFIG_INVALID: currency: expected one of CNY, USD, EUR');
  t.match(await cmd('config set terminal.id 123'), 'error: CONFIG_INVALID: terminal.id: expected 8 letters or digits');
  t.match(await cmd(`config set emv.aids '{"XYZ":"visa"}'`), 'error: CONFIG_INVALID: emv.aids');
  t.match(await cmd('config set limits.cvmLimit lots'), 'error: CONFIG_INVALID: limits.cvmLimit');
  t.match(await cmd('config set nosuch.key 1'), 'error: unknown key "nosuch.key"; type "config show" for every key');
  t.match(await cmd('config set host.nope 1'), 'keys starting with "host": host.address, host.tls');
  t.match(await cmd('config set terminal.id'), 'error: config set needs KEY and VALUE (no value given for terminal.id)\r\nusage: config show');
  t.match(await cmd('config get'), 'error: config get needs exactly one KEY, got 0');
  t.match(await cmd('config'), 'error: config needs a subcommand: show, get, set or reset');
  t.match(await cmd('config frob'), 'error: unknown subcommand "config frob"');

  // permission: keys are the technician's
  t.match(await cmd('key list'), 'permission denied: "key" needs the keys.manage permission, which the admin role does not have');
  t.match(await cmd('diag'), 'permission denied: "diag" needs the hardware.diag permission');

  // users
  t.match(await cmd('user list'), /ID +ROLE +STATE +2FA +PASSWORD[\s\S]*tech-test +technician +enabled +totp/);
  await far.line('user add tech2 technician');
  await far.answer(['temporary password for tech2: ', 'short'], ['again: ', 'short']);
  t.match(await far.expect('temporary password for tech2: '), /not accepted:\r\n  - password: at least 10 characters/);
  await far.line('Second-Secret#77');
  await far.answer(['again: ', 'Second-Secret#78']);
  await far.expect('the two entries differ');
  await far.answer(['temporary password for tech2: ', 'Second-Secret#77'], ['again: ', 'Second-Secret#77']);
  const added = await far.expect(`${me}@pos> `);
  t.match(added, 'user tech2 added as technician');
  t.match(added, /otpauth:\/\/totp\/POS%20terminal:tech2\?secret=/);
  env.secrets.set('tech2', secretFrom(added));
  t.match(await cmd('user add sup2 boss'), 'error: ROLE must be one of admin, technician, supervisor, cashier, finance; got "boss"');
  t.match(await cmd('user add'), 'error: user add takes ID and ROLE; got 0 words');
  t.match(await cmd('user add tech2 technician'), 'error: user "tech2" already exists');
  t.match(await cmd('user add "Bad Id" finance'), /error: user ID "Bad Id": 2 to 32 characters/);
  await far.line('user add cash2 cashier');
  await far.answer(['operator PIN for cash2: ', '1111'], ['again: ', '1111']);
  t.match(await far.expect('operator PIN for cash2: '), 'PIN: not one digit repeated');
  await far.line(TYPED_SECRETS.pin);
  await far.answer(['again: ', TYPED_SECRETS.pin]);
  t.match(await far.expect(`${me}@pos> `), 'user cash2 added as cashier');
  t.match(await cmd('user disable cash2'), 'user cash2 disabled');
  t.match(await cmd('user list'), /cash2 +cashier +disabled/);
  t.match(await cmd('user enable cash2'), 'user cash2 enabled');
  t.match(await cmd(`user disable ${me}`), 'error: you cannot disable your own account');
  t.match(await cmd('user disable ghost'), 'error: no user "ghost" (see "user list")');
  t.match(await cmd('user disable'), 'error: user disable takes one user ID; got 0 words');
  await far.line('user reset-password super-test');
  await far.answer(['temporary password for super-test: ', 'Temp-Super#55'], ['again: ', 'Temp-Super#55']);
  t.match(await far.expect(`${me}@pos> `), 'super-test must choose a new password at the next sign-in');
  t.match(await cmd('user set-role finance-test supervisor'), 'finance-test: finance -> supervisor');
  t.match(await cmd('user set-role finance-test supervisor'), 'error: finance-test is already supervisor');
  t.match(await cmd('user set-role finance-test wizard'), 'error: ROLE must be one of');
  t.match(await cmd(`user set-role ${me} cashier`), 'error: you cannot change your own role');
  await far.line('user set-role cash2 technician');
  await far.answer(['temporary password for cash2: ', 'Cash-Tech#4242'], ['again: ', 'Cash-Tech#4242']);
  const promoted = await far.expect(`${me}@pos> `);
  t.match(promoted, 'cash2: cashier -> technician');
  t.match(promoted, 'enrol this TOTP secret');
  t.match(await cmd('user frob'), 'error: unknown subcommand "user frob"');
  await far.line('user passwd');
  await far.answer(['new password: ', 'Admin-Own#9911'], ['again: ', 'Admin-Own#9911']);
  t.match(await far.expect(`${me}@pos> `), 'password changed');
  await far.line('logout');
  await far.expect('logged out');

  const records = await auditRecords(env);
  const changes = records.filter((r) => r.type === 'config-change').map((r) => r.subject);
  t.same(changes, ['terminal.id', 'merchant.name', 'merchant.id', 'host.address', 'host.tls', 'currency', 'fees.mdrPercent', 'settlement.schedule', 'limits.cvmLimit', 'emv.aids', 'currency'], 'every config change audited once');
  t.same(records.filter((r) => r.type === 'user-change').map((r) => `${r.subject}:${r.detail?.op}`), ['tech2:add', 'cash2:add', 'cash2:disable', 'cash2:enable', 'finance-test:set-role', 'cash2:set-role']);
  t.same(records.filter((r) => r.type === 'password-change').map((r) => `${r.actor}>${r.subject}`), [`${me}>super-test`, `${me}>${me}`]);
  t.same(records.filter((r) => r.type === 'permission-denied').map((r) => r.detail?.action), ['keys.manage', 'hardware.diag']);
  ADMIN.password = 'Admin-Own#9911';
}

export async function technicianScenario(t: Tap, env: Env): Promise<void> {
  const { far } = env;
  const me = TECH.id;
  await login(env, me, TECH.password);
  env.clock.advance(30);
  await far.expect(`${me}@12345678> `);
  const cmd = (line: string): Promise<string> => run(env, line, me);
  t.match(await cmd('config get terminal.id'), 'terminal.id = 12345678');
  t.match(await cmd('config set terminal.id 87654321'), 'permission denied: "config set" needs the config.write permission, which the technician role does not have');
  t.match(await cmd('user list'), 'permission denied: "user" needs the users.manage permission');

  const diag = await cmd('diag');
  t.match(diag, /lcd +ok +hitachi,hd44780-pcf8574: busy flag clear/);
  t.match(diag, /printer +FAIL +epson,escpos: paper out/);
  t.match(diag, '1 of 3 devices failed');
  t.match(diag, '411111******1111', 'a PAN in a device detail is masked on the way out');
  t.notOk(diag.includes(TEST_PAN));
  t.match(await cmd('diag now'), 'error: diag takes no arguments; got "now"');

  t.match(await cmd('key list'), 'no keys are stored');
  // two custodians: tech-test enters component 1, tech2 signs in and enters component 2
  const kcv1 = toHex(keyCheckValue(COMPONENT_1));
  const kcv2 = toHex(keyCheckValue(COMPONENT_2));
  await far.line('key load components test-kbpk --usage kek --alg tdes');
  await far.answer(['component 1 of 2 (32 or 48 hex digits, not shown): ', toHex(COMPONENT_1)], ['component 1 KCV (6 hex digits from the form): ', kcv1]);
  t.match(await far.expect('key custodian 2: sign in'), `component 1 accepted (KCV ${kcv1})`);
  await login(env, 'tech2', 'Second-Secret#77', true, 'key custodian 2 ');
  env.clock.advance(30);
  await far.answer(['component 2 of 2 (32 or 48 hex digits, not shown): ', toHex(COMPONENT_2).toLowerCase().replace(/(.{4})/g, '$1 ')], ['component 2 KCV (6 hex digits from the form): ', kcv2]);
  const combined = await far.expect('type the KCV of the final key from the key form to store it: ');
  const kbpkKcv = toHex(keyCheckValue(TEST_KBPK));
  t.match(combined, `combined key KCV: ${kbpkKcv}`);
  await far.line(kbpkKcv.toLowerCase());
  t.match(await far.expect(`${me}@12345678> `), `key test-kbpk stored: kek TDES 128 bits, KCV ${kbpkKcv}`);

  // a component that does not match its KCV, and the same custodian twice
  await far.line('key load components other');
  await far.answer(['not shown): ', toHex(COMPONENT_1)], ['KCV (6 hex digits from the form): ', '000000']);
  t.match(await far.expect(`${me}@12345678> `), 'error: component 1 does not match its KCV 000000: check the entry; nothing was stored');
  await far.line('key load components other');
  await far.answer(['not shown): ', toHex(COMPONENT_1)], ['KCV (6 hex digits from the form): ', kcv1]);
  await login(env, me, TECH.password, true, 'key custodian 2 ');
  env.clock.advance(30);
  t.match(await far.expect(`${me}@12345678> `), `error: ${me} already entered a component: each component needs its own custodian; nothing was stored`);
  await far.line('key load components other');
  await far.answer(['not shown): ', '12345']);
  t.match(await far.expect(`${me}@12345678> `), 'error: component 1: expected 32 or 48 hex digits, got 5 characters');
  await far.line('key load components other');
  await far.expect('not shown): ');
  await far.type('\x03');
  t.match(await far.expect(`${me}@12345678> `), 'cancelled');
  t.match(await cmd('key load components other --alg des'), 'error: --alg must be tdes or aes; got "des"');
  t.match(await cmd('key load components other --parts 4'), 'error: --parts must be 2 or 3; got "4"');
  t.match(await cmd('key load components other --usage master'), 'error: --usage must be one of bdk,');
  t.match(await cmd('key load components other --colour red'), 'error: unknown option "--colour" (options: --usage, --alg, --parts)');
  t.match(await cmd('key load components test-kbpk'), 'error: a key named "test-kbpk" already exists: delete it first');
  t.match(await cmd('key load components ../etc'), 'error: NAME "../etc": key name must be 1-64 characters');

  // TR-31 under the KBPK just loaded (the only kek, so --kbpk may be left out)
  t.match(await cmd(`key load tr31 test-bdk ${TR31_BDK_BLOCK}`), 'key test-bdk loaded: bdk TDES 128 bits, KCV 9A4212');
  t.match(await cmd(`key load tr31 test-bdk2 ${TR31_BDK_BLOCK.replace(/7$/, '8')} --kbpk test-kbpk`), 'error: KEY_TR31_MAC:');
  t.match(await cmd('key load tr31 x NOTABLOCK'), 'error: BLOCK must be a TR-31 key block of version B or D');
  t.match(await cmd('key load tr31 x'), 'error: key load tr31 needs NAME and BLOCK; got 1 argument');
  t.match(await cmd(`key load tr31 x ${TR31_BDK_BLOCK} --kbpk nokey`), 'error: KEY_STORE_NOT_FOUND: no key named "nokey"');
  t.match(await cmd('key load foo'), 'error: key load "foo": use "tr31" or "components"');
  const list = await cmd('key list');
  t.match(list, /test-bdk +bdk +tdes +128 +9A4212 +tr31/);
  t.match(list, new RegExp(`test-kbpk +kek +tdes +128 +${kbpkKcv} +components`));

  await far.line('key delete test-bdk');
  t.match(await far.expect('type the key name to confirm: '), 'about to delete test-bdk (bdk, KCV 9A4212)');
  await far.line('test-bd');
  t.match(await far.expect(`${me}@12345678> `), 'not confirmed: the key was kept');
  await far.line('key delete test-bdk');
  await far.answer(['type the key name to confirm: ', 'test-bdk']);
  t.match(await far.expect(`${me}@12345678> `), 'key test-bdk deleted');
  t.match(await cmd('key delete test-bdk'), 'error: no key named "test-bdk" (see "key list")');
  t.match(await cmd('key delete'), 'error: key delete needs exactly one NAME, got 0');
  t.match(await cmd('key'), 'error: key needs a subcommand: list, load or delete');

  // Ctrl-C drops the line, not the session
  await far.type('factory-res\x03');
  await far.expect(`^C\r\n${me}@12345678> `);
  // history: up arrow recalls the last command
  await far.type('\x1b[A');
  await far.expect('key');
  await far.type('\x15whoami\r');
  t.match(await far.expect('password + TOTP)'), `${me} (technician, password + TOTP)`);
  await far.expect(`${me}@12345678> `);

  const records = await auditRecords(env);
  const loads = records.filter((r) => r.type === 'key-load');
  t.match(loads, [
    { subject: 'test-kbpk', actor: me, detail: { source: 'components', kcv: kbpkKcv, custodians: `${me},tech2` } },
    { subject: 'test-bdk', detail: { source: 'tr31', kcv: '9A4212', kbpk: 'test-kbpk' } },
  ]);
  t.match(records.filter((r) => r.type === 'key-delete'), [{ subject: 'test-bdk', actor: me }]);
  t.match(records.filter((r) => r.type === 'diag-run'), [{ outcome: 'failed', detail: { devices: 3, failed: 1 } }]);
}

export async function factoryResetScenario(t: Tap, env: Env): Promise<void> {
  const { far } = env;
  const me = TECH.id;
  await far.line('factory-reset');
  t.match(await far.expect('type the terminal ID (12345678) to confirm: '), 'FACTORY RESET');
  await far.line('1234567');
  t.match(await far.expect(`${me}@12345678> `), 'not confirmed: nothing was erased');
  t.match(await run(env, 'factory-reset now', me), 'error: factory-reset takes no arguments');
  await far.line('factory-reset');
  await far.answer(['to confirm: ', '12345678']);
  t.match(await far.expect('logged out'), 'factory reset done: keys, users and data erased');
  t.match(await far.expect('admin user ID: '), 'FIRST BOOT: this terminal has no administrator or technician yet; there are no default passwords.');
  await far.line('Root');
  t.match(await far.expect('admin user ID: '), 'user ID: 2 to 32 characters');
  await far.line('root-admin');
  await far.answer(['new password for root-admin: ', 'First-Boss#3141'], ['again: ', 'First-Boss#3141']);
  t.match(await far.expect('technician user ID: '), /secret [A-Z2-7]+\r\n  otpauth:\/\/totp\/POS%20terminal:root-admin/);
  await far.line('field-tech');
  await far.answer(['new password for field-tech: ', 'Fixer-Pro#2718'], ['again: ', 'Fixer-Pro#2718']);
  const enrolled = await far.expect('login: ');
  env.secrets.set('field-tech', secretFrom(enrolled));
  t.match(enrolled, 'POS technician console (terminal ID not set)', 'the configuration is back to defaults');
  await far.line('field-tech');
  await far.answer(['password: ', 'Fixer-Pro#2718'], ['one-time code: ', code(env.secrets.get('field-tech')!, env.clock)]);
  env.clock.advance(30);
  await far.expect('field-tech@pos> ');
  t.match(await run(env, 'key list', 'field-tech'), 'no keys are stored');
  t.same(env.services.users.list().map((u) => u.id), ['field-tech', 'root-admin'], 'only the new users are left');
  t.same(await readdir(path.join(env.dataDir, 'keys')), [], 'no key records left');
  const records = await auditRecords(env);
  const reset = records.findIndex((r) => r.type === 'factory-reset');
  t.ok(reset > 0, 'the reset is in the audit log, which survives it');
  t.match(records[reset], { actor: me, subject: '12345678' });
  t.same(records.slice(reset + 1).filter((r) => r.type === 'first-boot').map((r) => r.subject), ['root-admin', 'field-tech']);
  await far.line('logout');
  await far.expect('logged out');
}

export async function idleScenario(t: Tap, env: Env): Promise<void> {
  const { far } = env;
  await login(env, TECH.id, TECH.password);
  env.clock.advance(30);
  await far.expect(`${TECH.id}@pos> `);
  await far.type('key li');
  t.match(await far.expect(/idle for \d+ s: logged out/, 10_000), 'idle for 1 s: logged out');
  await far.answer(['login: ', TECH.id], ['password: ', TECH.password], ['one-time code: ', code(TEST_TOTP_SECRET, env.clock)]);
  env.clock.advance(30);
  await far.answer([`${TECH.id}@pos> `, 'key delete nothing-here']);
  await far.expect('error: no key named');
  await far.expect(/idle for \d+ s: logged out/, 10_000);
  const logouts = (await auditRecords(env)).filter((r) => r.type === 'logout').map((r) => r.detail?.reason);
  t.same(logouts, ['idle timeout', 'idle timeout'], 'idle logouts audited');
}

/** Every file under a folder, as bytes. */
async function filesUnder(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push({ file: p, bytes: await readFile(p) });
  }
  return out;
}

/** No key bytes, PIN, password or full PAN in the transcript, the log lines or any file of the data folder. */
export async function scanForSecrets(t: Tap, dataDir: string, transcript: string, logLines: readonly string[]): Promise<void> {
  const keys = TYPED_SECRETS.keys();
  const keyNeedles = keys.flatMap((k) => [toHex(k), toHex(k).toLowerCase(), Buffer.from(k).toString('base64')]);
  const textNeedles = [...keyNeedles, ...TYPED_SECRETS.passwords, TEST_PAN];
  const log = logLines.join('\n');
  for (const needle of [...textNeedles, TYPED_SECRETS.pin]) {
    t.notOk(transcript.includes(needle), `transcript has no ${needle.slice(0, 4)}...`);
    t.notOk(log.includes(needle), `log has no ${needle.slice(0, 4)}...`);
  }
  const files = await filesUnder(dataDir);
  t.ok(files.length >= 4, 'the data folder was written');
  for (const { file, bytes } of files) {
    const text = bytes.toString('latin1');
    const found = textNeedles.filter((n) => text.includes(n));
    for (const k of keys) if (bytes.includes(Buffer.from(k))) found.push('raw key bytes');
    t.same(found, [], `${path.relative(dataDir, file)}: no key, password or PAN`);
  }
}
