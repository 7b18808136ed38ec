/** The key layer: DUKPT (TDES, AES), ISO 9564 PIN blocks, TR-31 key blocks, the key store. */
export * from './errors.js';
export * from './dukpt-tdes.js';
export * from './dukpt-aes.js';
export * from './dukpt-pin.js';
export * from './dukpt-store.js';
export * from './pin-block.js';
export * from './tr31.js';
export * from './key-store.js';
export * from './device-key.js';
