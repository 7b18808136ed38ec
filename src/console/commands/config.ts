/** `config show|get|set|reset`: the terminal's configuration (merchant, terminal and host IDs, currency, fees, settlement, limits, AIDs). */
import { configSchema } from '../../config/registry.js';
import { MASK, parseText } from '../../config/schema.js';
import { ConsoleUsageError, type ConsoleCommand } from '../registry.js';
import { table } from './prompts.js';

const USAGE = `config show [PREFIX] | config get KEY | config set KEY VALUE | config reset KEY
  show    every key with its value ("*" marks a value set, not the default); PREFIX limits to
          keys starting with it, e.g. "config show merchant"
  get     one key's value
  set     change a key; the VALUE is read as the key's type: numbers, yes/no, a map as JSON,
          e.g. config set merchant.name "Corner Shop"  or  config set emv.aids '{"A0000000031010":"visa"}'
  reset   back to the default
Secret values are shown masked. Changes are checked, saved atomically and audited.`;

function text(value: unknown): string {
  if (value === undefined) return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function known(key: string): void {
  if (configSchema.get(key) !== undefined) return;
  const prefix = key.split('.')[0]!;
  const near = configSchema.keys().filter((k) => k.startsWith(prefix));
  throw new ConsoleUsageError(`unknown key "${key.slice(0, 60)}"; ${near.length ? `keys starting with "${prefix}": ${near.join(', ')}` : 'type "config show" for every key'}`);
}

export const configCommand: ConsoleCommand = {
  name: 'config',
  summary: 'show or change the configuration',
  usage: USAGE,
  action: (args) => (args[0] === 'set' || args[0] === 'reset' ? 'config.write' : 'config.read'),
  async run(ctx, args) {
    const [sub, ...rest] = args;
    const store = ctx.services.config;
    const by = `console:${ctx.user.id}`;
    switch (sub) {
      case 'show': {
        if (rest.length > 1) throw new ConsoleUsageError(`config show takes at most one PREFIX, got ${rest.length} words`);
        const entries = store.all().filter((e) => rest[0] === undefined || e.key.startsWith(rest[0]));
        if (entries.length === 0) throw new ConsoleUsageError(`no key starts with "${rest[0]!.slice(0, 40)}"`);
        await ctx.print(table(entries.map((e) => [e.key, `${e.isDefault ? ' ' : '*'} ${text(e.value)}`])));
        return;
      }
      case 'get': {
        if (rest.length !== 1) throw new ConsoleUsageError(`config get needs exactly one KEY, got ${rest.length}`);
        known(rest[0]!);
        const entry = store.all().find((e) => e.key === rest[0])!;
        await ctx.print(`${entry.key} = ${text(entry.value)}${entry.isDefault ? ' (default)' : ''}\n  ${entry.description}`);
        return;
      }
      case 'set': {
        if (rest.length < 2) throw new ConsoleUsageError(`config set needs KEY and VALUE${rest.length === 1 ? ` (no value given for ${rest[0]})` : ''}`);
        const [key, ...words] = rest as [string, ...string[]];
        known(key);
        const def = configSchema.get(key)!;
        const changes = await store.set(key, parseText(def, words.join(' ')), { by });
        if (changes.length === 0) {
          await ctx.print(`${key} already has that value`);
          return;
        }
        for (const c of changes) {
          await ctx.audit({ type: 'config-change', subject: c.key, outcome: 'ok', detail: { action: c.action, old: text(c.old), new: text(c.new) } });
          await ctx.print(`${c.key}: ${text(c.old)} -> ${def.secret ? MASK : text(c.new)}`);
        }
        return;
      }
      case 'reset': {
        if (rest.length !== 1) throw new ConsoleUsageError(`config reset needs exactly one KEY, got ${rest.length}`);
        known(rest[0]!);
        const changes = await store.reset(rest[0]!, { by });
        if (changes.length === 0) await ctx.print(`${rest[0]} is already at its default`);
        for (const c of changes) {
          await ctx.audit({ type: 'config-change', subject: c.key, outcome: 'ok', detail: { action: c.action, old: text(c.old), new: text(c.new) } });
          await ctx.print(`${c.key}: ${text(c.old)} -> ${text(c.new)} (default)`);
        }
        return;
      }
      case undefined:
        throw new ConsoleUsageError('config needs a subcommand: show, get, set or reset');
      default:
        throw new ConsoleUsageError(`unknown subcommand "config ${sub.slice(0, 40)}": use show, get, set or reset`);
    }
  },
};
