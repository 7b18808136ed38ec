/**
 * `pos run`: load the board, open its devices, run the power-on self test, show the idle
 * screen, and on SIGINT/SIGTERM close devices and storage and exit 0. On the sim board in
 * an interactive terminal it also draws the virtual LCD and maps the keyboard to the keypad.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { CommandError, flag, stringOpt, type Command } from './command.js';

const started = performance.now();

const run: Command = {
  summary: 'run the terminal on a board (default: the simulated board)',
  usage: `options:
  --board NAME|FILE   board profile (boards/NAME.json or a file); default "sim"
  --data DIR          data folder (configuration, keys, journal); default $POS_DATA or ./data
  --trace-bus FILE    record all sim bus traffic as JSON lines (also POS_TRACE_BUS=FILE)
  --no-ui             never draw the interactive screen, even on a terminal

On the sim board in an interactive terminal the virtual LCD is drawn and the keyboard
drives the keypad (digits, Enter = ENTER, Backspace = CLEAR, Esc = CANCEL, F = FUNC).
Ctrl-C (SIGINT) or SIGTERM closes everything and exits 0.`,
  options: {
    board: { type: 'string' },
    data: { type: 'string' },
    'trace-bus': { type: 'string' },
    'no-ui': { type: 'boolean' },
  },
  async run(args, io) {
    if (args.positionals.length) throw new CommandError(`unexpected argument "${args.positionals[0]}"`, 2);
    const board = stringOpt(args, 'board') ?? 'sim';
    const dataDir = path.resolve(stringOpt(args, 'data') ?? process.env.POS_DATA ?? 'data');
    const tracePath = stringOpt(args, 'trace-bus') ?? process.env.POS_TRACE_BUS;
    mkdirSync(dataDir, { recursive: true });

    const { startTerminal } = await import('../board/start.js');
    const session = await startTerminal({
      board,
      dataDir,
      ...(tracePath ? { tracePath } : {}),
      interactive: !flag(args, 'no-ui') && process.stdin.isTTY === true && process.stdout.isTTY === true,
    });
    // Signals are handled from here on: a SIGTERM during the start of the extras below still
    // closes everything and exits 0.
    const keepAlive = setInterval(() => undefined, 1 << 30); // runs until told to stop, even when idle devices need no timer
    let stopped = false;
    const stopRequested = new Promise<void>((resolve) => {
      const stop = (): void => {
        stopped = true;
        clearInterval(keepAlive);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      session.onExitRequest(stop);
    });
    const ms = performance.now() - started;
    const status = session.inService ? 'in service' : 'OUT OF SERVICE';
    const ready = `pos: ready on board ${session.board} in ${Math.round(ms)} ms (${status})${session.banner ? '\n' + session.banner : ''}`;
    io.out(ready + '\n');
    const extra = [await session.startEmbeddedHost(), ...(await session.startConsole())].filter((l): l is string => l !== undefined);
    for (const line of extra) io.out(`${line.split('\n').map((l) => `pos: ${l}`).join('\n')}\n`);
    if (!stopped) session.startUi([ready, ...extra].join('\n'));
    await stopRequested;
    await session.close();
    io.out('pos: stopped\n');
    return 0;
  },
};

export default run;
