/**
 * Board-profile binding of an ESC/POS receipt printer on a serial line.
 * Facts: hardware.md section 7 (ESC/POS), risk 12 (Chinese printers start in Hanzi mode).
 */
import type { DeviceBinding } from '../binding.js';
import { CHARSETS, type Charset } from './text-encoding.js';

/** The props of an `epson,escpos` device as the board loader returns them (defaults applied). */
export interface EscPosProps {
  baudRate: number;
  /** 58 mm paper prints 32 columns of font A (384 dots), 80 mm 48 (576 dots). */
  paperWidthMm: 58 | 80;
  /** Characters per line in font A; absent: from the paper width. */
  columns?: number;
  charset: Charset;
  /** ESC t table number for single-byte charsets (model-specific; 0 = PC437 on Epson). */
  codeTable: number;
  cutter: boolean;
  /** Time limit for one real-time status answer (DLE EOT). */
  statusTimeoutMs: number;
  /** Time limit for one receipt line to be confirmed printed while the printer says it is fine. */
  lineTimeoutMs: number;
}

/** Columns of font A (12 dots) on the paper widths ESC/POS receipt printers use. */
export const COLUMNS_BY_PAPER: Readonly<Record<58 | 80, number>> = { 58: 32, 80: 48 };

/** Printable dots per line (203 dpi heads: 48 mm and 72 mm printable). */
export const DOTS_BY_PAPER: Readonly<Record<58 | 80, number>> = { 58: 384, 80: 576 };

export const DEFAULT_ESCPOS_PROPS: Readonly<EscPosProps> = {
  baudRate: 19200,
  paperWidthMm: 58,
  charset: 'cp437',
  codeTable: 0,
  cutter: true,
  statusTimeoutMs: 500,
  lineTimeoutMs: 10_000,
};

const binding: DeviceBinding = {
  compatible: 'epson,escpos',
  bus: 'serial',
  roles: ['printer'],
  validate: (props) => resolveEscPosProps(props as Partial<EscPosProps>).problems,
  description: 'ESC/POS thermal receipt printer (Epson TM series and compatible 58/80 mm printers) on a serial line',
  props: {
    type: 'object',
    properties: {
      baudRate: { type: 'integer', minimum: 1200, maximum: 921600, default: DEFAULT_ESCPOS_PROPS.baudRate, description: 'serial speed (8N1)' },
      paperWidthMm: { type: 'integer', minimum: 58, maximum: 80, default: DEFAULT_ESCPOS_PROPS.paperWidthMm, description: 'paper roll width: 58 or 80' },
      columns: { type: 'integer', minimum: 16, maximum: 64, description: 'characters per line in font A (default 32 on 58 mm, 48 on 80 mm)' },
      charset: { type: 'string', enum: CHARSETS, default: DEFAULT_ESCPOS_PROPS.charset, description: 'text encoding: gb18030 for Chinese printers (Hanzi mode), cp437 or ascii otherwise' },
      codeTable: { type: 'integer', minimum: 0, maximum: 255, default: DEFAULT_ESCPOS_PROPS.codeTable, description: 'ESC t code table for cp437 (model-specific numbering)' },
      cutter: { type: 'boolean', default: DEFAULT_ESCPOS_PROPS.cutter, description: 'the printer has an autocutter' },
      statusTimeoutMs: { type: 'integer', minimum: 50, maximum: 10_000, default: DEFAULT_ESCPOS_PROPS.statusTimeoutMs, description: 'time limit for a real-time status answer' },
      lineTimeoutMs: { type: 'integer', minimum: 500, maximum: 120_000, default: DEFAULT_ESCPOS_PROPS.lineTimeoutMs, description: 'time limit for one line to print' },
    },
  },
};

export default binding;

/** Props with the defaults applied, and the problems the schema cannot express. */
export function resolveEscPosProps(props: Partial<EscPosProps> = {}): { props: EscPosProps & { columns: number }; problems: string[] } {
  const merged = { ...DEFAULT_ESCPOS_PROPS, ...props };
  const problems: string[] = [];
  if (merged.paperWidthMm !== 58 && merged.paperWidthMm !== 80) problems.push(`paperWidthMm: ${String(merged.paperWidthMm)} is not 58 or 80`);
  if (!CHARSETS.includes(merged.charset)) problems.push(`charset: ${String(merged.charset)} is not one of ${CHARSETS.join(', ')}`);
  const columns = merged.columns ?? COLUMNS_BY_PAPER[merged.paperWidthMm] ?? 32;
  return { props: { ...merged, columns }, problems };
}
