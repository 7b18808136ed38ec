/**
 * The application's services (src/app/services.ts AppServices) on the wiring: the engine on
 * the journal and host link (training on the embedded simulator), receipts and X/Z reports
 * on the printer role, settlement, online PIN under the key store's DUKPT registers, and
 * the training switch in the configuration.
 *
 * The engine (src/txn/) and the receipt printer (src/receipt/) are loaded by module path and
 * described here by the parts of their contracts this file uses, so `pos run` builds and
 * runs (without transactions) in a tree that does not have them yet.
 */
import { configTrainingSetting, openDukptPinEncipherment, type AppServices, type PinEncipherment } from '../app/services.js';
import type { ConfigStore } from '../config/store.js';
import type { ConsoleServices } from '../console/index.js';
import type { HostClient } from '../host/client.js';
import type { Layout } from '../host/iso8583/layout.js';
import type { Journal } from '../journal/index.js';
import type { BatchTotals } from '../journal/totals.js';
import { createLogger } from '../log.js';
import type { ReceiptCopy, ReceiptData, ReceiptLanguage } from '../receipt/types.js';
import type { Engine } from '../txn/types.js';
import type { TerminalConfig } from '../../emv/kernel/types.js';
import { SAMPLE_TERMINAL } from '../../emv/kernel/sample-config.js';
import type { Printer } from '../../hal/roles/printer.js';
import type { Terminal, TerminalRoles } from './terminal.js';
import type { Wiring } from './wiring.js';

const log = createLogger('pos:board:app-services');

/** What this file uses of src/txn/index.ts (createEngine's EngineDeps, the risk limits, the crash hook). */
interface EngineModule {
  createEngine(deps: {
    journal: Journal;
    host: HostClient;
    trainingHost?: HostClient;
    layout: Layout;
    readers: TerminalRoles;
    terminal: TerminalConfig;
    risk?: unknown;
    merchant: { id: string; name: string; address?: string; terminalId: string };
    cardRefKey: Uint8Array;
    crashAt?: (step: string) => void;
    traces?: ConsoleServices['traces'];
  }): Engine;
  crashHookFromEnv(): ((step: string) => void) | undefined;
  riskFromConfig(get: (key: string) => unknown): unknown;
}

/** What this file uses of src/receipt/index.ts (ReceiptPrinter). */
interface ReceiptModule {
  ReceiptPrinter: new (options: { printer: Printer; language?: () => ReceiptLanguage }) => {
    print(data: ReceiptData, copy: ReceiptCopy, options?: { reprint?: boolean }): Promise<unknown>;
    printReport(kind: 'x' | 'z', totals: BatchTotals, meta: { merchant: ReceiptData['merchant']; at: string }): Promise<unknown>;
  };
}

const ENGINE_MODULE = '../txn/index.js';
const RECEIPT_MODULE = '../receipt/index.js';

/** The module, or undefined when this build does not have it. */
async function optional<T>(specifier: string): Promise<T | undefined> {
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

export interface AppServicesContext {
  terminal: Terminal;
  config: ConfigStore;
  console: ConsoleServices;
  wiring: Wiring;
}

/**
 * The services, or undefined where the terminal cannot take payments: a build without the
 * engine or the receipt printer, or a real board (its EMV terminal configuration, AIDs and
 * CA keys, comes from its acquirer and is not wired yet; the sample configuration holds
 * TEST CA keys and serves the sim board only).
 */
export async function openAppServices(ctx: AppServicesContext): Promise<{ services: AppServices; engine: Engine; close(): Promise<void> } | undefined> {
  const { terminal, config, wiring } = ctx;
  if (!terminal.isSim) {
    log.warn('no EMV terminal configuration for a real board: the keypad application runs without transactions');
    return undefined;
  }
  const [txn, receipt] = await Promise.all([optional<EngineModule>(ENGINE_MODULE), optional<ReceiptModule>(RECEIPT_MODULE)]);
  if (!txn || !receipt) {
    log.warn('this build has no transaction engine or receipt printer: the keypad application runs without transactions');
    return undefined;
  }
  const address = config.get('merchant.address');
  const merchant = { id: wiring.merchantId, name: String(config.get('merchant.name') ?? 'POS TERMINAL'), terminalId: wiring.terminalId, ...(address ? { address } : {}) };
  const crashAt = txn.crashHookFromEnv();
  const engine = txn.createEngine({
    journal: wiring.journal,
    host: wiring.host,
    trainingHost: wiring.trainingHost,
    layout: wiring.layout,
    readers: terminal.roles,
    terminal: SAMPLE_TERMINAL,
    risk: txn.riskFromConfig((key) => config.get(key as never)),
    merchant,
    cardRefKey: await wiring.cardRefKey(),
    ...(crashAt ? { crashAt } : {}),
    // The console's `trace on N` arms APDU tracing for the next N transactions of this engine.
    ...(ctx.console.traces ? { traces: ctx.console.traces } : {}),
  });
  const printer = terminal.roles.printer;
  const receipts = printer ? new receipt.ReceiptPrinter({ printer, language: () => config.get('locale') }) : undefined;
  let pin: PinEncipherment;
  try {
    pin = await openDukptPinEncipherment(ctx.console.keys);
  } catch (err) {
    const why = (err as Error).message;
    log.warn('online PIN not available', { error: why });
    pin = {
      encipher: (p) => {
        p.wipe();
        return Promise.reject(new Error(why));
      },
    };
  }
  const noPrinter = (): Promise<never> => Promise.reject(new Error('this board has no printer'));
  const reportMerchant = { name: merchant.name, merchantId: merchant.id, terminalId: merchant.terminalId, ...(address ? { address } : {}) };
  const services: AppServices = {
    engine,
    users: ctx.console.users,
    settlement: wiring.settlement,
    receipts: { print: (data, copy, options) => (receipts ? receipts.print(data, copy, options).then(() => undefined) : noPrinter()) },
    reports: {
      printReport: (kind, totals) => (receipts ? receipts.printReport(kind, totals, { merchant: reportMerchant, at: new Date().toISOString() }).then(() => undefined) : noPrinter()),
    },
    pin,
    training: configTrainingSetting(config),
  };
  return { services, engine, close: () => engine.close() };
}
