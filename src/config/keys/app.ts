/** Keys of the keypad application. */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'app.trainingMode': boolean;
  }
}

export const appKeys: readonly ConfigKeyDef[] = [
  {
    key: 'app.trainingMode',
    type: 'boolean',
    default: false,
    description: 'training mode: transactions run against the embedded simulator, are marked, and stay out of settlement (an admin sets it on the keypad)',
  },
];
