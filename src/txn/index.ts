/** The transaction engine (README.md): createEngine and its contract. */
export * from './types.js';
export { createEngine, crashHookFromEnv, CRASH_STEPS, type CrashStep, type EngineDeps, type MerchantIdentity } from './engine.js';
export { riskFromConfig, NO_LIMITS, type RiskLimits, type VelocityLimit } from './risk.js';
export type { Readers } from './acquire.js';
export type { TraceSource, TraceRecording } from './card.js';
