/**
 * Starts a whole terminal for `pos run`: bus trace, devices (buildTerminal), the
 * configuration store of the data folder, the application, and on the sim board the
 * control channel (`--control PATH`) and, in an interactive terminal, the keyboard UI as
 * a client of that channel.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileBusTrace } from '../../hal/sim/trace.js';
import { ConfigStore } from '../config/store.js';
import { TerminalApp } from '../app/terminal-app.js';
import { logToFile } from '../log.js';
import { buildTerminal } from './build.js';
import type { Terminal } from './terminal.js';
import type { ControlState } from '../control/protocol.js';
import type { ControlServer } from '../control/socket-server.js';
import path from 'node:path';

export interface StartOptions {
  board: string;
  dataDir: string;
  tracePath?: string;
  interactive: boolean;
  /** Sim board: the control channel's Unix socket (`--control PATH`). */
  controlPath?: string;
  /** The acquirer to use instead of the embedded simulator (`--host ADDR:PORT`). */
  host?: HostAddress;
}

export interface HostAddress {
  host: string;
  port: number;
}

/** Parses `ADDR:PORT` (`127.0.0.1:8583`, `acquirer.example:8583`, `[::1]:8583`). */
export function parseHostAddress(text: string): HostAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`--host: expected ADDR:PORT (e.g. 127.0.0.1:8583), got "${text}"`);
  return { host: m[1] ?? m[2]!, port };
}

/**
 * The application's view as the control channel reports it. The application exposes
 * `view()` and `onView()` (app helper, issue 9); until then the state is derived from
 * the app's status. Kept structural so either shape works.
 */
export interface AppView {
  screen: string;
  lines: readonly string[];
  txn?: unknown;
}

interface ViewSource {
  view(): AppView;
  onView(listener: (view: AppView) => void): () => void;
}

const viewSource = (app: object): ViewSource | undefined => {
  const v = app as Partial<ViewSource>;
  return typeof v.view === 'function' && typeof v.onView === 'function' ? (v as ViewSource) : undefined;
};

export interface Session {
  board: string;
  inService: boolean;
  /** Extra lines for the start banner (test credentials, paths). */
  banner: string;
  app: TerminalApp;
  /** The acquirer the terminal talks to: `--host`, or the embedded simulator once started. */
  readonly acquirer: HostAddress | undefined;
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
  let control: Awaited<ReturnType<typeof startControl>> | undefined;
  try {
    if (options.controlPath !== undefined && !terminal.isSim) throw new Error(`--control needs the sim board (board ${terminal.board} has real devices)`);
    // The channel is up before the self test so a client sees the boot screens too.
    if (terminal.isSim && (options.controlPath !== undefined || options.interactive)) control = await startControl(terminal, app, options);
  } catch (err) {
    await terminal.close();
    throw err;
  }
  const { inService } = await app.start();
  const exitListeners = new Set<() => void>();
  let ui: { close(): void } | undefined;
  const tty = options.interactive ? await import('./tty-ui.js') : undefined;
  let host: { close(): Promise<void> } | undefined;
  let acquirer = options.host;
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
      if (options.host) return `acquirer: ${options.host.host}:${options.host.port} (--host; the embedded simulator is not started)`;
      if (!terminal.isSim) return undefined;
      const [{ createSimulator }, { loadLayout }] = await Promise.all([import('./acquirer.js'), import('../host/iso8583/layout.js')]);
      const ledgerFile = path.join(options.dataDir, 'host-sim-ledger.json');
      const server = await createSimulator({ layout: loadLayout('binary'), ledgerFile, resume: true }).listen(0);
      host = server;
      acquirer = { host: '127.0.0.1', port: server.port };
      return `acquirer simulator (embedded, TEST keys and cards): 127.0.0.1:${server.port}, ledger ${ledgerFile}`;
    },
    startUi(status) {
      if (!tty || !control) return;
      const display = terminal.roles.display;
      ui = tty.startTtyUi({
        link: control.hub.link(),
        cards: control.cards,
        cols: display?.cols ?? 20,
        rows: display?.rows ?? 4,
        status,
        onQuit: () => exitListeners.forEach((l) => l()),
      });
    },
    board: terminal.board,
    inService,
    banner: control?.server ? `control channel: ${control.server.path}` : '',
    app,
    get acquirer() {
      return acquirer;
    },
    onExitRequest: (l) => void exitListeners.add(l),
    async close() {
      ui?.close();
      await control?.close();
      await app.stop();
      await terminal.close();
      await host?.close();
      await consoleSession?.close();
    },
  };
}

/** The control hub on the sim board's hands, the watchers of its models, and the socket. */
async function startControl(terminal: Terminal, app: TerminalApp, options: StartOptions) {
  const [{ ControlHub }, { simHands, watchSimBoard }, { catalogue }] = await Promise.all([
    import('../control/hub.js'),
    import('./sim-hands.js'),
    import('./cards.js'),
  ]);
  const views = viewSource(app);
  const state = (): ControlState => {
    if (views) {
      const v = views.view();
      return { screen: v.screen, txn: v.txn ?? null };
    }
    return { screen: app.status.state, txn: null };
  };
  const hub = new ControlHub({ hands: simHands(terminal), state });
  const watch = watchSimBoard(terminal, (e) => hub.publish(e), { receiptDir: path.join(options.dataDir, 'receipts') });
  const offView = views?.onView((v) => hub.publish({ state: { screen: v.screen, txn: v.txn ?? null } }));
  let server: ControlServer | undefined;
  try {
    if (options.controlPath !== undefined) server = await (await import('../control/socket-server.js')).listenControl(hub, path.resolve(options.controlPath));
  } catch (err) {
    watch.close();
    offView?.();
    throw err;
  }
  return {
    hub,
    server,
    cards: catalogue(),
    async close() {
      offView?.();
      watch.close();
      hub.close();
      await server?.close();
    },
  };
}
