/**
 * Risk limits (issue 9 "Risk limits"): the largest amount of one transaction, per-card and
 * per-terminal velocity (count and amount per period), and the offline (store-and-forward)
 * caps. Cards are known by a keyed hash of the PAN (HMAC-SHA256 under a key of the
 * terminal), never by the PAN. Amounts are integer minor units; 0 means "no limit".
 */
import { createHmac } from 'node:crypto';
import type { RefusalReason } from './types.js';

export interface VelocityLimit {
  readonly maxCount: number;
  readonly maxAmount: number;
  readonly periodMinutes: number;
}

export interface RiskLimits {
  readonly maxAmount: number;
  readonly card: VelocityLimit;
  readonly terminal: VelocityLimit;
  readonly offline: { readonly maxAmount: number; readonly maxCount: number; readonly maxAgeHours: number };
}

export const NO_LIMITS: RiskLimits = {
  maxAmount: 0,
  card: { maxCount: 0, maxAmount: 0, periodMinutes: 1440 },
  terminal: { maxCount: 0, maxAmount: 0, periodMinutes: 1440 },
  offline: { maxAmount: 0, maxCount: 0, maxAgeHours: 0 },
};

/** How far back the velocity limits in force look (0 when none is in force). */
export function velocityWindowMinutes(limits: RiskLimits): number {
  const on = (l: VelocityLimit): boolean => l.maxCount > 0 || l.maxAmount > 0;
  return Math.max(on(limits.card) ? limits.card.periodMinutes : 0, on(limits.terminal) ? limits.terminal.periodMinutes : 0);
}

/** The limits from configuration (src/config/keys/risk.ts). */
export function riskFromConfig(get: (key: string) => unknown): RiskLimits {
  const n = (key: string, dflt: number): number => {
    const v = get(key);
    return typeof v === 'number' && Number.isSafeInteger(v) ? v : dflt;
  };
  return {
    maxAmount: n('risk.maxAmount', 0),
    card: { maxCount: n('risk.card.maxCount', 0), maxAmount: n('risk.card.maxAmount', 0), periodMinutes: n('risk.card.periodMinutes', 1440) },
    terminal: { maxCount: n('risk.terminal.maxCount', 0), maxAmount: n('risk.terminal.maxAmount', 0), periodMinutes: n('risk.terminal.periodMinutes', 1440) },
    offline: { maxAmount: n('risk.offline.maxAmount', 0), maxCount: n('risk.offline.maxCount', 0), maxAgeHours: n('risk.offline.maxAgeHours', 0) },
  };
}

/** The card reference: HMAC-SHA256(key, PAN), base64url of the first 16 bytes (no digit run a PAN scan could mistake). */
export function cardRef(key: Uint8Array, pan: string): string {
  return createHmac('sha256', key).update(pan).digest().subarray(0, 16).toString('base64url');
}

interface Entry {
  readonly at: number;
  readonly amount: number;
  readonly cardRef: string | undefined;
}

const over = (limit: number, value: number): boolean => limit > 0 && value > limit;

/** Approved authorisations in the velocity windows (kept in memory, rebuilt from the journal at start). */
export class VelocityBook {
  private entries: Entry[] = [];

  constructor(private readonly limits: RiskLimits) {}

  add(at: number, amount: number, ref: string | undefined): void {
    this.entries.push({ at, amount, cardRef: ref });
  }

  private prune(now: number): void {
    const keep = velocityWindowMinutes(this.limits) * 60_000;
    if (this.entries.length > 0 && this.entries[0]!.at < now - keep) this.entries = this.entries.filter((e) => e.at >= now - keep);
  }

  /** The refusal for one more authorisation of `amount` on card `ref` at `now`, or undefined. */
  check(now: number, amount: number, ref: string | undefined): RefusalReason | undefined {
    this.prune(now);
    const window = (l: VelocityLimit, match: (e: Entry) => boolean): boolean => {
      if (l.maxCount <= 0 && l.maxAmount <= 0) return false;
      let count = 1;
      let sum = amount;
      const from = now - l.periodMinutes * 60_000;
      for (const e of this.entries) {
        if (e.at < from || !match(e)) continue;
        count++;
        sum += e.amount;
      }
      return over(l.maxCount, count) || over(l.maxAmount, sum);
    };
    if (ref !== undefined && window(this.limits.card, (e) => e.cardRef === ref)) return 'card-velocity';
    if (window(this.limits.terminal, () => true)) return 'terminal-velocity';
    return undefined;
  }
}

/** True when one more offline approval of `amount` would pass the store-and-forward caps. */
export function offlineAllowed(limits: RiskLimits, amount: number, owed: readonly { createdAt: string }[], now: number): boolean {
  const o = limits.offline;
  if (over(o.maxAmount, amount)) return false;
  if (over(o.maxCount, owed.length + 1)) return false;
  if (o.maxAgeHours > 0 && owed.some((q) => now - Date.parse(q.createdAt) > o.maxAgeHours * 3_600_000)) return false;
  return true;
}

export function amountOverLimit(limits: RiskLimits, amount: number): boolean {
  return over(limits.maxAmount, amount);
}
