/** Security audit: event types, the sink contract, the encrypted log that serves until the journal does. */
export * from './audit.js';
export * from './encrypted-log.js';
