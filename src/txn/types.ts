/**
 * The transaction engine's contract: what the application (keypad menus, screens) asks of it
 * and what it tells the application while a transaction runs. The engine
 * (`src/txn/engine.ts`) owns card acquisition with the chip-first rule, the EMV kernel run,
 * risk limits, write-ahead journaling, host authorisation, reversal and recovery; the
 * application owns every screen, the keypad, and printing. Amounts are integer minor units
 * of an ISO 4217 currency (alpha code: CNY, USD, EUR ...).
 */
import type { PinBuffer } from '../keys/pin-block.js';
import type { TxnType, TxnOutcomeRecord } from '../journal/records.js';
import type { ReceiptData } from '../receipt/types.js';

export type { TxnType } from '../journal/records.js';

/** How a card reached the terminal. */
export type CardVia = 'tap' | 'insert' | 'swipe';

/** One transaction the application asks for. */
export interface TxnRequest {
  readonly type: TxnType;
  /** Minor units; for void and pre-auth cancel the original's amount is used and this is ignored. */
  readonly amount: number;
  /** ISO 4217 alpha. */
  readonly currency: string;
  /** Void, refund, completion and pre-auth cancel: the original's engine id (`TxnSummary.txnId`). */
  readonly originalTxnId?: string;
  /** The signed-in user (journal `operator`). */
  readonly operator: string;
  /** Training mode: runs against the embedded simulator, marked, kept out of settlement. */
  readonly training?: boolean;
}

/** Why the engine refused to start or to go online (shown on screen, journalled). */
export type RefusalReason =
  | 'amount-over-limit'
  | 'card-velocity'
  | 'terminal-velocity'
  | 'offline-cap'
  | 'original-not-found'
  | 'original-not-in-batch'
  | 'original-not-voidable'
  | 'refund-over-original'
  | 'completion-over-preauth'
  | 'currency-not-supported'
  | 'batch-closing';

/**
 * What the engine tells the application while it works, in order. The application maps each
 * to a screen (message catalog EN/ZH) and, where it says so, a beep.
 */
export type EngineEvent =
  | { readonly kind: 'present-card'; readonly amount: number; readonly currency: string; readonly via: readonly CardVia[] }
  /** A chip card was swiped (service code 2xx/6xx): insert it instead. */
  | { readonly kind: 'insert-card' }
  /** The contactless kernel asked for another interface (or the tap failed): insert or swipe. */
  | { readonly kind: 'try-another-interface'; readonly via: readonly CardVia[] }
  /** The chip could not be read: fallback to swipe is allowed now (entry mode 80). */
  | { readonly kind: 'fallback-swipe' }
  | { readonly kind: 'reading-card'; readonly via: CardVia }
  /** The card is no longer needed (kernel 'card-removable'): "remove card" with a beep. */
  | { readonly kind: 'remove-card' }
  | { readonly kind: 'authorising' }
  | { readonly kind: 'refused'; readonly reason: RefusalReason }
  | { readonly kind: 'card-error'; readonly message: string }
  | { readonly kind: 'host-unavailable' }
  | { readonly kind: 'result'; readonly result: TxnResult };

/** The application's side of a running transaction. */
export interface EngineUi {
  event(e: EngineEvent): void;
  /**
   * Online PIN: the application shows the PIN screen (digits masked), collects the PIN on the
   * keypad into a `PinBuffer` (src/keys/pin-block.ts) and enciphers it under the terminal's
   * DUKPT PIN key for this PAN; the clear PIN never leaves that function. Undefined when the
   * cardholder bypassed or cancelled.
   */
  onlinePin(request: {
    readonly panMasked: string;
    readonly pan: string;
    readonly amount: number;
    readonly currency: string;
    /** PIN bypass is allowed (EMV Book 3 10.5, terminal configuration): ENTER with no digit answers 'bypassed'. Default false. */
    readonly bypassAllowed?: boolean;
  }): Promise<{ readonly pinBlock: Uint8Array; readonly ksn: Uint8Array } | 'bypassed' | 'cancelled'>;
  /**
   * Offline PIN (EMV Book 3 10.5.1): the application shows the PIN screen (digits masked,
   * `triesLeft` from the card's PIN Try Counter when it gave one) and hands back the
   * keypad's `PinBuffer`; the engine builds the card's VERIFY data from it (plaintext or
   * enciphered under the ICC key, src/keys/offline-pin.ts) and wipes it. Called again after
   * a wrong PIN while tries remain. Absent: the terminal has no offline PIN pad, and the
   * kernel goes on with the card's next CVM.
   */
  offlinePin?(request: {
    readonly amount: number;
    readonly currency: string;
    readonly triesLeft?: number;
    /** The card refused the PIN entered before (a wrong PIN): asked again. */
    readonly retry?: boolean;
    /** PIN bypass is allowed: ENTER with no digit answers 'bypassed'. */
    readonly bypassAllowed?: boolean;
  }): Promise<PinBuffer | 'bypassed' | 'cancelled'>;
  /** Several applications need the cardholder's choice (EMV Book 1 12.4): the index, or undefined to cancel. */
  chooseApplication(labels: readonly string[]): Promise<number | undefined>;
  /** Aborts card waiting and PIN entry (CANCEL key): the engine ends the transaction as `cancelled`. */
  readonly signal?: AbortSignal;
}

export type TxnStatus = 'approved' | 'declined' | 'cancelled' | 'refused' | 'failed';

export interface TxnResult {
  readonly status: TxnStatus;
  /** The engine's id (journal `txnId`); absent when nothing was journalled (refused before start, cancelled before a card). */
  readonly txnId?: string;
  /** ISO 8583 field 39 from the host, or the kernel's offline decision (Y1/Z1/Y3/Z3). */
  readonly responseCode?: string;
  readonly refusal?: RefusalReason;
  /** Words for the log and a technician (never card data). */
  readonly reason?: string;
  /** What the receipt prints: present once a card was read (approved and declined). */
  readonly receipt?: ReceiptData;
  /** Balance inquiry approved: the available balance the host returned (ISO 8583 field 54), minor units. */
  readonly balance?: { readonly amount: number; readonly currency: string };
}

/** A journalled transaction as the application lists it (void/refund pick lists, reprint). */
export interface TxnSummary {
  readonly txnId: string;
  readonly type: TxnType;
  readonly result: TxnOutcomeRecord['result'];
  readonly amount: number;
  readonly currency: string;
  readonly maskedPan?: string;
  readonly at: string;
  readonly batch: number;
  readonly training: boolean;
  readonly receipt: ReceiptData;
}

/** What recovery at start did (DESIGN "journal recovery"). */
export interface RecoveryReport {
  readonly reversed: number;
  readonly advicesSent: number;
  readonly stillOwed: number;
}

export interface Engine {
  /** Runs one transaction to its end; never throws for card, host or user outcomes (only for programming errors). */
  run(request: TxnRequest, ui: EngineUi): Promise<TxnResult>;
  /** The last transaction (reprint) or one by id, from the journal. */
  find(txnId: string | 'last'): Promise<TxnSummary | undefined>;
  /** Transactions of the open batch, newest first (void/refund/completion pick lists). */
  openBatch(): Promise<TxnSummary[]>;
  /**
   * The newest approved transaction, in any batch of the journal, whose STAN (ISO 8583
   * field 11, the receipt's trace number) is `stan`: a refund of a sale from a batch already
   * settled. STANs wrap at 999999, so the newest match is the one meant.
   */
  findByTrace(stan: number): Promise<TxnSummary | undefined>;
  /** Resolves pending records left by a crash (reversal once), sends owed advices. Run once at start. */
  recover(): Promise<RecoveryReport>;
  close(): Promise<void>;
}
