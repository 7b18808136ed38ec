/**
 * What the printer put on paper, for people and the control channel (`{"receipt": {"text",
 * "png"}}` events, the receipt pane of `make run`): the sim printer model's printed items
 * (EscPosPrinterModel.items(), decoded from the bytes the real driver sent) as plain text
 * and a PNG file. The drawing is the printer part's own (hal/devices/escpos).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COLUMNS_BY_PAPER } from '../../hal/devices/escpos/binding.js';
import { renderPng } from '../../hal/devices/escpos/escpos-render.js';
import { renderText, type PrintedItem } from '../../hal/devices/escpos/printed.js';
import { ReceiptError } from './errors.js';

export interface RenderPrintedOptions {
  /** Folder the PNG is written to (created when missing). */
  dir: string;
  /** File name in `dir`; default `receipt-<time>-<n>.png`. */
  name?: string;
  /** Default 58. */
  paperWidthMm?: 58 | 80;
  /** Characters per line of the text; default from the paper (32 or 48). */
  columns?: number;
}

export interface RenderedReceipt {
  /** The printed lines as text, `columns` wide (Chinese characters take two). */
  readonly text: string;
  /** Path of the PNG file; undefined when PNG rendering is not possible here (see `pngError`). */
  readonly png?: string;
  /** Why there is no PNG (the canvas library or the CJK font is missing). */
  readonly pngError?: string;
}

let seq = 0;

/**
 * Renders printed items (a slice of the model's `items()`: take its length before a print
 * and slice from there after it) as text and a PNG. Rejects with RECEIPT_RENDER when the
 * folder or file cannot be written.
 */
export async function renderPrinted(items: readonly PrintedItem[], options: RenderPrintedOptions): Promise<RenderedReceipt> {
  const paperWidthMm = options.paperWidthMm ?? 58;
  const text = renderText(items, options.columns ?? COLUMNS_BY_PAPER[paperWidthMm]).join('\n');
  let png: Uint8Array;
  try {
    png = await renderPng(items, { paperWidthMm });
  } catch (err) {
    return { text, pngError: err instanceof Error ? err.message : String(err) };
  }
  const path = join(options.dir, options.name ?? `receipt-${new Date().toISOString().replace(/[:.]/g, '')}-${++seq}.png`);
  try {
    await mkdir(options.dir, { recursive: true });
    await writeFile(path, png);
  } catch (err) {
    throw new ReceiptError('RECEIPT_RENDER', `cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { text, png: path };
}
