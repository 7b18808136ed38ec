/**
 * The incoming side of a serial link as the contract (hal/serial.ts) defines it, shared by
 * every backend: listeners get chunks in order; bytes arriving with no listener are kept (up
 * to 64 KiB, oldest dropped) and handed to the first listener; nothing after clear().
 */
import type { Unsubscribe } from './io.js';

const BUFFER_LIMIT = 64 * 1024;

export class SerialInbox {
  private readonly listeners = new Set<(chunk: Uint8Array) => void>();
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private cleared = false;

  /** Adds a listener; buffered bytes reach it asynchronously, before anything newer. */
  add(listener: (chunk: Uint8Array) => void): Unsubscribe {
    this.listeners.add(listener);
    if (this.buffered.length) {
      const pending = this.buffered;
      this.buffered = [];
      this.bufferedBytes = 0;
      setImmediate(() => {
        for (const chunk of pending) if (!this.cleared) listener(chunk);
      });
    }
    return () => void this.listeners.delete(listener);
  }

  /** A chunk from the line. `copy` when the backend reuses the chunk's memory. */
  deliver(chunk: Uint8Array, copy = false): void {
    if (this.cleared) return;
    if (this.listeners.size === 0) {
      this.buffered.push(copy ? Uint8Array.from(chunk) : chunk);
      this.bufferedBytes += chunk.length;
      while (this.bufferedBytes > BUFFER_LIMIT) this.bufferedBytes -= this.buffered.shift()!.length;
      return;
    }
    for (const l of [...this.listeners]) l(chunk);
  }

  /** The link closed: drop listeners and buffered bytes; nothing is delivered any more. */
  clear(): void {
    this.cleared = true;
    this.listeners.clear();
    this.buffered = [];
    this.bufferedBytes = 0;
  }
}
