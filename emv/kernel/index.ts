/** The EMV kernel's public surface (emv/kernel/README in emv/README.md). */
export { runTransaction, compareYymmdd, type KernelDeps, type KernelRequest, type KernelResult } from './kernel.js';
export { decideSwipe, type SwipeContext, type SwipeDecision } from './swipe.js';
export { TVR, TSI, AIP, AUC, CTQ, TTQ, TERMINAL_CAPABILITIES, hasBit, setBit, type Bit } from './bits.js';
export { matchAid, orderCandidates } from './selection.js';
export type * from './types.js';
