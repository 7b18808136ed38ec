/** `pos vpcd-card`: a catalogue TEST card in the sim-pcsc board's contact reader, through the real pcscd. */
import { CommandError, UsageError, flag, printJson, stringOpt, type Command } from './command.js';
import { toHex } from '../../emv/bytes.js';

const vpcdCard: Command = {
  summary: 'insert a catalogue test card into vsmartcard-vpcd\'s reader (the sim-pcsc board\'s contact slot)',
  usage: `pos vpcd-card NAME [--protocol T=1|T=0] [--port N] [--wait MS] [--json]

Serves the virtual card NAME of the test card catalogue (\`pos vpcd-card --list\` names the
contact ones) over vsmartcard-vpcd's socket: pcscd with vsmartcard-vpcd must be running
(pcscd -f). The card stays inserted until Ctrl-C / SIGTERM pulls it out, or until pcscd
goes away. TEST cards and TEST keys only; nothing is logged but the number of exchanges.
options:
  --protocol P   T=1 (default: EMV basic ATR for T=1) or T=0 (a card answering with 61xx/6Cxx)
  --port N       vpcd's port: 35963 (default, reader "Virtual PCD 00 00") or 35964 ("... 00 01")
  --wait MS      keep trying to reach vpcd this long (default 0: vpcd must be listening)
  --list         print the contact card names and exit
  --json         when the card is out: { "card", "protocol", "port", "atr", "exchanges" }`,
  options: { protocol: { type: 'string' }, port: { type: 'string' }, wait: { type: 'string' }, list: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args, io) {
    const { contactCardNames, insertVpcdCard } = await import('../board/vpcd-card.js');
    const names = contactCardNames();
    if (flag(args, 'list')) {
      if (flag(args, 'json')) printJson(io, names);
      else io.out(names.join('\n') + '\n');
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing NAME (see --list)' : 'expected one NAME');
    const name = args.positionals[0]!;
    if (!names.includes(name)) throw new CommandError(`no contact test card named "${name}" (known: ${names.join(', ')})`, 2);
    const protocol = stringOpt(args, 'protocol') ?? 'T=1';
    if (protocol !== 'T=1' && protocol !== 'T=0') throw new UsageError(`--protocol: expected T=1 or T=0, got "${protocol}"`);
    const port = Number(stringOpt(args, 'port') ?? '35963');
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port: expected 1..65535, got "${stringOpt(args, 'port')}"`);
    const wait = Number(stringOpt(args, 'wait') ?? '0');
    if (!Number.isInteger(wait) || wait < 0) throw new UsageError(`--wait: expected milliseconds, got "${stringOpt(args, 'wait')}"`);
    let served;
    try {
      served = await insertVpcdCard({ name, protocol, port, retryForMs: wait });
    } catch (err) {
      throw new CommandError(`${(err as { code?: string }).code ?? 'HAL_IO'}: ${(err as Error).message}`);
    }
    const atr = toHex(served.atr);
    if (!flag(args, 'json')) io.out(`pos vpcd-card: "${name}" (${protocol}, ATR ${atr}) inserted at vpcd port ${port}; Ctrl-C pulls it out\n`);
    const stop = (): void => void served.card.remove();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await served.card.out;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const exchanges = served.card.exchanges.length;
    if (flag(args, 'json')) printJson(io, { card: name, protocol, port, atr, exchanges });
    else io.out(`pos vpcd-card: "${name}" out after ${exchanges} exchange(s)\n`);
    return 0;
  },
};

export default vpcdCard;
