/** `pos backup --to DIR`: an encrypted, integrity-checked archive of the journal (src/journal/backup.ts). */
import { flag, printJson, requireOpt, UsageError, type Command } from './command.js';
import { backupJournal } from '../journal/index.js';
import { DATA_HELP, dataOptions, withJournal } from './journal.js';

const backup: Command = {
  summary: 'write an encrypted backup of the journal to a folder (e.g. a USB stick)',
  usage: `pos backup --to DIR [--data DIR] [--json]\n\n--to DIR     the folder the archive is written to (made when absent)\n${DATA_HELP}
The archive (pos-journal-<id>-<time>.posjbak) opens only with this terminal's device key.
--json prints {file, bytes, manifest: {journalId, createdAt, entries, records}}.`,
  options: { ...dataOptions, to: { type: 'string' } },
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const to = requireOpt(args, 'to');
    const result = await withJournal(args, (journal) => backupJournal(journal, to));
    const { wrappedDataKey: _wrapped, ...manifest } = result.manifest;
    if (flag(args, 'json')) printJson(io, { file: result.file, bytes: result.bytes, manifest });
    else io.out(`backup written: ${result.file} (${result.manifest.records} records, ${result.bytes} bytes)\n`);
    return 0;
  },
};

export default backup;
