/**
 * Where configuration changes are recorded. The store calls a {@link ChangeRecorder} once
 * per changed key, after the new value is on disk; the default appends JSON lines to
 * `<dataDir>/config-history.jsonl` (the journal replaces it later). Secret values arrive
 * already masked.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';

/** One change of one key. */
export interface ConfigChange {
  /** ISO 8601 time of the change (UTC). */
  readonly at: string;
  /** Who made it ("cli:alice", "console:tech1", "tms"). */
  readonly by: string;
  readonly key: string;
  readonly action: 'set' | 'reset';
  /** The value before and after (the default when none was set; absent when the key had none); "********" for secret keys. */
  readonly old?: unknown;
  readonly new?: unknown;
}

export interface ChangeRecorder {
  /** Records one change durably; a rejection is reported to the caller of set(). */
  record(change: ConfigChange): Promise<void>;
}

export const HISTORY_FILE = 'config-history.jsonl';

/** Appends one JSON object per line to `<dataDir>/config-history.jsonl`, synced. */
export class JsonlChangeRecorder implements ChangeRecorder {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, HISTORY_FILE);
  }

  async record(change: ConfigChange): Promise<void> {
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(change)}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
