/** `pos restore --from DIR`: verifies a journal backup completely, then replaces the journal (the old one is kept aside). */
import { flag, printJson, requireOpt, UsageError, type Command } from './command.js';
import { restoreJournal } from '../journal/index.js';
import { DATA_HELP, dataDirOf, dataOptions, deviceKeyOf, journalErrors } from './journal.js';

const restore: Command = {
  summary: 'restore the journal from a backup, verified before anything is replaced',
  usage: `pos restore --from DIR|FILE [--data DIR] [--json]\n\n--from DIR   a folder (its newest .posjbak archive is used) or an archive file\n${DATA_HELP}
The terminal must be stopped. The journal replaced is moved to journal.replaced-<time>.
--json prints {file, records, replacedTo}.`,
  options: { ...dataOptions, from: { type: 'string' } },
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const from = requireOpt(args, 'from');
    const dataDir = dataDirOf(args);
    const result = await journalErrors(() => restoreJournal(from, dataDir, deviceKeyOf(dataDir)));
    if (flag(args, 'json')) printJson(io, { file: result.file, records: result.report.provenThrough, replacedTo: result.replacedTo ?? null });
    else io.out(`journal restored from ${result.file}: ${result.report.provenThrough} records verified${result.replacedTo ? `; the old journal is in ${result.replacedTo}` : ''}\n`);
    return 0;
  },
};

export default restore;
