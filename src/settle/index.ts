/** Settlement: 0500 reconciliation, batch upload, batch close, X/Z reports, the schedule (see types.ts). */
export * from './types.js';
export * from './errors.js';
export * from './settlement.js';
export * from './schedule.js';
