/**
 * The users of one terminal: `<dataDir>/users.sealed`, the whole list encrypted under a key
 * derived from the device key, replaced atomically on every change. Passwords and operator
 * PINs are kept only as scrypt hashes; TOTP secrets only inside the sealed file.
 *
 * Sign-in rules: a wrong password, PIN or TOTP code counts as a failure; after
 * `lockoutThreshold` failures in a row the account is locked for `lockoutBaseSec`, doubling
 * with every further failure up to `lockoutMaxSec`; attempts while locked are refused
 * without checking the secret. A password older than `passwordMaxAgeDays` must be changed
 * at sign-in, as must one set by someone else (reset).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceKeyProvider } from '../keys/device-key.js';
import { UserError } from './errors.js';
import { checkPasswordPolicy, checkPinPolicy, DEFAULT_SCRYPT, hashPassword, verifyPassword, type PasswordHash, type ScryptParams } from './password.js';
import { isRole, PIN_ROLES, TOTP_ROLES, type Role } from './roles.js';
import { openJson, purposeKey, readSealed, sealJson, writeSealed } from './sealed-file.js';
import { base32Decode, base32Encode, newTotpSecret, provisioningUri, verifyTotp } from './totp.js';

export const USERS_FILE = 'users.sealed';
const PURPOSE = 'pos-users/v1';
const VERSION = 1;
const USER_ID = /^[a-z][a-z0-9._-]{1,31}$/;

export interface UserPolicy {
  lockoutThreshold: number;
  lockoutBaseSec: number;
  lockoutMaxSec: number;
  /** 0: passwords never expire. */
  passwordMaxAgeDays: number;
}

export const DEFAULT_USER_POLICY: UserPolicy = { lockoutThreshold: 3, lockoutBaseSec: 30, lockoutMaxSec: 900, passwordMaxAgeDays: 90 };

interface UserRecord {
  id: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  /** Password users (every role but cashier). */
  password?: PasswordHash;
  /** Operator PIN (cashiers, keypad sign-in). */
  pin?: PasswordHash;
  secretChangedAt: number;
  mustChange: boolean;
  totpSecret?: string;
  /** Last TOTP step accepted (replay protection). */
  totpLastStep?: number;
  failures: number;
  lockedUntil?: number;
  /** Named test credentials of a sim or training data folder. */
  test?: boolean;
}

/** What may be shown about a user: never a hash or secret. */
export interface UserInfo {
  id: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  /** When the password or PIN was last set. */
  secretChangedAt: string;
  mustChangePassword: boolean;
  totp: boolean;
  failures: number;
  lockedUntil?: string;
  /** Locked now (by the store's clock). */
  locked: boolean;
  test: boolean;
}

export type AuthFailure =
  | 'bad-credentials'
  | 'locked'
  | 'disabled'
  | 'totp-required'
  | 'totp-invalid'
  | 'totp-replay';

export type AuthResult =
  | { ok: true; user: UserInfo; mustChangePassword: boolean; expired: boolean }
  | {
      ok: false;
      reason: AuthFailure;
      /** The user ID when it exists (for the audit record); absent for unknown IDs. */
      userId?: string;
      /** Locked: milliseconds until the next attempt is accepted. */
      retryAfterMs?: number;
      /** True when this attempt started a lockout. */
      lockedNow?: boolean;
    };

export interface UserStoreOptions {
  dataDir: string;
  deviceKey: DeviceKeyProvider;
  /** Milliseconds since the epoch (tests inject a clock). */
  now?: () => number;
  policy?: Partial<UserPolicy>;
  scrypt?: ScryptParams;
}

export interface NewUser {
  id: string;
  role: Role;
  /** Every role but cashier. */
  password?: string;
  /** Cashiers. */
  pin?: string;
  /** Ask for a new password at first sign-in (set by someone other than the user). */
  mustChange?: boolean;
  /** A fixed TOTP secret (base32): named test credentials only. */
  totpSecret?: string;
  test?: boolean;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

function info(r: UserRecord, now: number): UserInfo {
  return {
    id: r.id,
    role: r.role,
    disabled: r.disabled,
    createdAt: new Date(r.createdAt).toISOString(),
    secretChangedAt: new Date(r.secretChangedAt).toISOString(),
    mustChangePassword: r.mustChange,
    totp: r.totpSecret !== undefined,
    failures: r.failures,
    ...(r.lockedUntil !== undefined ? { lockedUntil: new Date(r.lockedUntil).toISOString() } : {}),
    locked: r.lockedUntil !== undefined && now < r.lockedUntil,
    test: r.test === true,
  };
}

export function checkUserId(id: string): void {
  if (typeof id !== 'string' || !USER_ID.test(id)) {
    throw new UserError('USER_BAD_ARGUMENT', `user ID "${String(id).slice(0, 40)}": 2 to 32 characters, lower-case letters, digits, ".", "-", "_", starting with a letter`);
  }
}

export class UserStore {
  readonly file: string;
  readonly policy: UserPolicy;
  readonly #users: Map<string, UserRecord>;
  readonly #key: Buffer;
  readonly #now: () => number;
  readonly #scrypt: ScryptParams;
  #queue: Promise<unknown> = Promise.resolve();
  /** A hash of a random password: unknown IDs are checked against it so they take as long as known ones. */
  #decoy: Promise<PasswordHash> | undefined;

  private constructor(file: string, key: Buffer, users: Map<string, UserRecord>, options: UserStoreOptions) {
    this.file = file;
    this.#key = key;
    this.#users = users;
    this.#now = options.now ?? Date.now;
    this.#scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.policy = { ...DEFAULT_USER_POLICY, ...options.policy };
  }

  static async open(options: UserStoreOptions): Promise<UserStore> {
    const file = path.join(options.dataDir, USERS_FILE);
    const key = await purposeKey(options.deviceKey, PURPOSE);
    let text: string | undefined;
    try {
      text = await readSealed(file);
    } catch (err) {
      throw new UserError('USER_STORE_IO', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
    const users = new Map<string, UserRecord>();
    if (text !== undefined) {
      let doc: { version?: number; users?: UserRecord[] };
      try {
        doc = openJson(key, PURPOSE, text) as typeof doc;
      } catch (err) {
        throw new UserError('USER_STORE_TAMPERED', `${file} failed authentication: edited, truncated, or under another device key; left as is`, { cause: err });
      }
      if (doc.version !== VERSION || !Array.isArray(doc.users)) throw new UserError('USER_STORE_TAMPERED', `${file}: version ${String(doc.version)} is not ${VERSION}`);
      for (const u of doc.users) users.set(u.id, u);
    }
    return new UserStore(file, key, users, options);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #save(): Promise<void> {
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeSealed(this.file, sealJson(this.#key, PURPOSE, { version: VERSION, users: [...this.#users.values()] }));
    } catch (err) {
      throw new UserError('USER_STORE_IO', `${this.file}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
  }

  #record(id: string): UserRecord {
    const r = this.#users.get(id);
    if (!r) throw new UserError('USER_NOT_FOUND', `no user "${id}"`);
    return r;
  }

  list(): UserInfo[] {
    return [...this.#users.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => info(r, this.#now()));
  }

  get(id: string): UserInfo | undefined {
    const r = this.#users.get(id);
    return r && info(r, this.#now());
  }

  get size(): number {
    return this.#users.size;
  }

  /** True when an enabled user of that role exists; `realOnly` leaves out named test credentials. */
  hasEnabled(role: Role, options: { realOnly?: boolean } = {}): boolean {
    return [...this.#users.values()].some((u) => u.role === role && !u.disabled && !(options.realOnly && u.test));
  }

  /** Whether sign-in asks this ID for a TOTP code. True for unknown IDs, so a prompt does not tell which IDs exist. */
  needsTotp(id: string): boolean {
    const r = this.#users.get(id);
    return r === undefined || TOTP_ROLES.includes(r.role);
  }

  #checkSecret(role: Role, id: string, secret: { password?: string; pin?: string }): void {
    if (PIN_ROLES.includes(role)) {
      if (secret.pin === undefined) throw new UserError('USER_BAD_ARGUMENT', `a ${role} signs in with an operator PIN`);
      const problems = checkPinPolicy(secret.pin);
      if (problems.length) throw new UserError('USER_WEAK_PASSWORD', problems.map((p) => `PIN: ${p}`));
    } else {
      if (secret.password === undefined) throw new UserError('USER_BAD_ARGUMENT', `a ${role} signs in with a password`);
      const problems = checkPasswordPolicy(secret.password, { userId: id, role });
      if (problems.length) throw new UserError('USER_WEAK_PASSWORD', problems.map((p) => `password: ${p}`));
    }
  }

  /** Adds a user; admins and technicians get a TOTP secret, returned once for enrolment. */
  add(user: NewUser): Promise<{ user: UserInfo; totp?: TotpEnrolment }> {
    return this.#serial(async () => {
      checkUserId(user.id);
      if (!isRole(user.role)) throw new UserError('USER_BAD_ARGUMENT', `unknown role "${String(user.role)}"`);
      if (this.#users.has(user.id)) throw new UserError('USER_EXISTS', `user "${user.id}" already exists`);
      this.#checkSecret(user.role, user.id, user);
      const now = this.#now();
      const record: UserRecord = {
        id: user.id,
        role: user.role,
        disabled: false,
        createdAt: now,
        secretChangedAt: now,
        mustChange: user.mustChange ?? false,
        failures: 0,
        ...(user.test ? { test: true } : {}),
      };
      if (PIN_ROLES.includes(user.role)) record.pin = await hashPassword(user.pin!, this.#scrypt);
      else record.password = await hashPassword(user.password!, this.#scrypt);
      let totp: TotpEnrolment | undefined;
      if (TOTP_ROLES.includes(user.role)) totp = this.#enrolTotp(record, user.totpSecret);
      this.#users.set(user.id, record);
      await this.#save();
      return { user: info(record, this.#now()), ...(totp ? { totp } : {}) };
    });
  }

  #enrolTotp(record: UserRecord, fixed?: string): TotpEnrolment {
    let secret: Uint8Array;
    if (fixed !== undefined) {
      const decoded = base32Decode(fixed);
      if (!decoded || decoded.length < 10) throw new UserError('USER_BAD_ARGUMENT', 'TOTP secret: base32 of at least 10 bytes');
      secret = decoded;
    } else secret = newTotpSecret();
    record.totpSecret = base32Encode(secret);
    delete record.totpLastStep;
    return { secret: record.totpSecret, uri: provisioningUri(secret, record.id) };
  }

  #lockFor(failures: number): number {
    const p = this.policy;
    const doublings = failures - p.lockoutThreshold;
    return Math.min(p.lockoutBaseSec * 2 ** Math.min(doublings, 30), p.lockoutMaxSec) * 1000;
  }

  /**
   * Password sign-in (with the TOTP code for admin and technician). Unknown IDs, wrong
   * passwords and wrong codes all count as failures of that ID where it exists.
   */
  authenticate(id: string, password: string, totpCode?: string): Promise<AuthResult> {
    return this.#signIn(id, 'password', password, totpCode);
  }

  /** Keypad sign-in of an operator (cashier) with ID and PIN. */
  authenticatePin(id: string, pin: string): Promise<AuthResult> {
    return this.#signIn(id, 'pin', pin);
  }

  #signIn(id: string, kind: 'password' | 'pin', secret: string, totpCode?: string): Promise<AuthResult> {
    return this.#serial(async () => {
      const now = this.#now();
      const r = this.#users.get(id);
      if (!r || !r[kind]) {
        this.#decoy ??= hashPassword(randomBytes(16).toString('hex'), this.#scrypt);
        await verifyPassword(secret, await this.#decoy);
        return { ok: false, reason: 'bad-credentials', ...(r ? { userId: id } : {}) };
      }
      if (r.lockedUntil !== undefined && now < r.lockedUntil) return { ok: false, reason: 'locked', userId: id, retryAfterMs: r.lockedUntil - now };
      const good = await verifyPassword(secret, r[kind]!);
      let failure: AuthFailure | undefined = good ? undefined : 'bad-credentials';
      let step: number | undefined;
      if (good && kind === 'password' && r.totpSecret !== undefined) {
        if (totpCode === undefined || totpCode === '') failure = 'totp-required';
        else {
          const secretBytes = base32Decode(r.totpSecret)!;
          step = verifyTotp(secretBytes, totpCode, now, r.totpLastStep);
          if (step === undefined) failure = verifyTotp(secretBytes, totpCode, now) !== undefined ? 'totp-replay' : 'totp-invalid';
        }
      }
      if (failure !== undefined) {
        r.failures += 1;
        let lockedNow = false;
        if (r.failures >= this.policy.lockoutThreshold) {
          r.lockedUntil = now + this.#lockFor(r.failures);
          lockedNow = true;
        }
        await this.#save();
        return { ok: false, reason: failure, userId: id, ...(lockedNow ? { lockedNow, retryAfterMs: r.lockedUntil! - now } : {}) };
      }
      if (r.disabled) return { ok: false, reason: 'disabled', userId: id };
      r.failures = 0;
      delete r.lockedUntil;
      if (step !== undefined) r.totpLastStep = step;
      await this.#save();
      const expired = this.policy.passwordMaxAgeDays > 0 && now - r.secretChangedAt > this.policy.passwordMaxAgeDays * 86_400_000;
      return { ok: true, user: info(r, this.#now()), mustChangePassword: r.mustChange || expired, expired };
    });
  }

  /** The user's own change (after sign-in): policy checked, must differ from the current one. */
  changePassword(id: string, next: string): Promise<UserInfo> {
    return this.#serial(async () => {
      const r = this.#record(id);
      const kind = r.pin ? 'pin' : 'password';
      this.#checkSecret(r.role, id, kind === 'pin' ? { pin: next } : { password: next });
      if (await verifyPassword(next, r[kind]!)) throw new UserError('USER_WEAK_PASSWORD', `the new ${kind === 'pin' ? 'PIN' : 'password'} must differ from the current one`);
      r[kind] = await hashPassword(next, this.#scrypt);
      r.secretChangedAt = this.#now();
      r.mustChange = false;
      await this.#save();
      return info(r, this.#now());
    });
  }

  /** Someone else sets a temporary password or PIN: the user must change it at next sign-in; the lockout is lifted. */
  resetPassword(id: string, temporary: string): Promise<UserInfo> {
    return this.#serial(async () => {
      const r = this.#record(id);
      const kind = r.pin ? 'pin' : 'password';
      this.#checkSecret(r.role, id, kind === 'pin' ? { pin: temporary } : { password: temporary });
      r[kind] = await hashPassword(temporary, this.#scrypt);
      r.secretChangedAt = this.#now();
      r.mustChange = true;
      r.failures = 0;
      delete r.lockedUntil;
      await this.#save();
      return info(r, this.#now());
    });
  }

  #wouldOrphan(r: UserRecord): boolean {
    if (r.disabled || !TOTP_ROLES.includes(r.role)) return false;
    return ![...this.#users.values()].some((u) => u !== r && u.role === r.role && !u.disabled);
  }

  /** Disables (or enables) a user; the last enabled admin or technician cannot be disabled. */
  setDisabled(id: string, disabled: boolean): Promise<UserInfo> {
    return this.#serial(async () => {
      const r = this.#record(id);
      if (disabled && this.#wouldOrphan(r)) throw new UserError('USER_LAST_ADMIN', `"${id}" is the last enabled ${r.role}: add another first`);
      r.disabled = disabled;
      await this.#save();
      return info(r, this.#now());
    });
  }

  /**
   * Changes a user's role. Moving between password and PIN roles needs a new secret
   * (`secret`), set as temporary; moving to admin or technician enrols a new TOTP secret.
   */
  setRole(id: string, role: Role, secret?: string): Promise<{ user: UserInfo; totp?: TotpEnrolment }> {
    return this.#serial(async () => {
      if (!isRole(role)) throw new UserError('USER_BAD_ARGUMENT', `unknown role "${String(role)}"`);
      const r = this.#record(id);
      if (r.role === role) return { user: info(r, this.#now()) };
      if (this.#wouldOrphan(r)) throw new UserError('USER_LAST_ADMIN', `"${id}" is the last enabled ${r.role}: add another first`);
      const pinNow = PIN_ROLES.includes(r.role);
      const pinNext = PIN_ROLES.includes(role);
      if (pinNow !== pinNext) {
        if (secret === undefined) throw new UserError('USER_BAD_ARGUMENT', `a ${role} needs ${pinNext ? 'an operator PIN' : 'a password'}`);
        this.#checkSecret(role, id, pinNext ? { pin: secret } : { password: secret });
        delete r.pin;
        delete r.password;
        r[pinNext ? 'pin' : 'password'] = await hashPassword(secret, this.#scrypt);
        r.secretChangedAt = this.#now();
        r.mustChange = true;
      }
      let totp: TotpEnrolment | undefined;
      if (TOTP_ROLES.includes(role)) totp = this.#enrolTotp(r);
      else {
        delete r.totpSecret;
        delete r.totpLastStep;
      }
      r.role = role;
      await this.#save();
      return { user: info(r, this.#now()), ...(totp ? { totp } : {}) };
    });
  }

  /** Factory reset: forgets every user (the file is rewritten empty). */
  wipe(): Promise<void> {
    return this.#serial(async () => {
      this.#users.clear();
      await this.#save();
    });
  }
}
