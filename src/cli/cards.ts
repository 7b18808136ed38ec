/** `pos cards`: the virtual-card catalogue (names for the control channel's `present`). */
import { flag, printJson, CommandError, type Command } from './command.js';

const cards: Command = {
  summary: 'list the virtual test cards (name, scheme, tap/insert/swipe, what each is for)',
  usage: `options:
  --json   one JSON array: {name, schemes, vias, description, expected} per card

The cards of the sim board, the embedded acquirer simulator and the tests (TEST keys and
PANs, never real ones). Present one on the sim board with the control channel:
{"present": {"card": "visa-online", "via": "tap"}}.`,
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    if (args.positionals.length) throw new CommandError(`unexpected argument "${args.positionals[0]}"`, 2);
    const { catalogue } = await import('../board/cards.js');
    const list = catalogue();
    if (flag(args, 'json')) {
      printJson(io, list);
      return 0;
    }
    const width = Math.max(...list.map((c) => c.name.length));
    for (const c of list) {
      io.out(`${c.name.padEnd(width)}  ${c.schemes.join('+').padEnd(10)}  ${c.vias.join('/').padEnd(17)}  ${c.description}\n`);
      io.out(`${''.padEnd(width)}  expected: ${c.expected}\n`);
    }
    return 0;
  },
};

export default cards;
