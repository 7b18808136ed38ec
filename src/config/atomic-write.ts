/**
 * Replaces a file so that a crash or power cut leaves either the old or the new content,
 * never a mix: write a temp file beside it, fsync it, rename it over the target, fsync
 * the directory (so the rename itself is durable; rename(2) is atomic on one filesystem).
 */
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The file operations used; tests pass ones that fail at a chosen step. */
export interface AtomicWriteOps {
  open(
    file: string,
    flags: string,
    mode?: number,
  ): Promise<{ writeFile(data: string): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
}

export const fsOps: AtomicWriteOps = { open, rename, unlink };

export async function writeFileAtomic(file: string, data: string, ops: AtomicWriteOps = fsOps, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let created = false;
  try {
    const handle = await ops.open(tmp, 'wx', mode);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await ops.rename(tmp, file);
    created = false;
  } catch (err) {
    if (created) await ops.unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dir = await ops.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
