/**
 * Data Object Lists (EMV Book 3 5.4): PDOL, CDOL1, CDOL2, DDOL, TDOL. A DOL is a
 * concatenation of (tag, length) entries; the terminal answers it with the concatenated
 * values, each exactly the length asked for, with no tags or lengths.
 */
import { EmvError } from '../errors.js';
import { isConstructed, tagHex } from '../ber/tlv.js';
import { dataElement, type DataFormat } from '../dict/tags.js';

export interface DolEntry {
  readonly tag: number;
  /** The length the card asks for, in bytes. */
  readonly length: number;
}

/**
 * Parses a DOL. Each entry is a BER tag followed by a one-byte length (Book 3 5.4).
 * Throws EMV_DOL_MALFORMED with the byte offset on a truncated entry or a bad tag.
 */
export function parseDol(dol: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let pos = 0;
  while (pos < dol.length) {
    const at = pos;
    const first = dol[pos++]!;
    if (first === 0x00) throw new EmvError('EMV_DOL_MALFORMED', `DOL entry at offset ${at} starts with 00, not a tag`, { offset: at });
    let tag = first;
    if ((first & 0x1f) === 0x1f) {
      let b: number;
      let n = 1;
      do {
        if (pos >= dol.length) throw new EmvError('EMV_DOL_MALFORMED', `DOL tag at offset ${at} is truncated`, { offset: at });
        b = dol[pos++]!;
        if (++n > 4) throw new EmvError('EMV_DOL_MALFORMED', `DOL tag at offset ${at} is longer than 4 bytes`, { offset: at });
        tag = tag * 256 + b;
      } while ((b & 0x80) !== 0);
    }
    if (pos >= dol.length) throw new EmvError('EMV_DOL_MALFORMED', `DOL entry ${tagHex(tag)} at offset ${at} has no length byte`, { offset: pos });
    out.push({ tag, length: dol[pos++]! });
  }
  return out;
}

/** The terminal's (or card's) current value of a data element, or undefined when absent. */
export type DolSource = (tag: number) => Uint8Array | undefined;

export interface BuildDolOptions {
  /** Format of a tag; defaults to the dictionary's. Tags without a format are treated as b. */
  formatOf?: (tag: number) => DataFormat | undefined;
}

/** Total length of the data a DOL asks for. */
export function dolDataLength(entries: readonly DolEntry[]): number {
  let n = 0;
  for (const e of entries) n += e.length;
  return n;
}

/**
 * Builds the DOL-related data (Book 3 5.4): for each entry, in order, the value from
 * `source` fitted to the requested length:
 * - absent data, or a constructed tag, gives that many 00 bytes;
 * - format n: longer data loses its leftmost bytes, shorter data gets leading 00 bytes;
 * - format cn: shorter data gets trailing FF bytes, longer loses its rightmost bytes;
 * - any other format: shorter data gets trailing 00 bytes, longer loses its rightmost bytes.
 */
export function buildDol(dol: Uint8Array | readonly DolEntry[], source: DolSource, options?: BuildDolOptions): Uint8Array {
  const entries = dol instanceof Uint8Array ? parseDol(dol) : dol;
  const formatOf = options?.formatOf ?? ((tag: number) => dataElement(tag)?.format);
  const out = new Uint8Array(dolDataLength(entries));
  let pos = 0;
  for (const { tag, length } of entries) {
    const value = isConstructed(tag) ? undefined : source(tag);
    if (value !== undefined && length > 0) {
      const format = formatOf(tag) ?? 'b';
      const have = value.length;
      if (format === 'n') {
        if (have >= length) out.set(value.subarray(have - length), pos);
        else out.set(value, pos + length - have);
      } else {
        out.set(have > length ? value.subarray(0, length) : value, pos);
        if (format === 'cn' && have < length) out.fill(0xff, pos + have, pos + length);
      }
    }
    pos += length;
  }
  return out;
}
