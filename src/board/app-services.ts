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
import type { TerminalConfig } from '../../emv/kernel/types.js';
import type { DeviceKeyProvider } from '../keys/device-key.js';
import { CaKeyStore } from '../keys/ca-keys.js';
import { buildEmvConfig } from './emv-config.js';
import type { Terminal } from './terminal.js';
import { openWiring, SIM_IDENTITY, type Wiring, type WiringOptions } from './wiring.js';

const log = createLogger('pos:board:app-services');

export interface AppServicesContext {
  terminal: Terminal;
  config: ConfigStore;
  console: ConsoleServices;
  wiring: Wiring;
  /** The EMV terminal configuration (buildEmvConfig). */
  emv: TerminalConfig;
}

export interface OpenedAppServices {
  services: AppServices;
  engine: Engine;
  close(): Promise<void>;
}

export interface PaymentsContext {
  terminal: Terminal;
  config: ConfigStore;
  console: ConsoleServices;
  dataDir: string;
  deviceKey: DeviceKeyProvider;
  acquirer: WiringOptions['acquirer'];
  now?: () => Date;
}

/** The terminal can take payments (wiring and services open), or what its configuration lacks. */
export type Payments =
  | { readonly ready: true; readonly wiring: Wiring; readonly app: OpenedAppServices; readonly emv: TerminalConfig; readonly warnings: readonly string[] }
  | { readonly ready: false; readonly missing: readonly string[]; readonly warnings: readonly string[] };

/**
 * Builds the EMV terminal configuration from the configuration and the CA key store (sim
 * and real boards alike); when it is usable, opens the wiring (journal, host link,
 * settlement) and the application's services on it. Otherwise nothing is opened and the
 * result lists what is missing, each also logged.
 */
export async function openPayments(ctx: PaymentsContext): Promise<Payments> {
  const { terminal, config } = ctx;
  const now = ctx.now ?? (() => new Date());
  const caKeys = ctx.console.caKeys ?? (await CaKeyStore.open(ctx.dataDir));
  const emv = buildEmvConfig({ config, caKeys, today: now(), ...(terminal.isSim ? { identity: SIM_IDENTITY } : {}) });
  for (const w of emv.warnings) log.warn(w);
  if (!emv.ok) {
    log.error(`NOT CONFIGURED for payments: ${emv.missing.join('; ')}`);
    return { ready: false, missing: emv.missing, warnings: emv.warnings };
  }
  const wiring = await openWiring({ dataDir: ctx.dataDir, config, deviceKey: ctx.deviceKey, audit: ctx.console.audit, acquirer: ctx.acquirer, isSim: terminal.isSim, now });
  try {
    const app = await openAppServices({ terminal, config, console: { ...ctx.console, audit: wiring.audit }, wiring, emv: emv.terminal });
    return { ready: true, wiring, app, emv: emv.terminal, warnings: emv.warnings };
  } catch (err) {
    await wiring.close();
    throw err;
  }
}

/** The application's services on the wiring, with the engine on the given EMV terminal configuration. */
export async function openAppServices(ctx: AppServicesContext): Promise<OpenedAppServices> {
  const { terminal, config, wiring } = ctx;
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
    terminal: ctx.emv,
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
