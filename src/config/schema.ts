/**
 * The configuration schema: every key the terminal knows, as typed data (type, default,
 * constraints, description, whether it is secret), and the checks that turn a value into
 * a stored one or into a message naming the key and what was expected.
 *
 * Each area owns a module under keys/ that exports its key definitions and adds their
 * value types to {@link ConfigValues}; keys/index.ts lists the modules (one line each),
 * and {@link ConfigSchema.registerKeys} adds keys at run time.
 */

/**
 * The value type of each key, for typed `get`. Areas extend it by declaration merging:
 *
 * ```ts
 * declare module '../schema.js' {
 *   interface ConfigValues { 'host.timeoutSec': number }
 * }
 * ```
 * A key with no default reads as `undefined` until set.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in keys/*.ts
export interface ConfigValues {}

export type ConfigKey = keyof ConfigValues & string;

/** A stored value: what config.json holds. */
export type ConfigValue = string | number | boolean | { readonly [key: string]: string | number | boolean };

/** The checks of one value (a key's, or a map's entries). */
export type ValueDef =
  | {
      type: 'string';
      minLength?: number;
      maxLength?: number;
      pattern?: RegExp;
      /** What the value must be, in words, for messages ("8 letters or digits"). */
      expected?: string;
      /** A further check; returns what was expected when the value fails. */
      check?: (value: string) => string | undefined;
    }
  | { type: 'integer'; min?: number; max?: number; allowed?: readonly number[]; expected?: string }
  | { type: 'number'; min?: number; max?: number; maxDecimals?: number; expected?: string }
  | { type: 'boolean' }
  | {
      type: 'enum';
      values: readonly string[];
      /** Other spellings accepted and stored as their value (e.g. ISO 4217 numeric "156" -> "CNY"). */
      aliases?: Readonly<Record<string, string>>;
      expected?: string;
    }
  | {
      type: 'map';
      /** The check of each entry's value. */
      of: Exclude<ValueDef, { type: 'map' }>;
      keyPattern?: RegExp;
      keyExpected?: string;
      maxEntries?: number;
    };

export type ConfigKeyDef = ValueDef & {
  readonly key: string;
  readonly description: string;
  /** Never shown or recorded in clear (history and listings show it masked). */
  readonly secret?: boolean;
  /** The value when none is set; absent: the key reads undefined until set. */
  readonly default?: ConfigValue;
};

/** What history and listings show instead of a secret value. */
export const MASK = '********';

export type CheckResult = { ok: true; value: ConfigValue } | { ok: false; expected: string };

export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function between(what: string, min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
  if (min !== undefined) return `${what} of at least ${min}`;
  if (max !== undefined) return `${what} of at most ${max}`;
  return what;
}

function decimals(n: number): number {
  const text = String(n);
  if (text.includes('e')) return Infinity;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** What a definition expects, in words. */
export function expectedText(def: ValueDef): string {
  switch (def.type) {
    case 'string': {
      if (def.expected !== undefined) return def.expected;
      const { minLength: lo, maxLength: hi } = def;
      if (lo !== undefined && lo === hi) return `a text of exactly ${lo} characters`;
      return lo !== undefined || hi !== undefined ? `a text of ${lo ?? 0} to ${hi ?? 'any number of'} characters` : 'a text';
    }
    case 'integer':
      return def.expected ?? (def.allowed ? `one of ${def.allowed.join(', ')}` : between('an integer', def.min, def.max));
    case 'number':
      return def.expected ?? between('a number', def.min, def.max) + (def.maxDecimals !== undefined ? ` with at most ${def.maxDecimals} decimals` : '');
    case 'boolean':
      return 'true or false';
    case 'enum':
      return def.expected ?? `one of ${def.values.join(', ')}`;
    case 'map':
      return `an object of ${def.keyExpected ?? 'name'} -> ${expectedText(def.of)}`;
  }
}

/** Checks (and normalises) one value against its definition. */
export function checkValue(def: ValueDef, value: unknown): CheckResult {
  const fail = (): CheckResult => ({ ok: false, expected: expectedText(def) });
  switch (def.type) {
    case 'string': {
      if (typeof value !== 'string') return fail();
      const length = [...value].length;
      if (def.minLength !== undefined && length < def.minLength) return fail();
      if (def.maxLength !== undefined && length > def.maxLength) return fail();
      if (def.pattern && !def.pattern.test(value)) return fail();
      const more = def.check?.(value);
      return more === undefined ? { ok: true, value } : { ok: false, expected: more };
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail();
      if (def.allowed && !def.allowed.includes(value)) return fail();
      if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) return fail();
      return { ok: true, value };
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail();
      if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) return fail();
      if (def.maxDecimals !== undefined && decimals(value) > def.maxDecimals) return fail();
      return { ok: true, value };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : fail();
    case 'enum': {
      if (typeof value === 'string' && def.values.includes(value)) return { ok: true, value };
      const alias = (typeof value === 'string' || typeof value === 'number') && def.aliases ? def.aliases[String(value)] : undefined;
      return alias !== undefined && Object.hasOwn(def.aliases!, String(value)) ? { ok: true, value: alias } : fail();
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail();
      const entries = Object.entries(value);
      if (def.maxEntries !== undefined && entries.length > def.maxEntries) return { ok: false, expected: `at most ${def.maxEntries} entries` };
      const out: [string, string | number | boolean][] = [];
      for (const [k, v] of entries) {
        if (def.keyPattern && !def.keyPattern.test(k)) return { ok: false, expected: `${def.keyExpected ?? 'a name'} as each key; "${k}" is not` };
        const r = checkValue(def.of, v);
        if (!r.ok) return { ok: false, expected: `${r.expected} for "${k}", got ${showValue(v)}` };
        out.push([k, r.value as string | number | boolean]);
      }
      // fromEntries defines own properties, so a "__proto__" key stays a key.
      return { ok: true, value: Object.fromEntries(out) };
    }
  }
}

/** The message for a rejected value: `key: expected ..., got ...`. */
export function problem(key: string, value: unknown, expected: string): string {
  return expected.includes(', got ') ? `${key}: expected ${expected}` : `${key}: expected ${expected}, got ${showValue(value)}`;
}

const KEY_NAME = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/;

/** The registered keys. One instance holds the terminal's keys (registry.ts); tests make their own. */
export class ConfigSchema {
  readonly #defs = new Map<string, ConfigKeyDef>();

  constructor(defs: readonly ConfigKeyDef[] = []) {
    this.registerKeys(defs);
  }

  /** Adds keys; a key registered twice, a bad key name or a default its own checks reject is a programming error (throws). */
  registerKeys(defs: readonly ConfigKeyDef[]): void {
    for (const def of defs) {
      if (!KEY_NAME.test(def.key)) throw new Error(`config key "${def.key}": expected dotted lowerCamel names like "merchant.name"`);
      if (this.#defs.has(def.key)) throw new Error(`config key "${def.key}" is registered twice`);
      if (def.default !== undefined && !checkValue(def, def.default).ok) throw new Error(`config key "${def.key}": its default ${showValue(def.default)} fails its own checks`);
      this.#defs.set(def.key, def);
    }
  }

  get(key: string): ConfigKeyDef | undefined {
    return this.#defs.get(key);
  }

  keys(): string[] {
    return [...this.#defs.keys()].sort();
  }
}

/**
 * A value typed at a command line, as the key's type: "115200" -> 115200, "on" -> true,
 * a map as JSON. Text that does not parse stays text, so the check names what was expected.
 */
export function parseText(def: ValueDef, text: string): unknown {
  switch (def.type) {
    case 'integer':
      return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(t)) return true;
      if (['false', 'no', 'off', '0'].includes(t)) return false;
      return text;
    }
    case 'map':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}
