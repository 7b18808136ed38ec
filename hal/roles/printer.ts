/**
 * The Printer role: a receipt printer, whatever the command language. The application
 * describes a receipt as a {@link Receipt} (lines of styled text, QR codes, barcodes,
 * feeds, a cut) and the driver turns it into the printer's bytes.
 *
 * The rule that matters for a payment terminal: **a receipt is never silently lost and
 * never silently printed twice.** Therefore:
 *
 * - `print()` checks the printer's real-time status before it sends a byte. A printer
 *   that is out of paper, has its cover open, is offline, reports an error or does not
 *   answer makes the job reject with a {@link PrintError} whose `progress.state` is
 *   `'not-started'`: nothing of the job reached the printer.
 * - While printing, the driver sends one receipt line at a time and waits for the printer
 *   to confirm that the line was processed (printed) before it sends the next one. The
 *   number of confirmed lines is exact; at most one line is "in doubt" (sent, not yet
 *   confirmed).
 * - When the printer stops mid-job (paper runs out, cover opened, error, silence) the job
 *   rejects with `progress.state === 'interrupted'`, `printedLines` (lines 0 ..
 *   printedLines-1 are on paper) and `inDoubtLine` (the line that was sent and waits in
 *   the printer's buffer; a printer resumes its buffer by itself once paper is loaded or
 *   the cover closed, so this line normally still comes out after the fault is cleared).
 *   Nothing after the in-doubt line is ever sent.
 * - After the fault is cleared, {@link Printer.job} settles the record: it waits (bounded)
 *   for the confirmation of the in-doubt line and returns the final progress. The
 *   application then knows exactly which lines are on paper and decides: reprint the whole
 *   receipt with a "DUPLICATE"/"REPRINT" marker, or print the rest with
 *   `print(receipt, { startAt: progress.printedLines })` (and, typically, a
 *   "CONTINUED" line it adds itself). The driver never reprints on its own.
 *
 * - A line whose confirmation never comes (the printer was switched off and lost its
 *   buffer) stays `inDoubtLine` for good: only a person looking at the paper knows.
 * - Whatever ends a job (a PrintError, HAL_CLOSED, HAL_ABORTED), {@link Printer.job}
 *   returns its progress afterwards.
 *
 * Errors are {@link PrintError}s (a HalError with `reason` and `progress`): `reason`
 * `'paper-out' | 'cover-open' | 'offline' | 'error'` have code `HAL_DEVICE`; `'no-answer'`
 * has code `HAL_TIMEOUT`. Other failures (link closed, bad text) keep their HAL codes.
 */
import { HalError, type HalErrorCode } from '../errors.js';
import type { CallOptions } from '../io.js';

export type Align = 'left' | 'center' | 'right';

/** Character style of a text line. Everything is off by default; alignment is left. */
export interface TextStyle {
  align?: Align;
  bold?: boolean;
  /** Characters twice as wide: a line then holds half the columns. */
  doubleWidth?: boolean;
  doubleHeight?: boolean;
  /** Underline: 1 dot, 2 dots thick, or none. */
  underline?: 0 | 1 | 2;
}

/**
 * One line of text. `text` may hold any character the printer's charset can print
 * (Chinese with a GB18030 printer); control characters are refused (they would be
 * printer commands). Text longer than the paper wraps on the printer.
 */
export interface TextLine {
  kind: 'text';
  text: string;
  style?: TextStyle;
}

export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

/** A QR code (model 2). */
export interface QrLine {
  kind: 'qr';
  data: string;
  /** Module size in dots, 1..16 (default 6). */
  moduleSize?: number;
  /** Default 'M'. */
  errorCorrection?: QrErrorCorrection;
  /** Default 'center'. */
  align?: Align;
}

/** Where the human-readable interpretation (the digits) of a barcode is printed. */
export type HriPosition = 'none' | 'above' | 'below' | 'both';

/** A CODE128 barcode. */
export interface BarcodeLine {
  kind: 'barcode';
  symbology: 'CODE128';
  /** Printable ASCII; with codeSet 'C' an even number of digits. */
  data: string;
  /** Default 'B' ('C' packs digit pairs: shorter bars). */
  codeSet?: 'A' | 'B' | 'C';
  /** Bar height in dots, 1..255 (default 80). */
  height?: number;
  /** Narrow bar width in dots, 2..6 (default 2). */
  moduleWidth?: number;
  /** Default 'below'. */
  hri?: HriPosition;
  /** Default 'center'. */
  align?: Align;
}

/** Blank paper: `lines` empty lines (1..255). */
export interface FeedLine {
  kind: 'feed';
  lines: number;
}

/** Feeds to the cutter and cuts (full or partial); a printer without cutter only feeds. */
export interface CutLine {
  kind: 'cut';
  partial?: boolean;
}

export type ReceiptLine = TextLine | QrLine | BarcodeLine | FeedLine | CutLine;

/** A receipt: printed top to bottom. Progress is counted in indexes of `lines`. */
export interface Receipt {
  lines: readonly ReceiptLine[];
}

/**
 * How far a job got. Line numbers are indexes into `Receipt.lines`.
 * - `not-started`: no byte of the job reached the printer (`printedLines` 0).
 * - `interrupted`: lines before `printedLines` are confirmed printed; `inDoubtLine`, when
 *   set, was sent and may still come out when the fault is cleared; later lines were
 *   never sent.
 * - `complete`: every line was confirmed printed.
 */
export interface PrintProgress {
  jobId: string;
  state: 'not-started' | 'interrupted' | 'complete';
  /** Lines in the receipt. */
  totalLines: number;
  /** The job started here (`startAt`): lines before it were not part of this job. */
  startAt: number;
  /** Lines `startAt` .. `printedLines - 1` are confirmed on paper. */
  printedLines: number;
  inDoubtLine?: number;
}

export type PrintFailureReason = 'paper-out' | 'cover-open' | 'offline' | 'error' | 'no-answer';

/** The job did not complete: why, and exactly how far it got. */
export class PrintError extends HalError {
  readonly reason: PrintFailureReason;
  readonly progress: PrintProgress;

  constructor(reason: PrintFailureReason, progress: PrintProgress, message: string, options?: { cause?: unknown }) {
    const code: HalErrorCode = reason === 'no-answer' ? 'HAL_TIMEOUT' : 'HAL_DEVICE';
    super(code, message, options);
    this.reason = reason;
    this.progress = progress;
  }
}

export function isPrintError(err: unknown): err is PrintError {
  return err instanceof PrintError;
}

/** Decoded real-time status (ESC/POS: DLE EOT 1..4). */
export interface PrinterStatus {
  /** Ready to print: online, paper present, cover closed, no error. */
  ready: boolean;
  online: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  /** Some error occurred (see the detail flags). */
  error: boolean;
  recoverableError: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  /** Recovers by itself (e.g. print head too hot). */
  autoRecoverableError: boolean;
  /** The feed button is pressed, or paper is being fed by it. */
  feedButton: boolean;
  /** The raw status bytes, by request number, for logs and diagnostics. */
  raw: Readonly<Record<1 | 2 | 3 | 4, number>>;
}

/** The reason a printer in this status cannot print, or undefined when it is ready. */
export function statusFailure(status: PrinterStatus): Exclude<PrintFailureReason, 'no-answer'> | undefined {
  if (status.paperOut) return 'paper-out';
  if (status.coverOpen) return 'cover-open';
  if (status.error) return 'error';
  if (!status.online) return 'offline';
  return undefined;
}

export interface PrintOptions extends CallOptions {
  /**
   * Names the job (for {@link Printer.job} and logs); default a fresh id. Reusing the id of
   * an earlier job replaces its record.
   */
  jobId?: string;
  /** Prints only lines from this index on (to finish an interrupted job). Default 0. */
  startAt?: number;
}

export interface PrintResult {
  progress: PrintProgress;
  /**
   * Status after the job (e.g. `paperNearEnd` to warn the cashier); undefined when the
   * printer did not answer it. The job is complete either way.
   */
  status?: PrinterStatus;
}

export interface Printer {
  /** Characters per line in the normal font (half with double width). */
  readonly columns: number;
  /**
   * Prints the receipt; resolves when the printer confirmed every line. Rejects with a
   * {@link PrintError} (see the module comment). `timeoutMs` bounds waiting for each line's
   * confirmation while the printer reports ready (default: the driver's line time limit);
   * `signal` abandons the job (HAL_ABORTED; `job()` tells how far it got).
   * One job at a time: a second call waits for the first.
   */
  print(receipt: Receipt, options?: PrintOptions): Promise<PrintResult>;
  /** Real-time status; rejects with HAL_TIMEOUT when the printer does not answer. */
  status(options?: CallOptions): Promise<PrinterStatus>;
  /**
   * The progress of a job this driver ran (the last 16 are kept), after settling its
   * in-doubt line: when the printer is ready again, waits (bounded by `timeoutMs`) for the
   * confirmation of that line. Undefined for an unknown job id.
   */
  job(jobId: string, options?: CallOptions): Promise<PrintProgress | undefined>;
  /** Checks the printer answers and is ready (prints nothing). */
  selfTest(): Promise<void>;
  /** Stops and releases the printer's connection; a job in flight rejects with HAL_CLOSED. Idempotent. */
  close(): Promise<void>;
}
