/**
 * The console's services over one data folder: configuration, key store (`<data>/keys`),
 * users, the encrypted audit log, and the factory reset that wipes them. The composition
 * root may build its own; `pos console` uses this one.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { EncryptedAuditLog, AUDIT_FILE } from '../audit/encrypted-log.js';
import { ConfigStore } from '../config/store.js';
import { DEVICE_KEY_FILE, FileDeviceKeyProvider, type DeviceKeyProvider } from '../keys/device-key.js';
import { CaKeyStore } from '../keys/ca-keys.js';
import { FileKeyStoreBackend, KeyStore } from '../keys/key-store.js';
import { TraceStore } from '../trace/trace-store.js';
import type { ScryptParams } from '../users/password.js';
import { USERS_FILE, UserStore, type UserPolicy } from '../users/user-store.js';
import type { DiagnosticsProvider } from './diagnostics.js';
import type { ConsoleServices } from './registry.js';

export const KEYS_DIR = 'keys';

export interface OpenConsoleServicesOptions {
  dataDir: string;
  version: string;
  /** Default: `<data>/device.key`. */
  deviceKey?: DeviceKeyProvider;
  diagnostics?: DiagnosticsProvider;
  now?: () => number;
  /** Password hashing cost (tests lower it). */
  scrypt?: ScryptParams;
}

/** The sign-in policy from the users.* configuration keys. */
export function userPolicyFromConfig(config: ConfigStore): UserPolicy {
  return {
    passwordMaxAgeDays: config.get('users.passwordMaxAgeDays'),
    lockoutThreshold: config.get('users.lockoutThreshold'),
    lockoutBaseSec: config.get('users.lockoutBaseSec'),
    lockoutMaxSec: config.get('users.lockoutMaxSec'),
  };
}

/** What a factory reset keeps: the device key (the audit log is under it) and the audit log (it records the reset). */
const KEPT = new Set([DEVICE_KEY_FILE, AUDIT_FILE, USERS_FILE, 'config.json', KEYS_DIR]);

/**
 * Factory reset of a data folder: every key record, every user, every configuration value
 * (through the store, so what is in memory agrees) and every other file, except the
 * device key and the audit log.
 */
export async function wipeDataFolder(dataDir: string, stores: { config: ConfigStore; keys: KeyStore; users: UserStore }): Promise<void> {
  const by = 'factory-reset';
  for (const entry of stores.config.all()) if (!entry.isDefault) await stores.config.reset(entry.key, { by });
  await stores.keys.deleteAll();
  await stores.users.wipe();
  for (const name of await readdir(dataDir)) {
    if (!KEPT.has(name)) await rm(path.join(dataDir, name), { recursive: true, force: true });
  }
}

export async function openConsoleServices(options: OpenConsoleServicesOptions): Promise<ConsoleServices> {
  const { dataDir } = options;
  const deviceKey = options.deviceKey ?? new FileDeviceKeyProvider({ dataDir });
  const now = options.now ?? Date.now;
  const config = await ConfigStore.open(dataDir, { now: () => new Date(now()) });
  const keys = await KeyStore.open({ backend: new FileKeyStoreBackend({ dir: path.join(dataDir, KEYS_DIR) }), deviceKey });
  const users = await UserStore.open({ dataDir, deviceKey, now, policy: userPolicyFromConfig(config), ...(options.scrypt ? { scrypt: options.scrypt } : {}) });
  const audit = await EncryptedAuditLog.open({ dataDir, deviceKey, now });
  return {
    config,
    keys,
    users,
    audit,
    traces: new TraceStore({ dataDir, keys, now }),
    caKeys: await CaKeyStore.open(dataDir),
    version: options.version,
    now,
    ...(options.diagnostics ? { diagnostics: options.diagnostics } : {}),
    factoryReset: () => wipeDataFolder(dataDir, { config, keys, users }),
  };
}
