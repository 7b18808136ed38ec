// The EMV terminal configuration built from the configuration store and the CA key store
// (src/board/emv-config.ts): the sim data folder's first-boot seed gives the terminal the
// virtual cards were made for (emv/kernel/sample-config.ts); a real board's defaults are the
// published typical values with its own identity; what is missing is said, key by key.
import t, { type Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigStore } from '../../src/config/store.js';
import { CaKeyStore } from '../../src/keys/ca-keys.js';
import { buildEmvConfig, seedSimConfig, SIM_CONFIG_SEED } from '../../src/board/emv-config.js';
import { SIM_IDENTITY } from '../../src/board/wiring.js';
import { SAMPLE_TERMINAL } from '../../emv/kernel/sample-config.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import type { AidConfig, TerminalConfig } from '../../emv/kernel/types.js';

const DAY = new Date(Date.UTC(2026, 10, 28));
/** Every shipped scheme CA key has expired by then (the last announced end is 2030); the TEST keys run to 2049. */
const AFTER_SCHEME_KEYS = new Date(Date.UTC(2040, 0, 1));
const BY = { by: 'test' };

async function folder(t: Test): Promise<{ dir: string; config: ConfigStore; caKeys: CaKeyStore }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'emv-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { dir, config: await ConfigStore.open(dir), caKeys: await CaKeyStore.open(dir) };
}

const byAid = (aids: readonly AidConfig[]): Map<string, AidConfig> => new Map(aids.map((a) => [toHex(a.aid), a]));
const keyIds = (c: TerminalConfig): Set<string> => new Set(c.caKeys.map((k) => `${toHex(k.rid)}:${k.index}`));

t.test('sim first boot: the built terminal is the one the virtual cards were made for', async (t) => {
  const { config, caKeys } = await folder(t);
  const seeded = await seedSimConfig(config);
  t.same(seeded.sort(), Object.keys(SIM_CONFIG_SEED).sort(), 'every seed key set on a fresh folder');
  const r = buildEmvConfig({ config, caKeys, today: DAY, identity: SIM_IDENTITY });
  if (!r.ok) throw new Error(r.missing.join('; '));
  const c = r.terminal;
  for (const f of ['capabilities', 'additionalCapabilities', 'ttq'] as const) t.equal(toHex(c[f]!), toHex(SAMPLE_TERMINAL[f]!), f);
  for (const f of ['terminalType', 'country', 'merchantCategoryCode'] as const) t.equal(c[f], SAMPLE_TERMINAL[f], f);
  t.same(byAid(c.aids), byAid(SAMPLE_TERMINAL.aids), 'the same AIDs with the same parameters');
  const have = keyIds(c);
  t.ok([...keyIds(SAMPLE_TERMINAL)].every((k) => have.has(k)), 'every TEST CA key of the sample is loaded');
  t.equal(c.terminalId, SIM_IDENTITY.terminalId);
  t.equal(c.merchantId, SIM_IDENTITY.merchantId);
  t.same(r.warnings, []);
});

t.test('sim seed: once per folder; values set before are kept, changes after stay', async (t) => {
  const { config } = await folder(t);
  await config.set('terminal.country', 840, BY);
  const seeded = await seedSimConfig(config);
  t.notOk(seeded.includes('terminal.country'));
  t.equal(config.get('terminal.country'), 840, 'kept');
  t.equal(config.get('capk.testKeys'), true);
  await config.reset('capk.testKeys', BY);
  t.same(await seedSimConfig(await ConfigStore.open(config.dataDir)), [], 'second boot seeds nothing');
  t.equal((await ConfigStore.open(config.dataDir)).get('capk.testKeys'), false, 'the reset stays');
});

t.test('real board: without terminal and merchant IDs it is not configured, and says so', async (t) => {
  const { config, caKeys } = await folder(t);
  const r = buildEmvConfig({ config, caKeys, today: DAY });
  t.equal(r.ok, false);
  if (r.ok) return;
  t.match(r.missing, [/^terminal\.id is not set/, /^merchant\.id is not set/]);
});

t.test('real board defaults: identity, Book 4 Annex A values, per-scheme action codes', async (t) => {
  const { config, caKeys } = await folder(t);
  await config.setMany({ 'terminal.id': 'TERM0042', 'merchant.id': 'MERCHANT0000042', 'capk.testKeys': true, 'merchant.categoryCode': 5812 }, BY);
  const r = buildEmvConfig({ config, caKeys, today: AFTER_SCHEME_KEYS });
  if (!r.ok) throw new Error(r.missing.join('; '));
  const c = r.terminal;
  // Book 4 Annex A1: "22" attended, offline with online capability, operated by the merchant.
  t.equal(c.terminalType, 0x22);
  t.equal(c.country, 156, 'ISO 3166 numeric for China');
  t.equal(c.merchantCategoryCode, 5812);
  t.equal(c.terminalId, 'TERM0042');
  t.equal(c.merchantId, 'MERCHANT0000042');
  t.equal(c.ifdSerial, 'TERM0042');
  // Book 4 Annex A2: byte 1 bit 7 magnetic stripe, bit 6 IC with contacts; byte 3 bits 8, 7, 4 SDA, DDA, CDA.
  t.equal(c.capabilities[0]! & 0x60, 0x60);
  t.equal(c.capabilities[2]! & 0xc8, 0xc8);
  const aids = byAid(c.aids);
  t.same([...aids.keys()].sort(), ['A0000000031010', 'A0000000041010', 'A000000333010101', 'A000000333010102']);
  t.equal(toHex(aids.get('A0000000031010')!.tacOnline), 'DC4004F800', 'visa entry');
  t.equal(toHex(aids.get('A0000000041010')!.tacDefault), 'FC50BCA000', 'mastercard entry');
  t.equal(toHex(aids.get('A000000333010101')!.tacDenial), '0010000000', 'unionpay entry');
  t.same(aids.get('A000000333010101')!.versions.map(toHex), ['0030', '008C']);
  t.equal(aids.get('A0000000031010')!.floorLimit, 0, 'limits.floorLimit: everything online by default');
  t.same(aids.get('A0000000031010')!.contactless, { transactionLimit: 100_000, floorLimit: 0, cvmRequiredLimit: 30_000 });
  t.ok(c.caKeys.length > 0 && c.caKeys.every((k) => k.index >= 0xe1), 'only the TEST keys are left in 2040');
});

t.test('per-application lookup: AID before scheme before default; a gap drops the AID with its key named', async (t) => {
  const { config, caKeys } = await folder(t);
  await config.setMany(
    {
      'terminal.id': 'TERM0042',
      'merchant.id': 'MERCHANT0000042',
      'capk.testKeys': true,
      'emv.aids': { A0000000031010: 'visa', A0000000032010: 'visa', A0000001523010: 'discover' },
      'emv.tacOnline': { A0000000032010: '0000000000', visa: 'DC4004F800', default: 'FFFFFFFFFF' },
      'emv.floorLimits': { A0000000031010: 1500 },
      'limits.floorLimit': 700,
    },
    BY,
  );
  let r = buildEmvConfig({ config, caKeys, today: AFTER_SCHEME_KEYS });
  if (!r.ok) throw new Error(r.missing.join('; '));
  let aids = byAid(r.terminal.aids);
  t.equal(toHex(aids.get('A0000000032010')!.tacOnline), '0000000000', 'by AID');
  t.equal(toHex(aids.get('A0000000031010')!.tacOnline), 'DC4004F800', 'by scheme');
  t.equal(toHex(aids.get('A0000001523010')!.tacOnline), 'FFFFFFFFFF', 'by default');
  t.equal(aids.get('A0000000031010')!.floorLimit, 1500);
  t.equal(aids.get('A0000000032010')!.floorLimit, 700, 'limits.floorLimit without an entry');
  t.match(r.warnings, [/RID A000000152 \(discover\)/], 'no CA key for Discover in 2040: said, not fatal');

  await config.set('emv.tacDefault', { visa: 'DC4000A800' }, BY);
  r = buildEmvConfig({ config, caKeys, today: AFTER_SCHEME_KEYS });
  if (!r.ok) throw new Error(r.missing.join('; '));
  aids = byAid(r.terminal.aids);
  t.notOk(aids.has('A0000001523010'));
  t.match(r.warnings.join('\n'), /AID A0000001523010 \(discover\) not accepted: emv\.tacDefault has no entry/);

  await config.setMany({ 'emv.randomTargetPercent': { default: 60 }, 'emv.randomMaxTargetPercent': { default: 50 } }, BY);
  r = buildEmvConfig({ config, caKeys, today: AFTER_SCHEME_KEYS });
  t.equal(r.ok, false, 'every AID dropped');
  if (r.ok) return;
  t.match(r.warnings.join('\n'), /emv\.randomMaxTargetPercent \(50\) is below emv\.randomTargetPercent \(60\)/);
  t.match(r.missing, [/^no AID of emv\.aids can be used/]);
});

t.test('no AIDs, or no CA key for any configured RID: not configured', async (t) => {
  const { config, caKeys } = await folder(t);
  await config.setMany({ 'terminal.id': 'TERM0042', 'merchant.id': 'MERCHANT0000042', 'emv.aids': {} }, BY);
  let r = buildEmvConfig({ config, caKeys, today: DAY });
  t.match(r, { ok: false, missing: [/^emv\.aids is empty/] });
  await config.reset('emv.aids', BY);
  r = buildEmvConfig({ config, caKeys, today: AFTER_SCHEME_KEYS });
  t.match(r, { ok: false, missing: [/^no CA public key loads for the RIDs of emv\.aids \(A000000003 visa, A000000004 mastercard, A000000333 unionpay\)/] });
  // The acquirer's key, added at the console, makes the terminal usable (the TEST key record stands in for it).
  const { TEST_CA_KEY_RECORDS } = await import('../../src/keys/ca-keys.js');
  await caKeys.add({ ...TEST_CA_KEY_RECORDS[0]!, scheme: 'visa', test: false }, AFTER_SCHEME_KEYS);
  r = buildEmvConfig({ config, caKeys, today: AFTER_SCHEME_KEYS });
  t.equal(r.ok, true);
  if (r.ok) t.equal(r.warnings.length, 2, 'the RIDs still without a key are named');
});

t.test('the new keys are checked like every other', async (t) => {
  const { config } = await folder(t);
  const bad: [string, unknown][] = [
    ['terminal.country', 1000],
    ['merchant.categoryCode', 12345],
    ['emv.terminalType', '27'],
    ['emv.capabilities', 'E0F8'],
    ['emv.additionalCapabilities', 'e000f0a001'],
    ['emv.tacDefault', { visa: 'DC4000A8' }],
    ['emv.tacOnline', { Visa: 'DC4004F800' }],
    ['emv.appVersions', { visa: '8C' }],
    ['emv.randomTargetPercent', { default: 100 }],
    ['host.tlsCaFile', 'certs/ca.pem'],
    ['host.tlsServerName', 'not a name'],
  ];
  for (const [key, value] of bad) await t.rejects(config.set(key, value, BY), { code: 'CONFIG_INVALID', message: new RegExp(`^${key.replace('.', '\\.')}: expected`) }, key);
  await config.set('emv.aids', { A00000002501: 'amex' }, BY);
  t.same(config.get('emv.aids'), { A00000002501: 'amex' });
  t.same(fromHex(config.get('emv.capabilities')).length, 3);
});
