import t from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SecretDeviceKeyProvider } from '../../src/keys/device-key.js';
import { ensureFirstBootCredentials, TEST_CREDENTIALS, TEST_TOTP_SECRET, testCredentialsBanner } from '../../src/users/first-boot.js';
import { USERS_FILE, UserStore } from '../../src/users/user-store.js';
import { base32Decode, totp } from '../../src/users/totp.js';
import { Clock, TEST_SCRYPT } from '../console/helpers.js';

const deviceKey = new SecretDeviceKeyProvider('users-test-device', 'test-salt-0001');
const PASSWORD = 'Wq3!mzPa2vX';

async function store(t: { testdir(): string }, clock = new Clock(), policy = {}): Promise<{ users: UserStore; clock: Clock; dir: string }> {
  const dir = t.testdir();
  return { users: await UserStore.open({ dataDir: dir, deviceKey, now: clock.now, scrypt: TEST_SCRYPT, policy }), clock, dir };
}

t.test('add, sign in with password + TOTP, replay refused', async (t) => {
  const { users, clock } = await store(t);
  const { totp: enrol } = await users.add({ id: 'tech1', role: 'technician', password: PASSWORD });
  t.ok(enrol, 'a technician gets a TOTP secret');
  t.match(enrol!.uri, /^otpauth:\/\/totp\/.*tech1\?secret=[A-Z2-7]+&/);
  const secret = base32Decode(enrol!.secret)!;
  t.equal(secret.length, 20);
  t.match(await users.authenticate('tech1', PASSWORD), { ok: false, reason: 'totp-required' });
  clock.advance(60);
  const code = totp(secret, clock.ms);
  t.match(await users.authenticate('tech1', PASSWORD, code), { ok: true, user: { id: 'tech1', role: 'technician' }, mustChangePassword: false });
  t.match(await users.authenticate('tech1', PASSWORD, code), { ok: false, reason: 'totp-replay' }, 'the same code again, within the window');
  clock.advance(30);
  t.match(await users.authenticate('tech1', PASSWORD, '000000'), { ok: false, reason: 'totp-invalid' });
  t.match(await users.authenticate('tech1', 'wrong-Passw0rd', totp(secret, clock.ms)), { ok: false, reason: 'bad-credentials' });
  t.match(await users.authenticate('nobody', PASSWORD), { ok: false, reason: 'bad-credentials' });
  t.equal(users.needsTotp('nobody'), true, 'unknown IDs are asked for a code too');
  t.equal(users.needsTotp('tech1'), true);
});

t.test('lockout: 3 failures lock for 30 s, doubling, capped; success resets', async (t) => {
  const { users, clock } = await store(t, new Clock(), { lockoutThreshold: 3, lockoutBaseSec: 30, lockoutMaxSec: 100 });
  await users.add({ id: 'sup1', role: 'supervisor', password: PASSWORD });
  t.match(await users.authenticate('sup1', 'bad-1'), { ok: false, reason: 'bad-credentials' });
  t.notOk((await users.authenticate('sup1', 'bad-2')).ok);
  t.match(await users.authenticate('sup1', 'bad-3'), { ok: false, lockedNow: true, retryAfterMs: 30_000 });
  clock.advance(29);
  t.match(users.get('sup1'), { locked: true, failures: 3 });
  t.match(await users.authenticate('sup1', PASSWORD), { ok: false, reason: 'locked', retryAfterMs: 1000 }, 'even the right password is refused while locked');
  clock.advance(1);
  t.match(await users.authenticate('sup1', 'bad-4'), { ok: false, lockedNow: true, retryAfterMs: 60_000 }, 'doubled');
  clock.advance(60);
  t.match(await users.authenticate('sup1', 'bad-5'), { ok: false, lockedNow: true, retryAfterMs: 100_000 }, '120 s capped at 100 s');
  clock.advance(100);
  t.match(await users.authenticate('sup1', PASSWORD), { ok: true });
  t.match(users.get('sup1'), { failures: 0, locked: false });
  t.notOk((await users.authenticate('sup1', 'bad-6')).ok);
  t.match(await users.authenticate('sup1', 'bad-7'), { ok: false, reason: 'bad-credentials', lockedNow: undefined }, 'the count started again');
});

t.test('operator PIN sign-in (cashier) with the same lockout', async (t) => {
  const { users } = await store(t);
  await t.rejects(users.add({ id: 'cash1', role: 'cashier', password: PASSWORD }), { code: 'USER_BAD_ARGUMENT' });
  await t.rejects(users.add({ id: 'cash1', role: 'cashier', pin: '1234' }), { code: 'USER_WEAK_PASSWORD' });
  const { totp: enrol } = await users.add({ id: 'cash1', role: 'cashier', pin: '2580' });
  t.equal(enrol, undefined, 'no TOTP for a cashier');
  t.equal(users.needsTotp('cash1'), false);
  t.match(await users.authenticatePin('cash1', '2580'), { ok: true });
  t.match(await users.authenticate('cash1', '2580'), { ok: false }, 'a PIN is not a password');
  for (let i = 0; i < 2; i++) await users.authenticatePin('cash1', '0000');
  t.match(await users.authenticatePin('cash1', '0000'), { ok: false, lockedNow: true });
});

t.test('policy on add and change; rotation and forced change', async (t) => {
  const { users, clock } = await store(t, new Clock(), { passwordMaxAgeDays: 90 });
  await t.rejects(users.add({ id: 'adm1', role: 'admin', password: 'Short1!' }), { code: 'USER_WEAK_PASSWORD', problems: [/at least 10/] });
  await t.rejects(users.add({ id: 'adm1', role: 'admin', password: 'xx-ADM1-xx-9' }), { code: 'USER_WEAK_PASSWORD', problems: [/user ID/] });
  await t.rejects(users.add({ id: 'Bad ID', role: 'admin', password: PASSWORD }), { code: 'USER_BAD_ARGUMENT' });
  await t.rejects(users.add({ id: 'fin1', role: 'root' as never, password: PASSWORD }), { code: 'USER_BAD_ARGUMENT' });
  await users.add({ id: 'fin1', role: 'finance', password: PASSWORD, mustChange: true });
  await t.rejects(users.add({ id: 'fin1', role: 'finance', password: PASSWORD }), { code: 'USER_EXISTS' });
  t.match(await users.authenticate('fin1', PASSWORD), { ok: true, mustChangePassword: true, expired: false });
  await t.rejects(users.changePassword('fin1', PASSWORD), { code: 'USER_WEAK_PASSWORD' }, 'must differ');
  await users.changePassword('fin1', 'Fresh-Pass-42');
  t.match(await users.authenticate('fin1', 'Fresh-Pass-42'), { ok: true, mustChangePassword: false });
  clock.advance(91 * 86_400);
  t.match(await users.authenticate('fin1', 'Fresh-Pass-42'), { ok: true, mustChangePassword: true, expired: true }, 'expired after 90 days');
  await users.resetPassword('fin1', 'Temp-Pass-77');
  t.match(users.get('fin1'), { mustChangePassword: true });
});

t.test('disable, roles, the last admin or technician', async (t) => {
  const { users } = await store(t);
  await users.add({ id: 'adm1', role: 'admin', password: PASSWORD });
  await t.rejects(users.setDisabled('adm1', true), { code: 'USER_LAST_ADMIN' });
  await users.add({ id: 'sup1', role: 'supervisor', password: PASSWORD });
  await users.setDisabled('sup1', true);
  t.match(await users.authenticate('sup1', PASSWORD), { ok: false, reason: 'disabled' });
  await users.setDisabled('sup1', false);
  const promoted = await users.setRole('sup1', 'admin');
  t.ok(promoted.totp, 'promotion to admin enrols TOTP');
  await users.setDisabled('adm1', true);
  await t.rejects(users.setRole('sup1', 'cashier', '2580'), { code: 'USER_LAST_ADMIN' });
  await users.setDisabled('adm1', false);
  await t.rejects(users.setRole('sup1', 'cashier'), { code: 'USER_BAD_ARGUMENT' }, 'a cashier needs a PIN');
  const demoted = await users.setRole('sup1', 'cashier', '2580');
  t.match(demoted.user, { role: 'cashier', totp: false, mustChangePassword: true });
  t.match(await users.authenticatePin('sup1', '2580'), { ok: true });
});

t.test('encrypted at rest under the device key; tampering detected', async (t) => {
  const { users, dir } = await store(t);
  await users.add({ id: 'tech1', role: 'technician', password: PASSWORD, totpSecret: TEST_TOTP_SECRET });
  const file = path.join(dir, USERS_FILE);
  const raw = await readFile(file, 'utf8');
  for (const needle of ['tech1', 'technician', PASSWORD, TEST_TOTP_SECRET, 'scrypt']) t.notOk(raw.includes(needle), `no "${needle}" in the file`);
  const again = await UserStore.open({ dataDir: dir, deviceKey, scrypt: TEST_SCRYPT });
  t.match(again.get('tech1'), { role: 'technician', totp: true });
  await t.rejects(UserStore.open({ dataDir: dir, deviceKey: new SecretDeviceKeyProvider('another-device', 'test-salt-0001') }), { code: 'USER_STORE_TAMPERED' });
  const bytes = Buffer.from(raw.trim(), 'base64');
  bytes[40]! ^= 1;
  await writeFile(file, bytes.toString('base64'));
  await t.rejects(UserStore.open({ dataDir: dir, deviceKey }), { code: 'USER_STORE_TAMPERED' });
});

t.test('first boot: no default passwords on a real board; named TEST credentials on sim', async (t) => {
  const real = (await store(t)).users;
  t.same(await ensureFirstBootCredentials(real, 'real'), { state: 'setup-required', missing: ['admin', 'technician'] });
  t.equal(real.size, 0, 'nothing was created on a real board');
  await real.add({ id: 'adm1', role: 'admin', password: PASSWORD });
  t.same(await ensureFirstBootCredentials(real, 'real'), { state: 'setup-required', missing: ['technician'] });
  await real.add({ id: 'tech1', role: 'technician', password: PASSWORD });
  t.same(await ensureFirstBootCredentials(real, 'real'), { state: 'ready' });

  const { users: sim, clock } = await store(t);
  const seeded = await ensureFirstBootCredentials(sim, 'sim');
  t.equal(seeded.state, 'seeded');
  t.equal(seeded.state === 'seeded' && seeded.banner, testCredentialsBanner());
  t.match(testCredentialsBanner(), /TEST CREDENTIALS/);
  for (const c of TEST_CREDENTIALS) {
    t.match(testCredentialsBanner(), c.id);
    t.match(sim.get(c.id), { role: c.role, test: true });
  }
  t.match(testCredentialsBanner(), TEST_TOTP_SECRET);
  const admin = TEST_CREDENTIALS.find((c) => c.role === 'admin')!;
  t.match(await sim.authenticate(admin.id, admin.password!, totp(base32Decode(TEST_TOTP_SECRET)!, clock.ms)), { ok: true }, 'the printed credentials work');
  t.equal((await ensureFirstBootCredentials(sim, 'training')).state, 'seeded', 'seeding again adds nothing');
  t.equal(sim.size, TEST_CREDENTIALS.length);
  t.same(await ensureFirstBootCredentials(sim, 'real'), { state: 'setup-required', missing: ['admin', 'technician'] }, 'test credentials do not count on a real board');
});
