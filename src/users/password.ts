// Password and PIN hashing with scrypt (RFC 7914, node:crypto), a per-hash random salt and
// the parameters stored with the hash so they can be raised later without breaking old
// hashes; and the strength policy.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Role } from './roles.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** N = 2^15, r = 8, p = 1: 32 MiB and about 0.1 s on a Pi 4 (the key store's device-key cost). */
export const DEFAULT_SCRYPT: ScryptParams = { N: 1 << 15, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** A stored hash: algorithm, parameters, salt and hash (base64). */
export interface PasswordHash {
  alg: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

function derive(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<PasswordHash> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(secret, salt, params);
  return { alg: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export async function verifyPassword(secret: string, stored: PasswordHash): Promise<boolean> {
  if (stored.alg !== 'scrypt') return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await derive(secret, Buffer.from(stored.salt, 'base64'), stored);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Passwords too common to allow (a short list; length and class rules catch most others). */
export const COMMON_PASSWORDS: readonly string[] = [
  'password', 'password1', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword1', 'password1!', 'qwerty123', 'qwertyuiop',
  '123456789', '1234567890', '12345678910', 'iloveyou1', 'welcome1', 'welcome123', 'admin123', 'administrator', 'letmein123',
  'changeme', 'changeme123', 'trustno1', 'abc123456', 'qwerty1234', 'football1', 'monkey123', 'dragon123', 'sunshine1',
  'master123', 'technician', 'technician1', 'raspberry', 'raspberrypi', 'default123', 'pos123456', 'terminal1',
];

/** Minimum password length: 10 for the roles with the keys to the terminal, 8 for the others. */
export function minPasswordLength(role: Role): number {
  return role === 'admin' || role === 'technician' ? 10 : 8;
}

/** Every rule the password breaks (empty when it is acceptable). */
export function checkPasswordPolicy(password: string, context: { userId: string; role: Role }): string[] {
  const problems: string[] = [];
  const min = minPasswordLength(context.role);
  if (password.length < min) problems.push(`at least ${min} characters for a ${context.role} (got ${password.length})`);
  if (password.length > 128) problems.push('at most 128 characters');
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.includes(lower)) problems.push('not a commonly used password');
  if (context.userId.length >= 3 && lower.includes(context.userId.toLowerCase())) problems.push('must not contain the user ID');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push('at least three of: lower-case letters, upper-case letters, digits, symbols');
  return problems;
}

/** Operator PINs: 4 to 8 digits, not one digit repeated, not a run up or down. */
export function checkPinPolicy(pin: string): string[] {
  if (!/^\d{4,8}$/.test(pin)) return ['4 to 8 digits'];
  const problems: string[] = [];
  if (/^(\d)\1+$/.test(pin)) problems.push('not one digit repeated');
  const steps = new Set([...pin].slice(1).map((d, i) => (Number(d) - Number(pin[i]) + 10) % 10));
  if (steps.size === 1 && (steps.has(1) || steps.has(9))) problems.push('not a run of consecutive digits');
  return problems;
}
