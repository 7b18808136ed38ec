// The field trace store (issue 10): traces encrypted at rest under a data key from the key
// store (AES-256-GCM, the trace id bound in), tampering detected, export writes the plain
// trace once and deletes it, purge by age, arming counts down, a contact session keeps the ATR.
import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCard } from '../../emv/cards/catalogue.js';
import { runTransaction } from '../../emv/kernel/kernel.js';
import { SAMPLE_TERMINAL } from '../../emv/kernel/sample-config.js';
import { parseTrace } from '../../emv/trace/format.js';
import { replayTrace } from '../../emv/trace/replay.js';
import { KeyStore, MemoryKeyStoreBackend } from '../../src/keys/key-store.js';
import { SecretDeviceKeyProvider } from '../../src/keys/device-key.js';
import { TraceStore } from '../../src/trace/trace-store.js';
import { params, pinPad } from '../emv/kernel/catalogue.js';

t.test('record a contact transaction, list, tamper, export, purge', async (t) => {
  const dataDir = t.testdir({ out: {} });
  const keys = await KeyStore.open({ backend: new MemoryKeyStoreBackend(), deviceKey: new SecretDeviceKeyProvider('test-secret', 'test-salt-123') });
  let now = Date.UTC(2026, 10, 28, 12, 0, 0);
  const store = new TraceStore({ dataDir, keys, now: () => now });
  t.equal(await store.begin('contact'), undefined, 'not armed: nothing recorded');
  await store.arm(1);
  const atr = Uint8Array.from([0x3b, 0x02, 0x14, 0x50]);
  const session = (await store.begin('contact', { atr }))!;
  t.equal(await store.armed(), 0, 'one armed transaction taken');
  const card = createCard('offline-pin', 'contact');
  const p = params(1000);
  const r = await runTransaction({ interface: 'contact', params: p, config: SAMPLE_TERMINAL, deps: { transceive: session.transceive(async (c) => card.transceive(c)), pin: session.pin(pinPad(['1234'])) } });
  const final = r.complete ? await r.complete({ kind: 'response', arc: '00' }) : r;
  const info = await session.finish(p, SAMPLE_TERMINAL, final);
  t.match(info, { interface: 'contact', aid: 'A0000000031010', outcome: final.outcome, panMasked: /^\d{6}\*+\d{4}$/ });
  t.same(await store.list(), [info]);
  t.equal((await keys.info('trace-data')).usage, 'data', 'the data key lives in the key store');

  const file = path.join(dataDir, 'traces', `${info.id}.trace`);
  const sealed = await readFile(file, 'utf8');
  const flipped = Buffer.from(sealed.trim(), 'base64');
  flipped[40] ^= 1;
  await writeFile(file, flipped.toString('base64'));
  await t.rejects(store.list(), { code: 'KEY_STORE_TAMPERED' }, 'an altered trace fails authentication');
  await writeFile(file, sealed);

  const { file: out } = await store.export(info.id, path.join(dataDir, 'out'));
  const text = await readFile(out, 'utf8');
  t.match(text, /^# atr: 3B021450$/m);
  t.match(text, /^# redacted: VERIFY data \(PIN block: zeroed\)$/m, 'the offline PIN block is not in the trace');
  t.notMatch(text, /^> 0020008008241234/m);
  const rep = await replayTrace(parseTrace(text), { config: SAMPLE_TERMINAL });
  t.equal(rep.outcome, final.outcome, 'replays to the live outcome');
  t.same(await store.list(), [], 'deleted after export');
  await t.rejects(store.export(info.id, path.join(dataDir, 'out')), { code: 'ENOENT' });

  await store.arm(2);
  for (let i = 0; i < 2; i++) {
    const s = (await store.begin('contactless'))!;
    await s.finish(p, SAMPLE_TERMINAL, undefined);
    now += 3600_000;
  }
  t.equal((await store.list())[0]!.outcome, 'reader-fault');
  t.equal(await store.purge(1.5), 1, 'the trace older than 1.5 h goes');
  t.equal((await store.list()).length, 1);
  t.ok(await store.delete((await store.list())[0]!.id));
  t.same((await readdir(path.join(dataDir, 'traces'))).filter((f) => f.endsWith('.trace')), []);
  await t.rejects(store.export('../../etc/passwd', dataDir), { code: 'KEY_BAD_ARGUMENT' }, 'ids are checked before any path is built');
});
