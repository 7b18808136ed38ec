/**
 * Keys for the application's flows: one reader at a time awaits the next key. Keys that
 * come while no flow waits are kept (a few, in order) so that quick typing is not lost;
 * `flush()` drops them after a long operation (a person does not type ahead into a card
 * transaction). While the engine runs and nobody reads keys, CANCEL goes to `onBusyCancel`.
 */
export const KEY_TIMEOUT = '#timeout';
export const KEY_STOP = '#stop';

const MAX_QUEUED = 16;

export class KeyInput {
  private waiter: { resolve(key: string): void; timer?: NodeJS.Timeout } | undefined;
  private queue: string[] = [];
  private stopped = false;
  /** Set while a transaction runs: CANCEL with no reader aborts it. */
  onBusyCancel: (() => void) | undefined;

  constructor(private readonly cancelKey: string) {}

  deliver(key: string): void {
    if (this.stopped) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      if (w.timer) clearTimeout(w.timer);
      w.resolve(key);
      return;
    }
    if (this.onBusyCancel) {
      if (key === this.cancelKey) this.onBusyCancel();
      return;
    }
    if (this.queue.length < MAX_QUEUED) this.queue.push(key);
  }

  /** The next key, KEY_TIMEOUT after `timeoutMs` without one, or KEY_STOP when the application stops. */
  next(timeoutMs?: number): Promise<string> {
    if (this.stopped) return Promise.resolve(KEY_STOP);
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.waiter) throw new Error('two readers of the keypad at once');
    return new Promise((resolve) => {
      const w: { resolve(key: string): void; timer?: NodeJS.Timeout } = { resolve };
      if (timeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          if (this.waiter === w) this.waiter = undefined;
          resolve(KEY_TIMEOUT);
        }, timeoutMs);
        w.timer.unref();
      }
      this.waiter = w;
    });
  }

  flush(): void {
    this.queue = [];
  }

  stop(): void {
    this.stopped = true;
    this.queue = [];
    const w = this.waiter;
    this.waiter = undefined;
    if (w?.timer) clearTimeout(w.timer);
    w?.resolve(KEY_STOP);
  }
}
