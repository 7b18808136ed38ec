/**
 * Automatic settlement (config settlement.schedule daily|monthly at settlement.time, on
 * settlement.dayOfMonth) and the weekly automatic journal backup, on an injected clock and
 * timer. A due time is owed while the open batch was opened before it: that is what the
 * journal remembers, so a terminal that was off at the due time settles once at its next
 * start (only the latest due time, never one per missed day), a settled due time is never
 * settled twice (the next batch opens after it), and a settlement the host could not take
 * is tried again after `retryMs`.
 */
import { stat } from 'node:fs/promises';
import { backupDue, backupJournal, latestBackup } from '../journal/backup.js';
import type { ConfigStore } from '../config/store.js';
import type { Journal } from '../journal/journal.js';
import { createLogger } from '../log.js';
import { isSettleError } from './errors.js';
import type { SettleResult, Settlement } from './types.js';

const log = createLogger('pos:settle:schedule');

export interface ScheduleConfig {
  schedule: 'manual' | 'daily' | 'monthly';
  /** Local time of day, HH:MM. */
  time: string;
  /** Day of a monthly settlement; past the month's last day means that last day (31 in April is the 30th). */
  dayOfMonth: number;
}

export interface SchedulerConfig extends ScheduleConfig {
  /** Folder of the automatic backup (config backup.path); no backup when unset or absent (stick not mounted). */
  backupPath?: string | undefined;
  backupIntervalDays: number;
}

/** The timer the scheduler waits with (tests inject a fake one). */
export interface SchedulerTimer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimer: SchedulerTimer = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

function hhmm(time: string): [number, number] {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) throw new RangeError(`settlement time must be HH:MM, got "${time}"`);
  return [Number(m[1]), Number(m[2])];
}

function daysInMonth(year: number, month: number): number {
  return new Date(year, month + 1, 0).getDate();
}

/** The due time of a monthly schedule in a month (local time), the day clamped to the month's length. */
function monthlyDue(cfg: ScheduleConfig, year: number, month: number): Date {
  const [h, m] = hhmm(cfg.time);
  const first = new Date(year, month, 1);
  const day = Math.min(Math.max(1, cfg.dayOfMonth), daysInMonth(first.getFullYear(), first.getMonth()));
  return new Date(first.getFullYear(), first.getMonth(), day, h, m, 0, 0);
}

/** The latest due time at or before `now` (local time); undefined for a manual schedule. */
export function lastDueTime(cfg: ScheduleConfig, now: Date): Date | undefined {
  if (cfg.schedule === 'manual') return undefined;
  if (cfg.schedule === 'daily') {
    const [h, m] = hhmm(cfg.time);
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), h, m, 0, 0);
    return d.getTime() <= now.getTime() ? d : new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, h, m, 0, 0);
  }
  const d = monthlyDue(cfg, now.getFullYear(), now.getMonth());
  return d.getTime() <= now.getTime() ? d : monthlyDue(cfg, now.getFullYear(), now.getMonth() - 1);
}

/** The first due time after `now`; undefined for a manual schedule. */
export function nextDueTime(cfg: ScheduleConfig, now: Date): Date | undefined {
  if (cfg.schedule === 'manual') return undefined;
  if (cfg.schedule === 'daily') {
    const [h, m] = hhmm(cfg.time);
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), h, m, 0, 0);
    return d.getTime() > now.getTime() ? d : new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, h, m, 0, 0);
  }
  const d = monthlyDue(cfg, now.getFullYear(), now.getMonth());
  return d.getTime() > now.getTime() ? d : monthlyDue(cfg, now.getFullYear(), now.getMonth() + 1);
}

export interface SettlementSchedulerOptions {
  settlement: Settlement;
  journal: Journal;
  /** Read at every wake, so configuration changes apply without a restart. */
  config: () => SchedulerConfig;
  now?: () => Date;
  timer?: SchedulerTimer;
  /** Wait before trying again after host-unavailable (default 5 minutes). */
  retryMs?: number;
  /** Longest sleep between checks (default 1 minute). */
  pollMs?: number;
  /** Told of every automatic settlement (the application prints the Z report). */
  onSettled?: (result: SettleResult) => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class SettlementScheduler {
  #handle: unknown;
  #running: Promise<void> = Promise.resolve();
  #stopped = true;
  /** No new attempt before this time (after host-unavailable or a failed backup). */
  #retrySettleAt = 0;
  #retryBackupAt = 0;
  /** A due time the host refused: not tried again until the next one. */
  #refusedDue: number | undefined;

  constructor(private readonly options: SettlementSchedulerOptions) {}

  #now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  #timer(): SchedulerTimer {
    return this.options.timer ?? realTimer;
  }

  /** Checks at once (catch-up after downtime), then keeps waking until {@link stop}. */
  start(): Promise<void> {
    this.#stopped = false;
    return this.#wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#handle !== undefined) this.#timer().clearTimeout(this.#handle);
    this.#handle = undefined;
    await this.#running;
  }

  /** Resolves when the check in progress (if any) has finished. */
  idle(): Promise<void> {
    return this.#running;
  }

  /** The due time owed now, or undefined: the open batch was opened before the latest due time. */
  owedDue(now = this.#now()): Date | undefined {
    const due = lastDueTime(this.options.config(), now);
    const start = this.options.journal.openBatchStart;
    if (due === undefined || start === undefined) return undefined;
    const opened = new Date(start.at).getTime();
    return Number.isNaN(opened) || opened < due.getTime() ? due : undefined;
  }

  #wake(): Promise<void> {
    this.#handle = undefined;
    this.#running = this.#running.then(async () => {
      if (this.#stopped) return;
      await this.#check().catch((err: unknown) => log.error('scheduled check failed', { error: (err as Error).message }));
      if (!this.#stopped) this.#arm();
    });
    return this.#running;
  }

  #arm(): void {
    const now = this.#now().getTime();
    const cfg = this.options.config();
    let wait = this.options.pollMs ?? 60_000;
    const next = nextDueTime(cfg, this.#now());
    if (next !== undefined) wait = Math.min(wait, next.getTime() - now);
    if (this.#retrySettleAt > now) wait = Math.min(wait, this.#retrySettleAt - now);
    this.#handle = this.#timer().setTimeout(() => void this.#wake(), Math.min(MAX_TIMER_MS, Math.max(1, wait)));
  }

  async #check(): Promise<void> {
    const now = this.#now();
    await this.#settleIfDue(now);
    await this.#backupIfDue(now);
  }

  async #settleIfDue(now: Date): Promise<void> {
    const due = this.owedDue(now);
    if (due === undefined || now.getTime() < this.#retrySettleAt || this.#refusedDue === due.getTime()) return;
    let result: SettleResult;
    try {
      result = await this.options.settlement.settle({ operator: 'schedule', trigger: 'schedule' });
    } catch (err) {
      // A transaction in flight or a settlement already running: try again shortly.
      if (!isSettleError(err) || (err.code !== 'SETTLE_PENDING' && err.code !== 'SETTLE_BUSY')) throw err;
      log.info('scheduled settlement postponed', { reason: err.code });
      this.#retrySettleAt = now.getTime() + (this.options.retryMs ?? 300_000);
      return;
    }
    log.info('scheduled settlement', { due: due.toISOString(), status: result.status, batch: result.batch });
    if (result.status === 'host-unavailable') this.#retrySettleAt = now.getTime() + (this.options.retryMs ?? 300_000);
    else if (result.status === 'refused') this.#refusedDue = due.getTime();
    this.options.onSettled?.(result);
  }

  async #backupIfDue(now: Date): Promise<void> {
    const { backupPath, backupIntervalDays } = this.options.config();
    if (backupPath === undefined || now.getTime() < this.#retryBackupAt) return;
    // "When a configured backup path is present": a USB stick that is not mounted is not an error.
    const info = await stat(backupPath).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) return;
    const last = await latestBackup(backupPath);
    if (!backupDue(last?.createdAt, now, backupIntervalDays)) return;
    try {
      const r = await backupJournal(this.options.journal, backupPath, now);
      log.info('automatic backup written', { file: r.file, records: r.manifest.records });
    } catch (err) {
      log.warn('automatic backup failed, will try again', { error: (err as Error).message });
      this.#retryBackupAt = now.getTime() + (this.options.retryMs ?? 300_000);
    }
  }
}

/** The scheduler's configuration read from the store at each wake (settlement.* and backup.* keys). */
export function schedulerConfigFrom(config: Pick<ConfigStore, 'get'>): () => SchedulerConfig {
  return () => ({
    schedule: config.get('settlement.schedule'),
    time: config.get('settlement.time'),
    dayOfMonth: config.get('settlement.dayOfMonth'),
    backupPath: config.get('backup.path'),
    backupIntervalDays: config.get('backup.intervalDays'),
  });
}
