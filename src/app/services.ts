/**
 * Everything the keypad application needs from the rest of the terminal, injected: the
 * transaction engine, the users, settlement, the receipt and report printers, online-PIN
 * encipherment, the clock and the training-mode setting. Each is a contract; the
 * composition root (`pos run`) wires the implementations, tests may script them.
 */
import type { Engine } from '../txn/types.js';
import type { ReceiptCopy, ReceiptData } from '../receipt/types.js';
import type { Settlement, SettleResult } from '../settle/types.js';
import type { BatchTotals } from '../journal/totals.js';
import type { UserStore } from '../users/user-store.js';
import type { ConfigStore } from '../config/store.js';
import type { KeyStore } from '../keys/key-store.js';
import type { PinBuffer } from '../keys/pin-block.js';
import type { Indicator } from '../../hal/roles/indicator.js';
import type { AuditSink } from '../audit/audit.js';
import { StoredDukpt } from '../keys/dukpt-store.js';
import { deriveIpek } from '../keys/dukpt-tdes.js';
import { fromHex, wipe } from '../../emv/crypto/bytes.js';
import { KeyError } from '../keys/errors.js';

/**
 * Prints one copy of a transaction receipt (`src/receipt/` implements it).
 *
 * Rules: resolves when the copy is on paper; rejects with a `PrintError`
 * (hal/roles/printer.ts) when the printer cannot print it (`reason` 'paper-out',
 * 'cover-open', ...); the application then offers a retry, and a retry prints the whole
 * copy again (the implementation marks it as it sees fit; it never reprints on its own).
 * `reprint`: a copy asked for from the reprint menu (marked "REPRINT").
 */
export interface ReceiptPrinterService {
  print(data: ReceiptData, copy: ReceiptCopy, options: { reprint: boolean }): Promise<void>;
}

/**
 * Prints the X (running, no reset) or Z (closed batch) report; rejects like {@link ReceiptPrinterService.print}.
 * `settle`: the settlement that just closed the batch, printed on the Z report (status, host answer, uploads).
 */
export interface ReportPrinterService {
  printReport(kind: 'x' | 'z', totals: BatchTotals, settle?: SettleResult): Promise<void>;
}

/**
 * Online PIN encipherment under the terminal's PIN key (DUKPT). Rules: `pin` is wiped in
 * every case (success or error); the result is the ISO 9564 block and the KSN to send.
 */
export interface PinEncipherment {
  encipher(pin: PinBuffer, pan: string): Promise<{ pinBlock: Uint8Array; ksn: Uint8Array }>;
}

/** The user store as sign-in needs it. */
export type UserDirectory = Pick<UserStore, 'authenticate' | 'authenticatePin' | 'needsTotp' | 'get'>;

/** The persisted training-mode switch. */
export interface TrainingSetting {
  get(): boolean;
  /** `by`: the operator, for the configuration history. */
  set(on: boolean, by: string): Promise<void>;
}

export interface AppServices {
  engine: Engine;
  users: UserDirectory;
  settlement: Settlement;
  receipts: ReceiptPrinterService;
  reports: ReportPrinterService;
  pin: PinEncipherment;
  training: TrainingSetting;
  /** Beeps and the status light; default: the terminal's Indicator role. */
  indicator?: Indicator;
  /** Clock (idle screen, tests pin it). */
  now?: () => Date;
  /** Security events of the keypad: sign-in, failures, lockout, sign-out, refusals, supervisor approvals. */
  audit?: AuditSink;
}

/** The training switch kept in the configuration store (`app.trainingMode`, audited history). */
export function configTrainingSetting(config: ConfigStore): TrainingSetting {
  return {
    get: () => config.get('app.trainingMode') === true,
    set: async (on, by) => void (await config.set('app.trainingMode', on, { by: `keypad:${by}` })),
  };
}

/** The key store name of the terminal's online-PIN DUKPT registers. */
export const PIN_DUKPT_STATE = 'pin-dukpt';
/** The key store name of a DUKPT initial key waiting to be installed. */
export const PIN_DUKPT_INITIAL = 'pin-dukpt-initial';

/**
 * Online PIN under the terminal's DUKPT registers in the key store (X9.24-1: each
 * transaction's state is persisted before its key is used; see StoredDukpt). Opens
 * `pin-dukpt`, or installs it from a loaded initial key `pin-dukpt-initial` (which is then
 * erased); KEY_* error when neither is there (the technician loads the key first).
 */
export async function openDukptPinEncipherment(keys: KeyStore): Promise<PinEncipherment> {
  const names = new Set((await keys.list()).map((k) => k.name));
  let dukpt: StoredDukpt;
  if (names.has(PIN_DUKPT_STATE)) dukpt = await StoredDukpt.open(keys, PIN_DUKPT_STATE);
  else if (names.has(PIN_DUKPT_INITIAL)) dukpt = await StoredDukpt.install(keys, PIN_DUKPT_INITIAL, PIN_DUKPT_STATE);
  else throw new KeyError('KEY_STORE_NOT_FOUND', `no PIN key: load a DUKPT initial key as "${PIN_DUKPT_INITIAL}" first`);
  return {
    async encipher(pin, pan) {
      const r = await dukpt.encipherPin(pin, pan);
      return { pinBlock: r.pinBlock, ksn: r.ksn };
    },
  };
}

/**
 * Sim and training data folders: derives the TDES IPEK from a TEST base derivation key and
 * initial KSN (X9.24-1 Annex A; the caller passes src/board/acquirer.ts TEST_HOST_KEYS, the
 * keys the embedded simulator deciphers with) and stores it as the initial key, unless the
 * folder already has PIN registers. Never for a real terminal: its key comes by TR-31.
 */
export async function seedTestPinKey(keys: KeyStore, test: { bdk: string; initialKsn: string }): Promise<void> {
  const names = new Set((await keys.list()).map((k) => k.name));
  if (names.has(PIN_DUKPT_STATE) || names.has(PIN_DUKPT_INITIAL)) return;
  const bdk = fromHex(test.bdk);
  const ipek = deriveIpek(bdk, fromHex(test.initialKsn));
  try {
    await keys.put(PIN_DUKPT_INITIAL, ipek, { usage: 'dukpt-initial-key', algorithm: 'tdes', source: 'derived', ksn: test.initialKsn.toUpperCase() });
  } finally {
    wipe(bdk, ipek);
  }
}
