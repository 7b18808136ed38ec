/**
 * Roles and the permission table (issue 5 "Users and roles"): cashier: sale; supervisor:
 * void, refund (and the cashier's); finance: reports and settlement; admin: users and
 * configuration; technician: keys, hardware, software. Typed data: one row per role.
 */

/** Every action a permission can name. Later work adds actions here (one line each). */
export const ACTIONS = [
  'sale',
  'preauth',
  'balance',
  'void',
  'refund',
  'reports',
  'settlement',
  'journal.view',
  'users.manage',
  'config.read',
  'config.write',
  'backup',
  'factory-reset',
  'keys.manage',
  'hardware.diag',
  'software.update',
  'trace.manage',
  'capk.manage',
  'console.login',
] as const;

export type Action = (typeof ACTIONS)[number];

export const ROLES = ['admin', 'technician', 'supervisor', 'cashier', 'finance'] as const;

export type Role = (typeof ROLES)[number];

/** Roles that sign in with a password and a TOTP code (issue 5: second factor for admin and technician). */
export const TOTP_ROLES: readonly Role[] = ['admin', 'technician'];

/** Roles that sign in on the keypad with operator ID and PIN; the others use passwords. */
export const PIN_ROLES: readonly Role[] = ['cashier'];

const CASHIER: readonly Action[] = ['sale', 'preauth', 'balance'];

/** What each role may do. */
export const PERMISSIONS: Readonly<Record<Role, readonly Action[]>> = {
  cashier: CASHIER,
  supervisor: [...CASHIER, 'void', 'refund', 'journal.view'],
  finance: ['reports', 'settlement', 'journal.view', 'console.login'],
  admin: ['users.manage', 'config.read', 'config.write', 'backup', 'factory-reset', 'journal.view', 'capk.manage', 'console.login'],
  technician: ['keys.manage', 'hardware.diag', 'software.update', 'trace.manage', 'config.read', 'factory-reset', 'console.login'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** True when `role` may perform `action`. Unknown roles or actions may do nothing. */
export function can(role: Role, action: Action): boolean {
  return isRole(role) && PERMISSIONS[role].includes(action);
}
