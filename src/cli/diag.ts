/**
 * `pos diag`: opens the board, runs every device's self test and a check per role (LCD
 * test pattern, printer test page and status, reader poll, beeps), prints a report and
 * exits 0 when every check passed. The work is src/board/diag.ts (runDiagnostics).
 */
import { CommandError, flag, printJson, stringOpt, type Command } from './command.js';
import { isBoardError } from '../../boards/errors.js';
import { loadBoard, type BoardProfile } from '../../boards/loader.js';

const diag: Command = {
  summary: 'hardware diagnostics: self tests, LCD pattern, printer test page, reader poll',
  usage: `options:
  --board NAME|FILE   board profile (boards/NAME.json or a file); default "sim"
  --trace-bus FILE    record all sim bus traffic as JSON lines (also POS_TRACE_BUS=FILE)
  --json              print {board, ok, checks: [{device, check, ok, detail}]}
  --interactive       also: keypad echo (CANCEL ends), wait for a tap, a swipe and a scan

Runs unattended by default: every device's self test, an LCD test pattern (the screen is
restored after), a printer test page with its status before and after, a reader poll
(no card is a pass), an idle check of the stripe reader and scanner lines, a short beep
pattern. A swiped card shows only its masked PAN. Exit 0 when every check passes, 1 otherwise.`,
  options: {
    board: { type: 'string' },
    'trace-bus': { type: 'string' },
    json: { type: 'boolean' },
    interactive: { type: 'boolean' },
  },
  async run(args, io) {
    if (args.positionals.length) throw new CommandError(`unexpected argument "${args.positionals[0]}"`, 2);
    const json = flag(args, 'json');
    const interactive = flag(args, 'interactive');
    const tracePath = stringOpt(args, 'trace-bus') ?? process.env.POS_TRACE_BUS;
    let profile: BoardProfile;
    try {
      profile = loadBoard(stringOpt(args, 'board') ?? 'sim');
    } catch (err) {
      if (isBoardError(err)) throw new CommandError(err.message);
      throw err;
    }
    const { diagnoseBoard } = await import('../board/diag.js');
    const { board, checks, formatted } = await diagnoseBoard(profile, {
      interactive,
      ...(tracePath ? { tracePath } : {}),
      // Prompts go to stderr under --json so stdout stays one JSON value.
      prompt: (text) => (json ? io.err(`${text}\n`) : io.out(`${text}\n`)),
    });
    const ok = checks.every((c) => c.ok);
    if (json) printJson(io, { board, ok, checks });
    else io.out(`${formatted}${ok ? 'all checks passed' : `${checks.filter((c) => !c.ok).length} check(s) failed`} on board ${board}\n`);
    return ok ? 0 : 1;
  },
};

export default diag;
