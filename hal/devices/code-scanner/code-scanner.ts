/**
 * Barcode / QR scanner on a serial link: one code per line, terminated by the suffix the
 * scanner is configured with (CR by default; hardware.md risk 9 and section 11), with an
 * optional AIM symbology identifier in front (ISO/IEC 15424: "]" + code char + modifier).
 */
import { HalError } from '../../errors.js';
import type { Unsubscribe } from '../../io.js';
import type { SerialLink } from '../../serial.js';
import type { CodeScan, CodeScanError, CodeScanner } from '../../roles/scanner.js';

export interface CodeScannerProps {
  baudRate?: number;
  lineEnding?: 'cr' | 'crlf' | 'lf';
  aimPrefix?: boolean;
  maxLength?: number;
  idleTimeoutMs?: number;
}

export interface CodeScannerOpenOptions extends CodeScannerProps {
  /** The open serial link to the scanner; the driver owns it from now on and closes it. */
  link: SerialLink;
}

const CR = 0x0d;
const LF = 0x0a;
const AIM_FLAG = 0x5d; // "]"

/** Splits `]Xm<data>` into the identifier and the data; the identifier is 3 printable ASCII bytes. */
export function splitAim(line: Uint8Array): { symbology?: string; data: Uint8Array } {
  const printable = (b: number | undefined): boolean => b !== undefined && b > 0x20 && b < 0x7f;
  if (line.length >= 3 && line[0] === AIM_FLAG && printable(line[1]) && printable(line[2])) {
    return { symbology: String.fromCharCode(line[0], line[1]!, line[2]!), data: line.subarray(3) };
  }
  return { data: line };
}

export class SerialCodeScanner implements CodeScanner {
  private readonly scanListeners = new Set<(scan: CodeScan) => void>();
  private readonly errorListeners = new Set<(error: CodeScanError) => void>();
  private readonly line: Buffer;
  private used = 0;
  private prev = -1;
  private dropped = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly unsubscribe: Unsubscribe[];
  private readonly ending: 'cr' | 'crlf' | 'lf';
  private readonly aim: boolean;
  private readonly idleMs: number;
  private readonly decoder = new TextDecoder('utf-8');

  private constructor(private readonly link: SerialLink, props: CodeScannerProps) {
    this.ending = props.lineEnding ?? 'cr';
    this.aim = props.aimPrefix ?? false;
    this.idleMs = props.idleTimeoutMs ?? 300;
    // One byte more than the longest code, for the CR of a CR LF ending.
    this.line = Buffer.alloc((props.maxLength ?? 4096) + 1);
    this.unsubscribe = [
      link.onData((chunk) => this.onChunk(chunk)),
      link.onClose((error) => {
        if (this.closed) return;
        this.discard();
        this.fail({ reason: 'disconnected', detail: `scanner link ${link.path} closed${error ? `: ${error.message}` : ''}` });
      }),
    ];
  }

  static async open({ link, ...props }: CodeScannerOpenOptions): Promise<SerialCodeScanner> {
    if (!link.isOpen) throw new HalError('HAL_CLOSED', `code scanner: link ${link.path} is not open`);
    return new SerialCodeScanner(link, props);
  }

  onScan(listener: (scan: CodeScan) => void): Unsubscribe {
    this.scanListeners.add(listener);
    return () => void this.scanListeners.delete(listener);
  }

  onError(listener: (error: CodeScanError) => void): Unsubscribe {
    this.errorListeners.add(listener);
    return () => void this.errorListeners.delete(listener);
  }

  async selfTest(): Promise<void> {
    if (this.closed) throw new HalError('HAL_CLOSED', 'code scanner: closed');
    if (!this.link.isOpen) throw new HalError('HAL_DISCONNECTED', `code scanner: link ${this.link.path} is not open`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.discard();
    for (const u of this.unsubscribe) u();
    this.scanListeners.clear();
    this.errorListeners.clear();
    await this.link.close();
  }

  private onChunk(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const byte of chunk) {
      if (this.closed) return; // a listener closed the scanner
      this.push(byte);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = this.used + this.dropped > 0 ? setTimeout(() => this.stalled(), this.idleMs) : undefined;
  }

  private push(byte: number): void {
    const prev = this.prev;
    this.prev = byte;
    if (this.ending === 'cr' && byte === CR) return this.endLine(0);
    if (this.ending === 'lf' && byte === LF) return this.endLine(prev === CR ? 1 : 0);
    if (this.ending === 'crlf' && byte === LF && prev === CR) return this.endLine(1);
    // The LF of a scanner sending CR LF while set to "cr" is not data.
    if (this.ending === 'cr' && byte === LF && prev === CR) return;
    if (this.used < this.line.length) this.line[this.used++] = byte;
    else this.dropped++;
  }

  /** Ends the current line; the last `strip` bytes held are the CR of a CR LF ending. */
  private endLine(strip: number): void {
    const total = this.used + this.dropped - strip;
    const max = this.line.length - 1;
    if (total > max) {
      this.discard();
      this.fail({ reason: 'too-long', detail: `a code of ${total} bytes exceeds the maximum of ${max}` });
      return;
    }
    const line = this.line.subarray(0, total);
    const { symbology, data } = this.aim ? splitAim(line) : { symbology: undefined, data: line };
    const code = this.decoder.decode(data);
    this.discard();
    if (data.length === 0) return; // an empty line (or a bare identifier) carries no code
    const scan: CodeScan = symbology === undefined ? { code } : { code, symbology };
    for (const l of [...this.scanListeners]) l(scan);
  }

  private stalled(): void {
    this.idleTimer = undefined;
    if (this.closed || this.used + this.dropped === 0) return;
    const got = this.used + this.dropped;
    this.discard();
    this.fail({ reason: 'incomplete', detail: `a code stopped after ${got} bytes without its terminator (no byte for ${this.idleMs} ms)` });
  }

  private discard(): void {
    this.line.fill(0, 0, this.used);
    this.used = 0;
    this.dropped = 0;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private fail(error: CodeScanError): void {
    for (const l of [...this.errorListeners]) l(error);
  }
}
