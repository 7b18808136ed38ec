/**
 * No default passwords (DESIGN "Test credentials"). On a real board the first boot finds
 * no admin or technician and reports it: the application must have both set (the console
 * offers it) before anything else. The sim board and training data folders are seeded
 * with NAMED TEST credentials, which `make run` prints at start.
 */
import type { Role } from './roles.js';
import type { UserStore } from './user-store.js';

/** What kind of data folder this is. */
export type DataFolderKind = 'real' | 'sim' | 'training';

export type FirstBootState =
  | { state: 'ready' }
  | { state: 'setup-required'; missing: ('admin' | 'technician')[] }
  | { state: 'seeded'; banner: string };

/** A named test credential: for the sim board and training only, never on a real board. */
export interface TestCredential {
  id: string;
  role: Role;
  password?: string;
  pin?: string;
  /** TEST TOTP secret (base32). */
  totpSecret?: string;
}

/**
 * The TEST TOTP secret: ASCII "12345678901234567890", the RFC 6238 Appendix B SHA-1 seed,
 * so any TOTP tool computes its codes. Public by design: for test data folders only.
 */
export const TEST_TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

export const TEST_CREDENTIALS: readonly TestCredential[] = [
  { id: 'admin-test', role: 'admin', password: 'Test-only-Adm1n!', totpSecret: TEST_TOTP_SECRET },
  { id: 'tech-test', role: 'technician', password: 'Test-only-T3chn!', totpSecret: TEST_TOTP_SECRET },
  { id: 'super-test', role: 'supervisor', password: 'Test-only-Sup3r!' },
  { id: 'finance-test', role: 'finance', password: 'Test-only-F1nance!' },
  { id: 'cashier-test', role: 'cashier', pin: '2580' },
];

const REQUIRED: ('admin' | 'technician')[] = ['admin', 'technician'];

/** The lines `make run` prints at start on a seeded data folder. */
export function testCredentialsBanner(): string {
  const lines = ['TEST CREDENTIALS (sim/training data folder only; never on a real terminal):'];
  for (const c of TEST_CREDENTIALS) {
    const secret = c.password !== undefined ? `password ${c.password}` : `operator PIN ${c.pin}`;
    lines.push(`  ${c.role.padEnd(10)} ${c.id.padEnd(13)} ${secret}${c.totpSecret ? ' + TOTP' : ''}`);
  }
  lines.push(`  TEST TOTP secret (RFC 6238 test seed): ${TEST_TOTP_SECRET}`);
  return lines.join('\n');
}

/**
 * Checks that an enabled admin and technician exist. On a real board a missing one gives
 * `setup-required`; on a sim or training folder with no users, the test credentials are
 * added and `seeded` carries the banner. A sim folder that already has users (seeded
 * before, or set up by a person) is left alone: `ready`, or `seeded` with the banner when
 * the test users are still there.
 */
export async function ensureFirstBootCredentials(users: UserStore, kind: DataFolderKind): Promise<FirstBootState> {
  if (kind !== 'real' && users.size === 0) {
    for (const c of TEST_CREDENTIALS) {
      await users.add({
        id: c.id,
        role: c.role,
        ...(c.password !== undefined ? { password: c.password } : {}),
        ...(c.pin !== undefined ? { pin: c.pin } : {}),
        ...(c.totpSecret !== undefined ? { totpSecret: c.totpSecret } : {}),
        test: true,
      });
    }
    return { state: 'seeded', banner: testCredentialsBanner() };
  }
  // On a real board test credentials (a data folder copied from the sim) count for nothing.
  const missing = REQUIRED.filter((role) => !users.hasEnabled(role, { realOnly: kind === 'real' }));
  if (missing.length > 0) return { state: 'setup-required', missing };
  if (kind !== 'real' && users.list().some((u) => u.test)) return { state: 'seeded', banner: testCredentialsBanner() };
  return { state: 'ready' };
}
