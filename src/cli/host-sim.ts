/** `pos host-sim`: the acquirer simulator on a TCP port (tests, demos, staff training). */
import path from 'node:path';
import { CommandError, stringOpt, type Command } from './command.js';

const hostSim: Command = {
  summary: 'run the acquirer simulator (test cards of the virtual-card catalogue, TEST keys)',
  usage: `options:
  --port N            TCP port on 127.0.0.1 (default 8583; 0 picks a free one)
  --layout NAME|FILE  message layout: binary (default), ascii, or a GenericPackager .xml / .json
  --header KIND       length header: binary2 (default) or ascii4
  --ledger FILE       rewrite the ledger (balances, approvals, reversals, transactions) as JSON after every change

For tests, demos and staff training only: it knows the catalogue's test cards and TEST keys.
Stops on Ctrl-C / SIGTERM.`,
  options: { port: { type: 'string' }, layout: { type: 'string' }, header: { type: 'string' }, ledger: { type: 'string' } },
  async run(args, io) {
    const port = Number(stringOpt(args, 'port') ?? '8583');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CommandError(`--port: expected 0..65535, got "${stringOpt(args, 'port')}"`, 2);
    const header = stringOpt(args, 'header') ?? 'binary2';
    if (header !== 'binary2' && header !== 'ascii4') throw new CommandError(`--header: expected binary2 or ascii4, got "${header}"`, 2);
    const { loadLayout } = await import('../host/iso8583/layout.js');
    const { createSimulator } = await import('../board/acquirer.js');
    const layout = loadLayout(stringOpt(args, 'layout') ?? 'binary');
    const ledger = stringOpt(args, 'ledger');
    const sim = createSimulator({ layout, ...(ledger ? { ledgerFile: path.resolve(ledger) } : {}) });
    const server = await sim.listen(port, header);
    io.out(`pos host-sim: listening on 127.0.0.1:${server.port} (layout ${layout.name}, header ${header}${ledger ? `, ledger ${ledger}` : ''})\n`);
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    clearInterval(keepAlive);
    await server.close();
    io.out('pos host-sim: stopped\n');
    return 0;
  },
};

export default hostSim;
