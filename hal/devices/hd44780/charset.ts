/**
 * The HD44780U character generator ROMs as data (HD44780U datasheet Table 4, p.17 ROM code
 * A00 and p.18 ROM code A02; cross-checked with dbrgn/RPLCD RPLCD/codecs/hd44780_a0{0,2}.py).
 * The ROM is mask-programmed per part: software cannot switch it (hardware.md 6.7).
 *
 * Shared by the driver (Unicode -> code) and the chip model (code -> Unicode).
 */

export type Hd44780Rom = 'A00' | 'A02';

/** Codes 0x00-0x07 show CGRAM glyphs 0-7; 0x08-0x0F mirror them (datasheet Tables 4/5). */
export const CGRAM_GLYPHS = 8;

/** Rows 0-6 of a 5x8 glyph; row 7 is the cursor line (datasheet Table 5). */
export type GlyphRows = readonly number[];

/**
 * The euro sign as a 5x8 glyph (neither ROM has it, hardware.md 6.7). Bits 4..0 are
 * pixels, left to right.
 */
export const EURO_GLYPH: GlyphRows = [0b00111, 0b01000, 0b11110, 0b01000, 0b11110, 0b01000, 0b00111, 0b00000];
/** A backslash, which ROM A00 lacks (0x5C is the yen sign there). */
export const BACKSLASH_GLYPH: GlyphRows = [0b00000, 0b10000, 0b01000, 0b00100, 0b00010, 0b00001, 0b00000, 0b00000];
/** A tilde, which ROM A00 lacks (0x7E is a right arrow there). */
export const TILDE_GLYPH: GlyphRows = [0b00000, 0b00000, 0b01000, 0b10101, 0b00010, 0b00000, 0b00000, 0b00000];

const ASCII = (from: number, to: number): [number, string][] =>
  Array.from({ length: to - from + 1 }, (_, i) => [from + i, String.fromCharCode(from + i)]);

/** A00 (Japanese): ASCII except 0x5C and 0x7E/0x7F, half-width katakana, Greek/maths. */
const A00_ENTRIES: [number, string][] = [
  ...ASCII(0x20, 0x5b),
  [0x5c, '¥'],
  ...ASCII(0x5d, 0x7d),
  [0x7e, '→'],
  [0x7f, '←'],
  // 0xA1-0xDF: JIS X 0201 katakana, Unicode U+FF61-U+FF9F in the same order.
  ...Array.from({ length: 0xdf - 0xa1 + 1 }, (_, i): [number, string] => [0xa1 + i, String.fromCharCode(0xff61 + i)]),
  ...[...'αäβεμσρ'].map((c, i): [number, string] => [0xe0 + i, c]),
  [0xe8, '√'],
  [0xeb, 'ˣ'],
  [0xec, '¢'],
  [0xed, '£'],
  [0xee, 'ñ'],
  [0xef, 'ö'],
  [0xf2, 'θ'],
  [0xf3, '∞'],
  [0xf4, 'Ω'],
  [0xf5, 'ü'],
  [0xf6, 'Σ'],
  [0xf7, 'π'],
  [0xfa, '千'],
  [0xfb, '万'],
  [0xfc, '円'],
  [0xfd, '÷'],
  [0xff, '█'],
];

/** A02 (European): ASCII 0x20-0x7E, symbols at 0x10-0x1F, Cyrillic/Greek, ISO-8859-1-like 0xA0-0xFF. */
const A02_ENTRIES: [number, string][] = [
  ...[...'▶◀“”⏫⏬●↲↑↓→←≤≥▲▼'].map((c, i): [number, string] => [0x10 + i, c]),
  ...ASCII(0x20, 0x7e),
  [0x7f, '⌂'],
  ...[...'БДЖЗИЙЛПУЦЧШЩЪЫЭ'].map((c, i): [number, string] => [0x80 + i, c]),
  ...[...'α♪ΓπΣσ♬τ'].map((c, i): [number, string] => [0x90 + i, c]),
  ...[...'θΩδ∞♥ε∩‖¡¢£¤¥¦§ƒ©ª«ЮЯ®´'].map((c, i): [number, string] => [0x99 + i, c]),
  ...[...'ᴼ±²³'].map((c, i): [number, string] => [0xb0 + i, c]),
  ...[...'µ¶·ω¹º»¼½¾¿'].map((c, i): [number, string] => [0xb5 + i, c]),
  // 0xC0-0xFF follow ISO-8859-1 except 0xD8, which is Φ.
  ...Array.from({ length: 0x40 }, (_, i): [number, string] => [0xc0 + i, String.fromCharCode(0xc0 + i)]),
  [0xd8, 'Φ'],
];

function table(entries: [number, string][]): readonly string[] {
  const t: string[] = Array.from({ length: 256 }, () => ' ');
  for (const [code, ch] of entries) t[code] = ch;
  return t;
}

/** Code -> the character the ROM shows (blank codes show ' '; 0x00-0x0F are CGRAM). */
export const ROM_TABLES: Readonly<Record<Hd44780Rom, readonly string[]>> = {
  A00: table(A00_ENTRIES),
  A02: table(A02_ENTRIES),
};

/** Extra spellings that the ROM shows with an existing glyph (RPLCD tables). */
const ALIASES: Readonly<Record<Hd44780Rom, Readonly<Record<string, number>>>> = {
  A00: { '\u00a0': 0x20, '°': 0xdf, 'µ': 0xe4, 'Ω': 0xf4, '■': 0xff, '–': 0x2d, '—': 0x2d },
  A02: { '\u00a0': 0x20, 'μ': 0xb5, 'Ω': 0x9a, '–': 0x2d, '—': 0x2d },
};

function encoder(rom: Hd44780Rom): ReadonlyMap<string, number> {
  const map = new Map<string, number>();
  ROM_TABLES[rom].forEach((ch, code) => {
    // The first code wins, so ASCII keeps its own code; blanks are not a spelling.
    if (code >= 0x10 && ch !== ' ' && !map.has(ch)) map.set(ch, code);
  });
  map.set(' ', 0x20);
  for (const [ch, code] of Object.entries(ALIASES[rom])) if (!map.has(ch)) map.set(ch, code);
  return map;
}

const ENCODERS: Readonly<Record<Hd44780Rom, ReadonlyMap<string, number>>> = { A00: encoder('A00'), A02: encoder('A02') };

/** The ROM code that shows `ch`, or undefined when this ROM lacks it. */
export function romCode(rom: Hd44780Rom, ch: string): number | undefined {
  return ENCODERS[rom].get(ch);
}
