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
import { TerminalApp, type AppSettings } from '../app/terminal-app.js';
import { seedTestPinKey } from '../app/services.js';
import { openConsoleServices, type ConsoleServices } from '../console/index.js';
import { FileDeviceKeyProvider } from '../keys/device-key.js';
import { ensureFirstBootCredentials, type FirstBootState } from '../users/first-boot.js';
import { createLogger, logToFile } from '../log.js';
import { TEST_HOST_KEYS } from './acquirer.js';
import { loadLayout } from '../host/iso8583/layout.js';
import { openPayments, type Payments } from './app-services.js';
import { paymentsCheck, seedSimConfig } from './emv-config.js';
import { SIM_IDENTITY } from './wiring.js';
import { buildTerminal } from './build.js';
import type { Terminal } from './terminal.js';
import type { ControlState } from '../control/protocol.js';
import type { ControlServer } from '../control/socket-server.js';
import path from 'node:path';

const log = createLogger('pos:board:start');

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
  /** The embedded acquirer simulator (plain TCP on loopback, never TLS). */
  embedded?: boolean;
}

/** Parses `ADDR:PORT` (`127.0.0.1:8583`, `acquirer.example:8583`, `[::1]:8583`). */
export function parseHostAddress(text: string): HostAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`--host: expected ADDR:PORT (e.g. 127.0.0.1:8583), got "${text}"`);
  return { host: m[1] ?? m[2]!, port };
}


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
  /**
   * Resolves what a crash left (pending authorisations reversed once, owed advices sent)
   * with the acquirer, then starts the settlement schedule; call once the acquirer is up.
   * Returns a line for the banner; when the configuration cannot give a payment terminal,
   * the lines say what is missing.
   */
  recover(): Promise<string | undefined>;
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
  const closers: (() => Promise<void>)[] = [() => terminal.close()];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => log.error('close failed', { error: String((err as Error).message) }));
  };
  let app: TerminalApp;
  let control: Awaited<ReturnType<typeof startControl>> | undefined;
  let consoleServices: ConsoleServices;
  let payments: Payments;
  let firstBoot: FirstBootState | undefined;
  let acquirer = options.host;
  try {
    if (options.controlPath !== undefined && !terminal.isSim) throw new Error(`--control needs the sim board (board ${terminal.board} has real devices)`);
    if (terminal.isSim) {
      // A sim data folder's first boot: the configuration of its virtual cards (AIDs, TEST CA keys).
      const seeded = await seedSimConfig(config);
      if (seeded.length) log.info('sim data folder: configuration seeded', { keys: seeded.length });
    }
    // Users, keys and the audit log (the console and the keypad share them).
    consoleServices = await openConsoleServices({ dataDir: options.dataDir, version: packageVersion(), diagnostics: diagnosticsOf(terminal) });
    const { caKeys } = consoleServices;
    if (caKeys) consoleServices = { ...consoleServices, paymentsCheck: paymentsCheck({ config: consoleServices.config, caKeys }, terminal.isSim ? SIM_IDENTITY : undefined) };
    if (terminal.isSim) {
      // A sim data folder gets the named TEST credentials and the TEST PIN key of the embedded simulator.
      firstBoot = await ensureFirstBootCredentials(consoleServices.users, 'sim');
      await seedTestPinKey(consoleServices.keys, TEST_HOST_KEYS);
    }
    const configured = config.get('host.address');
    payments = await openPayments({
      terminal,
      config,
      console: consoleServices,
      dataDir: options.dataDir,
      deviceKey: new FileDeviceKeyProvider({ dataDir: options.dataDir }),
      // --host, else the embedded simulator on the sim board, else the configured acquirer.
      acquirer: () => acquirer ?? (terminal.isSim ? undefined : parseHostAddress(configured)),
    });
    if (payments.ready) {
      const { wiring, app: services } = payments;
      consoleServices = { ...consoleServices, audit: wiring.audit };
      closers.push(() => wiring.close());
      closers.push(() => services.close());
    }
    const settings: AppSettings = {
      merchantName: String(config.get('merchant.name') ?? 'POS TERMINAL'),
      version: packageVersion(),
      currency: config.get('currency'),
      ...(payments.ready ? {} : { notConfigured: payments.missing }),
    };
    app = new TerminalApp(terminal, settings, payments.ready ? payments.app.services : undefined);
    closers.push(() => app.stop());
    // The channel is up before the self test so a client sees the boot screens too.
    if (terminal.isSim && (options.controlPath !== undefined || options.interactive)) {
      control = await startControl(terminal, app, options);
      closers.push(() => control!.close());
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const { inService } = await app.start();
  const exitListeners = new Set<() => void>();
  let ui: { close(): void } | undefined;
  const tty = options.interactive ? await import('./tty-ui.js') : undefined;
  return {
    async startConsole() {
      if (!terminal.isSim) return [];
      const [{ TechnicianConsole }, { testCredentialsBanner }, { openConsolePty }] = await Promise.all([
        import('../console/index.js'),
        import('../users/first-boot.js'),
        import('./console-pty.js'),
      ]);
      const lines = firstBoot?.state === 'setup-required' ? ['first boot: the console asks for the admin and technician credentials'] : [testCredentialsBanner().trimEnd()];
      try {
        const pty = await openConsolePty(options.dataDir);
        const tc = new TechnicianConsole({ link: pty.link, services: consoleServices });
        const running = tc.start();
        closers.push(async () => {
          await tc.close();
          await running;
          await pty.close();
        });
        lines.push(`technician console: picocom -b 115200 ${pty.technicianPath}`);
      } catch (err) {
        lines.push(`technician console not started: ${(err as Error).message}`);
      }
      return lines;
    },
    async startEmbeddedHost() {
      if (options.host) return `acquirer: ${options.host.host}:${options.host.port} (--host; the embedded simulator is not started)`;
      if (!terminal.isSim) return `acquirer: ${config.get('host.address')}`;
      const { createSimulator } = await import('./acquirer.js');
      const ledgerFile = path.join(options.dataDir, 'host-sim-ledger.json');
      const server = await createSimulator({ layout: payments.ready ? payments.wiring.layout : loadLayout('binary'), ledgerFile, resume: true }).listen(0);
      closers.splice(1, 0, () => server.close()); // closed after everything that talks to it
      acquirer = { host: '127.0.0.1', port: server.port, embedded: true };
      return `acquirer simulator (embedded, TEST keys and cards): 127.0.0.1:${server.port}, ledger ${ledgerFile}`;
    },
    async recover() {
      if (!payments.ready) return `NOT CONFIGURED for payments (the keypad says so until the configuration is complete):\n${payments.missing.map((m) => `  - ${m}`).join('\n')}`;
      const { wiring, app: services } = payments;
      const report = await services.engine.recover().catch((err: unknown) => {
        log.error('recovery failed', { error: String((err as Error).message) });
        return undefined;
      });
      void wiring.scheduler.start().catch((err: unknown) => log.error('settlement scheduler failed', { error: String((err as Error).message) }));
      return report ? `recovery: ${report.reversed} reversed, ${report.advicesSent} advices sent, ${report.stillOwed} still owed` : 'recovery: failed (see the log); owed messages stay in the journal';
    },
    startUi(status) {
      if (!tty || !control) return;
      const display = terminal.roles.display;
      const tui = tty.startTtyUi({
        link: control.hub.link(),
        cards: control.cards,
        cols: display?.cols ?? 20,
        rows: display?.rows ?? 4,
        status,
        onQuit: () => exitListeners.forEach((l) => l()),
      });
      ui = tui;
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
      await closeAll();
    },
  };
}

/** The console's `diag` runs the same checks as `pos diag`, on this terminal's devices. */
function diagnosticsOf(terminal: Terminal) {
  return {
    run: async () => {
      const { runDiagnostics } = await import('./diag.js');
      return (await runDiagnostics(terminal, { interactive: false })).map((c) => ({ device: c.device, ok: c.ok, detail: `${c.check}: ${c.detail}` }));
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
  const state = (): ControlState => {
    const v = app.view();
    return { screen: v.screen, txn: v.txn ?? null };
  };
  const hub = new ControlHub({ hands: simHands(terminal), state });
  const watch = watchSimBoard(terminal, (e) => hub.publish(e), { receiptDir: path.join(options.dataDir, 'receipts') });
  const offView = app.onView((v) => hub.publish({ state: { screen: v.screen, txn: v.txn ?? null } }));
  let server: ControlServer | undefined;
  try {
    if (options.controlPath !== undefined) server = await (await import('../control/socket-server.js')).listenControl(hub, path.resolve(options.controlPath));
  } catch (err) {
    watch.close();
    offView();
    throw err;
  }
  return {
    hub,
    server,
    cards: catalogue(),
    async close() {
      offView();
      watch.close();
      hub.close();
      await server?.close();
    },
  };
}
