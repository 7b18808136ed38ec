/** Users and roles: permission table, user store (scrypt, lockout, TOTP), first-boot credentials. */
export * from './errors.js';
export * from './roles.js';
export * from './password.js';
export * from './totp.js';
export * from './user-store.js';
export * from './first-boot.js';
