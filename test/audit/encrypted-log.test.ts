import t from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemoryAuditSink, sanitizeEvent } from '../../src/audit/audit.js';
import { AUDIT_FILE, EncryptedAuditLog } from '../../src/audit/encrypted-log.js';
import { SecretDeviceKeyProvider } from '../../src/keys/device-key.js';

const deviceKey = new SecretDeviceKeyProvider('audit-test-device', 'test-salt-0001');
// The X9.24-1 Annex A test BDK and a Luhn-valid test PAN: neither may be stored in clear.
const TEST_KEY_HEX = '0123456789ABCDEFFEDCBA9876543210';
const TEST_PAN = '6212345678901232';

async function fill(dir: string): Promise<EncryptedAuditLog> {
  const log = await EncryptedAuditLog.open({ dataDir: dir, deviceKey, now: () => Date.UTC(2026, 0, 1) });
  await log.record({ type: 'login', actor: 'tech1', channel: 'console:/dev/pts/1', outcome: 'ok' });
  await log.record({ type: 'key-load', actor: 'tech1', subject: 'kbpk', detail: { kcv: '08D7B4', oops: `key ${TEST_KEY_HEX}` } });
  await log.record({ type: 'config-change', actor: 'adm1', subject: 'merchant.name', detail: { new: `card ${TEST_PAN}` } });
  await log.record({ type: 'logout', actor: 'tech1' });
  return log;
}

t.test('records come back in order, numbered and timed; nothing readable on disk', async (t) => {
  const dir = t.testdir();
  const log = await fill(dir);
  const records = await log.readAll();
  t.same(records.map((r) => [r.seq, r.type]), [[1, 'login'], [2, 'key-load'], [3, 'config-change'], [4, 'logout']]);
  t.equal(records[0]!.at, '2026-01-01T00:00:00.000Z');
  t.equal(records[1]!.detail!.kcv, '08D7B4', 'a KCV is kept');
  t.equal(records[1]!.detail!.oops, 'key [redacted]', 'key-like hex is redacted');
  t.equal(records[2]!.detail!.new, 'card 621234******1232', 'a PAN is masked');
  const raw = await readFile(path.join(dir, AUDIT_FILE), 'utf8');
  for (const needle of ['tech1', 'login', 'kbpk', TEST_KEY_HEX, TEST_PAN, '621234']) t.notOk(raw.includes(needle), `no "${needle}" on disk`);
  const reopened = await EncryptedAuditLog.open({ dataDir: dir, deviceKey });
  await reopened.record({ type: 'console-close', actor: 'system' });
  t.equal((await reopened.readAll()).at(-1)!.seq, 5, 'appending continues the chain after a reopen');
});

t.test('a deleted, reordered or edited record breaks the chain', async (t) => {
  const cases: [string, (lines: string[]) => string[]][] = [
    ['deleted', (l) => [l[0]!, l[2]!, l[3]!]],
    ['reordered', (l) => [l[1]!, l[0]!, l[2]!, l[3]!]],
    ['edited', (l) => l.map((line, i) => (i === 2 ? line.slice(0, 30) + (line[30] === 'A' ? 'B' : 'A') + line.slice(31) : line))],
    ['MAC swapped', (l) => l.map((line, i) => (i === 1 ? line.split('.')[0] + '.' + l[2]!.split('.')[1] : line))],
  ];
  for (const [name, change] of cases) {
    const dir = t.testdir();
    await fill(dir);
    const file = path.join(dir, AUDIT_FILE);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    await writeFile(file, change(lines).join('\n') + '\n');
    await t.rejects(EncryptedAuditLog.open({ dataDir: dir, deviceKey }), { code: 'AUDIT_TAMPERED' }, name);
  }
  const dir = t.testdir();
  await fill(dir);
  await t.rejects(EncryptedAuditLog.open({ dataDir: dir, deviceKey: new SecretDeviceKeyProvider('another-device', 'test-salt-0001') }), { code: 'AUDIT_TAMPERED' }, 'another device key');
});

t.test('sanitizeEvent and the memory sink', async (t) => {
  const e = sanitizeEvent({ type: 'login-failure', actor: TEST_PAN, subject: `x ${TEST_KEY_HEX}`, detail: { n: 3, ok: false } });
  t.equal(e.actor, '621234******1232');
  t.equal(e.subject, 'x [redacted]');
  t.same(e.detail, { n: 3, ok: false });
  const sink = new MemoryAuditSink(() => 0);
  await sink.record({ type: 'lockout', actor: 'sup1', detail: { seconds: 30 } });
  t.match(sink.records, [{ seq: 1, at: '1970-01-01T00:00:00.000Z', type: 'lockout', actor: 'sup1' }]);
});
