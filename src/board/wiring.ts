/**
 * The terminal's services behind the application, wired for `pos run`: the journal in the
 * data folder (under the device key), the host link on the journal's host store (STAN
 * deferred into the next journal write: two durable writes per sale), the training host
 * (the embedded simulator, its own books, started on first use), audit events into the
 * journal as well as the encrypted audit log, settlement and its scheduler. With `host.tls`
 * on, the host link speaks TLS (src/host/tls-config.ts: the files are checked here, at start).
 */
import path from 'node:path';
import { createHmac } from 'node:crypto';
import type { AuditEvent, AuditSink } from '../audit/audit.js';
import { sanitizeEvent } from '../audit/audit.js';
import type { ConfigStore } from '../config/store.js';
import { connectChannel } from '../host/channel.js';
import { HostClient } from '../host/client.js';
import { loadLayout, type Layout } from '../host/iso8583/layout.js';
import { MemoryHostStore } from '../host/store.js';
import { tlsOptionsFromConfig } from '../host/tls-config.js';
import { JournalHostStore, journalAuditSink, journalDir, openJournal, type Journal, type RecoveryState } from '../journal/index.js';
import type { DeviceKeyProvider } from '../keys/device-key.js';
import { createLogger } from '../log.js';
import { JournalSettlement } from '../settle/settlement.js';
import { SettlementScheduler, schedulerConfigFrom } from '../settle/schedule.js';
import type { HostAddress } from './start.js';

const log = createLogger('pos:board:wiring');

export interface WiringOptions {
  dataDir: string;
  config: ConfigStore;
  deviceKey: DeviceKeyProvider;
  /** The encrypted audit log of the console services; events go to the journal too. */
  audit: AuditSink;
  /**
   * The acquirer, asked at each (re)connect: `--host`, the configured one, or the embedded
   * simulator once started. With `host.tls` on, TLS is spoken to it (the embedded simulator,
   * `embedded: true`, is plain TCP on loopback).
   */
  acquirer: () => HostAddress | undefined;
  /** The sim board: terminal and merchant IDs default to TEST ones when not configured. */
  isSim: boolean;
  now?: () => Date;
}

/** TEST identities of a sim data folder (a real terminal must have them configured). */
export const SIM_IDENTITY = { terminalId: 'SIMTERM1', merchantId: 'SIMMERCHANT0001' } as const;

export interface Wiring {
  readonly journal: Journal;
  /** What the journal held at open (pending transactions, owed messages). */
  readonly state: RecoveryState;
  readonly layout: Layout;
  readonly host: HostClient;
  readonly trainingHost: HostClient;
  readonly settlement: JournalSettlement;
  readonly scheduler: SettlementScheduler;
  /** Audit events: the encrypted audit log and the journal. */
  readonly audit: AuditSink;
  readonly terminalId: string;
  readonly merchantId: string;
  /** 32 bytes for the per-card velocity reference, stable for this device (derived from the device key). */
  cardRefKey(): Promise<Uint8Array>;
  close(): Promise<void>;
}

const HOST_TIMEOUTS = { '01': 30_000, '02': 30_000, '03': 30_000, '04': 30_000, '05': 60_000, '08': 15_000 };

export async function openWiring(options: WiringOptions): Promise<Wiring> {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const terminalId = config.get('terminal.id') ?? (options.isSim ? SIM_IDENTITY.terminalId : undefined);
  const merchantId = config.get('merchant.id') ?? (options.isSim ? SIM_IDENTITY.merchantId : undefined);
  if (terminalId === undefined || merchantId === undefined) throw new Error('terminal.id and merchant.id must be configured (console: config set) before the terminal can take payments');
  // Before anything opens: a missing or damaged certificate file stops the start, naming its key.
  const tls = await tlsOptionsFromConfig(config);
  const { journal, state } = await openJournal({ dir: journalDir(options.dataDir), deviceKey: options.deviceKey });
  if (journal.openBatch === undefined) await journal.append([{ type: 'batch-open', batch: (journal.lastClosedBatch ?? 0) + 1, at: now().toISOString() }]);
  const layout = loadLayout('binary');
  const host = new HostClient({
    layout,
    store: new JournalHostStore(journal, { deferStan: true, now }),
    terminalId,
    timeouts: HOST_TIMEOUTS,
    now,
    connect: () => {
      const address = options.acquirer();
      if (!address) return Promise.reject(new Error('no acquirer address yet'));
      return connectChannel({ host: address.host, port: address.port, connectTimeoutMs: 5000, ...(tls && !address.embedded ? { tls } : {}) });
    },
  });
  // Training runs against the embedded simulator with books of its own, never the acquirer's.
  let trainingServer: Promise<{ port: number; close(): Promise<void> }> | undefined;
  const trainingHost = new HostClient({
    layout,
    store: new MemoryHostStore(),
    terminalId,
    timeouts: HOST_TIMEOUTS,
    now,
    connect: async () => {
      trainingServer ??= import('./acquirer.js').then(({ createSimulator }) =>
        createSimulator({ layout, ledgerFile: path.join(options.dataDir, 'training-sim-ledger.json'), resume: true }).listen(0),
      );
      return connectChannel({ host: '127.0.0.1', port: (await trainingServer).port, connectTimeoutMs: 5000 });
    },
  });
  const journalAudit = journalAuditSink(journal, now);
  const audit: AuditSink = {
    async record(event: AuditEvent) {
      await options.audit.record(event);
      // The journal copy follows the durable audit log; a refusal there is logged, not fatal.
      await journalAudit.record(sanitizeEvent(event)).catch((err: unknown) => log.warn('audit event not journalled', { error: String((err as Error).message) }));
    },
  };
  const settlement = new JournalSettlement({
    journal,
    host,
    layout,
    merchantId,
    currency: config.get('currency'),
    mdrPercent: () => config.get('fees.mdrPercent'),
    now,
  });
  const scheduler = new SettlementScheduler({
    settlement,
    journal,
    now,
    config: schedulerConfigFrom(config),
  });
  return {
    journal,
    state,
    layout,
    host,
    trainingHost,
    settlement,
    scheduler,
    audit,
    terminalId,
    merchantId,
    async cardRefKey() {
      const key = await options.deviceKey.deviceKey();
      try {
        return Uint8Array.from(createHmac('sha256', key).update('pos card reference key v1').digest());
      } finally {
        key.fill(0);
      }
    },
    async close() {
      await scheduler.stop();
      await host.close();
      await trainingHost.close();
      if (trainingServer) await (await trainingServer).close();
      await journal.close();
    },
  };
}
