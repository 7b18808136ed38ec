/**
 * The CodeScanner role: codes read by a barcode / QR scanner (payment codes such as an
 * 18-digit WeChat Pay or Alipay "pay code", QR text, EAN, GS1-128).
 *
 * Rules:
 * - One `onScan` event per code the scanner sent, in arrival order, asynchronously; none
 *   after `close()`.
 * - `code` is the data as the scanner sent it, without the AIM symbology identifier and
 *   without the terminator. Non-printable data bytes are kept: GS1 FNC1 arrives as GS
 *   (0x1D) and stays in the string; bytes are decoded as UTF-8 (invalid sequences become
 *   U+FFFD).
 * - Payment codes are bearer credentials for a short time: never log them in full.
 */
import type { Unsubscribe } from '../io.js';

export interface CodeScan {
  code: string;
  /**
   * The AIM symbology identifier when the scanner sends one (ISO/IEC 15424: `]` + code
   * character + modifier), e.g. `]Q1` QR Code, `]E0` EAN-13, `]C1` GS1-128.
   */
  symbology?: string;
}

/**
 * A code that could not be taken: `incomplete` (the line stopped before its terminator:
 * no byte for the idle timeout), `too-long` (longer than the configured maximum),
 * `disconnected` (the link went away). The partial data is dropped, never delivered.
 */
export interface CodeScanError {
  reason: 'incomplete' | 'too-long' | 'disconnected';
  /** For people and logs; never contains the code. */
  detail: string;
}

export interface CodeScanner {
  onScan(listener: (scan: CodeScan) => void): Unsubscribe;
  onError(listener: (error: CodeScanError) => void): Unsubscribe;
  /** Checks the link to the scanner is open. Rejects with a HalError. */
  selfTest(): Promise<void>;
  close(): Promise<void>;
}
