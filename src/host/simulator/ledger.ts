/**
 * The simulator's books: a balance per test card and every transaction with its final
 * state, so that a test outside the process can prove that a sale was approved once and a
 * reversal applied exactly once. Cards are named (the virtual-card catalogue's names) and
 * shown with masked PANs only: the ledger file holds no cardholder data.
 */
export type TxnState = 'approved' | 'declined' | 'reversed' | 'voided' | 'refunded' | 'held' | 'captured' | 'released' | 'advised';

export interface LedgerTxn {
  stan: string;
  terminalId: string;
  mti: string;
  /** Processing code (field 3). */
  processing: string;
  rrn: string;
  authCode: string;
  card: string;
  amountMinor: number;
  currency: string;
  responseCode: string;
  state: TxnState;
  /** Original transmission date and time (field 7), part of the reversal key. */
  transmittedAt: string;
  at: string;
  /** A void's or completion's original (field 90: its STAN and transmission time). */
  original?: { stan: string; transmittedAt: string };
  /** The terminal's batch number (field 60 of the 0500) in which the host settled it; absent while unsettled. */
  settledInBatch?: string;
}

/** One 0500 the simulator answered. */
export interface LedgerReconciliation {
  terminalId: string;
  batch: string;
  currency: string;
  balanced: boolean;
  at: string;
  /** Items of the batch upload (0320) this 0500 was checked against (absent: checked against the ledger). */
  uploaded?: number;
  /** Uploaded items the ledger does not know (by RRN), and unsettled ledger items that were not uploaded. */
  unknownUploads?: number;
  notUploaded?: number;
}

export interface LedgerCard {
  name: string;
  maskedPan: string;
  balanceMinor: number;
  currency: string;
  approvals: number;
  reversals: number;
  declines: number;
  pinFailures: number;
}

export interface LedgerJson {
  cards: Record<string, LedgerCard>;
  transactions: LedgerTxn[];
  reconciliations: LedgerReconciliation[];
}

export class Ledger {
  readonly cards = new Map<string, LedgerCard>();
  readonly transactions: LedgerTxn[] = [];
  readonly reconciliations: LedgerJson['reconciliations'] = [];

  toJSON(): LedgerJson {
    return { cards: Object.fromEntries(this.cards), transactions: this.transactions, reconciliations: this.reconciliations };
  }

  /** The original of a reversal or void: by terminal, STAN and (when given) transmission time. */
  findOriginal(terminalId: string, stan: string, transmittedAt?: string): LedgerTxn | undefined {
    for (let i = this.transactions.length - 1; i >= 0; i--) {
      const t = this.transactions[i]!;
      if (t.terminalId === terminalId && t.stan === stan && (transmittedAt === undefined || /^0+$/.test(transmittedAt) || t.transmittedAt === transmittedAt) && !t.mti.startsWith('04')) return t;
    }
    return undefined;
  }

  findByRrn(rrn: string): LedgerTxn | undefined {
    return this.transactions.find((t) => t.rrn === rrn);
  }
}
