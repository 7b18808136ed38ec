/**
 * What the host link must not forget across a restart: the STAN counter and the messages
 * owed to the host (reversals, then store-and-forward advices), in order. The engine backs
 * this with the journal; until then `LevelHostStore` keeps it in a LevelDB of its own.
 */
export type QueueKind = 'reversal' | 'advice';

export interface QueuedMessage {
  /** Stable id (the original transaction's STAN and time), so a retry is never queued twice. */
  id: string;
  kind: QueueKind;
  /** The message as IsoMessage.toJSON() gives it. */
  message: { mti: string; fields: Record<string, string> };
  attempts: number;
  createdAt: string;
}

export interface HostStore {
  /** The next System Trace Audit Number (1..999999, wrapping), recorded before it is returned. */
  nextStan(): Promise<number>;
  /** Messages owed, oldest first. */
  queued(kind: QueueKind): Promise<QueuedMessage[]>;
  /** Records a message owed; durable when the promise resolves. Same id twice: kept once. */
  enqueue(item: QueuedMessage): Promise<void>;
  update(item: QueuedMessage): Promise<void>;
  /** The host acknowledged it. */
  dequeue(kind: QueueKind, id: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryHostStore implements HostStore {
  private stan = 0;
  private readonly queues: Record<QueueKind, Map<string, QueuedMessage>> = { reversal: new Map(), advice: new Map() };

  async nextStan(): Promise<number> {
    this.stan = (this.stan % 999999) + 1;
    return this.stan;
  }
  async queued(kind: QueueKind): Promise<QueuedMessage[]> {
    return [...this.queues[kind].values()].map((q) => structuredClone(q));
  }
  async enqueue(item: QueuedMessage): Promise<void> {
    if (!this.queues[item.kind].has(item.id)) this.queues[item.kind].set(item.id, structuredClone(item));
  }
  async update(item: QueuedMessage): Promise<void> {
    if (this.queues[item.kind].has(item.id)) this.queues[item.kind].set(item.id, structuredClone(item));
  }
  async dequeue(kind: QueueKind, id: string): Promise<void> {
    this.queues[kind].delete(id);
  }
  async close(): Promise<void> {}
}

/**
 * The host store in a LevelDB of its own (sync writes: durable when the call resolves).
 * Keys: `stan` and `q!<kind>!<seq>!<id>` so that iteration returns oldest first.
 */
export class LevelHostStore implements HostStore {
  private seq = 0;

  private constructor(private readonly db: import('level').Level<string, string>) {}

  static async open(dir: string): Promise<LevelHostStore> {
    const { Level } = await import('level');
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    const store = new LevelHostStore(db);
    for await (const key of db.keys({ gt: 'q!', lt: 'q!~' })) {
      const seq = Number(key.split('!')[2]);
      if (seq > store.seq) store.seq = seq;
    }
    return store;
  }

  async nextStan(): Promise<number> {
    const current = Number((await this.db.get('stan')) ?? '0');
    const next = (current % 999999) + 1;
    await this.db.put('stan', String(next), { sync: true });
    return next;
  }

  private async find(kind: QueueKind, id: string): Promise<string | undefined> {
    for await (const key of this.db.keys({ gt: `q!${kind}!`, lt: `q!${kind}!~` })) if (key.endsWith(`!${id}`)) return key;
    return undefined;
  }

  async queued(kind: QueueKind): Promise<QueuedMessage[]> {
    const out: QueuedMessage[] = [];
    for await (const value of this.db.values({ gt: `q!${kind}!`, lt: `q!${kind}!~` })) out.push(JSON.parse(value) as QueuedMessage);
    return out;
  }

  async enqueue(item: QueuedMessage): Promise<void> {
    if (await this.find(item.kind, item.id)) return;
    this.seq++;
    await this.db.put(`q!${item.kind}!${String(this.seq).padStart(12, '0')}!${item.id}`, JSON.stringify(item), { sync: true });
  }

  async update(item: QueuedMessage): Promise<void> {
    const key = await this.find(item.kind, item.id);
    if (key) await this.db.put(key, JSON.stringify(item), { sync: true });
  }

  async dequeue(kind: QueueKind, id: string): Promise<void> {
    const key = await this.find(kind, id);
    if (key) await this.db.del(key, { sync: true });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
