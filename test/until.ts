/**
 * Waiting in tests for a state, not for a time: `until` polls a condition on every turn of
 * the event loop (and every few milliseconds) until it holds. The deadline only bounds a
 * hang and is generous (20 s by default), so a busy machine makes a test slower, never red.
 */

/** Default bound on a wait that should end at once: long enough for any stall of a loaded host. */
export const HANG_MS = 20_000;

export async function until(condition: () => boolean, what = 'the condition', deadlineMs = HANG_MS): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`waited ${deadlineMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
