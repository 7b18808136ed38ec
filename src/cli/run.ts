/**
 * `pos run`: load the board, open its devices, run the power-on self test, show the idle
 * screen, and on SIGINT/SIGTERM close devices and storage and exit 0. On the sim board in
 * an interactive terminal it also draws the virtual LCD and maps the keyboard to the keypad.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { CommandError, UsageError, flag, stringOpt, type Command } from './command.js';

const started = performance.now();

const run: Command = {
  summary: 'run the terminal on a board (default: the simulated board)',
  usage: `options:
  --board NAME|FILE   board profile (boards/NAME.json or a file); default "sim"
  --data DIR          data folder (configuration, keys, journal); default $POS_DATA or ./data
  --trace-bus FILE    record all sim bus traffic as JSON lines (also POS_TRACE_BUS=FILE)
  --no-ui             never draw the interactive screen, even on a terminal
  --control PATH      sim board: a Unix socket speaking JSON lines that drives the board
                      (requests press, present, remove, scan, paper, state; events lcd,
                      receipt, beep, state; see src/control/protocol.ts). Refuses a path
                      another process listens on; the socket is removed at exit.
  --host ADDR:PORT    use this acquirer instead of the embedded simulator (TLS when the
                      configuration has host.tls on: host.tlsCaFile, host.tlsCertFile,
                      host.tlsKeyFile, host.tlsServerName)

The EMV terminal configuration comes from the data folder's configuration (emv.aids,
emv.*, limits.*, terminal.id, merchant.id, terminal.country) and its CA keys (capk); a
sim data folder is seeded at first boot with its virtual cards' settings. When something
is missing, the keypad shows NOT CONFIGURED and the output lists what to set.

On the sim board in an interactive terminal the virtual LCD is drawn and the keyboard
drives the keypad (digits, Enter = ENTER, Backspace = CLEAR, Esc = CANCEL, F = FUNC);
c opens the card menu (tap, insert or swipe a catalogue card), r removes the card,
p takes the paper out or puts it back. The last receipt is shown beside the LCD.
Ctrl-C (SIGINT) or SIGTERM closes everything and exits 0.`,
  options: {
    board: { type: 'string' },
    data: { type: 'string' },
    'trace-bus': { type: 'string' },
    'no-ui': { type: 'boolean' },
    control: { type: 'string' },
    host: { type: 'string' },
  },
  async run(args, io) {
    if (args.positionals.length) throw new CommandError(`unexpected argument "${args.positionals[0]}"`, 2);
    const board = stringOpt(args, 'board') ?? 'sim';
    const dataDir = path.resolve(stringOpt(args, 'data') ?? process.env.POS_DATA ?? 'data');
    const tracePath = stringOpt(args, 'trace-bus') ?? process.env.POS_TRACE_BUS;
    const controlPath = stringOpt(args, 'control');
    if (controlPath === '') throw new UsageError('--control: expected a socket path');
    const { startTerminal, parseHostAddress } = await import('../board/start.js');
    const hostText = stringOpt(args, 'host');
    let host;
    try {
      host = hostText === undefined ? undefined : parseHostAddress(hostText);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    mkdirSync(dataDir, { recursive: true });

    let session;
    try {
      session = await startTerminal({
        board,
        dataDir,
        ...(tracePath ? { tracePath } : {}),
        ...(controlPath ? { controlPath } : {}),
        ...(host ? { host } : {}),
        interactive: !flag(args, 'no-ui') && process.stdin.isTTY === true && process.stdout.isTTY === true,
      });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('CONTROL_')) throw new CommandError(`${code}: ${(err as Error).message}`);
      if (/^--control/.test((err as Error).message)) throw new CommandError((err as Error).message, 2);
      if (typeof code === 'string' && /^(JOURNAL|KEY|CONFIG|HOST)_/.test(code)) throw new CommandError(`${code}: ${(err as Error).message}`);
      throw err;
    }
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
    const banner = session.banner ? `\n${session.banner.split('\n').map((l) => `pos: ${l}`).join('\n')}` : '';
    const ready = `pos: ready on board ${session.board} in ${Math.round(ms)} ms (${status})${banner}`;
    io.out(ready + '\n');
    // The acquirer first, then what a crash left is settled with it, then the console.
    const hostLine = await session.startEmbeddedHost();
    const recoveryLine = await session.recover();
    const extra = [hostLine, recoveryLine, ...(await session.startConsole())].filter((l): l is string => l !== undefined);
    for (const line of extra) io.out(`${line.split('\n').map((l) => `pos: ${l}`).join('\n')}\n`);
    if (!stopped) session.startUi([ready, ...extra].join('\n'));
    await stopRequested;
    await session.close();
    io.out('pos: stopped\n');
    return 0;
  },
};

export default run;
