/**
 * The error type of users and roles (`src/users/`). Messages never carry a password, PIN
 * or TOTP secret.
 */

/** Every code the user layer can raise, with its meaning. This table is the authority. */
export const USER_ERROR_CODES = {
  USER_BAD_ARGUMENT: 'a user ID, role or option is not one the store accepts',
  USER_EXISTS: 'a user with that ID already exists',
  USER_NOT_FOUND: 'no user with that ID',
  USER_WEAK_PASSWORD: 'the password or PIN does not meet the policy (the message lists each rule it breaks)',
  USER_STORE_TAMPERED: 'the user file fails authentication: edited, truncated, or under another device key',
  USER_STORE_IO: 'the user file could not be read or written',
  USER_LAST_ADMIN: 'the change would leave the terminal without an enabled admin or technician',
} as const;

export type UserErrorCode = keyof typeof USER_ERROR_CODES;

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly code: UserErrorCode;
  /** One line per problem (policy checks list each rule broken). */
  readonly problems: readonly string[];

  constructor(code: UserErrorCode, problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('; '), options);
    this.code = code;
    this.problems = list;
  }
}

export function isUserError(err: unknown, code?: UserErrorCode): err is UserError {
  return err instanceof UserError && (code === undefined || err.code === code);
}
