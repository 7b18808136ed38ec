/**
 * The application's services (src/app/services.ts AppServices) on the wiring: the engine on
 * the journal and host link, receipts and reports on the printer role, settlement, online
 * PIN under the key store's DUKPT registers, the training switch in the configuration.
 */
import type { AppServices } from '../app/services.js';
import type { ConfigStore } from '../config/store.js';
import type { ConsoleServices } from '../console/index.js';
import type { Engine } from '../txn/types.js';
import type { Terminal } from './terminal.js';
import type { Wiring } from './wiring.js';

export interface AppServicesContext {
  terminal: Terminal;
  config: ConfigStore;
  console: ConsoleServices;
  wiring: Wiring;
}

/** Undefined until the engine and the receipt printer are part of the build. */
export async function openAppServices(_ctx: AppServicesContext): Promise<{ services: AppServices; engine: Engine; close(): Promise<void> } | undefined> {
  return undefined;
}
