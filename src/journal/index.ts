/** The journal: encrypted, chained, crash-safe records on LevelDB (see README.md). */
export * from './errors.js';
export * from './records.js';
export * from './totals.js';
export * from './journal.js';
export * from './host-store.js';
export * from './audit-sink.js';
export * from './backup.js';
