// Test rig for the keypad application: a real sim terminal (keys pressed on the keypad
// model's matrix reach the app through the matrix-keypad driver; the LCD is read back from
// the HD44780 model's display memory), a real user store seeded with the sim folder's TEST
// credentials, and scripted collaborators that keep to the contracts in src/txn/types.ts,
// src/settle/types.ts and src/app/services.ts (they are not what these tests test).
import { buildTerminal } from '../../src/board/build.js';
import type { Terminal } from '../../src/board/terminal.js';
import type { SimKeypad } from '../../src/board/parts/matrix-keypad.js';
import type { Hd44780Model } from '../../hal/devices/hd44780/hd44780.sim.js';
import { TerminalApp, type AppSettings, type AppView } from '../../src/app/terminal-app.js';
import type { AppServices, PinEncipherment, ReceiptPrinterService, ReportPrinterService, TrainingSetting } from '../../src/app/services.js';
import { keysToType } from '../../src/app/entry.js';
import type { CardVia, Engine, EngineUi, RecoveryReport, TxnRequest, TxnResult, TxnSummary } from '../../src/txn/types.js';
import type { ReceiptCopy, ReceiptData } from '../../src/receipt/types.js';
import type { Settlement, SettleResult } from '../../src/settle/types.js';
import type { BatchTotals } from '../../src/journal/totals.js';
import { PrintError, type PrintFailureReason } from '../../hal/roles/printer.js';
import { SecretDeviceKeyProvider } from '../../src/keys/device-key.js';
import { UserStore } from '../../src/users/user-store.js';
import { ensureFirstBootCredentials } from '../../src/users/first-boot.js';
import { TEST_SCRYPT } from '../console/helpers.js';
import { MemoryAuditSink } from '../../src/audit/audit.js';

import type { Test } from 'tap';
import { until } from '../until.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Short-ID users added next to the seeded TEST credentials, so most tests type less. */
export const QUICK = {
  cashier: { id: 'c1', pin: '2580' },
  supervisor: { id: 'sa', password: '9a-5839271' },
  finance: { id: 'fa', password: '9a-5839271' },
} as const;

/** A test PAN (Luhn-valid, Visa test range). */
export const TEST_PAN = '4761739001010010';

export function receiptFor(request: TxnRequest, txnId: string, result: 'approved' | 'declined', extra: Partial<ReceiptData> = {}): ReceiptData {
  return {
    merchant: { name: 'TEST MERCHANT', merchantId: '123456789012345', terminalId: 'TERM0001' },
    at: '2026-11-28T09:05:00',
    txnType: request.type,
    result,
    amount: request.amount,
    currency: request.currency,
    maskedPan: '476173******0010',
    scheme: 'visa',
    entryMode: '07',
    cvm: 'no-cvm',
    batch: 1,
    txnId,
    stan: Number(txnId.replace(/\D/g, '')) || 1,
    ...(result === 'approved' ? { authCode: 'A1B2C3', responseCode: '00', rrn: '000000000001' } : { responseCode: '51' }),
    ...extra,
  };
}

/** What one scripted run does once a card is there. */
export interface RunScript {
  /** The interfaces offered (default all three). */
  via?: CardVia[];
  /** Events between reading and authorising (e.g. insert-card after a swiped chip card). */
  afterRead?: (ui: EngineUi, request: TxnRequest) => Promise<void> | void;
  /** Ask for an online PIN. */
  pin?: boolean;
  bypassAllowed?: boolean;
  /** Ask the cardholder to choose among these applications. */
  applications?: string[];
  /** The outcome (default approved with a receipt). */
  outcome?: 'approved' | 'declined' | 'host-unavailable' | 'card-error';
  /** Refused before any card (risk limits, original checks). */
  refuse?: TxnResult['refusal'];
  balance?: number;
  /** The card's PAN (default TEST_PAN). */
  pan?: string;
}

/**
 * An engine double that keeps to the Engine/EngineUi contract: 'present-card' first, then
 * waits for the test to present a card (or for the abort signal: result 'cancelled'),
 * 'reading-card', optional application choice and online PIN, 'authorising', then the
 * 'result' event and the same result returned.
 */
export class ScriptedEngine implements Engine {
  readonly requests: TxnRequest[] = [];
  readonly events: string[] = [];
  readonly pins: (Awaited<ReturnType<EngineUi['onlinePin']>> | undefined)[] = [];
  readonly chosen: (number | undefined)[] = [];
  batch: TxnSummary[] = [];
  next: RunScript = {};
  private card: { resolve(via: CardVia): void } | undefined;
  private seq = 0;

  /** Resolves when the engine waits for a card. */
  waitingForCard(): boolean {
    return this.card !== undefined;
  }

  present(via: CardVia): void {
    const c = this.card;
    if (!c) throw new Error('the engine is not waiting for a card');
    this.card = undefined;
    c.resolve(via);
  }

  async run(request: TxnRequest, ui: EngineUi): Promise<TxnResult> {
    this.requests.push(request);
    const script = this.next;
    this.next = {};
    const emit = (e: Parameters<EngineUi['event']>[0]): void => {
      this.events.push(e.kind);
      ui.event(e);
    };
    const end = (result: TxnResult): TxnResult => {
      emit({ kind: 'result', result });
      return result;
    };
    if (script.refuse) {
      emit({ kind: 'refused', reason: script.refuse });
      return end({ status: 'refused', refusal: script.refuse });
    }
    emit({ kind: 'present-card', amount: request.amount, currency: request.currency, via: script.via ?? ['tap', 'insert', 'swipe'] });
    const via = await new Promise<CardVia | undefined>((resolve) => {
      if (ui.signal?.aborted) return resolve(undefined);
      this.card = { resolve };
      ui.signal?.addEventListener('abort', () => {
        this.card = undefined;
        resolve(undefined);
      });
    });
    if (via === undefined) return end({ status: 'cancelled', reason: 'cancelled by the cashier' });
    emit({ kind: 'reading-card', via });
    if (script.applications) {
      const i = await ui.chooseApplication(script.applications);
      this.chosen.push(i);
      if (i === undefined) return end({ status: 'cancelled' });
    }
    if (script.outcome === 'card-error') {
      emit({ kind: 'card-error', message: 'SW 6F00 on GPO' });
      return end({ status: 'failed', reason: 'card error' });
    }
    await script.afterRead?.(ui, request);
    if (via === 'tap') emit({ kind: 'remove-card' });
    if (script.pin) {
      const pin = await ui.onlinePin({ panMasked: '476173******0010', pan: script.pan ?? TEST_PAN, amount: request.amount, currency: request.currency, ...(script.bypassAllowed ? { bypassAllowed: true } : {}) });
      this.pins.push(pin);
      if (pin === 'cancelled' || ui.signal?.aborted) return end({ status: 'cancelled' });
    }
    emit({ kind: 'authorising' });
    if (script.outcome === 'host-unavailable') {
      emit({ kind: 'host-unavailable' });
      return end({ status: 'failed', reason: 'host unavailable' });
    }
    const txnId = `T${++this.seq}`;
    const approved = script.outcome !== 'declined';
    const receipt = receiptFor(request, txnId, approved ? 'approved' : 'declined', request.training ? { training: true } : {});
    const result: TxnResult = {
      status: approved ? 'approved' : 'declined',
      txnId,
      responseCode: approved ? '00' : '51',
      receipt,
      ...(script.balance !== undefined ? { balance: { amount: script.balance, currency: request.currency } } : {}),
    };
    if (approved && request.type !== 'balance') {
      this.batch.unshift({ txnId, type: request.type, result: 'approved', amount: request.amount, currency: request.currency, maskedPan: receipt.maskedPan, at: receipt.at, batch: this.openBatchNumber, training: request.training === true, receipt });
    }
    if (via === 'insert') emit({ kind: 'remove-card' });
    return end(result);
  }

  async find(txnId: string | 'last'): Promise<TxnSummary | undefined> {
    return txnId === 'last' ? this.batch[0] : this.batch.find((s) => s.txnId === txnId);
  }

  async openBatch(): Promise<TxnSummary[]> {
    return this.batch.filter((s) => s.batch === this.openBatchNumber);
  }

  /** Batches before this one are settled: the pick list no longer offers them. */
  openBatchNumber = 1;

  async findByTrace(stan: number): Promise<TxnSummary | undefined> {
    return this.batch.find((s) => s.receipt.stan === stan && s.result === 'approved');
  }

  async recover(): Promise<RecoveryReport> {
    return { reversed: 0, advicesSent: 0, stillOwed: 0 };
  }

  async close(): Promise<void> {}
}

/** Receipt and report printing double: records each copy; `failures` makes the next calls fail like the printer role. */
export class ScriptedPrinter implements ReceiptPrinterService, ReportPrinterService {
  readonly printed: { copy: ReceiptCopy | 'x' | 'z'; txnId?: string; reprint?: boolean }[] = [];
  failures: PrintFailureReason[] = [];

  private fail(): void {
    const reason = this.failures.shift();
    if (reason) throw new PrintError(reason, { jobId: 'job', state: 'not-started', totalLines: 20, startAt: 0, printedLines: 0 }, `printer: ${reason}`);
  }

  async print(data: ReceiptData, copy: ReceiptCopy, options: { reprint: boolean }): Promise<void> {
    this.fail();
    this.printed.push({ copy, txnId: data.txnId, reprint: options.reprint });
  }

  async printReport(kind: 'x' | 'z'): Promise<void> {
    this.fail();
    this.printed.push({ copy: kind });
  }
}

export const TOTALS: BatchTotals = {
  batch: 7,
  byCurrency: { CNY: { count: 2, net: 15_000, byType: { sale: { count: 2, amount: 15_000 } }, byScheme: {} } },
};

export class ScriptedSettlement implements Settlement {
  readonly calls: string[] = [];
  status: SettleResult['status'] = 'in-balance';

  async settle(options: { operator: string; trigger: 'manual' | 'schedule' }): Promise<SettleResult> {
    this.calls.push(`settle:${options.operator}:${options.trigger}`);
    return { status: this.status, batch: 7, uploaded: this.status === 'balanced-after-upload' ? 2 : 0, totals: TOTALS, ...(this.status === 'refused' ? { responseCode: '96' } : { responseCode: '00' }) };
  }

  async report(kind: 'x' | 'z'): Promise<BatchTotals | undefined> {
    this.calls.push(`report:${kind}`);
    return TOTALS;
  }
}

export class MemoryTraining implements TrainingSetting {
  on = false;
  readonly changes: string[] = [];
  get(): boolean {
    return this.on;
  }
  async set(on: boolean, by: string): Promise<void> {
    this.on = on;
    this.changes.push(`${on}:${by}`);
  }
}

export interface Rig {
  terminal: Terminal;
  app: TerminalApp;
  users: UserStore;
  engine: ScriptedEngine;
  printer: ScriptedPrinter;
  settlement: ScriptedSettlement;
  training: MemoryTraining;
  audit: MemoryAuditSink;
  lcd: Hd44780Model;
  keypad: SimKeypad;
  /** Every screen id shown, in order. */
  screens: string[];
  views: AppView[];
  /** Key names the app's listeners received (PIN digits come as '*'). */
  keyEvents: string[];
  /** Presses keys one after another, each held until the terminal took it. */
  press(...keys: string[]): Promise<void>;
  /** Types text on the digit keypad (letters through the ALPHA key), then ENTER. */
  type(text: string, enter?: boolean): Promise<void>;
  /** Waits until the app shows `screen` and the LCD shows its lines; returns the LCD text. */
  screen(id: string, match?: RegExp): Promise<string[]>;
  signIn(id: string, secret: string, code?: string): Promise<void>;
  close(): Promise<void>;
}

const deviceKey = new SecretDeviceKeyProvider('app-test-device', 'test-salt-0001');

export async function rig(
  t: { testdir(): string },
  options: { settings?: Partial<AppSettings>; pin?: PinEncipherment; now?: () => number; dataDir?: string } = {},
): Promise<Rig> {
  const dir = options.dataDir ?? t.testdir();
  const users = await UserStore.open({ dataDir: dir, deviceKey, scrypt: TEST_SCRYPT, ...(options.now ? { now: options.now } : {}) });
  if (users.size === 0) {
    await ensureFirstBootCredentials(users, 'sim');
    await users.add({ id: QUICK.cashier.id, role: 'cashier', pin: QUICK.cashier.pin, test: true });
    await users.add({ id: QUICK.supervisor.id, role: 'supervisor', password: QUICK.supervisor.password, test: true });
    await users.add({ id: QUICK.finance.id, role: 'finance', password: QUICK.finance.password, test: true });
  }
  const terminal = await buildTerminal('sim');
  const engine = new ScriptedEngine();
  const printer = new ScriptedPrinter();
  const settlement = new ScriptedSettlement();
  const training = new MemoryTraining();
  const pin: PinEncipherment = options.pin ?? {
    async encipher(buffer) {
      buffer.wipe();
      return { pinBlock: new Uint8Array(8), ksn: new Uint8Array(10) };
    },
  };
  const audit = new MemoryAuditSink();
  const services: AppServices = { engine, users, settlement, receipts: printer, reports: printer, pin, training, audit, now: () => new Date(2026, 10, 28, 9, 5, 0) };
  const app = new TerminalApp(terminal, { merchantName: 'TEST MERCHANT', version: '0.1.0', noticeMs: 60_000, ...options.settings }, services);
  const screens: string[] = [];
  const views: AppView[] = [];
  app.onView((v) => {
    views.push(v);
    if (screens.at(-1) !== v.screen) screens.push(v.screen);
  });
  const keyEvents: string[] = [];
  let waiter: (() => void) | undefined;
  app.onKeyEvent((e) => {
    keyEvents.push(e.key);
    const w = waiter;
    waiter = undefined;
    w?.();
  });
  const lcd = terminal.models.lcd as Hd44780Model;
  const keypad = terminal.models.keypad as SimKeypad;
  const { inService } = await app.start();
  if (!inService) throw new Error('the sim terminal is out of service');

  // The driver takes the next press of the same key only after it has seen this one's
  // release (debounced) and gone back to waiting for an edge, with every row driven low.
  // Under load that can take longer than any fixed pause, so wait for it on the wires.
  const released = (): Promise<void> => until(() => keypad.driverResting() !== false, 'the keypad driver back at rest', 30_000);
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      const label = keypad.label(k);
      if (label === undefined) throw new Error(`no key ${k}`);
      const seen = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`key ${k}: no key event within 30 s`)), 30_000);
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      await keypad.model.press(label, { bounce: 3 });
      await seen;
      await keypad.model.release(label, { bounce: 3 });
      await released();
    }
  };
  const type = async (text: string, enter = true): Promise<void> => {
    const keys = keysToType(text, 'F1');
    if (!keys) throw new Error(`cannot type ${JSON.stringify(text)}`);
    await press(...keys);
    if (enter) await press('ENTER');
  };
  const screen = async (id: string, match?: RegExp): Promise<string[]> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const v = app.view();
      const text = lcd.text().map((l) => l.trimEnd());
      const want = v.lines.map((l) => l.trimEnd());
      const rows = [...want, ...Array<string>(Math.max(0, text.length - want.length)).fill('')];
      if (v.screen === id && rows.every((l, i) => l === text[i]) && (!match || match.test(text.join('\n')))) return text;
      if (Date.now() > deadline) throw new Error(`screen ${id}${match ? ` ${match}` : ''} not shown; app shows ${v.screen}: ${JSON.stringify(v.lines)}; LCD ${JSON.stringify(text)}`);
      await sleep(10);
    }
  };
  const signIn = async (id: string, secret: string, code?: string): Promise<void> => {
    await screen('sign-in', /OPERATOR ID/);
    // The field starts with the last operator's ID: clear it first.
    const prefilled = (app.view().lines[2] ?? '').trim().length;
    await press(...Array<string>(prefilled).fill('CLEAR'));
    await type(id);
    await screen('sign-in', /PASSWORD/);
    await type(secret);
    if (code !== undefined) {
      await screen('sign-in', /CODE/);
      await type(code);
    }
  };
  return {
    terminal,
    app,
    users,
    engine,
    printer,
    settlement,
    training,
    audit,
    lcd,
    keypad,
    screens,
    views,
    keyEvents,
    press,
    type,
    screen,
    signIn,
    async close() {
      await app.stop();
      await terminal.close();
    },
  };
}

/** A rig whose screens are added to `seen` when the test ends (a file checks its screens were all reached). */
export async function openRig(t: Test, seen: Set<string>, options: Parameters<typeof rig>[1] = {}): Promise<Rig> {
  const r = await rig(t, options);
  t.teardown(async () => {
    for (const s of r.screens) seen.add(s);
    await r.close();
  });
  return r;
}

/** A sale of `digits` keyed on the idle screen, approved with a tap, no customer copy. */
export async function sale(r: Rig, digits: string[]): Promise<void> {
  await r.screen('idle');
  await r.press(...digits, 'ENTER');
  await r.screen('present-card');
  r.engine.present('tap');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  await r.screen('idle');
}
