/**
 * Lines of a receipt laid out for a paper `columns` characters of the normal font wide,
 * counting Chinese characters as two (the printer's font cells).
 */
import type { ReceiptLine, TextLine, TextStyle } from '../../hal/roles/printer.js';
import { charColumns } from '../../hal/devices/escpos/text-encoding.js';

/** Font cells a text takes in the normal font. */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charColumns(ch);
  return w;
}

// Control characters would be printer commands: a name from configuration or the host must
// not cut the paper or switch modes, and the driver refuses the whole receipt for one.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text safe for a receipt line: control characters become spaces. */
export function printable(text: string): string {
  return text.replace(CONTROL, ' ');
}

export function text(value: string, style?: TextStyle): TextLine {
  return style ? { kind: 'text', text: printable(value), style } : { kind: 'text', text: printable(value) };
}

/**
 * Text broken into lines of at most `columns` cells: at spaces where there are any (a word
 * longer than the line is cut), anywhere between Chinese characters.
 */
export function wrap(value: string, columns: number, style?: TextStyle): TextLine[] {
  const out: string[] = [];
  let line = '';
  const push = (): void => {
    if (line.trim()) out.push(line.trimEnd());
    line = '';
  };
  for (const word of printable(value).split(/(?<= )|(?=[\u2e80-\ua4cf\uf900-\ufaff\uff00-\uffef])|(?<=[\u2e80-\ua4cf\uf900-\ufaff\uff00-\uffef])/u)) {
    if (textWidth(line) + textWidth(word.trimEnd()) > columns) push();
    line += line === '' ? word.trimStart() : word;
    while (textWidth(line) > columns) {
      let cut = '';
      for (const ch of line) if (textWidth(cut + ch) <= columns) cut += ch; else break;
      out.push(cut);
      line = line.slice(cut.length);
    }
  }
  push();
  return out.map((l) => text(l, style));
}

/** A headline: bold, centred, double height, and double width when it still fits on one line. */
export function headline(value: string, columns: number): TextLine {
  return text(value, { align: 'center', bold: true, doubleHeight: true, doubleWidth: 2 * textWidth(printable(value)) <= columns });
}

/** A full-width rule of `ch`. */
export function rule(columns: number, ch = '-'): TextLine {
  return text(ch.repeat(columns));
}

/**
 * Label on the left, value on the right, on one line when both fit; else the label, then
 * the value right-aligned on the next line (the printer wraps a value longer than the paper).
 */
export function pair(label: string, value: string, columns: number, style: TextStyle = {}): TextLine[] {
  const cols = style.doubleWidth ? Math.floor(columns / 2) : columns;
  const l = printable(label);
  const v = printable(value);
  const gap = cols - textWidth(l) - textWidth(v);
  if (gap >= 1) return [text(l + ' '.repeat(gap) + v, style)];
  return [text(l, style), text(v, { ...style, align: 'right' })];
}

/** Columns laid out left to right in fixed widths, the last right-aligned to the paper edge. */
export function row(cells: readonly string[], widths: readonly number[], columns: number, style?: TextStyle): TextLine {
  let out = '';
  cells.forEach((cell, i) => {
    const c = printable(cell);
    if (i === cells.length - 1) out += ' '.repeat(Math.max(1, columns - textWidth(out) - textWidth(c))) + c;
    else out += c + ' '.repeat(Math.max(1, (widths[i] ?? 0) - textWidth(c)));
  });
  return text(out, style);
}

export const feed = (lines: number): ReceiptLine => ({ kind: 'feed', lines });
export const cut = (): ReceiptLine => ({ kind: 'cut' });
