/**
 * Audit events into the journal. The console's AuditSink (src/audit/, another branch) can
 * be backed by this: `record(event)` takes a plain object and resolves when it is durable.
 */
import type { Journal } from './journal.js';

export interface JournalAuditSink {
  /** Takes any plain object (the console's AuditEvent fits); resolves once durable; rejects (nothing recorded) when the guard refuses it. */
  record(event: object): Promise<void>;
}

/** A sink that appends each event as an `audit` record (checked by the same guard: no PAN, PIN or track). */
export function journalAuditSink(journal: Journal, now: () => Date = () => new Date()): JournalAuditSink {
  return {
    async record(event) {
      await journal.append([{ type: 'audit', at: now().toISOString(), event: structuredClone(event) as Record<string, unknown> }]);
    },
  };
}
