/**
 * Model of a barcode / QR scanner in serial mode: each scan is sent as
 * `[AIM identifier] data suffix` (hardware.md 11), optionally split into small chunks as
 * a USB-serial adapter delivers it.
 */
import type { SerialLink } from '../../serial.js';

export interface CodeScannerFormat {
  lineEnding?: 'cr' | 'crlf' | 'lf';
  /** Send an AIM symbology identifier before each code. */
  aimPrefix?: boolean;
}

/**
 * Example payment codes as customers show them (formats from the wallets' merchant
 * docs: WeChat Pay "auth_code" 18 digits starting 10-15; Alipay 16-24 digits starting 25-30).
 */
export const SAMPLE_PAYMENT_CODES = {
  wechat: '134567890123456789',
  alipay: '286543210987654321',
} as const;

const ENDINGS = { cr: '\r', crlf: '\r\n', lf: '\n' } as const;

/** The bytes a scanner in `format` sends for `code` (`symbology` defaults to `]Q1`, QR Code). */
export function encodeScan(code: string, format: CodeScannerFormat = {}, symbology = ']Q1'): Uint8Array {
  return Buffer.from(`${format.aimPrefix ? symbology : ''}${code}${ENDINGS[format.lineEnding ?? 'cr']}`, 'utf8');
}

/** The scanner on the far end of a serial link (the `device` end of a sim pair, or a pty). */
export class CodeScannerModel {
  constructor(
    private readonly link: SerialLink,
    private readonly format: CodeScannerFormat = {},
  ) {}

  /** One scan of `code`. */
  scan(code: string, symbology?: string): Promise<void> {
    return this.send(encodeScan(code, this.format, symbology));
  }

  /** Raw bytes, in chunks of `chunkSize`. */
  async send(bytes: Uint8Array, chunkSize = bytes.length): Promise<void> {
    const step = Math.max(1, chunkSize);
    for (let i = 0; i < bytes.length; i += step) await this.link.write(bytes.subarray(i, i + step));
    await this.link.drain();
  }
}
