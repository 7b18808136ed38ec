/**
 * The kernel's TerminalConfig (emv/kernel/types.ts) built from the configuration store and
 * the CA key store, for the sim board and real boards alike: terminal and merchant
 * identity, the accepted AIDs (`emv.aids`) with their per-application parameters (keys in
 * src/config/keys/emv.ts, looked up by AID, then scheme, then "default"), the limits, and
 * the active CA public keys (`capk.testKeys` adds the simulator's TEST keys). When the
 * configuration cannot give a usable terminal the result says what is missing, in words a
 * technician can act on at the console. The transaction currency is not part of it: the
 * engine takes it from the `currency` key with each transaction.
 */
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fromHex, toHex } from '../../emv/bytes.js';
import type { AidConfig, CaKey, TerminalConfig } from '../../emv/kernel/types.js';
import type { ConfigStore } from '../config/store.js';
import type { CaKeyStore } from '../keys/ca-keys.js';
import type { PaymentsCheck } from '../console/registry.js';

/** What the builder reads of the configuration (a ConfigStore). */
export type ConfigReader = Pick<ConfigStore, 'get'>;

export interface EmvConfigInput {
  config: ConfigReader;
  caKeys: CaKeyStore;
  /** The day CA key expiry is judged on. */
  today: Date;
  /** Identities to use when terminal.id / merchant.id are unset (the sim board's TEST ones). */
  identity?: { readonly terminalId?: string; readonly merchantId?: string };
}

export type EmvConfigResult =
  | { readonly ok: true; readonly terminal: TerminalConfig; readonly terminalId: string; readonly merchantId: string; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly missing: readonly string[]; readonly warnings: readonly string[] };

type PerAidKey = 'emv.tacDefault' | 'emv.tacDenial' | 'emv.tacOnline' | 'emv.appVersions' | 'emv.partialMatch' | 'emv.randomThreshold' | 'emv.randomTargetPercent' | 'emv.randomMaxTargetPercent' | 'emv.contactlessMagstripe';

/** A per-application map's entry for an AID: by AID, else by scheme, else "default". */
function lookup<V>(map: Readonly<Record<string, V>>, aid: string, scheme: string): V | undefined {
  for (const k of [aid, scheme, 'default']) if (Object.hasOwn(map, k)) return map[k];
  return undefined;
}

/** Builds the terminal configuration, or says what is missing. */
export function buildEmvConfig(input: EmvConfigInput): EmvConfigResult {
  const { config } = input;
  const missing: string[] = [];
  const warnings: string[] = [];
  const terminalId = config.get('terminal.id') ?? input.identity?.terminalId;
  const merchantId = config.get('merchant.id') ?? input.identity?.merchantId;
  if (terminalId === undefined) missing.push('terminal.id is not set (config set terminal.id ID: the 8-character terminal ID the acquirer assigned)');
  if (merchantId === undefined) missing.push('merchant.id is not set (config set merchant.id ID: the 15-character merchant ID the acquirer assigned)');

  const aids: AidConfig[] = [];
  const schemeOf = new Map<string, string>();
  const entries = Object.entries(config.get('emv.aids'));
  if (entries.length === 0) missing.push('emv.aids is empty: no card application (AID) is accepted (config set emv.aids \'{"A0000000031010":"visa"}\')');
  for (const [aid, scheme] of entries) {
    const absent: string[] = [];
    const get = <V>(key: PerAidKey): V => {
      const v = lookup(config.get(key) as Readonly<Record<string, unknown>>, aid, scheme);
      if (v === undefined) absent.push(key);
      return v as V;
    };
    const tacDefault = get<string>('emv.tacDefault');
    const tacDenial = get<string>('emv.tacDenial');
    const tacOnline = get<string>('emv.tacOnline');
    const versions = get<string>('emv.appVersions');
    const partialMatch = get<boolean>('emv.partialMatch');
    const threshold = get<number>('emv.randomThreshold');
    const targetPercent = get<number>('emv.randomTargetPercent');
    const maxTargetPercent = get<number>('emv.randomMaxTargetPercent');
    const magstripeMode = get<boolean>('emv.contactlessMagstripe');
    const label = `AID ${aid} (${scheme})`;
    if (absent.length) {
      warnings.push(`${label} not accepted: ${absent.join(', ')} ${absent.length > 1 ? 'have' : 'has'} no entry for it, for ${scheme} or for default`);
      continue;
    }
    if (maxTargetPercent < targetPercent) {
      warnings.push(`${label} not accepted: emv.randomMaxTargetPercent (${maxTargetPercent}) is below emv.randomTargetPercent (${targetPercent}) (EMV Book 3 10.6.2)`);
      continue;
    }
    const floorLimit = lookup(config.get('emv.floorLimits'), aid, scheme) ?? config.get('limits.floorLimit');
    aids.push({
      aid: fromHex(aid),
      partialMatch,
      versions: versions.split(',').map(fromHex),
      tacDefault: fromHex(tacDefault),
      tacDenial: fromHex(tacDenial),
      tacOnline: fromHex(tacOnline),
      floorLimit,
      threshold,
      targetPercent,
      maxTargetPercent,
      contactless: {
        transactionLimit: config.get('limits.contactlessTransactionLimit'),
        floorLimit: config.get('limits.contactlessFloorLimit'),
        cvmRequiredLimit: config.get('limits.cvmLimit'),
        ...(magstripeMode ? { magstripeMode } : {}),
      },
    });
    schemeOf.set(aid.slice(0, 10), scheme);
  }
  if (entries.length > 0 && aids.length === 0) missing.push('no AID of emv.aids can be used (see the lines above)');

  const caKeys: CaKey[] = input.caKeys.kernelKeys(input.today, { includeTest: config.get('capk.testKeys') });
  const ridsWithKeys = new Set(caKeys.map((k) => toHex(k.rid)));
  const keyless = [...schemeOf].filter(([rid]) => !ridsWithKeys.has(rid)).sort(([a], [b]) => a.localeCompare(b));
  if (aids.length > 0 && keyless.length === schemeOf.size) {
    missing.push(`no CA public key loads for the RIDs of emv.aids (${keyless.map(([rid, s]) => `${rid} ${s}`).join(', ')}): console "capk list" shows why (expired, refused); "capk add" or "capk import" the acquirer's keys`);
  } else {
    for (const [rid, scheme] of keyless) warnings.push(`no CA public key for RID ${rid} (${scheme}): offline data authentication fails for those cards (console: capk add / capk import)`);
  }

  if (missing.length > 0 || terminalId === undefined || merchantId === undefined) return { ok: false, missing, warnings };
  const mcc = config.get('merchant.categoryCode');
  return {
    ok: true,
    terminalId,
    merchantId,
    warnings,
    terminal: {
      capabilities: fromHex(config.get('emv.capabilities')),
      additionalCapabilities: fromHex(config.get('emv.additionalCapabilities')),
      // Book 4 Annex A1: the type is two decimal digits sent as n2 (BCD), e.g. "22" -> 0x22.
      terminalType: parseInt(config.get('emv.terminalType'), 16),
      country: config.get('terminal.country'),
      // 9F1E (an 8): the terminal ID stands in for the device serial number.
      ifdSerial: terminalId,
      ...(mcc !== undefined ? { merchantCategoryCode: mcc } : {}),
      terminalId,
      merchantId,
      ttq: fromHex(config.get('emv.ttq')),
      aids,
      caKeys,
    },
  };
}

/** The console's `payments` check on its own configuration and CA key stores (as the next start will see them). */
export function paymentsCheck(stores: { config: ConfigReader; caKeys: CaKeyStore }, identity?: EmvConfigInput['identity']): () => PaymentsCheck {
  return () => {
    const r = buildEmvConfig({ ...stores, today: new Date(), ...(identity ? { identity } : {}) });
    return { ready: r.ok, missing: r.ok ? [] : r.missing, warnings: r.warnings };
  };
}

/**
 * The sim board's first-boot configuration: the virtual cards' AIDs, the TEST CA keys, and
 * the parameters of the sample terminal they were made for (emv/kernel/sample-config.ts:
 * France, Visa-style action codes, floor 20.00, contactless limits 100.00/50.00/50.00).
 */
export const SIM_CONFIG_SEED: Readonly<Record<string, unknown>> = {
  'capk.testKeys': true,
  'emv.aids': {
    A0000000031010: 'visa',
    A0000000032010: 'visa',
    A0000000041010: 'mastercard',
    A000000333010101: 'unionpay',
    A000000333010102: 'unionpay',
    A000000333010103: 'unionpay',
  },
  'terminal.country': 250,
  'merchant.categoryCode': 5411,
  'emv.terminalType': '22',
  'emv.capabilities': 'E0F8C8',
  'emv.additionalCapabilities': '6000F0A001',
  'emv.ttq': '36004000',
  'emv.tacDefault': { default: 'DC4000A800' },
  'emv.tacDenial': { default: '0010000000' },
  'emv.tacOnline': { default: 'DC4004F800' },
  'emv.appVersions': { visa: '008C', mastercard: '0002', unionpay: '0030,008C' },
  'emv.partialMatch': { A0000000031010: true, default: false },
  'emv.randomThreshold': { default: 1000 },
  'emv.randomTargetPercent': { default: 20 },
  'emv.randomMaxTargetPercent': { default: 50 },
  'emv.contactlessMagstripe': { mastercard: true, default: false },
  'limits.floorLimit': 2000,
  'limits.contactlessTransactionLimit': 10000,
  'limits.contactlessFloorLimit': 5000,
  'limits.cvmLimit': 5000,
};

/** Marks a data folder whose sim configuration was seeded (so a later change or reset stays). */
export const SIM_SEED_MARKER = 'sim-config-seeded';

/**
 * Seeds a sim data folder's configuration once: every key of {@link SIM_CONFIG_SEED} that
 * is not set yet (a value set before, e.g. with `pos config set`, is kept). Returns the
 * keys seeded (none after the first time).
 */
export async function seedSimConfig(config: Pick<ConfigStore, 'dataDir' | 'isSet' | 'setMany'>): Promise<string[]> {
  const marker = path.join(config.dataDir, SIM_SEED_MARKER);
  try {
    await access(marker);
    return [];
  } catch {
    // not seeded yet
  }
  const values = Object.fromEntries(Object.entries(SIM_CONFIG_SEED).filter(([key]) => !config.isSet(key)));
  if (Object.keys(values).length > 0) await config.setMany(values, { by: 'sim-first-boot' });
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return Object.keys(values);
}
