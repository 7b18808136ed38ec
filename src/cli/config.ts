/** `pos config`: read and change the terminal's configuration (<data>/config.json). */
import os from 'node:os';
import { CommandError, flag, printJson, stringOpt, UsageError, type Command, type ParsedArgs } from './command.js';
import { isConfigError } from '../config/errors.js';
import { configSchema } from '../config/registry.js';
import { parseText, MASK } from '../config/schema.js';
import { ConfigStore } from '../config/store.js';

const DATA_HELP = '--data DIR   the data folder (default: $POS_DATA, else ./data)';
const dataOption = { data: { type: 'string' }, json: { type: 'boolean' } } as const;

function dataDir(args: ParsedArgs): string {
  return stringOpt(args, 'data') ?? process.env.POS_DATA ?? './data';
}

function who(args: ParsedArgs): string {
  const by = stringOpt(args, 'by');
  if (by !== undefined) {
    if (by.trim() === '') throw new UsageError('--by needs a name');
    return by;
  }
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function text(value: unknown): string {
  if (value === undefined) return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Runs a store operation, turning its errors into a message with exit 1. */
async function withStore<T>(args: ParsedArgs, fn: (store: ConfigStore) => Promise<T> | T): Promise<T> {
  try {
    return await fn(await ConfigStore.open(dataDir(args)));
  } catch (err) {
    if (isConfigError(err)) throw new CommandError(`${err.code}: ${err.message}`);
    throw err;
  }
}

function oneKey(args: ParsedArgs, count: number, usage: string): string[] {
  if (args.positionals.length !== count) throw new UsageError(`expected ${usage}`);
  return args.positionals;
}

const get: Command = {
  summary: 'print the value of a key',
  usage: `pos config get KEY [--data DIR] [--json]\n\n${DATA_HELP}\nSecret values are shown masked.`,
  options: dataOption,
  run: (args, io) =>
    withStore(args, (store) => {
      const [key] = oneKey(args, 1, 'one KEY (see pos config list)');
      const entry = store.all().find((e) => e.key === key);
      const value = entry ? entry.value : store.get(key!);
      if (flag(args, 'json')) printJson(io, { key, value: value ?? null, isDefault: entry?.isDefault ?? true });
      else io.out(`${text(value)}\n`);
      return 0;
    }),
};

const set: Command = {
  summary: 'change the value of a key (checked, saved atomically, recorded in the history)',
  usage: `pos config set KEY VALUE [--by WHO] [--data DIR] [--json]

VALUE is read as the key's type: numbers, true/false (yes/no, on/off), a map as JSON
(e.g. '{"visa": 0.6}'). --by names who made the change in the history (default
cli:<user>).
${DATA_HELP}`,
  options: { ...dataOption, by: { type: 'string' } },
  run: (args, io) =>
    withStore(args, async (store) => {
      const [key, raw] = oneKey(args, 2, 'KEY VALUE');
      const def = configSchema.get(key!);
      const value = def ? parseText(def, raw!) : raw;
      const [change] = await store.set(key!, value, { by: who(args) });
      const shown = (v: unknown): unknown => (def?.secret && v !== undefined ? MASK : v);
      if (flag(args, 'json')) printJson(io, { key, changed: change !== undefined, old: change?.old ?? null, new: shown(store.get(key!)) ?? null });
      else io.out(change ? `${key}: ${text(change.old)} -> ${text(change.new)}\n` : `${key}: unchanged (${text(shown(store.get(key!)))})\n`);
      return 0;
    }),
};

const reset: Command = {
  summary: 'remove the value of a key so that its default applies (recorded in the history)',
  usage: `pos config reset KEY [--by WHO] [--data DIR] [--json]\n\n${DATA_HELP}`,
  options: { ...dataOption, by: { type: 'string' } },
  run: (args, io) =>
    withStore(args, async (store) => {
      const [key] = oneKey(args, 1, 'one KEY');
      const [change] = await store.reset(key!, { by: who(args) });
      if (flag(args, 'json')) printJson(io, { key, changed: change !== undefined, old: change?.old ?? null, new: change?.new ?? null });
      else io.out(change ? `${key}: ${text(change.old)} -> ${text(change.new)} (default)\n` : `${key}: already the default\n`);
      return 0;
    }),
};

const list: Command = {
  summary: 'list every key with its value ("(default)" when not set)',
  usage: `pos config list [--data DIR] [--json]\n\n${DATA_HELP}\n--json prints [{key, type, value, isDefault, default, description, secret}].`,
  options: dataOption,
  run: (args, io) =>
    withStore(args, (store) => {
      if (oneKey(args, 0, 'no arguments').length) return 2;
      const entries = store.all();
      if (flag(args, 'json')) {
        printJson(io, entries);
        return 0;
      }
      const width = Math.max(...entries.map((e) => e.key.length));
      for (const e of entries) io.out(`${e.key.padEnd(width)}  ${text(e.value)}${e.isDefault ? '  (default)' : ''}\n`);
      for (const key of store.unknownKeys()) io.out(`${key.padEnd(width)}  (in config.json, not known to this build)\n`);
      return 0;
    }),
};

const config: Command = {
  summary: 'read and change the configuration (get, set, reset, list)',
  subcommands: { get: async () => get, set: async () => set, reset: async () => reset, list: async () => list },
};

export default config;
