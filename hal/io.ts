/**
 * Options and helpers shared by every HAL call. Rules that every contract inherits:
 *
 * - Every I/O call returns a Promise and accepts {@link CallOptions}: `timeoutMs` bounds
 *   it (rejecting with `HAL_TIMEOUT`), `signal` cancels it (`HAL_ABORTED`).
 * - After `close()` resolves, no callback, listener or promise continuation of that
 *   handle fires; calls made after close reject with `HAL_CLOSED`. Calls in flight when
 *   close is called settle (resolve or reject with `HAL_CLOSED`) before close resolves.
 */
import { HalError } from './errors.js';

export interface CallOptions {
  /** Upper bound for this call in milliseconds. Each contract documents its default. */
  timeoutMs?: number;
  /** Cancels the call; it then rejects with HAL_ABORTED. */
  signal?: AbortSignal;
}

/** Default per-call time limit when a caller gives none. */
export const DEFAULT_TIMEOUT_MS = 1000;

/** Unsubscribes a listener; idempotent. */
export type Unsubscribe = () => void;

/**
 * Runs `work` bounded by the call options: rejects with HAL_TIMEOUT after `timeoutMs`
 * and with HAL_ABORTED when the signal fires. The work itself is not interrupted (a
 * backend that can abort its own I/O does so through `onCancel`).
 */
export function bounded<T>(
  what: string,
  work: Promise<T>,
  options: CallOptions | undefined,
  defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
  onCancel?: () => void,
): Promise<T> {
  const timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
  const signal = options?.signal;
  if (signal?.aborted) {
    onCancel?.();
    work.catch(() => undefined);
    return Promise.reject(new HalError('HAL_ABORTED', `${what}: aborted`));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      onCancel?.();
      reject(new HalError('HAL_ABORTED', `${what}: aborted`));
    };
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          if (settled) return;
          finish();
          onCancel?.();
          reject(new HalError('HAL_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`));
        }, timeoutMs)
      : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        finish();
        reject(err);
      },
    );
  });
}

/** A promise that resolves after `ms`, or rejects with HAL_ABORTED when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new HalError('HAL_ABORTED', 'sleep: aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new HalError('HAL_ABORTED', 'sleep: aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Uppercase hex of bytes; the project's one spelling of byte strings for people and JSON. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}
