/**
 * `pos tools emv replay FILE`: runs the real kernel against a card answering from an APDU
 * trace (emv/trace, issue 10). The terminal is the sample configuration's AIDs and
 * capabilities with the CA keys of the terminal's store (the schemes' published keys and
 * the simulator's test keys); terminal data come from the trace's `# terminal:` header,
 * then the flags. With --json one value is printed, also for an incomplete or malformed
 * trace (then `outcome` is "incomplete-trace" and, when malformed, `error` says where).
 */
import { readFile } from 'node:fs/promises';
import { isEmvError } from '../../../emv/errors.js';
import { SAMPLE_TERMINAL } from '../../../emv/kernel/sample-config.js';
import { parseTrace } from '../../../emv/trace/format.js';
import { replayTrace, type ReplayOptions, type ReplayReport } from '../../../emv/trace/replay.js';
import { scrubPans } from '../../log.js';
import { CaKeyStore, withStoreCaKeys } from '../../keys/ca-keys.js';
import { CommandError, UsageError, flag, hexArg, printJson, stringOpt, type Command, type CommandIo, type ParsedArgs } from '../command.js';
import { JSON_OPTION } from './key-tool-util.js';

/** What --json prints for a trace that cannot be read as a trace at all. */
function malformedReport(err: { code: string; message: string; offset: number | undefined }): ReplayReport & { error: { code: string; line: number | null; message: string } } {
  return {
    outcome: 'incomplete-trace',
    aid: null,
    oda: { method: 'none', result: 'not-performed' },
    tvr: null,
    tsi: null,
    cvm: null,
    stoppedAt: null,
    reason: err.message,
    interface: 'contact',
    steps: [],
    divergences: [],
    terminal: {},
    error: { code: err.code, line: err.offset ?? null, message: err.message },
  };
}

function options(args: ParsedArgs): Omit<ReplayOptions, 'config'> {
  if (flag(args, 'contact') && flag(args, 'contactless')) throw new UsageError('give --contact or --contactless, not both');
  const amount = stringOpt(args, 'amount');
  if (amount !== undefined && !/^[0-9]{1,12}$/.test(amount)) throw new UsageError(`--amount must be minor units, 1-12 digits, got "${amount.slice(0, 20)}"`);
  const currency = stringOpt(args, 'currency');
  if (currency !== undefined && !/^[0-9]{3}$/.test(currency)) throw new UsageError(`--currency must be an ISO 4217 numeric code (3 digits), got "${currency.slice(0, 20)}"`);
  const date = stringOpt(args, 'date');
  if (date !== undefined && !/^[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$/.test(date)) throw new UsageError(`--date must be YYMMDD, got "${date.slice(0, 20)}"`);
  const un = stringOpt(args, 'un');
  const unpredictableNumber = un === undefined ? undefined : hexArg(un, '--un');
  if (unpredictableNumber !== undefined && unpredictableNumber.length !== 4) throw new UsageError('--un must be 4 bytes (8 hex digits)');
  return {
    ...(flag(args, 'contact') ? { interface: 'contact' as const } : flag(args, 'contactless') ? { interface: 'contactless' as const } : {}),
    ...(amount !== undefined ? { amount: Number(amount) } : {}),
    ...(currency !== undefined ? { currency: Number(currency) } : {}),
    ...(date !== undefined ? { date } : {}),
    ...(unpredictableNumber !== undefined ? { unpredictableNumber } : {}),
  };
}

function print(io: CommandIo, r: ReplayReport): void {
  const lines = [
    `outcome      ${r.outcome}${r.stoppedAt ? ` (at ${r.stoppedAt})` : ''}`,
    `interface    ${r.interface}`,
    `application  ${r.aid ?? '-'}`,
    `ODA          ${r.oda.method} ${r.oda.result}`,
    `CVM          ${r.cvm ? `${r.cvm.method} (${r.cvm.results})` : '-'}`,
    `TVR          ${r.tvr ?? '-'}`,
    `TSI          ${r.tsi ?? '-'}`,
    ...(r.reason ? [`reason       ${r.reason}`] : []),
    'steps',
    ...r.steps.flatMap((s) => [`  ${s.step}`, ...s.commands.map((c) => `    ${c}`)]),
    `divergences  ${r.divergences.length === 0 ? 'none' : r.divergences.length}`,
    ...r.divergences.map((d) => `  ${d.kind}${d.line !== undefined ? ` (line ${d.line})` : ''}: ${d.detail}`),
  ];
  io.out(scrubPans(lines.join('\n')) + '\n');
}

const replay: Command = {
  summary: 'replay an APDU trace through the EMV kernel: steps, ODA, CVM, TVR/TSI, outcome, divergences',
  usage: `FILE [options]
  FILE               an APDU trace: "> command", "< response", "# comment" lines; optional
                     "# terminal: 9F02=..., 9A=..., 9F37=..., 9F66=..." header
  --contactless      replay as a tap (default when the trace selects 2PAY.SYS.DDF01)
  --contact          replay as an inserted card (default otherwise)
  --amount N         Amount, Authorised in minor units (default: the trace's 9F02)
  --currency NNN     ISO 4217 numeric currency (default: the trace's 5F2A, else 978)
  --date YYMMDD      transaction date (default: the trace's 9A, else today)
  --un HEX           unpredictable number, 4 bytes (default: the trace's 9F37)
  --json             print { "outcome", "aid", "oda": { "method", "result" }, "tvr", "tsi",
                     "steps", "divergences", ... }; also for an incomplete or malformed trace
  outcome: approved, declined, online-request, try-another-interface, end-application,
  incomplete-trace. Exit 0 when the kernel ran, 1 when the file is not a trace.`,
  options: { contactless: { type: 'boolean' }, contact: { type: 'boolean' }, amount: { type: 'string' }, currency: { type: 'string' }, date: { type: 'string' }, un: { type: 'string' }, ...JSON_OPTION },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'missing the trace FILE' : 'give exactly one trace FILE');
    const opts = options(args);
    const file = args.positionals[0]!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CommandError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let trace;
    try {
      trace = parseTrace(text);
    } catch (err) {
      if (!isEmvError(err)) throw err;
      if (flag(args, 'json')) printJson(io, malformedReport(err));
      io.err(`pos tools emv replay: ${file}: ${err.message}\n`);
      return 1;
    }
    const store = await CaKeyStore.open();
    const config = withStoreCaKeys(SAMPLE_TERMINAL, store, { today: new Date(), includeTest: true });
    const report = await replayTrace(trace, { config, ...opts });
    if (flag(args, 'json')) printJson(io, report);
    else print(io, report);
    return 0;
  },
};
export default replay;
