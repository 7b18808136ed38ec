/** `key list|load|delete`: the key store. Shows usage and KCV, never key bytes. */
import { keyCheckValue } from '../../../emv/crypto/kcv.js';
import { equalBytes, fromHex, wipe } from '../../../emv/crypto/bytes.js';
import { combineComponents, kcvOf, KEY_USAGES, type KeyAlgorithm, type KeyComponent, type KeyUsage } from '../../keys/key-store.js';
import { checkKeyName } from '../../keys/key-store.js';
import { can } from '../../users/roles.js';
import { ConsoleCommandError, ConsoleUsageError, parseOptions, type CommandContext, type ConsoleCommand } from '../registry.js';
import { table } from './prompts.js';

const USAGE = `key list | key load tr31 NAME BLOCK [--kbpk KBPK] | key load components NAME [--usage U] [--alg tdes|aes] [--parts 2|3]
     | key delete NAME
  list        name, usage, algorithm, length, KCV and source of every key (never the key)
  load tr31   a TR-31 key block (versions B, D) under the key block protection key KBPK
              (a kek in the store; default: the only one there is)
  load components  2 or 3 clear components, each entered without echo by its own
              custodian (custodians 2 and 3 sign in) with the KCV from their form; the
              final KCV is shown and must be typed back before the key is stored.
              --usage: ${Object.keys(KEY_USAGES).join(', ')} (default kek); --alg default tdes
  delete      removes a key after its name is typed again`;

function keyName(name: string | undefined, sub: string): string {
  if (name === undefined) throw new ConsoleUsageError(`key ${sub} needs a key NAME`);
  try {
    checkKeyName(name);
  } catch (err) {
    throw new ConsoleUsageError(`NAME "${name.slice(0, 70)}": ${(err as Error).message}`);
  }
  return name;
}

async function loadTr31(ctx: CommandContext, words: string[]): Promise<void> {
  const { positionals, options } = parseOptions(words, ['kbpk']);
  if (positionals.length !== 2) throw new ConsoleUsageError(`key load tr31 needs NAME and BLOCK; got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  const name = keyName(positionals[0], 'load tr31');
  const block = positionals[1]!;
  if (!/^[BD][0-9A-Za-z]{15,}/.test(block)) throw new ConsoleUsageError('BLOCK must be a TR-31 key block of version B or D (it starts with "B" or "D" and a 4-digit length)');
  let kbpk = options.kbpk;
  const keys = ctx.services.keys;
  if (kbpk === undefined) {
    const keks = (await keys.list()).filter((k) => k.usage === 'kek').map((k) => k.name);
    if (keks.length !== 1) throw new ConsoleUsageError(keks.length === 0 ? 'no kek in the key store to unwrap the block: load one first (key load components)' : `several keks are stored (${keks.join(', ')}): choose one with --kbpk`);
    kbpk = keks[0]!;
  }
  const info = await keys.importKeyBlock(name, block, keyName(kbpk, 'load tr31 --kbpk'));
  await ctx.audit({ type: 'key-load', subject: name, outcome: 'ok', detail: { source: 'tr31', kbpk, usage: info.usage, algorithm: info.algorithm, kcv: info.kcv } });
  await ctx.print(`key ${name} loaded: ${info.usage} ${info.algorithm.toUpperCase()} ${info.length * 8} bits, KCV ${info.kcv}`);
}

async function custodian(ctx: CommandContext, n: number, seen: Set<string>): Promise<string> {
  if (n === 1) return ctx.user.id;
  const r = await ctx.signInOther(`key custodian ${n}`);
  if (!r.ok) throw new ConsoleCommandError(`custodian ${n} did not sign in: nothing was stored`);
  if (seen.has(r.user.id)) throw new ConsoleCommandError(`${r.user.id} already entered a component: each component needs its own custodian; nothing was stored`);
  if (!can(r.user.role, 'keys.manage')) throw new ConsoleCommandError(`${r.user.id} (${r.user.role}) may not handle keys: nothing was stored`);
  await ctx.audit({ type: 'login', subject: r.user.id, outcome: 'ok', detail: { purpose: `key custodian ${n}` } });
  return r.user.id;
}

async function loadComponents(ctx: CommandContext, words: string[]): Promise<void> {
  const { positionals, options } = parseOptions(words, ['usage', 'alg', 'parts']);
  if (positionals.length !== 1) throw new ConsoleUsageError(`key load components needs one NAME; got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  const name = keyName(positionals[0], 'load components');
  const usage = (options.usage ?? 'kek') as KeyUsage;
  if (!(usage in KEY_USAGES)) throw new ConsoleUsageError(`--usage must be one of ${Object.keys(KEY_USAGES).join(', ')}; got "${usage.slice(0, 30)}"`);
  const alg = (options.alg ?? 'tdes') as KeyAlgorithm;
  if (alg !== 'tdes' && alg !== 'aes') throw new ConsoleUsageError(`--alg must be tdes or aes; got "${alg.slice(0, 20)}"`);
  const parts = Number(options.parts ?? '2');
  if (parts !== 2 && parts !== 3) throw new ConsoleUsageError(`--parts must be 2 or 3; got "${(options.parts ?? '').slice(0, 20)}"`);
  const lengths = alg === 'tdes' ? [16, 24] : [16, 24, 32];
  const kcvLength = alg === 'tdes' ? 3 : 5;
  if ((await ctx.services.keys.list()).some((k) => k.name === name)) throw new ConsoleCommandError(`a key named "${name}" already exists: delete it first`);
  const components: KeyComponent[] = [];
  const seen = new Set<string>();
  try {
    for (let i = 1; i <= parts; i++) {
      const who = await custodian(ctx, i, seen);
      seen.add(who);
      const text = (await ctx.ask(`component ${i} of ${parts} (${lengths.map((l) => l * 2).join(' or ')} hex digits, not shown): `, { secret: true })).replace(/\s+/g, '');
      if (!/^([0-9A-Fa-f]{2})+$/.test(text) || !lengths.includes(text.length / 2)) {
        throw new ConsoleCommandError(`component ${i}: expected ${lengths.map((l) => l * 2).join(' or ')} hex digits, got ${text.length} characters${/^[0-9A-Fa-f]*$/.test(text) ? '' : ' with non-hex ones'}; nothing was stored`);
      }
      const value = fromHex(text);
      const kcvText = (await ctx.ask(`component ${i} KCV (${kcvLength * 2} hex digits from the form): `)).replace(/\s+/g, '');
      if (!new RegExp(`^[0-9A-Fa-f]{${kcvLength * 2}}$`).test(kcvText)) {
        wipe(value);
        throw new ConsoleCommandError(`component ${i} KCV: expected ${kcvLength * 2} hex digits, got "${kcvText.slice(0, 20)}"; nothing was stored`);
      }
      const kcv = fromHex(kcvText);
      if (components.length && value.length !== components[0]!.value.length) {
        wipe(value);
        throw new ConsoleCommandError(`component ${i} is ${value.length} bytes, component 1 is ${components[0]!.value.length}; nothing was stored`);
      }
      if (!equalBytes(keyCheckValue(value, alg, kcvLength), kcv)) {
        wipe(value);
        throw new ConsoleCommandError(`component ${i} does not match its KCV ${kcvText.toUpperCase()}: check the entry; nothing was stored`);
      }
      components.push({ value, kcv, custodian: who });
      await ctx.print(`component ${i} accepted (KCV ${kcvText.toUpperCase()})`);
    }
    const key = combineComponents(components, alg);
    try {
      const kcv = kcvOf(key, alg);
      await ctx.print(`combined key KCV: ${kcv}`);
      const typed = (await ctx.ask('type the KCV of the final key from the key form to store it: ')).replace(/\s+/g, '').toUpperCase();
      if (typed !== kcv) throw new ConsoleCommandError(`KCV ${typed.slice(0, 20) || '(empty)'} does not match ${kcv}: nothing was stored`);
      const info = await ctx.services.keys.put(name, key, { usage, algorithm: alg, source: 'components' });
      await ctx.audit({
        type: 'key-load',
        subject: name,
        outcome: 'ok',
        detail: { source: 'components', usage, algorithm: alg, kcv: info.kcv, custodians: [...seen].join(',') },
      });
      await ctx.print(`key ${name} stored: ${usage} ${alg.toUpperCase()} ${info.length * 8} bits, KCV ${info.kcv}`);
    } finally {
      wipe(key);
    }
  } finally {
    for (const c of components) wipe(c.value);
  }
}

export const keyCommand: ConsoleCommand = {
  name: 'key',
  summary: 'list, load (TR-31 or components) and delete keys; KCVs only',
  usage: USAGE,
  action: 'keys.manage',
  async run(ctx, args) {
    const [sub, ...rest] = args;
    const keys = ctx.services.keys;
    switch (sub) {
      case 'list': {
        if (rest.length) throw new ConsoleUsageError('key list takes no arguments');
        const list = await keys.list();
        if (list.length === 0) {
          await ctx.print('no keys are stored');
          return;
        }
        await ctx.print(table([['NAME', 'USAGE', 'ALG', 'BITS', 'KCV', 'SOURCE', 'LOADED'], ...list.map((k) => [k.name, k.usage, k.algorithm, String(k.length * 8), k.kcv || '-', k.source, k.createdAt.slice(0, 19)])]));
        return;
      }
      case 'load': {
        const [kind, ...words] = rest;
        if (kind === 'tr31') return loadTr31(ctx, words);
        if (kind === 'components') return loadComponents(ctx, words);
        throw new ConsoleUsageError(kind === undefined ? 'key load needs "tr31" or "components"' : `key load "${kind.slice(0, 30)}": use "tr31" or "components"`);
      }
      case 'delete': {
        if (rest.length !== 1) throw new ConsoleUsageError(`key delete needs exactly one NAME, got ${rest.length}`);
        const name = keyName(rest[0], 'delete');
        const info = (await keys.list()).find((k) => k.name === name);
        if (!info) throw new ConsoleCommandError(`no key named "${name}" (see "key list")`);
        await ctx.print(`about to delete ${name} (${info.usage}, KCV ${info.kcv || '-'}); this cannot be undone`);
        if (!(await ctx.confirm(`type the key name to confirm: `, name))) {
          await ctx.print('not confirmed: the key was kept');
          return;
        }
        await keys.delete(name);
        await ctx.audit({ type: 'key-delete', subject: name, outcome: 'ok', detail: { usage: info.usage, kcv: info.kcv } });
        await ctx.print(`key ${name} deleted`);
        return;
      }
      case undefined:
        throw new ConsoleUsageError('key needs a subcommand: list, load or delete');
      default:
        throw new ConsoleUsageError(`unknown subcommand "key ${sub.slice(0, 40)}": use list, load or delete`);
    }
  },
};
