/**
 * Starts a whole terminal for `pos run`: bus trace, devices (buildTerminal), the
 * configuration store of the data folder, the application, and on the sim board in an
 * interactive terminal the virtual LCD and keyboard.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileBusTrace } from '../../hal/sim/trace.js';
import { ConfigStore } from '../config/store.js';
import { TerminalApp } from '../app/terminal-app.js';
import { logToFile } from '../log.js';
import { buildTerminal } from './build.js';
import path from 'node:path';

export interface StartOptions {
  board: string;
  dataDir: string;
  tracePath?: string;
  interactive: boolean;
}

export interface Session {
  board: string;
  inService: boolean;
  /** Extra lines for the start banner (test credentials, paths). */
  banner: string;
  app: TerminalApp;
  /** The UI (Ctrl-C in raw mode) or a control client asks the process to stop. */
  onExitRequest(listener: () => void): void;
  /** Draws the interactive screen (sim board in a terminal), with `status` under it. */
  startUi(status: string): void;
  /**
   * Sim board: starts the embedded acquirer simulator on a loopback port (after the
   * terminal is ready, so boot does not wait for the test cards' keys); returns a line for
   * the banner, or undefined on a real board.
   */
  startEmbeddedHost(): Promise<string | undefined>;
  /**
   * Sim board: the technician console on a pseudo-terminal (its path for picocom) and, in
   * a fresh sim data folder, the named TEST credentials; returns lines for the banner.
   */
  startConsole(): Promise<string[]>;
  close(): Promise<void>;
}

export function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (source tree vs dist/)
    }
  }
  return '0.0.0';
}

export async function startTerminal(options: StartOptions): Promise<Session> {
  const trace = options.tracePath ? fileBusTrace(options.tracePath) : undefined;
  if (options.interactive) logToFile(path.join(options.dataDir, 'pos.log'));
  const config = await ConfigStore.open(options.dataDir);
  const terminal = await buildTerminal(options.board, trace ? { trace } : {});
  const app = new TerminalApp(terminal, { merchantName: String(config.get('merchant.name') ?? 'POS TERMINAL'), version: packageVersion() });
  const { inService } = await app.start();
  const exitListeners = new Set<() => void>();
  let ui: { close(): void } | undefined;
  const tty = options.interactive ? await import('./tty-ui.js') : undefined;
  let host: { close(): Promise<void> } | undefined;
  let consoleSession: { close(): Promise<void> } | undefined;
  return {
    async startConsole() {
      if (!terminal.isSim) return [];
      const [{ openConsoleServices, TechnicianConsole }, { ensureFirstBootCredentials, testCredentialsBanner }, { openConsolePty }] = await Promise.all([
        import('../console/index.js'),
        import('../users/first-boot.js'),
        import('./console-pty.js'),
      ]);
      // The console's `diag` runs the same checks as `pos diag`, on this terminal's devices.
      const diagnostics = {
        run: async () => {
          const { runDiagnostics } = await import('./diag.js');
          return (await runDiagnostics(terminal, { interactive: false })).map((c) => ({ device: c.device, ok: c.ok, detail: `${c.check}: ${c.detail}` }));
        },
      };
      const services = await openConsoleServices({ dataDir: options.dataDir, version: packageVersion(), diagnostics });
      const state = await ensureFirstBootCredentials(services.users, 'sim');
      const lines = state.state === 'setup-required' ? ['first boot: the console asks for the admin and technician credentials'] : [testCredentialsBanner().trimEnd()];
      try {
        const pty = await openConsolePty(options.dataDir);
        const tc = new TechnicianConsole({ link: pty.link, services });
        const running = tc.start();
        consoleSession = {
          async close() {
            await tc.close();
            await running;
            await pty.close();
          },
        };
        lines.push(`technician console: picocom -b 115200 ${pty.technicianPath}`);
      } catch (err) {
        lines.push(`technician console not started: ${(err as Error).message}`);
      }
      return lines;
    },
    async startEmbeddedHost() {
      if (!terminal.isSim) return undefined;
      const [{ createSimulator }, { loadLayout }] = await Promise.all([import('./acquirer.js'), import('../host/iso8583/layout.js')]);
      const ledgerFile = path.join(options.dataDir, 'host-sim-ledger.json');
      const server = await createSimulator({ layout: loadLayout('binary'), ledgerFile }).listen(0);
      host = server;
      return `acquirer simulator (embedded, TEST keys and cards): 127.0.0.1:${server.port}, ledger ${ledgerFile}`;
    },
    startUi(status) {
      if (!tty) return;
      ui = tty.startTtyUi(terminal, { status, onQuit: () => exitListeners.forEach((l) => l()), onKeyEvents: (l) => app.onKeyEvent(l) });
    },
    board: terminal.board,
    inService,
    banner: '',
    app,
    onExitRequest: (l) => void exitListeners.add(l),
    async close() {
      ui?.close();
      await app.stop();
      await terminal.close();
      await host?.close();
      await consoleSession?.close();
    },
  };
}
