/** `trace on N|off|list|export ID [DIR]|delete ID`: APDU tracing (issue 10), technician only, audited. PANs masked. */
import { stat } from 'node:fs/promises';
import { ConsoleCommandError, ConsoleUsageError, type CommandContext, type ConsoleCommand } from '../registry.js';
import type { TraceStore } from '../../trace/trace-store.js';
import { table } from './prompts.js';

const USAGE = `trace on N | trace off | trace list | trace export ID [DIR] | trace delete ID
  on N        record the card exchange of the next N transactions (1-20); track data and
              PIN data are redacted at capture, the rest is stored encrypted
  off         record no further transactions
  list        recorded traces: id, time, interface, AID, masked PAN, outcome
  export      write the trace to DIR (default: config trace.exportDir) as
              trace-ID.apdu for "pos tools emv replay", then delete it from the terminal
  delete      delete a trace unexported
  Traces not exported are deleted after trace.retentionHours (config).`;

function store(ctx: CommandContext): TraceStore {
  if (ctx.services.traces === undefined) throw new ConsoleCommandError('this terminal records no APDU traces');
  return ctx.services.traces;
}

async function purge(ctx: CommandContext, traces: TraceStore): Promise<void> {
  const n = await traces.purge(ctx.services.config.get('trace.retentionHours'));
  if (n > 0) await ctx.audit({ type: 'trace-change', subject: 'traces', outcome: 'ok', detail: { action: 'purge', deleted: n } });
}

export const traceCommand: ConsoleCommand = {
  name: 'trace',
  summary: 'APDU tracing: arm for the next N transactions, list, export, delete',
  usage: USAGE,
  action: 'trace.manage',
  async run(ctx, args) {
    const [sub, ...rest] = args;
    const traces = store(ctx);
    switch (sub) {
      case 'on': {
        const n = Number(rest[0]);
        if (rest.length !== 1 || !/^[0-9]{1,2}$/.test(rest[0]!) || n < 1 || n > 20) throw new ConsoleUsageError('trace on needs N, the number of transactions to record (1-20)');
        await traces.arm(n);
        await ctx.audit({ type: 'trace-change', subject: 'traces', outcome: 'ok', detail: { action: 'on', transactions: n } });
        await ctx.print(`tracing armed for the next ${n} transaction${n === 1 ? '' : 's'}`);
        return;
      }
      case 'off': {
        if (rest.length) throw new ConsoleUsageError('trace off takes no arguments');
        await traces.arm(0);
        await ctx.audit({ type: 'trace-change', subject: 'traces', outcome: 'ok', detail: { action: 'off' } });
        await ctx.print('tracing off');
        return;
      }
      case 'list': {
        if (rest.length) throw new ConsoleUsageError('trace list takes no arguments');
        await purge(ctx, traces);
        const list = await traces.list();
        const armed = await traces.armed();
        await ctx.print(armed > 0 ? `tracing armed for ${armed} more transaction${armed === 1 ? '' : 's'}` : 'tracing off');
        if (list.length === 0) {
          await ctx.print('no traces are stored');
          return;
        }
        await ctx.print(table([['ID', 'RECORDED', 'IF', 'AID', 'PAN', 'OUTCOME', 'APDUS'], ...list.map((i) => [i.id, i.createdAt.slice(0, 19), i.interface === 'contact' ? 'chip' : 'tap', i.aid ?? '-', i.panMasked ?? '-', i.outcome, String(i.exchanges)])]));
        return;
      }
      case 'export': {
        if (rest.length < 1 || rest.length > 2) throw new ConsoleUsageError('trace export needs a trace ID and optionally a folder');
        const dir = rest[1] ?? ctx.services.config.get('trace.exportDir');
        if (dir === undefined) throw new ConsoleUsageError('give a folder, or set trace.exportDir (config set trace.exportDir /media/usb0)');
        const ok = await stat(dir).then((s) => s.isDirectory(), () => false);
        if (!ok) throw new ConsoleCommandError(`${dir} is not a folder (is the USB stick mounted?)`);
        const { file, info } = await traces.export(rest[0]!, dir).catch((err: unknown) => {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConsoleCommandError(`no trace ${rest[0]!.slice(0, 40)} (see "trace list")`);
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ConsoleCommandError(`${dir} already holds that trace`);
          throw err;
        });
        await ctx.audit({ type: 'trace-change', subject: info.id, outcome: 'ok', detail: { action: 'export', folder: dir, outcome: info.outcome } });
        await ctx.print(`trace ${info.id} (${info.panMasked ?? 'no PAN'}, ${info.outcome}) written to ${file} and deleted from the terminal`);
        return;
      }
      case 'delete': {
        if (rest.length !== 1) throw new ConsoleUsageError('trace delete needs a trace ID');
        if (!(await traces.delete(rest[0]!))) throw new ConsoleCommandError(`no trace ${rest[0]!.slice(0, 40)} (see "trace list")`);
        await ctx.audit({ type: 'trace-change', subject: rest[0]!, outcome: 'ok', detail: { action: 'delete' } });
        await ctx.print(`trace ${rest[0]} deleted`);
        return;
      }
      case undefined:
        throw new ConsoleUsageError('trace needs a subcommand: on, off, list, export or delete');
      default:
        throw new ConsoleUsageError(`unknown subcommand "trace ${sub.slice(0, 40)}": use on, off, list, export or delete`);
    }
  },
};
