/** Keys of the journal's automatic backup (src/journal/backup.ts backupDue). */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'backup.path': string | undefined;
    'backup.intervalDays': number;
  }
}

export const backupKeys: readonly ConfigKeyDef[] = [
  {
    key: 'backup.path',
    type: 'string',
    pattern: /^\/\S.*$/,
    expected: 'an absolute folder path, e.g. the mount point of a USB stick "/media/usb0"',
    description: 'folder the automatic journal backup is written to when present (unset: no automatic backup)',
  },
  {
    key: 'backup.intervalDays',
    type: 'integer',
    min: 1,
    max: 90,
    // Issue 9: a weekly automatic backup.
    default: 7,
    description: 'days between automatic journal backups',
  },
];
