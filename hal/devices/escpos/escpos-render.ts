// Renders what the printer model printed as a PNG a person can look at: a 203 dpi
// thermal roll (384 dots wide on 58 mm paper, 576 on 80 mm), font A cells of 12x24 dots
// (Chinese characters 24x24), the default line spacing of 30 dots (esc_2), QR codes as
// real modules when the `qrcode` package can be imported (else a labelled box), CODE128
// as real bars (code128.ts) with its HRI text.
//
// Drawing uses @napi-rs/canvas and a CJK font from Debian (fonts-wqy-zenhei), both loaded
// on demand: renderPng() rejects with HAL_UNSUPPORTED naming what is missing.
import { existsSync } from 'node:fs';
import { HalError } from '../../errors.js';
import { DOTS_BY_PAPER } from './binding.js';
import { layoutRows, type PrintedItem } from './printed.js';
import { code128Values, code128Widths } from './code128.js';

// The part of @napi-rs/canvas used here.
interface Ctx {
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  font: string;
  textBaseline: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  scale(x: number, y: number): void;
}
interface CanvasModule {
  createCanvas(width: number, height: number): { getContext(kind: '2d'): Ctx; encode(format: 'png'): Promise<Uint8Array> };
  GlobalFonts: { registerFromPath(path: string, alias?: string): unknown };
}
interface QrModule {
  create(text: string, options: { errorCorrectionLevel: string }): { modules: { size: number; get(row: number, col: number): number | boolean } };
}

/** Fonts looked for, in order: a CJK font (Debian fonts-wqy-zenhei) and a monospace Latin one. */
export const FONT_FILES: readonly string[] = [
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
];

async function optional<T>(name: string): Promise<T | undefined> {
  try {
    const mod = (await import(name)) as { default?: T } & T;
    return mod.default ?? mod;
  } catch {
    return undefined;
  }
}

/** Whether renderPng can work here (the canvas library imports and a CJK font exists). */
export async function canRender(): Promise<{ ok: boolean; missing: string[] }> {
  const missing: string[] = [];
  if (!(await optional<CanvasModule>('@napi-rs/canvas'))?.createCanvas) missing.push('npm package @napi-rs/canvas');
  if (!existsSync(FONT_FILES[0]!)) missing.push(`font ${FONT_FILES[0]} (Debian package fonts-wqy-zenhei)`);
  return { ok: missing.length === 0, missing };
}

const CELL_W = 12;
const CELL_H = 24;
const LINE = 30;
const MARGIN = 16;

const rowHeight = (chars: readonly { span: { height: number } }[]): number => Math.max(1, ...chars.map((c) => c.span.height)) * CELL_H + (LINE - CELL_H);

function itemHeight(item: PrintedItem, columns: number): number {
  switch (item.kind) {
    case 'text':
      return layoutRows(item, columns).reduce((sum, row) => sum + rowHeight(row.chars), 0);
    case 'qr':
      return 29 * item.moduleSize + 8; // a version 3 symbol; drawn at its real size when known
    case 'barcode':
      return item.height + (item.hri === 'none' ? 0 : item.hri === 'both' ? 2 * LINE : LINE) + 8;
    case 'feed':
      return item.lines * LINE;
    case 'cut':
      return LINE;
  }
}

export interface RenderOptions {
  paperWidthMm?: 58 | 80;
}

/** A PNG of the printed receipt. */
export async function renderPng(items: readonly PrintedItem[], options: RenderOptions = {}): Promise<Uint8Array> {
  const canvas = await optional<CanvasModule>('@napi-rs/canvas');
  if (!canvas?.createCanvas) throw new HalError('HAL_UNSUPPORTED', 'receipt rendering needs the npm package @napi-rs/canvas');
  for (const file of FONT_FILES) if (existsSync(file)) canvas.GlobalFonts.registerFromPath(file);
  const qr = await optional<QrModule>('qrcode');
  const width = DOTS_BY_PAPER[options.paperWidthMm ?? 58];
  const columns = Math.floor(width / CELL_W);
  const qrSymbols = items.map((item) => (item.kind === 'qr' && qr?.create ? qr.create(item.data, { errorCorrectionLevel: item.errorCorrection }).modules : undefined));
  const heights = items.map((item, i) => {
    const sym = qrSymbols[i];
    return item.kind === 'qr' && sym ? (sym.size + 8) * item.moduleSize + 8 : itemHeight(item, columns);
  });
  const height = heights.reduce((a, b) => a + b, 2 * MARGIN);
  const c = canvas.createCanvas(width, height);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000';
  ctx.strokeStyle = '#000';
  ctx.textBaseline = 'top';
  const fonts = '"DejaVu Sans Mono", "WenQuanYi Zen Hei", monospace';
  const alignX = (w: number, align: 'left' | 'center' | 'right'): number =>
    align === 'left' ? 0 : align === 'center' ? Math.max(0, Math.floor((width - w) / 2)) : Math.max(0, width - w);
  const label = (text: string, x: number, y: number): void => {
    ctx.font = `16px ${fonts}`;
    ctx.fillText(text.length > 40 ? `${text.slice(0, 39)}…` : text, x, y);
  };

  let y = MARGIN;
  items.forEach((item, i) => {
    const h = heights[i]!;
    switch (item.kind) {
      case 'text': {
        let rowY = y;
        for (const row of layoutRows(item, columns)) {
          const lineH = rowHeight(row.chars) - (LINE - CELL_H);
          let x = alignX(row.cells * CELL_W, item.align);
          for (const { ch, span: s, cells } of row.chars) {
            ctx.font = `${s.bold ? 'bold ' : ''}${CELL_H}px ${fonts}`;
            ctx.save();
            ctx.translate(x, rowY + lineH - CELL_H * s.height);
            ctx.scale(s.width, s.height);
            ctx.fillText(ch, 0, 0);
            ctx.restore();
            if (s.underline) ctx.fillRect(x, rowY + lineH - s.underline, cells * CELL_W, s.underline);
            x += cells * CELL_W;
          }
          rowY += rowHeight(row.chars);
        }
        break;
      }
      case 'qr': {
        const sym = qrSymbols[i];
        if (sym) {
          const m = item.moduleSize;
          const x0 = alignX((sym.size + 8) * m, item.align) + 4 * m;
          for (let r = 0; r < sym.size; r++) for (let col = 0; col < sym.size; col++) if (sym.get(r, col)) ctx.fillRect(x0 + col * m, y + 4 * m + r * m, m, m);
        } else {
          const side = h - 8;
          const x0 = alignX(side, item.align);
          ctx.lineWidth = 2;
          ctx.strokeRect(x0 + 1, y + 1, side - 2, side - 2);
          label('QR', x0 + 8, y + 8);
          label(item.data, x0 + 8, y + 30);
        }
        break;
      }
      case 'barcode': {
        const values = code128Values(item.data, item.codeSet);
        const widths = values ? code128Widths(values) : undefined;
        const modules = widths ? widths.reduce((a, b) => a + b, 0) : 11 * (item.data.length + 3) + 2;
        const barW = modules * item.moduleWidth;
        const x0 = alignX(barW, item.align);
        let by = y;
        const hri = (): void => {
          ctx.font = `${CELL_H}px ${fonts}`;
          ctx.fillText(item.data, alignX(item.data.length * CELL_W, item.align), by);
          by += LINE;
        };
        if (item.hri === 'above' || item.hri === 'both') hri();
        if (widths) {
          let x = x0;
          widths.forEach((w, i) => {
            if (i % 2 === 0) ctx.fillRect(x, by, w * item.moduleWidth, item.height);
            x += w * item.moduleWidth;
          });
        } else {
          // Data this renderer cannot re-encode (mixed code sets): a labelled box.
          ctx.lineWidth = 2;
          ctx.strokeRect(x0 + 1, by + 1, Math.min(barW, width) - 2, item.height - 2);
          label('CODE128 (mixed code sets)', x0 + 6, by + item.height / 2 - 8);
        }
        by += item.height + 4;
        if (item.hri === 'below' || item.hri === 'both') hri();
        break;
      }
      case 'feed':
        break;
      case 'cut':
        for (let x = 0; x < width; x += 12) ctx.fillRect(x, y + LINE / 2, 6, 1);
        label(item.partial ? 'partial cut' : 'cut', 4, y);
        break;
    }
    y += h;
  });
  return c.encode('png');
}
