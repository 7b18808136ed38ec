/**
 * jPOS field-packager class names mapped to formats, so that a layout can be described
 * the way acquirers already hand it out (a GenericPackager XML) and read as data.
 * Semantics follow the jPOS classes of the same name (org.jpos.iso.IF*_*).
 */
import type { FieldFormat } from './format.js';

type Base = Omit<FieldFormat, 'length'>;

const fixed = (content: FieldFormat['content'], dataEncoding: FieldFormat['dataEncoding'], padLeft = true): Base => ({
  content,
  lengthDigits: 0,
  lengthEncoding: 'ascii',
  dataEncoding,
  padLeft,
});
const variable = (
  digits: 2 | 3 | 4,
  lengthEncoding: FieldFormat['lengthEncoding'],
  content: FieldFormat['content'],
  dataEncoding: FieldFormat['dataEncoding'],
  padLeft = false,
): Base => ({ content, lengthDigits: digits, lengthEncoding, dataEncoding, padLeft });

/** Bitmap classes are handled by the packager; listed so a layout can name them. */
export const BITMAP_CLASSES = { IFA_BITMAP: 'hex', IFB_BITMAP: 'binary', IFE_BITMAP: 'hex' } as const;

export const JPOS_CLASSES: Readonly<Record<string, Base>> = {
  // ASCII
  IFA_NUMERIC: fixed('n', 'ascii'),
  IFA_LLNUM: variable(2, 'ascii', 'n', 'ascii'),
  IFA_LLLNUM: variable(3, 'ascii', 'n', 'ascii'),
  IFA_LLCHAR: variable(2, 'ascii', 'ans', 'ascii'),
  IFA_LLLCHAR: variable(3, 'ascii', 'ans', 'ascii'),
  IFA_LLLLCHAR: variable(4, 'ascii', 'ans', 'ascii'),
  IF_CHAR: fixed('ans', 'ascii', false),
  IFA_BINARY: fixed('b', 'hex'),
  IFA_LLBINARY: variable(2, 'ascii', 'b', 'hex'),
  IFA_LLLBINARY: variable(3, 'ascii', 'b', 'hex'),
  IFA_AMOUNT: fixed('amount', 'ascii'),
  // Binary / BCD (pad="true" in XML means left padding of odd digit counts)
  IFB_NUMERIC: fixed('n', 'bcd'),
  IFB_LLNUM: variable(2, 'bcd', 'n', 'bcd'),
  IFB_LLLNUM: variable(3, 'bcd', 'n', 'bcd'),
  IFB_LLCHAR: variable(2, 'bcd', 'ans', 'ascii'),
  IFB_LLLCHAR: variable(3, 'bcd', 'ans', 'ascii'),
  IFB_BINARY: fixed('b', 'binary'),
  IFB_LLBINARY: variable(2, 'bcd', 'b', 'binary'),
  IFB_LLLBINARY: variable(3, 'bcd', 'b', 'binary'),
  IFB_LLHBINARY: variable(2, 'binary', 'b', 'binary'),
  IFB_LLLHBINARY: variable(4, 'binary', 'b', 'binary'),
  IFB_LLHCHAR: variable(2, 'binary', 'ans', 'ascii'),
  IFB_LLHNUM: variable(2, 'binary', 'n', 'bcd'),
  IFB_AMOUNT: fixed('amount', 'bcd'),
  // EBCDIC
  IFE_NUMERIC: fixed('n', 'ebcdic'),
  IFE_CHAR: fixed('ans', 'ebcdic', false),
  IFE_LLNUM: variable(2, 'ebcdic', 'n', 'ebcdic'),
  IFE_LLCHAR: variable(2, 'ebcdic', 'ans', 'ebcdic'),
  IFE_LLLCHAR: variable(3, 'ebcdic', 'ans', 'ebcdic'),
  IFE_LLLBINARY: variable(3, 'ebcdic', 'b', 'binary'),
};

/**
 * The format for a jPOS class on a field; `pad` is the XML attribute. jPOS carries track 2
 * in an LLNUM field (its BCD nibble D is the "=" separator), so field 35 holds track-2 digits.
 */
export function formatForClass(cls: string, id: number, length: number, pad: boolean | undefined): FieldFormat | undefined {
  const short = cls.replace(/^org\.jpos\.iso\./, '');
  const base = JPOS_CLASSES[short];
  if (!base) return undefined;
  const content = id === 35 && base.content === 'n' ? 'z' : base.content;
  const padLeft = base.dataEncoding === 'bcd' ? (pad ?? base.padLeft) : base.padLeft;
  return { ...base, content, length, padLeft, jposClass: short };
}
