/** Payment-crypto primitives shared by the whole project: pure functions, no I/O. */
export * from './errors.js';
export * from './bytes.js';
export * from './block-cipher.js';
export * from './cmac.js';
export * from './mac.js';
export * from './kcv.js';
