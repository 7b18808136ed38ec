/**
 * Settlement's contract (the application's "settle" and "X/Z report" menu items, `pos settle`,
 * the schedule): close the open batch with the host (0500, batch upload 0320 and a second 0500
 * when out of balance) and report the totals from the journal's running totals.
 */
import type { BatchTotals } from '../journal/totals.js';

export type SettleStatus =
  /** The host agreed with the terminal's totals at the first 0500. */
  | 'in-balance'
  /** Out of balance at the first 0500; after the batch upload the second 0500 closed the batch. */
  | 'balanced-after-upload'
  /** The batch had no money-moving transaction: closed locally and at the host. */
  | 'empty'
  /** The host could not be reached: the batch stays open, try again. */
  | 'host-unavailable'
  /** The host refused (field 39 not 00/95 after upload): the batch stays open. */
  | 'refused';

export interface SettleResult {
  readonly status: SettleStatus;
  /** The batch settled (or that stayed open). */
  readonly batch: number;
  /** Field 39 of the last 0510. */
  readonly responseCode?: string;
  /** Transactions sent in 0320 batch upload. */
  readonly uploaded: number;
  /** The Z report's totals (the closed batch), or the open batch's when it stayed open. */
  readonly totals: BatchTotals;
}

export interface Settlement {
  /** Closes the open batch with the host; owed reversals and advices are sent first. */
  settle(options: { readonly operator: string; readonly trigger: 'manual' | 'schedule' }): Promise<SettleResult>;
  /** X: the open batch's running totals; Z: the last closed batch (undefined before the first close). */
  report(kind: 'x' | 'z'): Promise<BatchTotals | undefined>;
}
