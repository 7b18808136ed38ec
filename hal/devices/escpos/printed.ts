// What an ESC/POS printer put on paper, as data (the printer model fills it, the
// renderers and tests read it), and its plain-text rendering.
import type { Hri, Justification, QrLevel } from './commands.js';
import { charColumns } from './text-encoding.js';

export interface PrintedSpan {
  text: string;
  bold: boolean;
  underline: 0 | 1 | 2;
  width: number;
  height: number;
}

export type PrintedItem =
  | { kind: 'text'; text: string; align: Justification; spans: PrintedSpan[] }
  | { kind: 'qr'; data: string; model: 1 | 2 | 'micro'; moduleSize: number; errorCorrection: QrLevel; align: Justification }
  | {
      kind: 'barcode';
      symbology: 'CODE128';
      /** The encoded characters (code set C digits as digit pairs, "{" once). */
      data: string;
      codeSet: 'A' | 'B' | 'C';
      height: number;
      moduleWidth: number;
      hri: Hri;
      align: Justification;
    }
  | { kind: 'feed'; lines: number }
  | { kind: 'cut'; partial: boolean };

/** One character placed on the paper: its span (style) and the font-A cells it takes. */
export interface PlacedChar {
  ch: string;
  span: PrintedSpan;
  cells: number;
}

/**
 * Splits a text line into the rows the printer prints: a line longer than the paper
 * continues on the next row (a character that does not fit whole moves down).
 */
export function layoutRows(item: Extract<PrintedItem, { kind: 'text' }>, columns: number): { chars: PlacedChar[]; cells: number }[] {
  const rows: { chars: PlacedChar[]; cells: number }[] = [{ chars: [], cells: 0 }];
  for (const span of item.spans) {
    for (const ch of span.text) {
      const cells = charColumns(ch) * span.width;
      let row = rows[rows.length - 1]!;
      if (row.cells + cells > columns && row.chars.length) rows.push((row = { chars: [], cells: 0 }));
      row.chars.push({ ch, span, cells });
      row.cells += cells;
    }
  }
  return rows;
}

/** The printed items as plain text lines, `columns` characters of font A wide. */
export function renderText(items: readonly PrintedItem[], columns: number): string[] {
  const out: string[] = [];
  const place = (text: string, width: number, align: Justification): string => {
    const pad = Math.max(0, columns - width);
    const left = align === 'left' ? 0 : align === 'center' ? Math.floor(pad / 2) : pad;
    return (' '.repeat(left) + text).trimEnd();
  };
  for (const item of items) {
    switch (item.kind) {
      case 'text':
        for (const row of layoutRows(item, columns)) {
          // A wide character is followed by a space per extra cell (a terminal shows CJK two cells wide).
          const text = row.chars.map((c) => c.ch + ' '.repeat(c.cells - charColumns(c.ch))).join('');
          out.push(place(text, row.cells, item.align));
        }
        break;
      case 'qr': {
        const label = `[QR ${item.errorCorrection} x${item.moduleSize}: ${item.data}]`;
        out.push(place(label, label.length, item.align));
        break;
      }
      case 'barcode': {
        const bars = `||| CODE128 ${item.data} |||`;
        if (item.hri === 'above' || item.hri === 'both') out.push(place(item.data, item.data.length, item.align));
        out.push(place(bars, bars.length, item.align));
        if (item.hri === 'below' || item.hri === 'both') out.push(place(item.data, item.data.length, item.align));
        break;
      }
      case 'feed':
        for (let i = 0; i < item.lines; i++) out.push('');
        break;
      case 'cut': {
        const label = item.partial ? ' partial cut ' : ' cut ';
        const side = Math.max(0, Math.floor((columns - label.length) / 2));
        out.push('-'.repeat(side) + label + '-'.repeat(Math.max(0, columns - side - label.length)));
        break;
      }
    }
  }
  return out;
}
