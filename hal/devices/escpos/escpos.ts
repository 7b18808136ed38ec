// ESC/POS receipt printer driver over a serial link (Epson ESC/POS command reference; the
// page of each command is cited in commands.ts). Delivery rules: hal/roles/printer.ts.
//
// How a line is known to be printed: each line is followed by GS r 1 (gs_lr), which the
// printer answers only after it processed the data received before it; DLE EOT (dle_eot)
// is real-time and answers at once, even while the printer is stopped by paper end, so it
// tells why a confirmation is late. The printer's TX line carries three kinds of bytes
// that the bit patterns keep apart: DLE EOT replies 0xx1xx10, GS r replies 0xx0xxxx, and
// XON/XOFF (0x11/0x13) when software flow control is on (hardware.md 7.4, 7.6).
import { HalError, isHalError } from '../../errors.js';
import { bounded, sleep, type CallOptions, type Unsubscribe } from '../../io.js';
import type { SerialLink } from '../../serial.js';
import {
  PrintError,
  statusFailure,
  type PrintOptions,
  type PrintProgress,
  type PrintResult,
  type Printer,
  type PrinterStatus,
  type Receipt,
  type ReceiptLine,
} from '../../roles/printer.js';
import * as cmd from './commands.js';
import { resolveEscPosProps, type EscPosProps } from './binding.js';
import { loadTextCodec, type TextCodec } from './text-encoding.js';

export interface EscPosOpenOptions extends Partial<EscPosProps> {
  link: SerialLink;
}

/**
 * Decodes the four DLE EOT replies (dle_eot: n = 1 printer, 2 offline cause, 3 error
 * cause, 4 roll paper sensor).
 */
export function decodeStatus(raw: Readonly<Record<1 | 2 | 3 | 4, number>>): PrinterStatus {
  const bit = (n: 1 | 2 | 3 | 4, mask: number): boolean => (raw[n] & mask) !== 0;
  const online = !bit(1, 0x08);
  const coverOpen = bit(2, 0x04);
  const paperOut = bit(2, 0x20) || (raw[4] & 0x60) === 0x60;
  const error = bit(2, 0x40);
  return {
    ready: online && !paperOut && !coverOpen && !error,
    online,
    paperOut,
    paperNearEnd: (raw[4] & 0x0c) === 0x0c,
    coverOpen,
    error,
    recoverableError: bit(3, 0x04),
    cutterError: bit(3, 0x08),
    unrecoverableError: bit(3, 0x20),
    autoRecoverableError: bit(3, 0x40),
    feedButton: bit(1, 0x40) || bit(2, 0x08),
    raw: { 1: raw[1], 2: raw[2], 3: raw[3], 4: raw[4] },
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: HalError): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: HalError) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Whether a promise has already resolved (a rejection counts as no). */
async function hasResolved(p: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([p, Promise.resolve(pending)]).catch(() => pending)) !== pending;
}

interface Confirmation extends Deferred<number> {
  jobId: string;
  line: number;
}

/** Serialises async work (one status exchange, one job at a time). */
class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const JOBS_KEPT = 16;
// While a line is unconfirmed, real-time status is polled this often.
const POLL_MS = 150;

export class EscPosPrinter implements Printer {
  readonly columns: number;
  private readonly path: string;
  private closed = false;
  private closeError: HalError | undefined;
  private readonly unsubscribe: Unsubscribe[] = [];
  private statusWaiter: Deferred<number> | undefined;
  // One exchange on the wire at a time: no job data while a DLE EOT reply is awaited
  // (dle_eot notes: send nothing else until the status byte has arrived).
  private readonly wireLock = new Lock();
  private readonly jobLock = new Lock();
  private readonly confirmations: Confirmation[] = [];
  private readonly jobs = new Map<string, PrintProgress>();
  private paused = false;
  private asbBytesLeft = 0;
  private xonWaiters: Deferred<void>[] = [];
  private jobSeq = 0;
  /** Bytes on the TX line that are no reply to us (line noise, Automatic Status Back reports). */
  strayBytes = 0;

  private constructor(
    private readonly link: SerialLink,
    private readonly props: EscPosProps & { columns: number },
    private readonly codec: TextCodec,
  ) {
    this.columns = props.columns;
    this.path = link.path;
    this.unsubscribe.push(
      link.onData((chunk) => {
        for (const b of chunk) this.receive(b);
      }),
      link.onClose((err) => this.shutdown(err ?? new HalError('HAL_CLOSED', `printer ${this.path}: link closed`))),
    );
  }

  /**
   * Opens the printer on a link that is already open: initialises it (ESC @, Automatic
   * Status Back off, the charset's character mode) and checks that it answers real-time
   * status. Rejects with HAL_TIMEOUT when it does not answer, HAL_UNSUPPORTED when the
   * charset's encoder is missing, HAL_INVALID_ARGUMENT for bad props; the link then stays
   * the caller's (open). Once open, the printer owns the link and closes it in close().
   */
  static async open(options: EscPosOpenOptions): Promise<EscPosPrinter> {
    const { link, ...rest } = options;
    const { props, problems } = resolveEscPosProps(rest);
    if (problems.length) throw new HalError('HAL_INVALID_ARGUMENT', `printer ${link.path}: ${problems.join('; ')}`);
    const codec = await loadTextCodec(props.charset);
    const printer = new EscPosPrinter(link, props, codec);
    try {
      await printer.writeData(cmd.concat([cmd.initialize(), cmd.automaticStatusBack(0), printer.charsetSetup()]));
      await printer.status();
    } catch (err) {
      printer.detach();
      throw err;
    }
    return printer;
  }

  private charsetSetup(): Uint8Array {
    // Chinese printers often power up in Hanzi mode (hardware.md risk 12): say which mode we want.
    if (this.codec.charset === 'gb18030') return cmd.kanjiModeOn();
    return cmd.concat([cmd.kanjiModeOff(), cmd.codeTable(this.props.codeTable)]);
  }

  private receive(b: number): void {
    if (this.asbBytesLeft > 0) {
      // Bytes 2-4 of an Automatic Status Back report look like GS r replies (gs_la): never
      // credit them. Should noise start a false report, a real confirmation is lost and the
      // job fails loudly (no-answer) instead of a line being counted as printed silently.
      this.asbBytesLeft--;
      this.strayBytes++;
    } else if (cmd.isAsbFirstByte(b)) {
      this.asbBytesLeft = 3;
      this.strayBytes++;
    } else if (b === cmd.XOFF) {
      this.paused = true;
    } else if (b === cmd.XON) {
      this.paused = false;
      this.xonWaiters.splice(0).forEach((w) => w.resolve());
    } else if (cmd.isRealtimeStatusByte(b)) {
      const waiter = this.statusWaiter;
      this.statusWaiter = undefined;
      if (waiter) waiter.resolve(b);
      else this.strayBytes++; // a reply that came after its time limit
    } else if (cmd.isTransmitStatusByte(b)) {
      const c = this.confirmations.shift();
      if (c) c.resolve(b);
      else this.strayBytes++;
    } else {
      this.strayBytes++;
    }
  }

  private ensureOpen(what: string): void {
    if (this.closed) throw this.closeError ?? new HalError('HAL_CLOSED', `printer ${this.path}: ${what} after close`);
  }

  /**
   * Waits while the printer said XOFF (hardware.md 7.6); real-time requests are not held.
   * Nothing of the next line has been sent: a printer that stays busy fails the job with
   * its status reason, or no-answer.
   */
  private async holdWhileXoff(progress: PrintProgress): Promise<void> {
    if (!this.paused) return;
    const resumed = deferred<void>();
    this.xonWaiters.push(resumed);
    try {
      await bounded(`printer ${this.path}: waiting for XON`, resumed.promise, { timeoutMs: this.props.lineTimeoutMs });
    } catch (err) {
      if (!isHalError(err, 'HAL_TIMEOUT')) throw err;
      await this.checkReady(progress);
      throw new PrintError('no-answer', { ...progress }, `printer ${this.path}: held by XOFF for ${this.props.lineTimeoutMs} ms`, { cause: err });
    }
  }

  /** Writes job data and drains it. */
  private async writeData(bytes: Uint8Array): Promise<void> {
    this.ensureOpen('write');
    // Drained before the lock is released: a status request must not queue behind job
    // data in the transmit buffer, or its time limit would run out while data trickles out.
    const lineMs = (bytes.length * 10 * 1000) / this.props.baudRate;
    await this.wireLock.run(async () => {
      await this.link.write(bytes, { timeoutMs: 2 * lineMs + 5000 });
      await this.link.drain({ timeoutMs: 2 * lineMs + 5000 });
    });
  }

  private queryStatus(n: 1 | 2 | 3 | 4, options?: CallOptions): Promise<number> {
    return this.wireLock.run(async () => {
      this.ensureOpen('status');
      const reply = deferred<number>();
      this.statusWaiter = reply;
      try {
        await this.link.write(cmd.realtimeStatus(n), options);
        return await bounded(`printer ${this.path}: DLE EOT ${n}`, reply.promise, options, this.props.statusTimeoutMs);
      } finally {
        this.statusWaiter = undefined;
      }
    });
  }

  async status(options?: CallOptions): Promise<PrinterStatus> {
    const raw = { 1: 0, 2: 0, 3: 0, 4: 0 };
    for (const n of [1, 2, 3, 4] as const) raw[n] = await this.queryStatus(n, options);
    return decodeStatus(raw);
  }

  /** The bytes of one receipt line (every style set explicitly, so any line can start a job). */
  private encodeLine(line: ReceiptLine): Uint8Array {
    switch (line.kind) {
      case 'text': {
        const s = line.style ?? {};
        return cmd.concat([
          cmd.justify(s.align ?? 'left'),
          cmd.emphasized(s.bold ?? false),
          cmd.underline(s.underline ?? 0),
          cmd.characterSize(s.doubleWidth ? 2 : 1, s.doubleHeight ? 2 : 1),
          this.codec.encode(line.text),
          cmd.lineFeed(),
        ]);
      }
      case 'qr':
        return cmd.concat([
          cmd.justify(line.align ?? 'center'),
          cmd.qrModel(2),
          cmd.qrModuleSize(line.moduleSize ?? 6),
          cmd.qrErrorCorrection(line.errorCorrection ?? 'M'),
          cmd.qrStore(new TextEncoder().encode(line.data)),
          cmd.qrPrint(),
        ]);
      case 'barcode':
        return cmd.concat([
          cmd.justify(line.align ?? 'center'),
          cmd.hriPosition(line.hri ?? 'below'),
          cmd.hriFont(0),
          cmd.barcodeHeight(line.height ?? 80),
          cmd.barcodeWidth(line.moduleWidth ?? 2),
          cmd.code128(line.data, line.codeSet ?? 'B'),
        ]);
      case 'feed':
        return cmd.feedLines(line.lines);
      case 'cut':
        // Without an autocutter, feed the printed part past the tear bar instead.
        return this.props.cutter ? cmd.cut(line.partial ?? false, 0) : cmd.feedLines(4);
    }
  }

  private expectConfirmation(jobId: string, line: number): Confirmation {
    const c: Confirmation = { ...deferred<number>(), jobId, line };
    // A confirmation that arrives after its job gave up still settles the job's record.
    void c.promise.then(
      () => {
        const p = this.jobs.get(jobId);
        if (p && p.inDoubtLine === line) {
          p.printedLines = line + 1;
          delete p.inDoubtLine;
          if (p.printedLines === p.totalLines) p.state = 'complete';
        }
      },
      () => undefined,
    );
    this.confirmations.push(c);
    return c;
  }

  private remember(progress: PrintProgress): void {
    this.jobs.delete(progress.jobId);
    this.jobs.set(progress.jobId, progress);
    while (this.jobs.size > JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value!);
  }

  private async checkReady(progress: PrintProgress, options?: CallOptions): Promise<PrinterStatus> {
    let status: PrinterStatus;
    try {
      status = await this.status(options);
    } catch (err) {
      if (isHalError(err, 'HAL_TIMEOUT')) {
        throw new PrintError('no-answer', { ...progress }, `printer ${this.path}: no answer to real-time status`, { cause: err });
      }
      throw err;
    }
    const reason = statusFailure(status);
    if (reason) throw new PrintError(reason, { ...progress }, `printer ${this.path}: ${reason}${progress.state === 'interrupted' ? ` at line ${progress.inDoubtLine ?? progress.printedLines}` : ''}`);
    return status;
  }

  /** Waits for a line's confirmation, polling real-time status while it is late. */
  private async awaitLine(c: Confirmation, progress: PrintProgress, options?: PrintOptions): Promise<void> {
    const deadline = Date.now() + (options?.timeoutMs ?? this.props.lineTimeoutMs);
    for (;;) {
      const confirmed = await Promise.race([c.promise.then(() => true), sleep(POLL_MS, options?.signal).then(() => false)]);
      if (confirmed) return;
      try {
        await this.checkReady(progress);
      } catch (err) {
        // The confirmation may have come in while the status was asked (the poll fired
        // first on a busy host): a line the printer confirmed is printed, whatever came after.
        if (await hasResolved(c.promise)) return;
        throw err;
      }
      if (Date.now() > deadline) {
        throw new PrintError('no-answer', { ...progress }, `printer ${this.path}: line ${c.line} not confirmed in time although the printer reports ready`);
      }
    }
  }

  /**
   * Waits until every earlier job's in-doubt line is settled (the printer is ready, so it
   * should answer at once). A printer that was switched off lost its buffer and will never
   * answer: after the line time limit those lines stay in doubt for good and are dropped
   * from the queue of expected replies, so that later replies are not credited to them.
   */
  private async settleOutstanding(): Promise<void> {
    const last = this.confirmations[this.confirmations.length - 1];
    if (!last) return;
    try {
      await bounded(`printer ${this.path}: earlier job`, last.promise, { timeoutMs: this.props.lineTimeoutMs });
    } catch (err) {
      if (!isHalError(err, 'HAL_TIMEOUT')) throw err;
      for (const c of this.confirmations.splice(0)) c.reject(err);
    }
  }

  print(receipt: Receipt, options?: PrintOptions): Promise<PrintResult> {
    return this.jobLock.run(() => this.runJob(receipt, options));
  }

  private async runJob(receipt: Receipt, options?: PrintOptions): Promise<PrintResult> {
    this.ensureOpen('print');
    const total = receipt.lines.length;
    const startAt = options?.startAt ?? 0;
    if (!Number.isInteger(startAt) || startAt < 0 || startAt > total) {
      throw new HalError('HAL_INVALID_ARGUMENT', `printer ${this.path}: startAt ${startAt} is outside 0..${total}`);
    }
    // Encode everything first: a line the printer cannot print fails the job before any byte goes out.
    const encoded = receipt.lines.map((line, i) => {
      try {
        return i < startAt ? new Uint8Array(0) : this.encodeLine(line);
      } catch (err) {
        if (err instanceof HalError) throw new HalError(err.code, `receipt line ${i}: ${err.message}`, { cause: err });
        throw err;
      }
    });
    const jobId = options?.jobId ?? `job-${++this.jobSeq}`;
    const progress: PrintProgress = { jobId, state: 'not-started', totalLines: total, startAt, printedLines: startAt };
    this.remember(progress);

    await this.checkReady(progress, { signal: options?.signal });
    await this.settleOutstanding();

    // ASB off again: a printer whose memory switch enables it may do so after ESC @.
    const prologue = cmd.concat([cmd.initialize(), cmd.automaticStatusBack(0), this.charsetSetup()]);
    for (let i = startAt; i < total; i++) {
      await this.holdWhileXoff(progress);
      const c = this.expectConfirmation(jobId, i);
      progress.state = 'interrupted';
      progress.inDoubtLine = i;
      await this.writeData(cmd.concat([i === startAt ? prologue : new Uint8Array(0), encoded[i]!, cmd.transmitStatus(1)]));
      await this.awaitLine(c, progress, options);
      progress.printedLines = i + 1;
      delete progress.inDoubtLine;
    }
    progress.state = 'complete';
    // The job is complete whatever happens next: a status that fails now is only missing.
    const status = await this.status({ signal: options?.signal }).catch(() => undefined);
    return { progress: { ...progress }, status };
  }

  async job(jobId: string, options?: CallOptions): Promise<PrintProgress | undefined> {
    const progress = this.jobs.get(jobId);
    if (!progress) return undefined;
    const line = progress.inDoubtLine;
    const pending = this.confirmations.find((c) => c.jobId === jobId && c.line === line);
    if (pending) {
      const status = await this.status(options);
      if (status.ready) {
        await bounded(`printer ${this.path}: job ${jobId}`, pending.promise, { timeoutMs: options?.timeoutMs ?? this.props.lineTimeoutMs }).catch(
          () => undefined,
        );
      }
    }
    return { ...progress };
  }

  async selfTest(): Promise<void> {
    const status = await this.status();
    const reason = statusFailure(status);
    if (reason) throw new HalError('HAL_DEVICE', `printer ${this.path}: self test: ${reason}`);
  }

  private detach(): void {
    this.unsubscribe.splice(0).forEach((u) => u());
  }

  private shutdown(err: HalError): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = err;
    this.detach();
    for (const c of this.confirmations.splice(0)) c.reject(err);
    this.statusWaiter?.reject(err);
    this.statusWaiter = undefined;
    this.xonWaiters.splice(0).forEach((w) => w.reject(err));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.shutdown(new HalError('HAL_CLOSED', `printer ${this.path}: closed`));
    await this.link.close();
  }
}
