/** `pos settle`: closes the open batch with the host by hand (src/settle/settlement.ts). */
import { CommandError, flag, printJson, stringOpt, UsageError, type Command } from './command.js';
import { ConfigStore } from '../config/store.js';
import { isConfigError } from '../config/errors.js';
import { checkHostPort } from '../config/keys/host.js';
import { DATA_HELP, dataOptions, withJournal } from './journal.js';
import { reportText } from './report.js';
import type { SettleResult } from '../settle/types.js';

const SETTLED: ReadonlySet<SettleResult['status']> = new Set(['in-balance', 'balanced-after-upload', 'empty']);

const STATUS_TEXT: Record<SettleResult['status'], string> = {
  'in-balance': 'in balance: batch closed',
  'balanced-after-upload': 'out of balance, batch uploaded, then in balance: batch closed',
  empty: 'empty batch: closed',
  'host-unavailable': 'the host could not be reached: the batch stays open, try again',
  refused: 'the host refused the totals: the batch stays open',
};

function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(colon + 1)) };
}

const settle: Command = {
  summary: 'settle the open batch with the host (0500; batch upload and a second 0500 when out of balance)',
  usage: `pos settle [--data DIR] [--host ADDR:PORT] [--json]\n\n${DATA_HELP}
--host ADDR:PORT   the acquirer host (default: config host.address)

With host.tls on, the link is TLS as for pos run: the host certificate must chain to
host.tlsCaFile; host.tlsCertFile + host.tlsKeyFile are presented when the host asks.

Sends the reversals and advices still owed, then the batch totals (0500) per currency; when
the host answers 95 (out of balance) every approved transaction of the batch is uploaded
(0320) and the totals sent again. On success the batch is closed and the next one opened.
Prints the Z totals and the status; exit 0 when the batch was closed, 1 when it stays open
(host unavailable, refused, a transaction still pending). --json prints {status, batch,
responseCode, uploaded, totals: {batch, byCurrency}}.`,
  options: { ...dataOptions, host: { type: 'string' } },
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const hostOpt = stringOpt(args, 'host');
    if (hostOpt !== undefined && checkHostPort(hostOpt) !== undefined) throw new UsageError(`--host: expected ${checkHostPort(hostOpt)}`);
    const result = await withJournal(args, async (journal, dataDir) => {
      let config: ConfigStore;
      try {
        config = await ConfigStore.open(dataDir);
      } catch (err) {
        if (isConfigError(err)) throw new CommandError(`${err.code}: ${err.message}`);
        throw err;
      }
      const terminalId = config.get('terminal.id');
      const merchantId = config.get('merchant.id');
      if (terminalId === undefined) throw new CommandError('SETTLE_CONFIG: terminal.id is not set (pos config set terminal.id ID)');
      if (merchantId === undefined) throw new CommandError('SETTLE_CONFIG: merchant.id is not set (pos config set merchant.id ID)');
      const { host, port } = hostPort(hostOpt ?? config.get('host.address'));
      const [{ HostClient }, { connectChannel }, { loadLayout }, { JournalHostStore }, { JournalSettlement, isSettleError }, { tlsOptionsFromConfig }] = await Promise.all([
        import('../host/client.js'),
        import('../host/channel.js'),
        import('../host/iso8583/layout.js'),
        import('../journal/host-store.js'),
        import('../settle/index.js'),
        import('../host/tls-config.js'),
      ]);
      let tls;
      try {
        tls = await tlsOptionsFromConfig(config);
      } catch (err) {
        throw new CommandError(`${(err as { code?: string }).code ?? 'HOST_TLS_CONFIG'}: ${(err as Error).message}`);
      }
      const layout = loadLayout('binary');
      const client = new HostClient({
        layout,
        store: new JournalHostStore(journal),
        terminalId,
        connect: () => connectChannel({ host, port, connectTimeoutMs: 5000, ...(tls ? { tls } : {}) }),
        backoff: { initialMs: 200, maxMs: 1000, attempts: 3 },
      });
      const rates = config.get('fees.mdrPercent');
      const settlement = new JournalSettlement({ journal, host: client, layout, merchantId, currency: config.get('currency'), mdrPercent: () => rates });
      try {
        return await settlement.settle({ operator: 'cli', trigger: 'manual' });
      } catch (err) {
        if (isSettleError(err)) throw new CommandError(`${err.code}: ${err.message}`);
        throw err;
      } finally {
        await client.close();
      }
    });
    if (flag(args, 'json')) printJson(io, result);
    else {
      io.out(`batch ${result.batch}: ${STATUS_TEXT[result.status]}${result.responseCode !== undefined ? ` (host answered ${result.responseCode})` : ''}${result.uploaded > 0 ? `, ${result.uploaded} transactions uploaded` : ''}\n`);
      io.out(reportText(SETTLED.has(result.status) ? 'z' : 'x', result.totals));
    }
    return SETTLED.has(result.status) ? 0 : 1;
  },
};

export default settle;
