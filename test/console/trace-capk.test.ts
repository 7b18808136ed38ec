// Issue 10 from the console: the technician arms APDU tracing for the next N transactions,
// lists (PAN masked), exports (file for "pos tools emv replay", deleted from the terminal)
// and traces expire after trace.retentionHours; traces are encrypted at rest. The admin
// manages CA keys with capk (checksum verified, expired refused); every change audited.
import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSimSerialPair } from '../../hal/sim/serial.js';
import { createCard, testCard } from '../../emv/cards/catalogue.js';
import { runTransaction } from '../../emv/kernel/kernel.js';
import { SAMPLE_TERMINAL } from '../../emv/kernel/sample-config.js';
import { parseTrace } from '../../emv/trace/format.js';
import { replayTrace } from '../../emv/trace/replay.js';
import { SCHEME_CA_KEYS } from '../../src/keys/scheme-ca-keys.js';
import { params, pinPad } from '../emv/kernel/catalogue.js';
import { ADMIN, auditRecords, login, run, startEnv, TECH, type Env } from './scenario.js';

async function armedTransaction(env: Env, card: string): Promise<string | undefined> {
  const session = await env.services.traces!.begin('contactless');
  const virtual = createCard(card, 'contactless');
  const p = params(1000);
  const r = await runTransaction({ interface: 'contactless', params: p, config: SAMPLE_TERMINAL, deps: { transceive: session ? session.transceive(async (c) => virtual.transceive(c)) : async (c) => virtual.transceive(c), pin: session ? session.pin(pinPad([])) : pinPad([]) } });
  const info = await session?.finish(p, SAMPLE_TERMINAL, r);
  return info?.id;
}

t.test('trace on N, list, export, retention; capk list, add, remove, import', async (t) => {
  const dataDir = t.testdir({ usb: {} });
  const usb = path.join(dataDir, 'usb');
  const pair = createSimSerialPair({ name: 'console' });
  const env = await startEnv(dataDir, pair.driver, pair.device);
  t.teardown(async () => {
    await env.console.close();
    await pair.driver.close();
  });
  const pan = testCard('visa-offline').pan;

  await login(env, TECH.id, TECH.password);
  await env.far.expect(`${TECH.id}@pos> `);
  const tech = (line: string): Promise<string> => run(env, line, TECH.id);
  t.match(await tech('trace on 0'), /usage: trace on N/);
  t.match(await tech('trace on 2'), 'tracing armed for the next 2 transactions');
  t.match(await tech('trace list'), /tracing armed for 2 more transactions[\s\S]*no traces are stored/);

  const first = await armedTransaction(env, 'visa-offline');
  const second = await armedTransaction(env, 'visa-online');
  const third = await armedTransaction(env, 'visa-offline');
  t.ok(first && second, 'the next two transactions are recorded');
  t.equal(third, undefined, 'the third is not: only 2 were armed');

  const files = await readdir(path.join(dataDir, 'traces'));
  for (const f of files.filter((x) => x.endsWith('.trace'))) {
    const raw = await readFile(path.join(dataDir, 'traces', f), 'utf8');
    t.notMatch(raw, /4761739001|A0000000031010/i, `${f}: nothing readable at rest (encrypted)`);
  }

  const list = await tech('trace list');
  t.match(list, 'tracing off');
  t.match(list, new RegExp(`${first}.*tap +A0000000031010 +${pan.slice(0, 6)}\\*+${pan.slice(-4)} +approved`));
  t.notMatch(list, new RegExp(pan), 'no full PAN in the listing');

  t.match(await tech(`trace export ${first}`), /give a folder, or set trace.exportDir/);
  t.match(await tech(`trace export ${first} ${usb}`), new RegExp(`trace ${first} \\(${pan.slice(0, 6)}\\*+${pan.slice(-4)}, approved\\) written to .*trace-${first}\\.apdu and deleted from the terminal`));
  const exported = await readFile(path.join(usb, `trace-${first}.apdu`), 'utf8');
  t.match(exported, /^# terminal: 9F02=000000001000/m, 'the session terminal data header');
  t.match(exported, /^# redacted: 57 /m, 'track 2 equivalent data redacted at capture');
  const replay = await replayTrace(parseTrace(exported), { config: SAMPLE_TERMINAL });
  t.equal(replay.outcome, 'approved', 'the exported trace replays to the live outcome');
  t.same(replay.divergences, []);
  t.notMatch(await tech('trace list'), new RegExp(first!), 'exported traces are gone from the terminal');
  t.match(await tech(`trace export ${first} ${usb}`), /no trace/);

  env.clock.advance(73 * 3600);
  t.match(await tech('trace list'), 'no traces are stored', 'older than trace.retentionHours (72): deleted');
  t.match(await tech('capk add A000000003 08 --modulus 00 --exponent 03 --expiry 301231 --checksum 00'), /not allowed for the technician role|not for your role|denied/i, 'capk changes are admin-only');
  await env.far.line('logout');

  env.clock.advance(30);
  await login(env, ADMIN.id, ADMIN.password);
  await env.far.expect(`${ADMIN.id}@pos> `);
  const admin = (line: string): Promise<string> => run(env, line, ADMIN.id);
  const capk = await admin('capk list');
  t.match(capk, /A000000003 +09 +visa +1984 +271231 +shipped +active/);
  t.match(capk, /A000000004 +05 +mastercard +1408 +241231 +shipped +expired/);
  t.match(capk, /CA key A000000004 index 05 \(mastercard\): expired on 2024-12-31; refused/);
  const v08 = SCHEME_CA_KEYS.find((k) => k.rid === 'A000000003' && k.index === '08')!;
  t.match(await admin(`capk add A000000003 08 --modulus ${v08.modulus} --exponent 03 --expiry 281231 --checksum ${'AB'.repeat(20)}`), /refused: CA key A000000003 index 08 \(added\): checksum (AB){20} does not match/);
  t.match(await admin(`capk add A000000003 08 --modulus ${v08.modulus} --exponent 03 --expiry 281231 --checksum ${v08.checksum} --scheme visa`), 'CA key A000000003 index 08 added (checksum verified, expires 281231)');
  t.match(await admin('capk list'), /A000000003 +08 +visa +1408 +281231 +added +active/);
  await env.far.line('capk remove A000000004 06');
  await env.far.answer(['to remove that key: ', 'A000000004 06']);
  t.match(await env.far.expect(`${ADMIN.id}@pos> `), 'CA key A000000004 index 06 removed');
  const file = path.join(usb, 'keys.json');
  await writeFile(file, JSON.stringify([{ ...SCHEME_CA_KEYS.find((k) => k.rid === 'A000000004' && k.index === '06')! }, { ...v08, expiry: '200101' }]));
  const imported = await admin(`capk import ${file}`);
  t.match(imported, 'CA key A000000004 index 06 added');
  t.match(imported, /refused: CA key A000000003 index 08 \(visa\): expired on 2020-01-01/);
  t.match(imported, '1 of 2 keys imported');
  const kernelKeys = env.services.caKeys!.kernelKeys(new Date(env.clock.ms));
  t.ok(kernelKeys.some((k) => k.index === 0x08 && k.modulus.length === 176), 'the kernel configuration takes the added key');

  const records = await auditRecords(env);
  t.same(records.filter((r) => r.type === 'trace-change').map((r) => r.detail?.action), ['on', 'export', 'purge']);
  t.same(records.filter((r) => r.type === 'capk-change').map((r) => `${String(r.detail?.action)} ${r.outcome}`), ['add failed', 'add ok', 'remove ok', 'add ok', 'add failed']);
  t.notMatch(env.far.transcript, new RegExp(pan), 'no full PAN on the console');
});
