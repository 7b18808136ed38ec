/**
 * The terminal application: power-on self test, then the keypad flows — sign-in, the idle
 * screen, the menus (sale, void, refund, pre-auth, completion, pre-auth cancel, balance,
 * reprint, X/Z report, settle, training mode, sign out), amount entry, and the engine's
 * side of a transaction (EngineUi: a screen per event, online PIN, application choice),
 * then receipts. Keys arrive through the Keypad role by label; every LCD text comes from
 * the message catalog. `view()` / `onView()` tell the control channel what is shown.
 *
 * Without services (the foundation's `pos run`), the application shows the idle screen
 * and reports keys, nothing more; when the configuration cannot give a payment terminal
 * (settings.notConfigured), it shows the not-configured screen instead.
 */
import type { Terminal, SelfTestResult } from '../board/terminal.js';
import { KEY_CANCEL, KEY_CLEAR, KEY_ENTER, KEY_FUNCTION, type KeyEvent } from '../../hal/roles/keypad.js';
import type { Unsubscribe } from '../../hal/io.js';
import type { IndicatorPattern, LedState } from '../../hal/roles/indicator.js';
import { isPrintError } from '../../hal/roles/printer.js';
import { createLogger } from '../log.js';
import { CURRENCIES } from '../config/keys/merchant.js';
import { PinBuffer, PIN_MAX_LENGTH } from '../keys/pin-block.js';
import { can, PIN_ROLES, type Action, type Role } from '../users/roles.js';
import type { UserInfo } from '../users/user-store.js';
import type { CardVia, EngineEvent, EngineUi, TxnRequest, TxnResult, TxnStatus, TxnSummary, TxnType } from '../txn/types.js';
import type { ReceiptCopy, ReceiptData } from '../receipt/types.js';
import type { BatchTotals } from '../journal/totals.js';
import type { AuditEvent } from '../audit/audit.js';
import { CATALOGS, format, type MessageKey, type MessageParams } from './messages/index.js';
import { AMOUNT_MAX_DIGITS, AmountEntry, formatAmount, TextEntry } from './entry.js';
import { KeyInput, KEY_STOP, KEY_TIMEOUT } from './key-input.js';
import type { AppServices } from './services.js';
import { bootScreen, center, idleScreen, listPage, notConfiguredScreen, outOfServiceScreen, right, signedInIdleScreen, titled, type Geometry } from './screens.js';

const log = createLogger('pos:app');

export interface AppSettings {
  merchantName: string;
  version: string;
  /** Clock (tests pin it). */
  now?: () => Date;
  /** ISO 4217 alpha code of transactions (configuration `currency`); default CNY. */
  currency?: string;
  /** Minor-unit exponents by currency (ISO 4217); default the configuration's CURRENCIES. */
  currencies?: Readonly<Record<string, { readonly exponent: number }>>;
  /** Digits an amount may have (default 12, ISO 8583 field 4 n12). */
  maxAmountDigits?: number;
  /** A prompt with no key for this long goes back (default 60 s). */
  inputTimeoutMs?: number;
  /** PIN entry time limit (default 30 s, as PIN pads do). */
  pinTimeoutMs?: number;
  /** How long a message stays when no key dismisses it (default 3 s). */
  noticeMs?: number;
  /**
   * Without services: what the configuration lacks for taking payments (one line each,
   * src/board/emv-config.ts); the application then shows the not-configured screen.
   */
  notConfigured?: readonly string[];
}

export type AppState = 'starting' | 'idle' | 'out-of-service' | 'stopped';

/** What the application shows, for the control channel (`{"state": ...}`) and tests. */
export interface AppView {
  /** A stable screen id: 'sign-in', 'idle', 'menu', 'amount', 'present-card', 'pin', ... */
  screen: string;
  /** The LCD's text, one string per row. */
  lines: string[];
  /** The transaction in progress or just finished. */
  txn?: TxnView;
}

export interface TxnView {
  type: TxnType;
  amount: number;
  currency: string;
  status?: TxnStatus;
  txnId?: string;
}

/** Menu entries, in order; the FUNC menu holds the transactions, F1 (or FUNC's "more") the rest. */
type MenuItem = 'sale' | 'void' | 'refund' | 'preauth' | 'completion' | 'preauth-cancel' | 'balance' | 'reprint' | 'x-report' | 'z-report' | 'settle' | 'training' | 'sign-out' | 'more';

const TXN_MENU: readonly MenuItem[] = ['sale', 'void', 'refund', 'preauth', 'completion', 'preauth-cancel', 'balance', 'reprint', 'more'];
const ADMIN_MENU: readonly MenuItem[] = ['x-report', 'z-report', 'settle', 'training', 'reprint', 'sign-out'];

const MENU_TEXT: Record<Exclude<MenuItem, 'training'>, MessageKey> = {
  sale: 'menu.sale',
  void: 'menu.void',
  refund: 'menu.refund',
  preauth: 'menu.preauth',
  completion: 'menu.completion',
  'preauth-cancel': 'menu.preauthCancel',
  balance: 'menu.balance',
  reprint: 'menu.reprint',
  'x-report': 'menu.xReport',
  'z-report': 'menu.zReport',
  settle: 'menu.settle',
  'sign-out': 'menu.signOut',
  more: 'menu.more',
};

/**
 * Who may do what on the keypad (issue 9, users/roles.ts): cashiers (and supervisors) run
 * sales, pre-auths, completions, balance and reprints; void, refund and pre-auth cancel
 * also need a supervisor's password; finance and admin run reports and settlement; the
 * admin switches training mode.
 */
function allowed(item: MenuItem, role: Role): boolean {
  switch (item) {
    case 'sale':
    case 'void':
    case 'refund':
    case 'preauth-cancel':
      return can(role, 'sale');
    case 'preauth':
    case 'completion':
      return can(role, 'preauth');
    case 'balance':
      return can(role, 'balance');
    case 'x-report':
    case 'z-report':
      return can(role, 'reports') || role === 'admin';
    case 'settle':
      return can(role, 'settlement') || role === 'admin';
    case 'training':
      return can(role, 'config.write');
    case 'reprint':
    case 'sign-out':
    case 'more':
      return true;
  }
}

/** The supervisor action that approves a transaction type, when one is needed. */
const SUPERVISED: Partial<Record<TxnType, Action>> = { void: 'void', refund: 'refund', 'preauth-cancel': 'void' };

/** Which originals each follow-up transaction may pick (same open batch, approved). */
const ORIGINAL_TYPES: Partial<Record<TxnType, readonly TxnType[]>> = {
  void: ['sale', 'completion', 'refund'],
  refund: ['sale', 'completion'],
  completion: ['preauth'],
  'preauth-cancel': ['preauth'],
};

/** A transaction's title is its menu entry. */
const TXN_TITLE: Record<TxnType, MessageKey> = MENU_TEXT;

const VIA_TEXT: Record<CardVia, MessageKey> = { tap: 'card.tap', insert: 'card.insert', swipe: 'card.swipe' };

const DIGIT = /^[0-9]$/;

export class TerminalApp {
  private state: AppState = 'starting';
  private results: SelfTestResult[] = [];
  private clock: NodeJS.Timeout | undefined;
  private unsubscribeKeys: Unsubscribe | undefined;
  private readonly keyListeners = new Set<(e: KeyEvent) => void>();
  private readonly viewListeners = new Set<(v: AppView) => void>();
  private current: AppView = { screen: 'starting', lines: [] };
  private displayChain: Promise<void> = Promise.resolve();
  private readonly keys = new KeyInput(KEY_CANCEL);
  private loop: Promise<void> | undefined;
  private operator: UserInfo | undefined;
  private lastOperatorId = '';
  /** PIN or password entry in progress: key events to listeners carry '*' for digits (and the ALPHA key). */
  private secretEntry = false;
  private engineAbort: AbortController | undefined;
  private readonly messages = CATALOGS.en;

  constructor(
    private readonly terminal: Terminal,
    private readonly settings: AppSettings,
    private readonly services?: AppServices,
  ) {}

  get status(): { state: AppState; selfTest: SelfTestResult[] } {
    return { state: this.state, selfTest: this.results };
  }

  /** What the LCD shows now, with the screen id and the transaction. */
  view(): AppView {
    return this.current;
  }

  /** Called on every screen change. */
  onView(listener: (v: AppView) => void): Unsubscribe {
    this.viewListeners.add(listener);
    return () => void this.viewListeners.delete(listener);
  }

  private get geometry(): Geometry {
    const d = this.terminal.roles.display;
    return { cols: d?.cols ?? 20, rows: d?.rows ?? 4 };
  }

  private now(): Date {
    return (this.services?.now ?? this.settings.now ?? (() => new Date()))();
  }

  private m(key: MessageKey, params?: MessageParams): string {
    return format(this.messages, key, params);
  }

  /** Shows a screen: the view (at once) and the LCD (writes in order). */
  private show(screen: string, lines: string[], txn?: TxnView): Promise<void> {
    this.current = { screen, lines, ...(txn ? { txn } : {}) };
    for (const l of this.viewListeners) {
      try {
        l(this.current);
      } catch (err) {
        log.error('view listener failed', { error: String((err as Error).message) });
      }
    }
    const display = this.terminal.roles.display;
    if (!display) return Promise.resolve();
    this.displayChain = this.displayChain.then(() =>
      display.show(lines).catch((err: unknown) => {
        log.error('display write failed', { error: String((err as Error).message) });
      }),
    );
    return this.displayChain;
  }

  /** Records a security event (channel "keypad"); a failing sink is logged, the flow goes on. */
  private async audit(event: Omit<AuditEvent, 'channel'>): Promise<void> {
    try {
      await this.services?.audit?.record({ ...event, channel: 'keypad' });
    } catch (err) {
      log.error('audit record failed', { type: event.type, error: String((err as Error).message) });
    }
  }

  private beep(pattern: IndicatorPattern): void {
    const indicator = this.services?.indicator ?? this.terminal.roles.indicator;
    void indicator?.signal(pattern).catch(() => undefined);
  }

  private led(state: LedState): void {
    const indicator = this.services?.indicator ?? this.terminal.roles.indicator;
    void indicator?.setLed(state).catch(() => undefined);
  }

  /** Runs the power-on self test and shows the idle or the out-of-service screen. */
  async start(): Promise<{ inService: boolean; results: SelfTestResult[] }> {
    await this.show('starting', bootScreen(this.geometry, { version: this.settings.version, title: this.m('boot.starting') }));
    this.results = await this.terminal.selfTest();
    const missing = (['display', 'keypad'] as const).filter((r) => !this.terminal.roles[r]);
    const failures = [
      ...this.results.filter((r) => !r.ok).map((r) => ({ device: r.device, error: r.error ?? 'failed' })),
      ...missing.map((r) => ({ device: r, error: 'no device fills this role' })),
    ];
    for (const f of failures) log.error(`self test: ${f.device}: ${f.error}`);
    if (failures.length) {
      this.state = 'out-of-service';
      this.led('error');
      await this.show('out-of-service', outOfServiceScreen(this.geometry, { failures, title: this.m('oos.title'), more: (n) => this.m('oos.more', { n }) }));
      return { inService: false, results: this.results };
    }
    this.unsubscribeKeys = this.terminal.roles.keypad?.onKey((e) => this.handleKey(e));
    this.state = 'idle';
    if (this.services) {
      this.loop = this.run();
    } else if (this.settings.notConfigured?.length) {
      await this.show('not-configured', notConfiguredScreen(this.geometry, { title: this.m('nc.title'), count: this.m('nc.count', { n: this.settings.notConfigured.length }), hint: this.m('nc.hint') }));
    } else {
      await this.showIdle();
    }
    this.scheduleClock();
    return { inService: true, results: this.results };
  }

  /** Key events as the application received them (control channel, tests); digits of a PIN come as '*'. */
  onKeyEvent(listener: (e: KeyEvent) => void): Unsubscribe {
    this.keyListeners.add(listener);
    return () => void this.keyListeners.delete(listener);
  }

  private handleKey(event: KeyEvent): void {
    const secret = this.secretEntry && (DIGIT.test(event.key) || event.key === '00' || event.key === this.alphaKey);
    // Digits are never logged (they may be a PIN or a password), nor any key of a secret field.
    if (!this.secretEntry && !DIGIT.test(event.key) && event.key !== '00') log.debug('key', { key: event.key });
    const shown = secret ? { key: '*', at: event.at } : event;
    for (const l of this.keyListeners) l(shown);
    this.keys.deliver(event.key);
  }

  private async showIdle(): Promise<void> {
    if (!this.services) {
      await this.show('idle', idleScreen(this.geometry, { merchant: this.settings.merchantName, now: this.now(), prompt: this.m('idle.tapInsertSwipe'), ready: this.m('idle.ready') }));
      return;
    }
    const status = this.services.training.get() ? this.m('idle.training') : this.m('idle.ready');
    const operator = this.m('idle.operator', { id: this.operator?.id ?? '' });
    await this.show('idle', signedInIdleScreen(this.geometry, { merchant: this.settings.merchantName, now: this.now(), status, operator }));
  }

  /** Refreshes the idle clock at the start of each minute. */
  private scheduleClock(): void {
    const now = Date.now();
    const delay = 60_000 - (now % 60_000) + 5;
    this.clock = setTimeout(() => {
      if (this.state !== 'idle') return;
      const refresh = this.current.screen === 'idle' ? this.showIdle() : Promise.resolve();
      void refresh.then(() => this.scheduleClock());
    }, delay);
    this.clock.unref();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.clock) clearTimeout(this.clock);
    this.unsubscribeKeys?.();
    this.keyListeners.clear();
    this.engineAbort?.abort();
    this.keys.stop();
    await this.loop;
    await this.displayChain;
  }

  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  // ---- the main loop -------------------------------------------------------------------

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.operator) await this.signIn();
        else await this.idle();
      } catch (err) {
        log.error('application flow failed', { error: String((err as Error).message) });
        this.led('error');
        await this.notice('message', [this.m('error.internal')]);
      }
    }
  }

  private get timeoutMs(): number {
    return this.settings.inputTimeoutMs ?? 60_000;
  }

  /** A message that stays until a key or `noticeMs`; the key is taken. */
  private async notice(screen: string, body: string[], options: { title?: string; txn?: TxnView } = {}): Promise<void> {
    const g = this.geometry;
    await this.show(screen, options.title !== undefined ? titled(g, options.title, body) : titled(g, body[0] ?? '', body.slice(1)), options.txn);
    await this.keys.next(this.settings.noticeMs ?? 3_000);
  }

  /** A key; CANCEL, time-out and stop all come back as undefined. */
  private async key(timeoutMs: number | undefined = this.timeoutMs): Promise<string | undefined> {
    const k = await this.keys.next(timeoutMs);
    return k === KEY_CANCEL || k === KEY_TIMEOUT || k === KEY_STOP ? undefined : k;
  }

  /** The key that turns the last character of a text field into letters: ALPHA if the layout has it, else F1, else FUNC. */
  private get alphaKey(): string | undefined {
    const keys = this.terminal.roles.keypad?.keys ?? [];
    return ['ALPHA', 'F1', KEY_FUNCTION].find((k) => keys.includes(k));
  }

  /** A text field (operator ID, password, number); undefined when cancelled or timed out. */
  private async textPrompt(screen: string, title: string, label: string, options: { alpha: boolean; masked: boolean; maxLength: number; initial?: string; minLength?: number }): Promise<string | undefined> {
    const entry = new TextEntry(options.maxLength, { alpha: options.alpha, masked: options.masked }, options.initial);
    const alphaKey = this.alphaKey;
    const hint = options.alpha && alphaKey ? this.m('entry.alphaHint', { key: alphaKey }) : this.m('amount.keys');
    this.secretEntry = options.masked;
    try {
      for (;;) {
        const shown = entry.shown;
        void this.show(screen, titled(this.geometry, title, [label, shown.slice(-this.geometry.cols), hint]));
        const k = await this.key();
        if (k === undefined) return undefined;
        if (k === KEY_ENTER) {
          if (entry.length >= (options.minLength ?? 1)) return entry.value;
          this.beep('error');
        } else if (k === KEY_CLEAR) {
          if (!entry.clear()) this.beep('error');
        } else if (!entry.key(k, options.alpha ? alphaKey : undefined)) this.beep('error');
      }
    } finally {
      this.secretEntry = false;
      entry.wipe();
    }
  }

  // ---- sign-in and idle ------------------------------------------------------------------

  private async signIn(): Promise<void> {
    const services = this.services!;
    const title = this.m('signin.title');
    this.led('ready');
    const id = await this.textPrompt('sign-in', title, this.m('signin.operator'), { alpha: true, masked: false, maxLength: 32, initial: this.lastOperatorId });
    if (id === undefined) return;
    this.lastOperatorId = id;
    const secret = await this.textPrompt('sign-in', title, this.m('signin.secret'), { alpha: true, masked: true, maxLength: 64 });
    if (secret === undefined) return;
    let code: string | undefined;
    if (services.users.needsTotp(id)) {
      code = await this.textPrompt('sign-in', title, this.m('signin.code'), { alpha: false, masked: false, maxLength: 8, minLength: 6 });
      if (code === undefined) return;
    }
    void this.show('sign-in', titled(this.geometry, title, ['', this.m('signin.checking')]));
    const known = services.users.get(id);
    const result = known && PIN_ROLES.includes(known.role) ? await services.users.authenticatePin(id, secret) : await services.users.authenticate(id, secret, code);
    this.keys.flush();
    if (result.ok && !result.mustChangePassword) {
      this.operator = result.user;
      log.info('operator signed in', { operator: id, role: result.user.role });
      await this.audit({ type: 'login', actor: id, outcome: 'ok', detail: { role: result.user.role } });
      this.beep('success');
      return;
    }
    this.beep('error');
    if (result.ok) await this.audit({ type: 'login-failure', actor: id, outcome: 'denied', detail: { reason: 'password-change-required' } });
    else {
      await this.audit({ type: 'login-failure', actor: result.userId ?? 'unknown', outcome: 'failed', detail: { reason: result.reason } });
      if (result.lockedNow) await this.audit({ type: 'lockout', actor: id, subject: id, outcome: 'denied', detail: { retryAfterMs: result.retryAfterMs ?? 0 } });
    }
    if (result.ok) await this.notice('sign-in', [this.m('signin.mustChange'), this.m('signin.atConsole')], { title });
    else if (result.reason === 'locked') {
      await this.notice('sign-in', [this.m('signin.locked'), this.m('signin.retryAfter', { s: Math.ceil((result.retryAfterMs ?? 0) / 1000) })], { title });
    } else if (result.reason === 'disabled') await this.notice('sign-in', [this.m('signin.disabled')], { title });
    else {
      log.warn('keypad sign-in failed', { reason: result.reason });
      await this.notice('sign-in', [this.m('signin.failed'), ...(result.lockedNow ? [this.m('signin.locked')] : [])], { title });
    }
  }

  private async idle(): Promise<void> {
    this.led('ready');
    await this.showIdle();
    const k = await this.keys.next();
    if (k === KEY_STOP) return;
    if (DIGIT.test(k) || k === '00') {
      if (this.can('sale')) await this.transaction('sale', k);
      else await this.refuse('sale');
    } else if (k === KEY_FUNCTION) await this.menu(TXN_MENU);
    else if (k === 'F1' || k === 'ALPHA') await this.menu(ADMIN_MENU);
  }

  private can(item: MenuItem): boolean {
    return this.operator !== undefined && allowed(item, this.operator.role);
  }

  private async refuse(item: MenuItem): Promise<void> {
    this.beep('error');
    await this.audit({ type: 'permission-denied', actor: this.operator?.id ?? 'unknown', subject: item, outcome: 'denied', detail: { role: this.operator?.role ?? '' } });
    await this.notice('not-allowed', [this.m('menu.notAllowed'), this.m('menu.forRole', { role: this.operator?.role ?? '' })]);
  }

  // ---- lists and menus -------------------------------------------------------------------

  /**
   * A numbered list over pages of (rows - 1) lines: a digit picks (lists of up to 9 are
   * numbered throughout, longer ones per page), FUNC or ENTER pages on, CLEAR pages back,
   * CANCEL leaves. Resolves the index, or undefined.
   */
  private async pick(screen: string, title: string, items: readonly string[], txn?: TxnView, timeoutMs = this.timeoutMs): Promise<number | undefined> {
    const perPage = Math.max(1, this.geometry.rows - 1);
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    const global = items.length <= 9;
    let page = 0;
    for (;;) {
      const heading = pages > 1 ? `${title} ${page + 1}/${pages}` : title;
      void this.show(screen, titled(this.geometry, heading, listPage(items, page, perPage, global)), txn);
      const k = await this.key(timeoutMs);
      if (k === undefined) return undefined;
      if (k === KEY_FUNCTION || k === KEY_ENTER) page = (page + 1) % pages;
      else if (k === KEY_CLEAR) page = (page + pages - 1) % pages;
      else if (DIGIT.test(k) && k !== '0') {
        const n = Number(k) - 1;
        const index = global ? n : page * perPage + n;
        if ((global || n < perPage) && index < items.length) return index;
        this.beep('error');
      } else this.beep('error');
    }
  }

  private menuText(item: MenuItem): string {
    if (item === 'training') return this.m(this.services!.training.get() ? 'menu.trainingOff' : 'menu.trainingOn');
    return this.m(MENU_TEXT[item]);
  }

  private async menu(items: readonly MenuItem[]): Promise<void> {
    const choice = await this.pick('menu', this.m('menu.title'), items.map((i) => this.menuText(i)));
    if (choice === undefined) return;
    const item = items[choice]!;
    if (item === 'more') return this.menu(ADMIN_MENU);
    if (!this.can(item)) return this.refuse(item);
    switch (item) {
      case 'reprint':
        return this.reprint();
      case 'x-report':
        return this.report('x');
      case 'z-report':
        return this.report('z');
      case 'settle':
        return this.settle();
      case 'training':
        return this.toggleTraining();
      case 'sign-out':
        return this.signOut();
      default:
        return this.transaction(item);
    }
  }

  // ---- transactions ------------------------------------------------------------------------

  private get currency(): string {
    return this.settings.currency ?? 'CNY';
  }

  private exponent(currency: string): number {
    const table = this.settings.currencies ?? CURRENCIES;
    return (table as Readonly<Record<string, { readonly exponent: number }>>)[currency]?.exponent ?? 2;
  }

  private money(amount: number, currency: string): string {
    return formatAmount(amount, currency, this.exponent(currency));
  }

  private async transaction(type: TxnType, firstKey?: string): Promise<void> {
    const services = this.services!;
    const training = services.training.get();
    const action = SUPERVISED[type];
    if (action && !(await this.supervisor(action))) return;
    let original: TxnSummary | undefined;
    if (ORIGINAL_TYPES[type]) {
      original = await this.pickOriginal(type);
      if (!original) return;
    }
    const currency = original?.currency ?? this.currency;
    let amount = 0;
    if (type === 'sale' || type === 'preauth' || type === 'refund' || type === 'completion') {
      const initial = type === 'refund' || type === 'completion' ? original!.amount : 0;
      const keyed = await this.amountEntry(type, currency, initial, firstKey);
      if (keyed === undefined) return;
      amount = keyed;
    } else if (original) {
      amount = original.amount;
      const confirmed = await this.confirm('confirm', this.m(TXN_TITLE[type]), [this.money(amount, currency), this.m('confirm.ok')], { type, amount, currency });
      if (!confirmed) return;
    }
    const request: TxnRequest = {
      type,
      amount,
      currency,
      operator: this.operator!.id,
      ...(original ? { originalTxnId: original.txnId } : {}),
      ...(training ? { training: true } : {}),
    };
    const result = await this.runEngine(request);
    await this.afterResult(request, result);
  }

  private async confirm(screen: string, title: string, body: string[], txn?: TxnView): Promise<boolean> {
    void this.show(screen, titled(this.geometry, title, body), txn);
    for (;;) {
      const k = await this.key();
      if (k === undefined) return false;
      if (k === KEY_ENTER) return true;
    }
  }

  private async amountEntry(type: TxnType, currency: string, initial: number, firstKey?: string): Promise<number | undefined> {
    const entry = new AmountEntry(this.settings.maxAmountDigits ?? AMOUNT_MAX_DIGITS, initial);
    if (firstKey !== undefined) entry.key(firstKey);
    const title = this.m(TXN_TITLE[type]);
    let hint = this.m('amount.keys');
    for (;;) {
      const txn: TxnView = { type, amount: entry.value, currency };
      void this.show('amount', titled(this.geometry, title, [this.m('amount.prompt'), right(this.money(entry.value, currency), this.geometry.cols), hint]), txn);
      const k = await this.key();
      if (k === undefined) return undefined;
      hint = this.m('amount.keys');
      if (k === KEY_ENTER) {
        if (entry.value > 0) return entry.value;
        hint = this.m('amount.required');
        this.beep('error');
      } else if (k === KEY_CLEAR) {
        if (!entry.clear()) this.beep('error');
      } else if (!entry.key(k)) this.beep('error');
    }
  }

  /** A supervisor's ID and password (and code where the role has one) approve `action`. */
  private async supervisor(action: Action): Promise<boolean> {
    const users = this.services!.users;
    const title = this.m('supervisor.title');
    const self = this.operator && (can(this.operator.role, action) || this.operator.role === 'admin') ? this.operator.id : '';
    const id = await this.textPrompt('supervisor', title, this.m('supervisor.id'), { alpha: true, masked: false, maxLength: 32, initial: self });
    if (id === undefined) return false;
    const password = await this.textPrompt('supervisor', title, this.m('supervisor.password'), { alpha: true, masked: true, maxLength: 64 });
    if (password === undefined) return false;
    let code: string | undefined;
    if (users.needsTotp(id)) {
      code = await this.textPrompt('supervisor', title, this.m('signin.code'), { alpha: false, masked: false, maxLength: 8, minLength: 6 });
      if (code === undefined) return false;
    }
    void this.show('supervisor', titled(this.geometry, title, ['', this.m('signin.checking')]));
    // The password first, then the role: a refusal does not tell whether the ID exists.
    const result = await users.authenticate(id, password, code);
    this.keys.flush();
    if (!result.ok) {
      log.warn('supervisor password refused', { supervisor: id, reason: result.reason });
      await this.audit({ type: 'login-failure', actor: result.userId ?? 'unknown', outcome: 'failed', detail: { reason: result.reason, purpose: `supervisor:${action}` } });
      this.beep('error');
      await this.notice('supervisor', [this.m('supervisor.wrong')], { title });
      return false;
    }
    if (!(can(result.user.role, action) || result.user.role === 'admin')) {
      this.beep('error');
      await this.audit({ type: 'permission-denied', actor: id, subject: action, outcome: 'denied', detail: { role: result.user.role, purpose: 'supervisor' } });
      await this.notice('supervisor', [this.m('supervisor.notSupervisor')], { title });
      return false;
    }
    log.info('supervisor approved', { supervisor: id, action, operator: this.operator?.id });
    await this.audit({ type: 'login', actor: id, subject: action, outcome: 'ok', detail: { purpose: 'supervisor', operator: this.operator?.id ?? '' } });
    return true;
  }

  private async pickOriginal(type: TxnType): Promise<TxnSummary | undefined> {
    const types = ORIGINAL_TYPES[type]!;
    const training = this.services!.training.get();
    const eligible = (s: TxnSummary): boolean => types.includes(s.type) && s.result === 'approved' && s.training === training;
    const list = (await this.services!.engine.openBatch()).filter(eligible);
    const title = this.m('pick.title');
    // A refund may name a sale of a batch already settled, by the trace number on its receipt.
    const earlier = type === 'refund';
    if (!list.length && !earlier) {
      this.beep('error');
      await this.notice('pick-original', [this.m('pick.none')], { title });
      return undefined;
    }
    const rows = list.map((s) => `${s.maskedPan ? '*' + s.maskedPan.slice(-4) : this.m(TXN_TITLE[s.type])} ${this.money(s.amount, s.currency)}`);
    // Nothing in the open batch (a refund only, see above): straight to the trace number.
    const i = list.length > 0 ? await this.pick('pick-original', title, earlier ? [...rows, this.m('pick.byTrace')] : rows) : list.length;
    if (i === undefined) return undefined;
    if (i < list.length) return list[i];
    const number = await this.textPrompt('pick-original', title, this.m('reprint.number'), { alpha: false, masked: false, maxLength: 6 });
    if (number === undefined || number === '') return undefined;
    const found = await this.services!.engine.findByTrace(Number(number));
    if (!found || !eligible(found)) {
      this.beep('error');
      await this.notice('pick-original', [this.m('reprint.notFound')], { title });
      return undefined;
    }
    const card = found.maskedPan ? `*${found.maskedPan.slice(-4)} ` : '';
    const ok = await this.confirm('pick-original', title, [`${card}${this.money(found.amount, found.currency)}`, found.at.slice(0, 10), this.m('confirm.ok')]);
    return ok ? found : undefined;
  }

  private txnView(request: TxnRequest, extra: { status?: TxnStatus; txnId?: string } = {}): TxnView {
    return { type: request.type, amount: request.amount, currency: request.currency, ...extra };
  }

  private async runEngine(request: TxnRequest): Promise<TxnResult> {
    const services = this.services!;
    const abort = new AbortController();
    this.engineAbort = abort;
    this.keys.flush();
    this.keys.onBusyCancel = () => abort.abort();
    this.led('busy');
    const ui: EngineUi = {
      event: (e) => this.engineEvent(request, e),
      onlinePin: (r) => this.onlinePin(request, r),
      offlinePin: (r) => this.offlinePin(request, r),
      chooseApplication: (labels) => this.chooseApplication(request, labels),
      signal: abort.signal,
    };
    try {
      return await services.engine.run(request, ui);
    } catch (err) {
      log.error('engine failed', { error: String((err as Error).message) });
      return { status: 'failed', reason: 'engine error' };
    } finally {
      this.keys.onBusyCancel = undefined;
      this.engineAbort = undefined;
      this.keys.flush();
    }
  }

  private engineEvent(request: TxnRequest, e: EngineEvent): void {
    const g = this.geometry;
    const txn = this.txnView(request);
    const title = this.m(TXN_TITLE[request.type]);
    const amount = this.money(request.amount, request.currency);
    const vias = (via: readonly CardVia[]): string => via.map((v) => this.m(VIA_TEXT[v])).join('/');
    switch (e.kind) {
      case 'present-card':
        void this.show('present-card', titled(g, title, [this.money(e.amount, e.currency), this.m('card.present'), vias(e.via)]), { ...txn, amount: e.amount, currency: e.currency });
        return;
      case 'insert-card':
        this.beep('attention');
        void this.show('insert-card', titled(g, this.m('card.insertChip'), [amount, this.m('card.insertNow'), this.m('card.cancelKey')]), txn);
        return;
      case 'try-another-interface':
        this.beep('attention');
        void this.show('try-another', titled(g, this.m('card.tryAnother'), [amount, vias(e.via), this.m('card.cancelKey')]), txn);
        return;
      case 'fallback-swipe':
        this.beep('attention');
        void this.show('fallback-swipe', titled(g, this.m('card.chipFailed'), [amount, this.m('card.swipeNow'), this.m('card.cancelKey')]), txn);
        return;
      case 'reading-card':
        void this.show('reading-card', titled(g, this.m('card.reading'), [amount, this.m(e.via === 'insert' ? 'card.doNotRemove' : 'card.holdCard')]), txn);
        return;
      case 'remove-card':
        this.beep('attention');
        void this.show('remove-card', titled(g, this.m('card.remove'), [amount]), txn);
        return;
      case 'authorising':
        void this.show('authorising', titled(g, this.m('host.authorising'), [amount, this.m('host.wait')]), txn);
        return;
      case 'refused':
        this.beep('error');
        void this.show('refused', titled(g, this.m('refused.title'), [this.m(`refused.${e.reason}`), amount]), { ...txn, status: 'refused' });
        return;
      case 'card-error':
        this.beep('error');
        // The engine's message is for the log (never card data); the cashier reads the catalog's words.
        log.warn('card error', { message: e.message });
        void this.show('card-error', titled(g, this.m('card.error'), [amount, this.m('card.cancelKey')]), txn);
        return;
      case 'host-unavailable':
        this.beep('error');
        void this.show('host-unavailable', titled(g, this.m('host.unavailable'), [amount, this.m('host.tryLater')]), txn);
        return;
      case 'result':
        void this.show('result', this.resultLines(request, e.result), this.txnView(request, this.resultExtra(e.result)));
        return;
    }
  }

  private resultExtra(result: TxnResult): { status: TxnStatus; txnId?: string } {
    return { status: result.status, ...(result.txnId !== undefined ? { txnId: result.txnId } : {}) };
  }

  private resultLines(request: TxnRequest, result: TxnResult): string[] {
    const title = this.m(TXN_TITLE[request.type]);
    const amount = result.balance ? this.money(result.balance.amount, result.balance.currency) : this.money(request.amount, request.currency);
    const training = request.training ? [this.m('result.training')] : [];
    switch (result.status) {
      case 'approved': {
        const lines = [result.balance ? this.m('result.balance') : this.m('result.approved'), amount];
        const auth = result.receipt?.authCode;
        if (auth) lines.push(this.m('result.authCode', { code: auth }));
        return titled(this.geometry, title, [...lines, ...training]);
      }
      case 'declined': {
        const rc = result.responseCode;
        const words = rc && (`rc.${rc}` as MessageKey) in this.messages ? this.m(`rc.${rc}` as MessageKey) : undefined;
        return titled(this.geometry, title, [this.m('result.declined'), ...(words ? [words] : []), ...(rc ? [this.m('result.code', { code: rc })] : [])]);
      }
      case 'refused':
        return titled(this.geometry, title, [this.m('result.refused'), ...(result.refusal ? [this.m(`refused.${result.refusal}`)] : [])]);
      case 'cancelled':
        return titled(this.geometry, title, [this.m('result.cancelled')]);
      case 'failed':
        return titled(this.geometry, title, [this.m('result.failed')]);
    }
  }

  private async afterResult(request: TxnRequest, result: TxnResult): Promise<void> {
    const txn = this.txnView(request, this.resultExtra(result));
    const lines = this.resultLines(request, result);
    this.beep(result.status === 'approved' ? 'success' : 'error');
    this.led('ready');
    log.info('transaction ended', { type: request.type, status: result.status, txnId: result.txnId, responseCode: result.responseCode });
    const receipt = result.receipt;
    if (!receipt || (result.status !== 'approved' && result.status !== 'declined')) {
      await this.show('result', lines, txn);
      await this.keys.next(this.settings.noticeMs ?? 3_000);
      return;
    }
    await this.show('result', lines, txn);
    await this.printCopy(receipt, 'merchant', false, lines, txn);
    const customer = await this.confirm('customer-copy', this.m('print.customerCopy'), [lines[1] ?? '', this.m('print.yesNo')], txn);
    if (customer) await this.printCopy(receipt, 'customer', false, lines, txn);
  }

  /** Prints a copy; a printer fault asks to fix it and retry (ENTER) or skip (CANCEL). True when printed. */
  private async printCopy(receipt: ReceiptData, copy: ReceiptCopy, reprint: boolean, lines: string[], txn?: TxnView): Promise<boolean> {
    return this.printing(() => this.services!.receipts.print(receipt, copy, { reprint }), lines, txn);
  }

  private async printing(job: () => Promise<void>, lines: string[], txn?: TxnView): Promise<boolean> {
    const g = this.geometry;
    for (;;) {
      const shown = [...lines.slice(0, g.rows - 1), center(this.m('print.printing'), g.cols)];
      void this.show('printing', shown, txn);
      try {
        await job();
        return true;
      } catch (err) {
        this.keys.flush();
        if (!isPrintError(err)) {
          log.error('printing failed', { error: String((err as Error).message) });
          this.beep('error');
          await this.notice('printer-error', [this.m('print.error')], txn ? { txn } : {});
          return false;
        }
        log.warn('printer fault', { reason: err.reason });
        this.beep('attention');
        const [screen, first, second] =
          err.reason === 'paper-out'
            ? (['paper-out', this.m('print.paperOut'), this.m('print.loadPaper')] as const)
            : err.reason === 'cover-open'
              ? (['printer-error', this.m('print.coverOpen'), this.m('print.closeCover')] as const)
              : (['printer-error', this.m('print.error'), ''] as const);
        const retry = await this.confirm(screen, first, [second, this.m('print.retry'), this.m('print.skip')], txn);
        if (!retry) return false;
      }
    }
  }

  // ---- the engine's UI: PIN and application choice ----------------------------------------------

  /**
   * The PIN screen: digits masked, into a PinBuffer the caller owns (and wipes). `note` is
   * shown until the first key (e.g. the tries left after a wrong offline PIN).
   */
  private async pinEntry(request: TxnRequest, r: { amount: number; currency: string; bypassAllowed?: boolean }, note = ''): Promise<PinBuffer | 'bypassed' | 'cancelled'> {
    const pin = new PinBuffer();
    const g = this.geometry;
    const txn = this.txnView(request);
    const bypass = r.bypassAllowed === true;
    this.secretEntry = true;
    try {
      for (;;) {
        const hint = note || (pin.length === 0 && bypass ? this.m('pin.bypass') : this.m('pin.keys'));
        void this.show('pin', titled(g, this.m('pin.title'), [this.money(r.amount, r.currency), center('*'.repeat(pin.length), g.cols), hint]), txn);
        note = '';
        const k = await this.keys.next(this.settings.pinTimeoutMs ?? 30_000);
        if (k === KEY_CANCEL || k === KEY_TIMEOUT || k === KEY_STOP) {
          this.engineAbort?.abort();
          pin.wipe();
          return 'cancelled';
        }
        if (k === KEY_ENTER) {
          if (pin.length === 0 && bypass) return 'bypassed';
          if (pin.complete) return pin;
          note = this.m('pin.length');
          this.beep('error');
        } else if (k === KEY_CLEAR) pin.backspace();
        else if (DIGIT.test(k) || k === '00') {
          const digits = [...k];
          if (pin.length + digits.length > PIN_MAX_LENGTH) this.beep('error');
          else for (const d of digits) pin.push(d.charCodeAt(0) - 48);
        } else this.beep('error');
      }
    } catch (err) {
      pin.wipe();
      throw err;
    } finally {
      this.secretEntry = false;
    }
  }

  private async onlinePin(request: TxnRequest, r: Parameters<EngineUi['onlinePin']>[0]): ReturnType<EngineUi['onlinePin']> {
    const pin = await this.pinEntry(request, r);
    if (typeof pin === 'string') return pin;
    try {
      void this.show('authorising', titled(this.geometry, this.m('host.authorising'), [this.money(r.amount, r.currency), this.m('host.wait')]), this.txnView(request));
      return await this.services!.pin.encipher(pin, r.pan);
    } finally {
      pin.wipe();
    }
  }

  /** Offline PIN: the engine builds the card's VERIFY data from the buffer and wipes it. */
  private offlinePin(request: TxnRequest, r: Parameters<NonNullable<EngineUi['offlinePin']>>[0]): Promise<PinBuffer | 'bypassed' | 'cancelled'> {
    const note = r.triesLeft === 1 ? this.m('pin.lastTry') : r.retry && r.triesLeft !== undefined ? this.m('pin.triesLeft', { tries: r.triesLeft }) : '';
    return this.pinEntry(request, r, note);
  }

  private async chooseApplication(request: TxnRequest, labels: readonly string[]): Promise<number | undefined> {
    const i = await this.pick('choose-app', this.m('choose.title'), labels, this.txnView(request));
    if (i === undefined) this.engineAbort?.abort();
    return i;
  }

  // ---- reprint, reports, settlement, training, sign out -----------------------------------------

  private async reprint(): Promise<void> {
    const engine = this.services!.engine;
    const title = this.m('reprint.title');
    void this.show('reprint', titled(this.geometry, title, [this.m('reprint.last'), this.m('reprint.byNumber')]));
    let k: string | undefined;
    do k = await this.key();
    while (k !== undefined && k !== '1' && k !== '2');
    if (k === undefined) return;
    let found: TxnSummary | undefined;
    if (k === '1') found = await engine.find('last');
    else {
      const number = await this.textPrompt('reprint', title, this.m('reprint.number'), { alpha: false, masked: false, maxLength: 12 });
      if (number === undefined) return;
      const n = Number(number);
      found = (await engine.openBatch()).find((s) => s.receipt.stan === n || s.txnId === number) ?? (await engine.find(number));
    }
    if (!found) {
      this.beep('error');
      await this.notice('reprint', [this.m('reprint.notFound')], { title });
      return;
    }
    const txn: TxnView = { type: found.type, amount: found.amount, currency: found.currency, txnId: found.txnId };
    await this.printCopy(found.receipt, 'merchant', true, titled(this.geometry, title, [this.money(found.amount, found.currency)]), txn);
  }

  private reportLines(kind: 'x' | 'z', totals: BatchTotals | undefined, status?: string): string[] {
    const body: string[] = status ? [status] : [];
    if (!totals || Object.keys(totals.byCurrency).length === 0) body.push(this.m('report.empty'));
    else {
      body.push(this.m('report.batch', { batch: totals.batch }));
      for (const [currency, c] of Object.entries(totals.byCurrency)) {
        body.push(this.m('report.count', { currency, count: c.count }), this.m('report.net', { amount: this.money(c.net, currency) }));
      }
    }
    return titled(this.geometry, this.m(kind === 'x' ? 'report.x' : 'report.z'), body);
  }

  private async report(kind: 'x' | 'z'): Promise<void> {
    const services = this.services!;
    const totals = await services.settlement.report(kind);
    const lines = this.reportLines(kind, totals);
    await this.show('report', lines);
    if (totals) await this.printing(() => services.reports.printReport(kind, totals), lines);
    await this.show('report', lines);
    await this.keys.next(this.settings.noticeMs ?? 3_000);
  }

  private async settle(): Promise<void> {
    const services = this.services!;
    const title = this.m('menu.settle');
    if (!(await this.confirm('settle', title, [this.m('settle.confirm'), this.m('confirm.ok')]))) return;
    void this.show('settling', titled(this.geometry, this.m('settle.settling'), [this.m('host.wait')]));
    this.led('busy');
    let result;
    try {
      result = await services.settlement.settle({ operator: this.operator!.id, trigger: 'manual' });
    } finally {
      this.keys.flush();
      this.led('ready');
    }
    log.info('settlement', { status: result.status, batch: result.batch, responseCode: result.responseCode });
    const closed = result.status === 'in-balance' || result.status === 'balanced-after-upload' || result.status === 'empty';
    this.beep(closed ? 'success' : 'error');
    const lines = this.reportLines('z', result.totals, this.m(`settle.${result.status}`));
    await this.show('settle-result', lines);
    if (closed) await this.printing(() => services.reports.printReport('z', result.totals, result), lines);
    await this.show('settle-result', lines);
    await this.keys.next(this.settings.noticeMs ?? 3_000);
  }

  private async toggleTraining(): Promise<void> {
    const training = this.services!.training;
    const on = !training.get();
    await training.set(on, this.operator!.id);
    log.info('training mode', { on, by: this.operator!.id });
    await this.notice('training', [this.m(on ? 'training.on' : 'training.off')]);
  }

  private async signOut(): Promise<void> {
    log.info('operator signed out', { operator: this.operator?.id });
    await this.audit({ type: 'logout', actor: this.operator?.id ?? 'unknown', outcome: 'ok' });
    this.operator = undefined;
    await this.notice('signed-out', [this.m('signout.done')]);
  }
}
