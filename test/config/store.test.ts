// The configuration store (issue 2 "src/config/"): defaults, validation naming the key and
// what was expected, persistence across reopen, atomic writes, recorded changes with
// secrets masked, and a damaged config.json reported, never reset.
import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigStore } from '../../src/config/store.js';
import { ConfigError, isConfigError } from '../../src/config/errors.js';
import { ConfigSchema, parseText, type ConfigKeyDef } from '../../src/config/schema.js';
import { configSchema } from '../../src/config/registry.js';
import type { ChangeRecorder, ConfigChange } from '../../src/config/history.js';
import type { AtomicWriteOps } from '../../src/config/atomic-write.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'pos-config-'));
const by = { by: 'test:alice' };

async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

class MemoryRecorder implements ChangeRecorder {
  readonly changes: ConfigChange[] = [];
  async record(change: ConfigChange): Promise<void> {
    this.changes.push(change);
  }
}

t.test('a fresh data folder reads the defaults and writes nothing', async (t) => {
  const dir = tmp();
  const store = await ConfigStore.open(dir);
  t.equal(store.get('currency'), 'CNY');
  t.equal(store.get('locale'), 'en');
  t.equal(store.get('console.baudRate'), 115200, 'DESIGN: serial consoles at 115200 8N1');
  t.equal(store.get('settlement.schedule'), 'manual');
  t.equal(store.get('host.tls'), false);
  t.strictSame(store.get('fees.mdrPercent'), {});
  t.equal(store.get('terminal.id'), undefined, 'no default terminal ID');
  t.throws(() => store.require('terminal.id'), { code: 'CONFIG_NOT_SET', message: /terminal\.id: not set; set it with "pos config set terminal\.id VALUE"/ });
  t.equal(store.isSet('currency'), false);
  t.strictSame(readdirSync(dir), [], 'open writes nothing');
  t.throws(() => store.get('merchant.nmae'), { code: 'CONFIG_UNKNOWN_KEY', message: /merchant\.nmae: unknown key; known keys: merchant\.address, merchant\.categoryCode, merchant\.id, merchant\.name/ });
});

t.test('bad values are rejected with the key and what was expected', async (t) => {
  const store = await ConfigStore.open(tmp(), { recorder: new MemoryRecorder() });
  const cases: Array<[string, unknown, string]> = [
    ['currency', 'XYZ', 'currency: expected one of CNY, USD, EUR (ISO 4217 alpha or numeric), got "XYZ"'],
    ['terminal.id', '1234567', 'terminal.id: expected 8 letters or digits (the card acceptor terminal ID, ISO 8583 field 41), got "1234567"'],
    ['merchant.id', '12345678901234', 'merchant.id: expected 15 letters or digits (the card acceptor ID, ISO 8583 field 42), got "12345678901234"'],
    ['locale', 'fr', 'locale: expected one of en, zh, got "fr"'],
    ['settlement.schedule', 'weekly', 'settlement.schedule: expected one of manual, daily, monthly, got "weekly"'],
    ['settlement.time', '24:00', 'settlement.time: expected a time of day as HH:MM (00:00 to 23:59), got "24:00"'],
    ['settlement.time', '7:30', 'settlement.time: expected a time of day as HH:MM (00:00 to 23:59), got "7:30"'],
    ['console.baudRate', 12345, 'console.baudRate: expected one of 9600, 19200, 38400, 57600, 115200, got 12345'],
    ['console.idleTimeoutSec', 10, 'console.idleTimeoutSec: expected an integer from 30 to 3600, got 10'],
    ['limits.maxAmount', 1.5, 'limits.maxAmount: expected an integer from 1 to 999999999999, got 1.5'],
    ['limits.maxAmount', 1_000_000_000_000, 'limits.maxAmount: expected an integer from 1 to 999999999999, got 1000000000000'],
    ['host.tls', 'yes', 'host.tls: expected true or false, got "yes"'],
    ['host.address', 'acquirer.example.com', 'host.address: expected host:port, e.g. "acquirer.example.com:8583", "10.0.0.5:8583" or "[::1]:8583", got "acquirer.example.com"'],
    ['host.address', 'h:70000', 'host.address: expected host:port, e.g. "acquirer.example.com:8583", "10.0.0.5:8583" or "[::1]:8583" (port 1 to 65535), got "h:70000"'],
    ['display.idleText', '', 'display.idleText: expected a text of 1 to 40 characters, got ""'],
    ['fees.mdrPercent', { Visa: 0.6 }, 'fees.mdrPercent: expected a card scheme in lower case (unionpay, visa, mastercard, ...) as each key; "Visa" is not, got {"Visa":0.6}'],
    ['fees.mdrPercent', { visa: 101 }, 'fees.mdrPercent: expected a number from 0 to 100 with at most 4 decimals for "visa", got 101'],
    ['fees.mdrPercent', [0.6], 'fees.mdrPercent: expected an object of a card scheme in lower case (unionpay, visa, mastercard, ...) -> a number from 0 to 100 with at most 4 decimals, got [0.6]'],
    ['console.device', 'ttyS0', 'console.device: expected a serial device node like "/dev/serial0" or "/dev/ttyUSB0", got "ttyS0"'],
  ];
  for (const [key, value, message] of cases) {
    const err = await rejection(store.set(key, value, by));
    t.equal(err.code, 'CONFIG_INVALID', key);
    t.strictSame(err.problems, [message], `${key} = ${JSON.stringify(value)}`);
  }
  t.equal(store.isSet('currency'), false, 'nothing was changed');
});

t.test('good values, normalised', async (t) => {
  const store = await ConfigStore.open(tmp(), { recorder: new MemoryRecorder() });
  // ISO 4217: 840 is USD, 978 is EUR, 156 is CNY.
  await store.set('currency', '840', by);
  t.equal(store.get('currency'), 'USD');
  await store.set('currency', 978, by);
  t.equal(store.get('currency'), 'EUR');
  await store.set('host.address', '[::1]:8583', by);
  await store.set('host.address', '10.0.0.5:8583', by);
  t.equal(store.get('host.address'), '10.0.0.5:8583');
  await store.set('fees.mdrPercent', { unionpay: 0.38, visa: 0.6 }, by);
  t.strictSame(store.get('fees.mdrPercent'), { unionpay: 0.38, visa: 0.6 });
  t.equal(store.getMap('fees.mdrPercent')?.visa, 0.6);
  await store.set('merchant.name', '好又多超市', by);
  t.equal(store.getString('merchant.name'), '好又多超市');
  t.equal(store.getInteger('console.baudRate'), 115200);
  t.equal(store.getBoolean('host.tls'), false);
  t.throws(() => store.getBoolean('currency'), TypeError);
});

t.test('setMany reports every problem at once and changes nothing', async (t) => {
  const recorder = new MemoryRecorder();
  const store = await ConfigStore.open(tmp(), { recorder });
  const err = await rejection(store.setMany({ currency: 'XYZ', 'terminal.id': 'T1', locale: 'zh' }, by));
  t.equal(err.code, 'CONFIG_INVALID');
  t.strictSame(err.message.split('\n'), [
    'currency: expected one of CNY, USD, EUR (ISO 4217 alpha or numeric), got "XYZ"',
    'terminal.id: expected 8 letters or digits (the card acceptor terminal ID, ISO 8583 field 41), got "T1"',
  ]);
  t.equal(store.get('locale'), 'en', 'the good value was not applied either');
  t.strictSame(recorder.changes, []);
  const unknown = await rejection(store.setMany({ 'no.such': 1, currency: 'XYZ' }, by));
  t.equal(unknown.code, 'CONFIG_UNKNOWN_KEY');
  t.equal(unknown.problems.length, 2);
});

t.test('values persist across reopen; config.json holds only what was set', async (t) => {
  const dir = tmp();
  const a = await ConfigStore.open(dir);
  await a.setMany({ 'terminal.id': 'T0000001', 'merchant.id': '123456789012345', currency: 'USD' }, by);
  const b = await ConfigStore.open(dir);
  t.equal(b.get('terminal.id'), 'T0000001');
  t.equal(b.get('merchant.id'), '123456789012345');
  t.equal(b.get('currency'), 'USD');
  t.equal(b.get('locale'), 'en');
  const file = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as unknown;
  t.strictSame(file, { version: 1, values: { currency: 'USD', 'merchant.id': '123456789012345', 'terminal.id': 'T0000001' } });
  await b.reset('currency', by);
  t.equal((await ConfigStore.open(dir)).get('currency'), 'CNY', 'reset brings the default back after reopen');
});

t.test('every change is recorded: who, when, key, old and new', async (t) => {
  const dir = tmp();
  const when = new Date('2026-01-02T03:04:05.000Z');
  const store = await ConfigStore.open(dir, { now: () => when });
  t.strictSame(await store.set('currency', 'CNY', by), [], 'setting the value in effect changes nothing');
  await store.set('currency', 'USD', by);
  await store.set('terminal.id', 'ABCD1234', { by: 'console:tech1' });
  await store.reset('currency', by);
  const lines = readFileSync(path.join(dir, 'config-history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
  t.strictSame(lines, [
    { at: '2026-01-02T03:04:05.000Z', by: 'test:alice', key: 'currency', action: 'set', old: 'CNY', new: 'USD' },
    { at: '2026-01-02T03:04:05.000Z', by: 'console:tech1', key: 'terminal.id', action: 'set', new: 'ABCD1234' },
    { at: '2026-01-02T03:04:05.000Z', by: 'test:alice', key: 'currency', action: 'reset', old: 'USD', new: 'CNY' },
  ]);
  await t.rejects(store.set('locale', 'zh', { by: '' }), TypeError, 'a change needs a name');
});

const secretSchema = (): ConfigSchema =>
  new ConfigSchema([
    { key: 'host.keyPassphrase', type: 'string', minLength: 8, secret: true, description: 'test secret' },
    { key: 'shop.open', type: 'boolean', default: true, description: 'test flag' },
  ]);

t.test('secret values are masked in the history and in listings, never in get', async (t) => {
  const dir = tmp();
  const recorder = new MemoryRecorder();
  const store = await ConfigStore.open(dir, { recorder, schema: secretSchema() });
  await store.set('host.keyPassphrase', 'correct horse', by);
  await store.set('host.keyPassphrase', 'battery staple', by);
  t.strictSame(
    recorder.changes.map((c) => [c.old, c.new]),
    [
      [undefined, '********'],
      ['********', '********'],
    ],
  );
  t.notMatch(JSON.stringify(recorder.changes), /horse|battery/);
  const entry = store.all().find((e) => e.key === 'host.keyPassphrase');
  t.equal(entry?.value, '********');
  t.equal(store.all({ revealSecrets: true }).find((e) => e.key === 'host.keyPassphrase')?.value, 'battery staple');
  t.equal(store.get('host.keyPassphrase'), 'battery staple');
  const bad = await rejection(store.set('host.keyPassphrase', 'short', by));
  t.equal(bad.code, 'CONFIG_INVALID');
});

t.test('a failed write leaves config.json as it was and no temp file', async (t) => {
  const dir = tmp();
  const store = await ConfigStore.open(dir);
  await store.set('currency', 'USD', by);
  const before = readFileSync(path.join(dir, 'config.json'), 'utf8');
  for (const step of ['write', 'sync', 'rename'] as const) {
    const failing: AtomicWriteOps = {
      open: async (file, flags, mode) => {
        const handle = await open(file, flags, mode);
        return {
          writeFile: async (data: string) => {
            if (step === 'write') {
              await handle.writeFile(data.slice(0, 10));
              throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
            }
            await handle.writeFile(data);
          },
          sync: async () => {
            if (step === 'sync') throw Object.assign(new Error('i/o error'), { code: 'EIO' });
            await handle.sync();
          },
          close: () => handle.close(),
        };
      },
      rename: async (from, to) => {
        if (step === 'rename') throw Object.assign(new Error('i/o error'), { code: 'EIO' });
        await rename(from, to);
      },
      unlink,
    };
    const faulty = await ConfigStore.open(dir, { fileOps: failing, recorder: new MemoryRecorder() });
    const err = await rejection(faulty.set('currency', 'EUR', by));
    t.equal(err.code, 'CONFIG_IO', step);
    t.match(err.message, /config\.json: cannot write \((ENOSPC|EIO)\); nothing was changed/, step);
    t.equal(readFileSync(path.join(dir, 'config.json'), 'utf8'), before, `${step}: config.json untouched`);
    t.strictSame(readdirSync(dir).sort(), ['config-history.jsonl', 'config.json'], `${step}: no temp file left`);
    t.equal(faulty.get('currency'), 'USD', `${step}: the store still holds the old value`);
  }
});

t.test('a recorder that fails is reported after the value is saved', async (t) => {
  const dir = tmp();
  const store = await ConfigStore.open(dir, {
    recorder: {
      record: async () => {
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    },
  });
  const err = await rejection(store.set('locale', 'zh', by));
  t.equal(err.code, 'CONFIG_IO');
  t.match(err.message, /locale: saved, but the change could not be recorded in the history \(ENOSPC\)/);
  t.equal((await ConfigStore.open(dir)).get('locale'), 'zh');
});

t.test('a damaged config.json is reported, never reset', async (t) => {
  const cases: Array<[string, RegExp]> = [
    // The stray "}" after the comma is character 45 of line 1.
    ['{"version": 1, "values": {"currency": "USD",}}', /config\.json: not valid JSON at line 1, column 45 \(Expected double-quoted property name\); the file was left as is/],
    ['', /config\.json: not valid JSON at line 1, column 1/],
    ['[1, 2]', /config\.json: expected \{"version": 1, "values": \{\.\.\.\}\}, got \[1,2\]/],
    ['{"version": 2, "values": {}}', /config\.json: version 2, but this build reads version 1 \(written by a newer build\?\)/],
    ['{"version": 1, "values": {"currency": "XYZ", "console.baudRate": 1}}', /config\.json: currency: expected one of CNY, USD, EUR \(ISO 4217 alpha or numeric\), got "XYZ"\n.*config\.json: console\.baudRate: expected one of 9600, 19200, 38400, 57600, 115200, got 1\n/],
  ];
  for (const [content, message] of cases) {
    const dir = tmp();
    const file = path.join(dir, 'config.json');
    writeFileSync(file, content);
    const err = await rejection(ConfigStore.open(dir));
    t.equal(err.code, 'CONFIG_CORRUPT', content);
    t.match(err.message, message, content);
    t.equal(readFileSync(file, 'utf8'), content, 'left as is');
    t.notOk(existsSync(path.join(dir, 'config-history.jsonl')));
  }
});

t.test('keys this build does not know are kept, not dropped', async (t) => {
  const dir = tmp();
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ version: 1, values: { 'future.key': [1, 2], currency: 'EUR' } }));
  const store = await ConfigStore.open(dir);
  t.strictSame(store.unknownKeys(), ['future.key']);
  await store.set('locale', 'zh', by);
  const file = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { values: Record<string, unknown> };
  t.strictSame(file.values, { currency: 'EUR', 'future.key': [1, 2], locale: 'zh' });
});

t.test('keys registered by later work; bad definitions are refused', async (t) => {
  const schema = new ConfigSchema();
  const defs: ConfigKeyDef[] = [{ key: 'printer.copies', type: 'integer', min: 1, max: 3, default: 2, description: 'receipt copies' }];
  schema.registerKeys(defs);
  t.throws(() => schema.registerKeys(defs), /registered twice/);
  t.throws(() => schema.registerKeys([{ key: 'Bad Key', type: 'boolean', description: '' }]), /dotted lowerCamel/);
  t.throws(() => schema.registerKeys([{ key: 'x.y', type: 'integer', max: 1, default: 5, description: '' }]), /fails its own checks/);
  const store = await ConfigStore.open(tmp(), { schema, recorder: new MemoryRecorder() });
  t.equal(store.get('printer.copies'), 2);
  t.ok(configSchema.keys().includes('merchant.name'), 'the terminal schema has the foundation keys');
});

t.test('concurrent changes are applied in order and all saved', async (t) => {
  const dir = tmp();
  const store = await ConfigStore.open(dir, { recorder: new MemoryRecorder() });
  await Promise.all([store.set('locale', 'zh', by), store.set('currency', 'USD', by), store.set('display.idleText', 'HELLO', by)]);
  const again = await ConfigStore.open(dir);
  t.strictSame([again.get('locale'), again.get('currency'), again.get('display.idleText')], ['zh', 'USD', 'HELLO']);
});

t.test('command-line text is read as the key\'s type', async (t) => {
  const def = (key: string): ConfigKeyDef => configSchema.get(key)!;
  t.equal(parseText(def('console.baudRate'), '9600'), 9600);
  t.equal(parseText(def('host.tls'), 'on'), true);
  t.equal(parseText(def('host.tls'), 'no'), false);
  t.equal(parseText(def('host.tls'), 'maybe'), 'maybe', 'kept as text so the check names what was expected');
  t.strictSame(parseText(def('fees.mdrPercent'), '{"visa": 0.6}'), { visa: 0.6 });
  t.equal(parseText(def('terminal.id'), '00000001'), '00000001', 'text keys stay text');
});

t.test('random values never crash set: a change or a ConfigError', async (t) => {
  const store = await ConfigStore.open(tmp(), { recorder: new MemoryRecorder() });
  const keys = configSchema.keys();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...keys), fc.jsonValue(), async (key, value) => {
      try {
        await store.set(key, value, by);
      } catch (err) {
        if (!isConfigError(err, 'CONFIG_INVALID')) throw err;
        if (!err.message.startsWith(`${key}: expected `)) throw new Error(`message does not name the key: ${err.message}`);
      }
    }),
    { numRuns: 300 },
  );
  t.pass('no crash');
});
