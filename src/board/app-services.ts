/**
 * The application's services (src/app/services.ts AppServices) on the wiring: the engine on
 * the journal and host link (training on the embedded simulator), receipts and X/Z reports
 * on the printer role, settlement, online PIN under the key store's DUKPT registers, and
 * the training switch in the configuration.
 */
import { configTrainingSetting, openDukptPinEncipherment, type AppServices, type PinEncipherment } from '../app/services.js';
import type { ConfigStore } from '../config/store.js';
import type { ConsoleServices } from '../console/index.js';
import { createLogger } from '../log.js';
import type { Engine } from '../txn/types.js';
import { SAMPLE_TERMINAL } from '../../emv/kernel/sample-config.js';
import type { Terminal } from './terminal.js';
import type { Wiring } from './wiring.js';

const log = createLogger('pos:board:app-services');

export interface AppServicesContext {
  terminal: Terminal;
  config: ConfigStore;
  console: ConsoleServices;
  wiring: Wiring;
}

/**
 * The services, or undefined where the terminal cannot take payments: a real board (its EMV terminal configuration, AIDs and
 * CA keys, comes from its acquirer and is not wired yet; the sample configuration holds
 * TEST CA keys and serves the sim board only).
 */
export async function openAppServices(ctx: AppServicesContext): Promise<{ services: AppServices; engine: Engine; close(): Promise<void> } | undefined> {
  const { terminal, config, wiring } = ctx;
  if (!terminal.isSim) {
    log.warn('no EMV terminal configuration for a real board: the keypad application runs without transactions');
    return undefined;
  }
  // Loaded here, after the board is up, so that boot to the first screen does not wait for them.
  const [txn, receipt] = await Promise.all([import('../txn/index.js'), import('../receipt/index.js')]);
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
      printReport: (kind, totals, settle) =>
        receipts ? receipts.printReport(kind, totals, { merchant: reportMerchant, at: new Date().toISOString(), ...(settle ? { settle } : {}) }).then(() => undefined) : noPrinter(),
    },
    pin,
    training: configTrainingSetting(config),
  };
  return { services, engine, close: () => engine.close() };
}
