/**
 * `capk list|add|remove|import FILE`: the terminal's CA public keys (EMV Book 2 11.2.2), admin
 * only, every change audited. A key is added only when its checksum verifies and it has not
 * expired; `import` takes a JSON file of keys (the shape of src/keys/scheme-ca-keys.ts).
 */
import { readFile } from 'node:fs/promises';
import { KeyError } from '../../keys/errors.js';
import { parseCaKeyFile, type CaKeyRecord, type CaKeyStore } from '../../keys/ca-keys.js';
import { ConsoleCommandError, ConsoleUsageError, parseOptions, type CommandContext, type ConsoleCommand } from '../registry.js';
import { table } from './prompts.js';

const USAGE = `capk list | capk add RID INDEX --modulus HEX --exponent 03|010001 --expiry YYMMDD --checksum HEX [--scheme NAME]
     | capk remove RID INDEX | capk import FILE
  list     every key: RID, index, scheme, bits, expiry, origin, status (refused keys say why)
  add      one key; its SHA-1 checksum over RID, index, modulus and exponent must verify
  remove   a key (shipped or added), after RID and index are typed again
  import   a JSON file of keys ([{ scheme, rid, index, modulus, exponent, expiry, checksum }]);
           each key is checked, the refused ones are listed and not stored`;

function store(ctx: CommandContext): CaKeyStore {
  if (ctx.services.caKeys === undefined) throw new ConsoleCommandError('the CA keys of this terminal are not managed from the console');
  return ctx.services.caKeys;
}

/** Today by the console's clock (CA key expiry, EMV Book 2 11.2.2). */
const today = (ctx: CommandContext): Date => new Date(ctx.services.now?.() ?? Date.now());

async function add(ctx: CommandContext, keys: CaKeyStore, record: CaKeyRecord): Promise<boolean> {
  try {
    await keys.add(record, today(ctx));
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    await ctx.audit({ type: 'capk-change', subject: `${record.rid}:${record.index}`, outcome: 'failed', detail: { action: 'add', code: err.code } });
    await ctx.print(`refused: ${err.message}`);
    return false;
  }
  await ctx.audit({ type: 'capk-change', subject: `${record.rid.toUpperCase()}:${record.index.toUpperCase()}`, outcome: 'ok', detail: { action: 'add', scheme: record.scheme, checksum: record.checksum.toUpperCase(), expiry: record.expiry } });
  await ctx.print(`CA key ${record.rid.toUpperCase()} index ${record.index.toUpperCase()} added (checksum verified, expires ${record.expiry})`);
  return true;
}

export const capkCommand: ConsoleCommand = {
  name: 'capk',
  summary: 'CA public keys for offline data authentication: list, add, remove, import',
  usage: USAGE,
  action: (args) => (args[0] === 'list' ? 'config.read' : 'capk.manage'),
  async run(ctx, args) {
    const [sub, ...rest] = args;
    const keys = store(ctx);
    switch (sub) {
      case 'list': {
        if (rest.length) throw new ConsoleUsageError('capk list takes no arguments');
        const entries = keys.entries(today(ctx), { includeTest: ctx.services.config.get('capk.testKeys') });
        await ctx.print(table([['RID', 'IX', 'SCHEME', 'BITS', 'EXPIRY', 'ORIGIN', 'STATUS'], ...entries.map((e) => [e.record.rid, e.record.index, e.record.scheme, String((e.record.modulus.length / 2) * 8), e.record.expiry, e.origin, e.status === 'active' ? 'active' : e.status.code === 'KEY_CAPK_EXPIRED' ? 'expired' : e.status.code === 'KEY_CAPK_CHECKSUM' ? 'bad checksum' : 'bad format'])]));
        const bad = entries.flatMap((e) => (e.status === 'active' ? [] : [e.status.message]));
        for (const m of bad) await ctx.print(`  ${m}`);
        return;
      }
      case 'add': {
        const { positionals, options } = parseOptions(rest, ['modulus', 'exponent', 'expiry', 'checksum', 'scheme']);
        if (positionals.length !== 2) throw new ConsoleUsageError('capk add needs RID and INDEX');
        for (const k of ['modulus', 'exponent', 'expiry', 'checksum']) if (options[k] === undefined) throw new ConsoleUsageError(`capk add needs --${k}`);
        await add(ctx, keys, { scheme: options.scheme ?? 'added', rid: positionals[0]!, index: positionals[1]!, modulus: options.modulus!, exponent: options.exponent!, expiry: options.expiry!, checksum: options.checksum! });
        return;
      }
      case 'remove': {
        if (rest.length !== 2) throw new ConsoleUsageError('capk remove needs RID and INDEX');
        const [rid, index] = rest as [string, string];
        if (!(await ctx.confirm(`type "${rid.toUpperCase()} ${index.toUpperCase()}" to remove that key: `, `${rid.toUpperCase()} ${index.toUpperCase()}`))) {
          await ctx.print('not confirmed: the key was kept');
          return;
        }
        if (!(await keys.remove(rid, index, today(ctx)))) throw new ConsoleCommandError(`no CA key ${rid.slice(0, 10)} index ${index.slice(0, 2)} (see "capk list")`);
        await ctx.audit({ type: 'capk-change', subject: `${rid.toUpperCase()}:${index.toUpperCase()}`, outcome: 'ok', detail: { action: 'remove' } });
        await ctx.print(`CA key ${rid.toUpperCase()} index ${index.toUpperCase()} removed`);
        return;
      }
      case 'import': {
        if (rest.length !== 1) throw new ConsoleUsageError('capk import needs a FILE');
        const text = await readFile(rest[0]!, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new ConsoleCommandError(`cannot read ${rest[0]!.slice(0, 80)}: ${err.code ?? err.message}`);
        });
        const records = parseCaKeyFile(text);
        let ok = 0;
        for (const r of records) if (await add(ctx, keys, r)) ok++;
        await ctx.print(`${ok} of ${records.length} key${records.length === 1 ? '' : 's'} imported`);
        return;
      }
      case undefined:
        throw new ConsoleUsageError('capk needs a subcommand: list, add, remove or import');
      default:
        throw new ConsoleUsageError(`unknown subcommand "capk ${sub.slice(0, 40)}": use list, add, remove or import`);
    }
  },
};
