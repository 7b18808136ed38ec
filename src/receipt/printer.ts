/**
 * Prints receipts and reports on the Printer role, one copy per call (the application asks
 * for the merchant copy, then the customer copy on request), and makes a print that failed
 * safe to retry: a receipt is printed whole exactly once (product.md 3.2: "no duplicate
 * reprints after refill").
 *
 * Every failure reaches the caller as the role's {@link PrintError}, whose `reason`
 * (`paper-out`, `cover-open`, `offline`, `error`, `no-answer`) the application shows ("paper
 * out: load paper") before calling `print` again with the same arguments. The retry first
 * settles the interrupted job with the driver (`Printer.job`: the line that waited in the
 * printer's buffer comes out when the fault is cleared), then:
 * - nothing more, when that finished the receipt;
 * - after paper-out, the whole receipt again when any printed content was still missing
 *   (the lines before the fault went with the old roll's end);
 * - otherwise (cover opened, printer offline or in error: the paper is continuous) only the
 *   lines not yet printed.
 * Asking again for an original copy that already printed prints nothing (`already-printed`):
 * a second copy is a reprint and must say so (`reprint: true`).
 */
import { HalError, isHalError } from '../../hal/errors.js';
import { PrintError, isPrintError, type PrintProgress, type Printer, type PrinterStatus, type Receipt } from '../../hal/roles/printer.js';
import type { BatchTotals } from '../journal/totals.js';
import { ReceiptError } from './errors.js';
import { formatReceipt } from './format.js';
import { formatReport, type ReportMeta } from './report.js';
import type { ReceiptCopy, ReceiptData, ReceiptLanguage } from './types.js';

export interface ReceiptPrinterOptions {
  printer: Printer;
  /** Language of receipts unless a call says otherwise (read at each call); default 'en'. */
  language?: ReceiptLanguage | (() => ReceiptLanguage);
  /** IANA zone receipts show times in (times given with a zone); default the system's. */
  timeZone?: string;
  /**
   * The report heading (merchant, terminal, time, operator, and for a Z report the
   * settlement's outcome) when `printReport` is called without one, as the application's
   * ReportPrinterService does (src/app/services.ts).
   */
  reportMeta?: (kind: 'x' | 'z', totals: BatchTotals) => ReportMeta | Promise<ReportMeta>;
}

export interface ReceiptPrintOptions {
  /** A reprint: marked REPRINT / DUPLICATE, and printed however often it is asked for. */
  reprint?: boolean;
  lang?: ReceiptLanguage;
  /** Abandons the job (HAL_ABORTED); a later call with the same arguments resumes it. */
  signal?: AbortSignal;
}

export interface ReceiptPrintResult {
  /**
   * `printed`: this call printed the receipt (whole, or the rest of an interrupted attempt);
   * `completed-earlier`: the interrupted attempt finished by itself once the fault was cleared;
   * `already-printed`: this original copy printed before, nothing was printed now.
   */
  readonly outcome: 'printed' | 'completed-earlier' | 'already-printed';
  readonly receipt: Receipt;
  readonly progress?: PrintProgress;
  /** The printer after the job (e.g. `paperNearEnd`, to warn the cashier). */
  readonly status?: PrinterStatus;
}

interface Unfinished {
  jobId: string;
  reason: PrintError['reason'];
  receipt: Receipt;
}

const ORIGINALS_KEPT = 64;
const CONTENT = new Set(['text', 'qr', 'barcode']);

export class ReceiptPrinter {
  private readonly printer: Printer;
  private readonly language: () => ReceiptLanguage;
  private readonly reportMeta: ReceiptPrinterOptions['reportMeta'];
  private readonly timeZone: string | undefined;
  private readonly unfinished = new Map<string, Unfinished>();
  private readonly originals = new Set<string>();
  private seq = 0;

  constructor(options: ReceiptPrinterOptions) {
    this.printer = options.printer;
    const lang = options.language ?? 'en';
    this.language = typeof lang === 'function' ? lang : () => lang;
    this.reportMeta = options.reportMeta;
    this.timeZone = options.timeZone;
  }

  /** Prints one copy of a transaction receipt. Rejects with a PrintError (or HAL_ABORTED). */
  async print(data: ReceiptData, copy: ReceiptCopy, options: ReceiptPrintOptions = {}): Promise<ReceiptPrintResult> {
    const receipt = formatReceipt(data, copy, options.lang ?? this.language(), { reprint: options.reprint ?? false, columns: this.printer.columns, ...(this.timeZone ? { timeZone: this.timeZone } : {}) });
    const key = `receipt|${data.txnId}|${copy}|${options.reprint ? 'reprint' : 'original'}`;
    if (!options.reprint && this.originals.has(key)) return { outcome: 'already-printed', receipt };
    const result = await this.run(key, receipt, options.signal);
    if (!options.reprint) this.rememberOriginal(key);
    return result;
  }

  /**
   * Prints the X or Z report; rejects like {@link print}. Every successful call prints.
   * Without `meta` the constructor's `reportMeta` gives it (RECEIPT_DATA when there is none).
   */
  async printReport(kind: 'x' | 'z', totals: BatchTotals, meta?: ReportMeta, options: Omit<ReceiptPrintOptions, 'reprint'> = {}): Promise<ReceiptPrintResult> {
    const heading = meta ?? (await this.reportMeta?.(kind, totals));
    if (!heading) throw new ReceiptError('RECEIPT_DATA', `${kind.toUpperCase()} report: no merchant heading (pass meta, or reportMeta to the ReceiptPrinter)`);
    const receipt = formatReport(kind, totals, heading, options.lang ?? this.language(), { columns: this.printer.columns, ...(this.timeZone ? { timeZone: this.timeZone } : {}) });
    return this.run(`report|${kind}|${totals.batch}`, receipt, options.signal);
  }

  /**
   * This printer as the application's `receipts` and `reports` services (src/app/services.ts):
   * the same calls, resolving to nothing.
   */
  forApp(): {
    receipts: { print(data: ReceiptData, copy: ReceiptCopy, options: { reprint: boolean }): Promise<void> };
    reports: { printReport(kind: 'x' | 'z', totals: BatchTotals): Promise<void> };
  } {
    return {
      receipts: { print: async (data, copy, options) => void (await this.print(data, copy, options)) },
      reports: { printReport: async (kind, totals) => void (await this.printReport(kind, totals)) },
    };
  }

  private rememberOriginal(key: string): void {
    this.originals.add(key);
    if (this.originals.size > ORIGINALS_KEPT) this.originals.delete(this.originals.values().next().value!);
  }

  /** Where a retry starts, from how far the interrupted job got (see the module comment). */
  private resumeAt(previous: Unfinished, progress: PrintProgress, receipt: Receipt): number {
    if (JSON.stringify(previous.receipt) !== JSON.stringify(receipt)) return 0;
    const missing = receipt.lines.slice(progress.printedLines);
    if (previous.reason === 'paper-out' && missing.some((l) => CONTENT.has(l.kind))) return 0;
    return progress.printedLines;
  }

  private async run(key: string, receipt: Receipt, signal: AbortSignal | undefined): Promise<ReceiptPrintResult> {
    const previous = this.unfinished.get(key);
    let startAt = 0;
    if (previous) {
      const progress = await this.printer.job(previous.jobId).catch(() => undefined);
      if (progress?.state === 'complete' && JSON.stringify(previous.receipt) === JSON.stringify(receipt)) {
        this.unfinished.delete(key);
        return { outcome: 'completed-earlier', receipt, progress };
      }
      if (progress) startAt = this.resumeAt(previous, progress, receipt);
    }
    const jobId = `${key}#${++this.seq}`;
    try {
      const { progress, status } = await this.printer.print(receipt, { jobId, startAt, ...(signal ? { signal } : {}) });
      this.unfinished.delete(key);
      return { outcome: 'printed', receipt, progress, ...(status ? { status } : {}) };
    } catch (err) {
      if (isHalError(err, 'HAL_ABORTED')) {
        const progress = await this.printer.job(jobId).catch(() => undefined);
        if (!previous || (progress && progress.state !== 'not-started')) this.unfinished.set(key, { jobId, reason: 'error', receipt });
        throw err;
      }
      const failure = await this.asPrintError(err, jobId, receipt, startAt);
      // A retry that failed before printing anything leaves the earlier attempt as the one to settle.
      if (!previous || failure.progress.state !== 'not-started') this.unfinished.set(key, { jobId, reason: failure.reason, receipt });
      throw failure;
    }
  }

  /** Every printer failure as a PrintError with the job's progress. */
  private async asPrintError(err: unknown, jobId: string, receipt: Receipt, startAt: number): Promise<PrintError> {
    if (isPrintError(err)) return err;
    if (!(err instanceof HalError)) throw err;
    const progress: PrintProgress = (await this.printer.job(jobId).catch(() => undefined)) ?? {
      jobId,
      state: 'not-started',
      totalLines: receipt.lines.length,
      startAt,
      printedLines: startAt,
    };
    const reason = err.code === 'HAL_TIMEOUT' ? 'no-answer' : ['HAL_CLOSED', 'HAL_DISCONNECTED', 'HAL_NOT_FOUND'].includes(err.code) ? 'offline' : 'error';
    return new PrintError(reason, progress, err.message, { cause: err });
  }
}
