/**
 * Serialises operations on one bus (one transaction on the wire at a time) and
 * implements the close rule shared by every sim and Linux handle: calls after close reject with
 * HAL_CLOSED, calls queued at close settle with HAL_CLOSED, and nothing runs afterwards.
 */
import { HalError } from './errors.js';
import { bounded, type CallOptions } from './io.js';

export class OpQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly pending = new Set<(err: HalError) => void>();

  constructor(private readonly what: string) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `op` after the previous operations, bounded by the call options. */
  run<T>(label: string, op: () => T | Promise<T>, options?: CallOptions, defaultTimeoutMs?: number): Promise<T> {
    if (this.closed) return Promise.reject(new HalError('HAL_CLOSED', `${this.what}: ${label} after close`));
    let cancel!: (err: HalError) => void;
    const cancelled = new Promise<never>((_, reject) => (cancel = reject));
    cancelled.catch(() => undefined);
    this.pending.add(cancel);
    // Set when the caller's time limit or signal ended the call: an operation that has not
    // started by then never starts (an aborted write must not reach the wire).
    let abandoned = false;
    const work = this.tail.then(async () => {
      if (this.closed) throw new HalError('HAL_CLOSED', `${this.what}: ${label}: closed`);
      // Hardware answers asynchronously: never complete in the caller's tick.
      await new Promise((r) => setImmediate(r));
      if (this.closed) throw new HalError('HAL_CLOSED', `${this.what}: ${label}: closed`);
      if (abandoned) throw new HalError('HAL_ABORTED', `${this.what}: ${label}: abandoned before it started`);
      return Promise.race([op(), cancelled]);
    });
    const done = work.finally(() => this.pending.delete(cancel));
    const result = bounded(`${this.what}: ${label}`, done, options, defaultTimeoutMs, () => (abandoned = true));
    // A timed-out operation is abandoned (as a bus driver resets the controller): the
    // next one may start even if the model never answers.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Closes: every queued or running operation rejects with HAL_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const cancel of this.pending) cancel(new HalError('HAL_CLOSED', `${this.what}: closed`));
    this.pending.clear();
    await this.tail;
  }
}
