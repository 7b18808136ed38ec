/** `pos journal verify`: checks the journal's chain, seals, head and running totals; and the helpers the journal commands share. */
import path from 'node:path';
import { CommandError, flag, printJson, stringOpt, UsageError, type Command, type ParsedArgs } from './command.js';
import { FileDeviceKeyProvider } from '../keys/device-key.js';
import { isKeyError } from '../keys/errors.js';
import { describeReport, isJournalError, journalDir, journalExists, openJournal, verifyJournal, type Journal } from '../journal/index.js';

export const DATA_HELP = '--data DIR   the data folder (default: $POS_DATA, else ./data)';
export const dataOptions = { data: { type: 'string' }, json: { type: 'boolean' } } as const;

export function dataDirOf(args: ParsedArgs): string {
  return path.resolve(stringOpt(args, 'data') ?? process.env.POS_DATA ?? './data');
}

export function deviceKeyOf(dataDir: string): FileDeviceKeyProvider {
  return new FileDeviceKeyProvider({ dataDir });
}

/** Turns journal and key errors into a message with exit 1. */
export async function journalErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isJournalError(err) || isKeyError(err)) throw new CommandError(`${err.code}: ${err.message}`);
    throw err;
  }
}

/** Opens the data folder's existing journal (never makes one), runs `fn`, closes it. */
export async function withJournal<T>(args: ParsedArgs, fn: (journal: Journal, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = dataDirOf(args);
  return journalErrors(async () => {
    const dir = journalDir(dataDir);
    if (!(await journalExists(dir))) throw new CommandError(`no journal in ${dataDir}`);
    const { journal } = await openJournal({ dir, deviceKey: deviceKeyOf(dataDir), create: false });
    try {
      return await fn(journal, dataDir);
    } finally {
      await journal.close();
    }
  });
}

const verify: Command = {
  summary: 'verify the journal: every record, its place in the chain, the head and the running totals',
  usage: `pos journal verify [--data DIR] [--json]\n\n${DATA_HELP}
Exit 0 when the journal verifies, 1 when it does not (the report says the first bad
sequence number, what is wrong and what is still proven). --json prints
{ok, records, provenThrough, headSeq, problem: {kind, seq, batch, message}, authenticAfter}.`,
  options: dataOptions,
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const dataDir = dataDirOf(args);
    const report = await journalErrors(async () => {
      const dir = journalDir(dataDir);
      if (!(await journalExists(dir))) throw new CommandError(`no journal in ${dataDir}`);
      return verifyJournal(dir, deviceKeyOf(dataDir));
    });
    if (flag(args, 'json')) printJson(io, report);
    else io.out(describeReport(report) + '\n');
    return report.ok ? 0 : 1;
  },
};

const journal: Command = {
  summary: 'the transaction journal (verify)',
  subcommands: { verify: async () => verify },
};

export default journal;
