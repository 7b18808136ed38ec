/**
 * The terminal application as far as the foundation goes: power-on self test, then the
 * idle screen (kept current), or an out-of-service screen naming the failed device.
 * The transaction flows (amount entry, card, PIN, host, receipt) plug in here as the
 * engine grows; keys arrive through the Keypad role only.
 */
import type { Terminal, SelfTestResult } from '../board/terminal.js';
import type { KeyEvent } from '../../hal/roles/keypad.js';
import type { Unsubscribe } from '../../hal/io.js';
import { createLogger } from '../log.js';
import { bootScreen, idleScreen, outOfServiceScreen, type Geometry } from './screens.js';

const log = createLogger('pos:app');

export interface AppSettings {
  merchantName: string;
  version: string;
  /** Clock (tests pin it). */
  now?: () => Date;
}

export type AppState = 'starting' | 'idle' | 'out-of-service' | 'stopped';

export class TerminalApp {
  private state: AppState = 'starting';
  private results: SelfTestResult[] = [];
  private clock: NodeJS.Timeout | undefined;
  private unsubscribeKeys: Unsubscribe | undefined;
  private readonly keyListeners = new Set<(e: KeyEvent) => void>();

  constructor(
    private readonly terminal: Terminal,
    private readonly settings: AppSettings,
  ) {}

  get status(): { state: AppState; selfTest: SelfTestResult[] } {
    return { state: this.state, selfTest: this.results };
  }

  private get geometry(): Geometry {
    const d = this.terminal.roles.display;
    return { cols: d?.cols ?? 20, rows: d?.rows ?? 4 };
  }

  private async show(lines: string[]): Promise<void> {
    const display = this.terminal.roles.display;
    if (!display) return;
    try {
      await display.show(lines);
    } catch (err) {
      log.error('display write failed', { error: String((err as Error).message) });
    }
  }

  /** Runs the power-on self test and shows the idle or the out-of-service screen. */
  async start(): Promise<{ inService: boolean; results: SelfTestResult[] }> {
    await this.show(bootScreen(this.geometry, { version: this.settings.version }));
    this.results = await this.terminal.selfTest();
    const missing = (['display', 'keypad'] as const).filter((r) => !this.terminal.roles[r]);
    const failures = [
      ...this.results.filter((r) => !r.ok).map((r) => ({ device: r.device, error: r.error ?? 'failed' })),
      ...missing.map((r) => ({ device: r, error: 'no device fills this role' })),
    ];
    for (const f of failures) log.error(`self test: ${f.device}: ${f.error}`);
    if (failures.length) {
      this.state = 'out-of-service';
      await this.show(outOfServiceScreen(this.geometry, { failures }));
      return { inService: false, results: this.results };
    }
    this.unsubscribeKeys = this.terminal.roles.keypad?.onKey((e) => this.handleKey(e));
    this.state = 'idle';
    await this.showIdle();
    this.scheduleClock();
    return { inService: true, results: this.results };
  }

  /** Key events as the application received them (control channel, tests). */
  onKeyEvent(listener: (e: KeyEvent) => void): Unsubscribe {
    this.keyListeners.add(listener);
    return () => void this.keyListeners.delete(listener);
  }

  private handleKey(event: KeyEvent): void {
    log.debug('key', { key: event.key });
    for (const l of this.keyListeners) l(event);
  }

  private async showIdle(): Promise<void> {
    const now = (this.settings.now ?? (() => new Date()))();
    await this.show(idleScreen(this.geometry, { merchant: this.settings.merchantName, now, prompt: 'TAP INSERT SWIPE' }));
  }

  /** Refreshes the idle clock at the start of each minute. */
  private scheduleClock(): void {
    const now = Date.now();
    const delay = 60_000 - (now % 60_000) + 5;
    this.clock = setTimeout(() => {
      if (this.state !== 'idle') return;
      void this.showIdle().then(() => this.scheduleClock());
    }, delay);
    this.clock.unref();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.clock) clearTimeout(this.clock);
    this.unsubscribeKeys?.();
    this.keyListeners.clear();
  }
}
