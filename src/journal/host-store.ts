/**
 * The host link's persistence (src/host/store.ts HostStore) kept in the journal: the STAN
 * counter and the reversals and advices owed are journal records, each durable (one
 * fdatasync) before the call resolves. Field 2 of a queued message is sealed as the
 * record's `pan`, field 55 as `icc`; fields 35, 45 and 52 (track data, PIN block) are
 * never stored, so a message read back has none of them.
 */
import type { HostStore, QueuedMessage, QueueKind } from '../host/store.js';
import type { Journal } from './journal.js';
import type { JournalRecord, QueuedRecordFields } from './records.js';

const NEVER_STORED = new Set(['35', '36', '45', '52']);

/** The sealed form of a queued message. */
export function toQueuedRecord(item: QueuedMessage): QueuedRecordFields {
  const iso: Record<string, string> = {};
  let pan: string | undefined;
  let icc: string | undefined;
  for (const [id, value] of Object.entries(item.message.fields)) {
    if (id === '2') pan = value;
    else if (id === '55') icc = value;
    else if (!NEVER_STORED.has(id)) iso[id] = value;
  }
  const out: QueuedRecordFields = { item: { id: item.id, kind: item.kind, attempts: item.attempts, createdAt: item.createdAt, mti: item.message.mti }, iso };
  if (pan !== undefined) out.pan = pan;
  if (icc !== undefined) out.icc = icc;
  return out;
}

export class JournalHostStore implements HostStore {
  constructor(
    private readonly journal: Journal,
    private readonly options: {
      now?: () => Date;
      closeJournal?: boolean;
      /** Record each STAN with the next journal append instead of its own write ({@link Journal.deferStan}): two durable writes per sale. */
      deferStan?: boolean;
    } = {},
  ) {}

  private at(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  nextStan(): Promise<number> {
    if (this.options.deferStan === true) {
      try {
        return Promise.resolve(this.journal.deferStan(this.at()));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    return this.journal.appendComputed((j) => {
      const stan = (j.lastStan % 999999) + 1;
      return { records: [{ type: 'stan', stan, at: this.at() }], result: stan };
    });
  }

  async queued(kind: QueueKind): Promise<QueuedMessage[]> {
    return this.journal.queued(kind);
  }

  async enqueue(item: QueuedMessage): Promise<void> {
    await this.journal.appendComputed((j) => {
      if (j.queuedRecord(item.kind, item.id)) return { records: [], result: undefined };
      const type = item.kind === 'reversal' ? 'reversal-owed' : 'advice-owed';
      const record: JournalRecord = { type, at: this.at(), ...toQueuedRecord(item) };
      return { records: [record], result: undefined };
    });
  }

  async update(item: QueuedMessage): Promise<void> {
    await this.journal.appendComputed((j) => {
      if (!j.queuedRecord(item.kind, item.id)) return { records: [], result: undefined };
      return { records: [{ type: 'queue-update', at: this.at(), ...toQueuedRecord(item) }], result: undefined };
    });
  }

  async dequeue(kind: QueueKind, id: string): Promise<void> {
    await this.journal.appendComputed((j) => {
      if (!j.queuedRecord(kind, id)) return { records: [], result: undefined };
      const record: JournalRecord = kind === 'reversal' ? { type: 'reversal-done', id, at: this.at() } : { type: 'advice-sent', id, at: this.at() };
      return { records: [record], result: undefined };
    });
  }

  async close(): Promise<void> {
    if (this.options.closeJournal === true) await this.journal.close();
  }
}
