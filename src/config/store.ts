/**
 * The configuration store of one data folder: `<dataDir>/config.json` holds the values
 * that differ from the schema's defaults; every change is checked against the schema,
 * written atomically, and recorded (who, when, key, old and new value, secrets masked).
 * A damaged config.json stops `open` with CONFIG_CORRUPT: it is never silently reset.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseJsonText } from '../../boards/json-text.js';
import { writeFileAtomic, type AtomicWriteOps } from './atomic-write.js';
import { ConfigError } from './errors.js';
import { JsonlChangeRecorder, type ChangeRecorder, type ConfigChange } from './history.js';
import { configSchema } from './registry.js';
import { MASK, checkValue, problem, showValue, type ConfigKey, type ConfigKeyDef, type ConfigSchema, type ConfigValue, type ConfigValues } from './schema.js';

export const CONFIG_FILE = 'config.json';
const VERSION = 1;

export interface ConfigStoreOptions {
  /** Where changes are recorded; default: `<dataDir>/config-history.jsonl`. */
  recorder?: ChangeRecorder;
  /** The keys; default: the terminal's schema (registry.ts). */
  schema?: ConfigSchema;
  /** The clock of change records. */
  now?: () => Date;
  /** File operations of the atomic write (fault-injection tests). */
  fileOps?: AtomicWriteOps;
}

export interface ChangeOptions {
  /** Who makes the change, as the history shows it ("cli:alice", "console:tech1"). */
  by: string;
}

/** One key as `all()` lists it. */
export interface ConfigEntry {
  readonly key: string;
  readonly type: ConfigKeyDef['type'];
  /** The value in effect (masked for secret keys unless revealed); undefined when unset with no default. */
  readonly value: unknown;
  /** True when no value is set and the default applies. */
  readonly isDefault: boolean;
  readonly default?: unknown;
  readonly description: string;
  readonly secret: boolean;
}

function freeze<T>(value: T): T {
  return typeof value === 'object' && value !== null ? Object.freeze(value) : value;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Keys sharing the first segment, or all keys, for "unknown key" messages. */
function nearKeys(schema: ConfigSchema, key: string): string {
  const all = schema.keys();
  const prefix = key.split('.')[0]!;
  const near = all.filter((k) => k.split('.')[0] === prefix);
  return (near.length ? near : all).join(', ');
}

export class ConfigStore {
  readonly dataDir: string;
  /** config.json's path. */
  readonly file: string;
  readonly #schema: ConfigSchema;
  readonly #recorder: ChangeRecorder;
  readonly #now: () => Date;
  readonly #ops: AtomicWriteOps | undefined;
  /** Values as config.json holds them (including keys this build does not know: kept, not dropped). */
  readonly #stored: Map<string, unknown>;
  /** Stored values that passed their key's checks, normalised. */
  readonly #checked = new Map<string, ConfigValue>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(dataDir: string, stored: Map<string, unknown>, options: ConfigStoreOptions) {
    this.dataDir = dataDir;
    this.file = path.join(dataDir, CONFIG_FILE);
    this.#schema = options.schema ?? configSchema;
    this.#recorder = options.recorder ?? new JsonlChangeRecorder(dataDir);
    this.#now = options.now ?? (() => new Date());
    this.#ops = options.fileOps;
    this.#stored = stored;
  }

  /**
   * Opens the configuration of a data folder. A missing config.json means "all defaults"
   * (nothing is written until a change); an unreadable or damaged one throws
   * CONFIG_IO or CONFIG_CORRUPT and is left untouched.
   */
  static async open(dataDir: string, options: ConfigStoreOptions = {}): Promise<ConfigStore> {
    const file = path.join(dataDir, CONFIG_FILE);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ConfigError('CONFIG_IO', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
      }
    }
    const store = new ConfigStore(dataDir, text === undefined ? new Map() : ConfigStore.#parse(file, text), options);
    const problems: string[] = [];
    for (const key of store.#stored.keys()) {
      const def = store.#schema.get(key);
      if (def === undefined) continue;
      const message = store.#check(key, def);
      if (message !== undefined) problems.push(`${file}: ${message}`);
    }
    if (problems.length > 0) {
      throw new ConfigError('CONFIG_CORRUPT', [...problems, `${file} was left as is: fix the value (pos config set) or restore the file from a backup`]);
    }
    return store;
  }

  static #parse(file: string, text: string): Map<string, unknown> {
    const corrupt = (what: string): never => {
      throw new ConfigError('CONFIG_CORRUPT', `${file}: ${what}; the file was left as is: fix it or restore it from a backup`);
    };
    const parsed = parseJsonText(text);
    if (!parsed.ok) return corrupt(`not valid JSON at line ${parsed.line}, column ${parsed.column} (${parsed.message})`);
    const doc = parsed.value as { version?: unknown; values?: unknown } | null;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof doc.values !== 'object' || doc.values === null || Array.isArray(doc.values)) {
      return corrupt(`expected {"version": ${VERSION}, "values": {...}}, got ${showValue(doc)}`);
    }
    if (doc.version !== VERSION) {
      return corrupt(`version ${showValue(doc.version)}, but this build reads version ${VERSION}${typeof doc.version === 'number' && doc.version > VERSION ? ' (written by a newer build?)' : ''}`);
    }
    return new Map(Object.entries(doc.values as Record<string, unknown>));
  }

  /** Checks a stored value once; returns the problem, if any. */
  #check(key: string, def: ConfigKeyDef): string | undefined {
    if (this.#checked.has(key)) return undefined;
    const raw = this.#stored.get(key);
    const r = checkValue(def, raw);
    if (!r.ok) return problem(key, raw, r.expected);
    this.#checked.set(key, freeze(r.value));
    return undefined;
  }

  #def(key: string): ConfigKeyDef {
    const def = this.#schema.get(key);
    if (def === undefined) throw new ConfigError('CONFIG_UNKNOWN_KEY', `${key}: unknown key; known keys: ${nearKeys(this.#schema, key)}`);
    return def;
  }

  /** The value in effect: the one set, else the default, else undefined. */
  get<K extends ConfigKey>(key: K): ConfigValues[K];
  get(key: string): unknown;
  get(key: string): unknown {
    const def = this.#def(key);
    if (!this.#stored.has(key)) return freeze(def.default);
    const message = this.#check(key, def);
    if (message !== undefined) throw new ConfigError('CONFIG_CORRUPT', `${this.file}: ${message}`);
    return this.#checked.get(key);
  }

  /** Like get, but a key with no value and no default throws CONFIG_NOT_SET. */
  require<K extends ConfigKey>(key: K): NonNullable<ConfigValues[K]>;
  require(key: string): unknown;
  require(key: string): unknown {
    const value = this.get(key);
    if (value === undefined) throw new ConfigError('CONFIG_NOT_SET', `${key}: not set; set it with "pos config set ${key} VALUE" (${this.#def(key).description})`);
    return value;
  }

  #typed<T>(key: string, types: readonly ConfigKeyDef['type'][]): T {
    const def = this.#def(key);
    if (!types.includes(def.type)) throw new TypeError(`${key} is a ${def.type}, not a ${types.join(' or ')}`);
    return this.get(key) as T;
  }

  getString(key: string): string | undefined {
    return this.#typed(key, ['string', 'enum']);
  }

  getInteger(key: string): number | undefined {
    return this.#typed(key, ['integer']);
  }

  getNumber(key: string): number | undefined {
    return this.#typed(key, ['number', 'integer']);
  }

  getBoolean(key: string): boolean | undefined {
    return this.#typed(key, ['boolean']);
  }

  getMap(key: string): Readonly<Record<string, string | number | boolean>> | undefined {
    return this.#typed(key, ['map']);
  }

  /** True when a value is set (rather than the default). */
  isSet(key: string): boolean {
    this.#def(key);
    return this.#stored.has(key);
  }

  /** Sets one key; see setMany. */
  set(key: string, value: unknown, options: ChangeOptions): Promise<ConfigChange[]> {
    return this.setMany({ [key]: value }, options);
  }

  /**
   * Checks every value (all problems reported at once: CONFIG_UNKNOWN_KEY or
   * CONFIG_INVALID, nothing changed), writes config.json atomically, then records each
   * changed key. Setting a key to its current value changes nothing and records nothing.
   * Resolves with the changes recorded.
   */
  setMany(values: Readonly<Record<string, unknown>>, options: ChangeOptions): Promise<ConfigChange[]> {
    return this.#serial(async () => {
      const by = ConfigStore.#by(options);
      const unknown: string[] = [];
      const invalid: string[] = [];
      const updates = new Map<string, ConfigValue>();
      for (const [key, value] of Object.entries(values)) {
        const def = this.#schema.get(key);
        if (def === undefined) {
          unknown.push(`${key}: unknown key; known keys: ${nearKeys(this.#schema, key)}`);
          continue;
        }
        const r = checkValue(def, value);
        if (!r.ok) invalid.push(problem(key, value, r.expected));
        else updates.set(key, freeze(r.value));
      }
      if (unknown.length > 0) throw new ConfigError('CONFIG_UNKNOWN_KEY', [...unknown, ...invalid]);
      if (invalid.length > 0) throw new ConfigError('CONFIG_INVALID', invalid);
      const changes: ConfigChange[] = [];
      const at = this.#now().toISOString();
      for (const [key, value] of updates) {
        const old = this.#effectiveRaw(key);
        if (same(old, value)) continue;
        changes.push(this.#change(at, by, key, 'set', old, value));
      }
      if (changes.length === 0) return [];
      const next = new Map(this.#stored);
      for (const change of changes) next.set(change.key, updates.get(change.key));
      await this.#save(next);
      for (const change of changes) {
        this.#stored.set(change.key, updates.get(change.key));
        this.#checked.set(change.key, updates.get(change.key)!);
      }
      await this.#record(changes);
      return changes;
    });
  }

  /** Removes a key's value so that its default applies again (recorded as "reset"). */
  reset(key: string, options: ChangeOptions): Promise<ConfigChange[]> {
    return this.#serial(async () => {
      const by = ConfigStore.#by(options);
      const def = this.#def(key);
      if (!this.#stored.has(key)) return [];
      const change = this.#change(this.#now().toISOString(), by, key, 'reset', this.#effectiveRaw(key), def.default);
      const next = new Map(this.#stored);
      next.delete(key);
      await this.#save(next);
      this.#stored.delete(key);
      this.#checked.delete(key);
      await this.#record([change]);
      return [change];
    });
  }

  /** Every registered key with the value in effect, sorted by key; secret values masked unless revealed. */
  all(options: { revealSecrets?: boolean } = {}): ConfigEntry[] {
    return this.#schema.keys().map((key) => {
      const def = this.#def(key);
      const secret = def.secret === true;
      const value = this.get(key);
      const mask = (v: unknown): unknown => (secret && !options.revealSecrets && v !== undefined ? MASK : v);
      return {
        key,
        type: def.type,
        value: mask(value),
        isDefault: !this.#stored.has(key),
        ...(def.default !== undefined ? { default: mask(def.default) } : {}),
        description: def.description,
        secret,
      };
    });
  }

  /** Keys in config.json that no registered key matches (kept as they are, never dropped). */
  unknownKeys(): string[] {
    return [...this.#stored.keys()].filter((k) => this.#schema.get(k) === undefined).sort();
  }

  static #by(options: ChangeOptions): string {
    if (typeof options?.by !== 'string' || options.by.trim() === '') throw new TypeError('a configuration change needs { by: "<who>" }');
    return options.by;
  }

  /** The value in effect, without re-checking a stored value (a reset may remove a bad one). */
  #effectiveRaw(key: string): unknown {
    return this.#stored.has(key) ? this.#stored.get(key) : this.#def(key).default;
  }

  #change(at: string, by: string, key: string, action: ConfigChange['action'], old: unknown, value: unknown): ConfigChange {
    const secret = this.#def(key).secret === true;
    const shown = (v: unknown): unknown => (secret && v !== undefined ? MASK : v);
    return {
      at,
      by,
      key,
      action,
      ...(old !== undefined ? { old: shown(old) } : {}),
      ...(value !== undefined ? { new: shown(value) } : {}),
    };
  }

  async #save(values: Map<string, unknown>): Promise<void> {
    const sorted = Object.fromEntries([...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const text = `${JSON.stringify({ version: VERSION, values: sorted }, null, 2)}\n`;
    try {
      await mkdir(this.dataDir, { recursive: true });
      await writeFileAtomic(this.file, text, this.#ops);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError('CONFIG_IO', `${this.file}: cannot write (${code}); nothing was changed`, { cause: err });
    }
  }

  async #record(changes: readonly ConfigChange[]): Promise<void> {
    for (const change of changes) {
      try {
        await this.#recorder.record(change);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new ConfigError('CONFIG_IO', `${change.key}: saved, but the change could not be recorded in the history (${code})`, { cause: err });
      }
    }
  }

  /** Runs changes one at a time, in call order. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
