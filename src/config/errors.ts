/**
 * Errors of the configuration store: one class, a closed set of codes. A bad value names
 * the key and what was expected; a damaged config.json is reported, never reset.
 */

/** Every code the configuration store can raise, with its meaning. This table is the authority. */
export const CONFIG_ERROR_CODES = {
  CONFIG_UNKNOWN_KEY: 'no such configuration key is registered (the message lists close ones)',
  CONFIG_INVALID: 'a value does not meet its key\'s constraints (`problems` names each key and what was expected)',
  CONFIG_NOT_SET: 'a key with no default has not been set yet (e.g. terminal.id)',
  CONFIG_CORRUPT: 'config.json is not valid JSON, not the expected shape, or holds a value its key rejects; it was left as is',
  CONFIG_IO: 'config.json or the change history could not be read or written (permissions, disk full)',
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  /** One line per problem ("currency: expected one of ..., got ..."); the message holds them all. */
  readonly problems: readonly string[];

  constructor(code: ConfigErrorCode, problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'), options);
    this.code = code;
    this.problems = list;
  }
}

export function isConfigError(err: unknown, code?: ConfigErrorCode): err is ConfigError {
  return err instanceof ConfigError && (code === undefined || err.code === code);
}
