/** The technician console: framework, command registry, its own commands, services over a data folder. */
export * from './registry.js';
export * from './diagnostics.js';
export * from './line-editor.js';
export * from './console.js';
export * from './services.js';
