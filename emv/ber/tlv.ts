/**
 * BER-TLV as EMV uses it (ISO/IEC 8825-1, EMV Book 3 Annex B): tags of 1-4 bytes (EMV
 * uses 1-3), definite lengths in short or long form (up to 4 length bytes), constructed
 * objects (bit 6 of the first tag byte) nested to any depth.
 *
 * Decoding returns views into the input (`subarray`, no copies) and never recurses, so a
 * deeply nested input cannot overflow the stack. Strict mode (the default) rejects padding,
 * indefinite lengths and anything truncated with an {@link EmvError} naming the byte
 * offset; lenient mode skips the 00/FF padding EMV allows between objects in records
 * (Book 3 Annex B: "'00' bytes ... may occur before, between, or after TLV-coded data
 * objects"; ISO/IEC 7816-4 5.2 adds 'FF').
 */
import { EmvError } from '../errors.js';

/** A decoded data object. `value` is a view into the decoded input. */
export interface Tlv {
  /** The tag as a number: the tag bytes big-endian (9F02 -> 0x9F02). */
  readonly tag: number;
  /** Offset of the first tag byte in the input that was decoded. */
  readonly offset: number;
  /** The value field (for a constructed object: its encoded contents). */
  readonly value: Uint8Array;
  /** The children of a constructed object, in order; `undefined` for a primitive one. */
  readonly children: readonly Tlv[] | undefined;
}

/** What the encoder takes: a primitive with a value, or a constructed object with children. */
export type TlvInput = { readonly tag: number; readonly value: Uint8Array } | { readonly tag: number; readonly children: readonly TlvInput[] };

export interface DecodeOptions {
  /** Skip 00 and FF bytes where an object may start (EMV record padding). Default false. */
  lenient?: boolean;
}

// One hidden class for every node keeps the decoder's and callers' property access monomorphic.
class TlvNode implements Tlv {
  constructor(
    readonly tag: number,
    readonly offset: number,
    readonly value: Uint8Array,
    readonly children: Tlv[] | undefined,
  ) {}
}

/** True when the first byte of `tag` has bit 6 set (a constructed object, Book 3 Annex B1). */
export function isConstructed(tag: number): boolean {
  return (firstTagByte(tag) & 0x20) !== 0;
}

/** Number of bytes the tag occupies. */
export function tagByteLength(tag: number): number {
  return tag < 0x100 ? 1 : tag < 0x10000 ? 2 : tag < 0x1000000 ? 3 : 4;
}

function firstTagByte(tag: number): number {
  return Math.floor(tag / 256 ** (tagByteLength(tag) - 1)) & 0xff;
}

/** The tag as uppercase hex of its bytes ("9F02"). */
export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(tagByteLength(tag) * 2, '0');
}

/** True when `tag` is a well-formed BER tag of at most 4 bytes (Book 3 Annex B1). */
export function isValidTag(tag: number): boolean {
  if (!Number.isInteger(tag) || tag <= 0 || tag > 0xffffffff) return false;
  const n = tagByteLength(tag);
  const bytes: number[] = [];
  for (let i = n - 1; i >= 0; i--) bytes.push(Math.floor(tag / 256 ** i) & 0xff);
  if (n === 1) return (bytes[0]! & 0x1f) !== 0x1f;
  if ((bytes[0]! & 0x1f) !== 0x1f) return false;
  for (let i = 1; i < n - 1; i++) if ((bytes[i]! & 0x80) === 0) return false;
  return (bytes[n - 1]! & 0x80) === 0;
}

/** Parses "9F02" (either case) into 0x9F02; throws EMV_TLV_BAD_TAG when it is not a valid tag. */
export function parseTag(hex: string): number {
  if (!/^([0-9a-fA-F]{2}){1,4}$/.test(hex)) throw new EmvError('EMV_TLV_BAD_TAG', `"${hex}" is not a tag of 1-4 hex bytes`);
  const tag = parseInt(hex, 16);
  if (hex.slice(0, 2) === '00' || !isValidTag(tag)) throw new EmvError('EMV_TLV_BAD_TAG', `${hex.toUpperCase()} is not a valid BER tag`);
  return tag;
}

/**
 * Decodes every data object in `bytes` (a concatenation of objects, as in a record or a
 * DOL-built template). Throws {@link EmvError} with `offset` set on malformed input.
 */
export function decodeTlv(bytes: Uint8Array, options?: DecodeOptions): Tlv[] {
  return decodeRange(bytes, 0, bytes.length, options?.lenient === true);
}

/**
 * Decodes exactly one data object that must fill `bytes` (an R-APDU's data field: FCI 6F,
 * GPO 77/80, record 70). Trailing bytes are EMV_TLV_TRAILING_BYTES (in lenient mode only
 * trailing 00/FF padding is allowed).
 */
export function decodeOne(bytes: Uint8Array, options?: DecodeOptions): Tlv {
  const lenient = options?.lenient === true;
  const nodes = decodeRange(bytes, 0, bytes.length, lenient);
  if (nodes.length === 0) throw new EmvError('EMV_TLV_TAG_TRUNCATED', 'expected one data object at offset 0, found none', { offset: 0 });
  if (nodes.length > 1) {
    const at = nodes[1]!.offset;
    throw new EmvError('EMV_TLV_TRAILING_BYTES', `trailing bytes at offset ${at} after the data object ${tagHex(nodes[0]!.tag)}`, { offset: at });
  }
  return nodes[0]!;
}

function decodeRange(buf: Uint8Array, start: number, end: number, lenient: boolean): Tlv[] {
  const root: Tlv[] = [];
  let list: Tlv[] = root;
  let limit = end;
  let pos = start;
  // Explicit stack of the enclosing templates: (their child list, their end).
  const lists: Tlv[][] = [];
  const ends: number[] = [];
  for (;;) {
    if (pos >= limit) {
      if (lists.length === 0) return root;
      list = lists.pop()!;
      limit = ends.pop()!;
      continue;
    }
    const at = pos;
    const first = buf[pos++]!;
    if (first === 0x00 || first === 0xff) {
      if (lenient) continue;
      if (first === 0x00) throw new EmvError('EMV_TLV_BAD_TAG', `padding byte 00 at offset ${at} where a tag is expected (strict mode)`, { offset: at });
    }
    let tag = first;
    if ((first & 0x1f) === 0x1f) {
      let b: number;
      let n = 1;
      do {
        if (pos >= limit) throw truncated('EMV_TLV_TAG_TRUNCATED', `tag starting ${hexByte(first)} at offset ${at} is truncated`, at, limit, end);
        b = buf[pos++]!;
        if (++n > 4) throw new EmvError('EMV_TLV_TAG_TOO_LONG', `tag at offset ${at} is longer than 4 bytes`, { offset: at });
        tag = tag * 256 + b;
      } while ((b & 0x80) !== 0);
    }
    if (pos >= limit) throw truncated('EMV_TLV_LENGTH_TRUNCATED', `length of tag ${tagHex(tag)} (tag at offset ${at}) is missing at offset ${pos}`, pos, limit, end);
    const lenAt = pos;
    let len = buf[pos++]!;
    if (len >= 0x80) {
      const count = len & 0x7f;
      if (count === 0) throw new EmvError('EMV_TLV_INDEFINITE_LENGTH', `indefinite length (80) of tag ${tagHex(tag)} at offset ${lenAt}`, { offset: lenAt });
      if (count > 4) throw new EmvError('EMV_TLV_LENGTH_TOO_LONG', `length byte ${hexByte(len)} of tag ${tagHex(tag)} at offset ${lenAt} announces ${count} length bytes (at most 4)`, { offset: lenAt });
      if (pos + count > limit) throw truncated('EMV_TLV_LENGTH_TRUNCATED', `long-form length of tag ${tagHex(tag)} at offset ${lenAt} needs ${count} more bytes`, lenAt, limit, end);
      len = 0;
      for (let i = 0; i < count; i++) len = len * 256 + buf[pos++]!;
    }
    const valueEnd = pos + len;
    if (valueEnd > limit) {
      throw truncated('EMV_TLV_VALUE_TRUNCATED', `value of tag ${tagHex(tag)} at offset ${at} needs ${len} bytes from offset ${pos}, only ${limit - pos} remain`, at, limit, end);
    }
    if ((first & 0x20) !== 0) {
      const children: Tlv[] = [];
      list.push(new TlvNode(tag, at, buf.subarray(pos, valueEnd), children));
      if (len > 0) {
        lists.push(list);
        ends.push(limit);
        list = children;
        limit = valueEnd;
      }
    } else {
      list.push(new TlvNode(tag, at, buf.subarray(pos, valueEnd), undefined));
      pos = valueEnd;
    }
  }
}

function truncated(code: 'EMV_TLV_TAG_TRUNCATED' | 'EMV_TLV_LENGTH_TRUNCATED' | 'EMV_TLV_VALUE_TRUNCATED', message: string, offset: number, limit: number, end: number): EmvError {
  const where = limit < end ? ` (its enclosing template ends at offset ${limit})` : '';
  return new EmvError(code, message + where, { offset });
}

function hexByte(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

/** Number of bytes the BER length field for `len` takes. */
function lengthByteLength(len: number): number {
  return len < 0x80 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : len < 0x1000000 ? 4 : 5;
}

/**
 * Encodes data objects (minimal tag and length encodings), iteratively, so any depth the
 * decoder accepts encodes too. Throws EMV_TLV_BAD_TAG for an invalid tag number,
 * EMV_TLV_NOT_CONSTRUCTED for children under a primitive tag and EMV_TLV_BAD_INPUT for a
 * node with neither a byte value nor children.
 */
export function encodeTlv(nodes: TlvInput | readonly TlvInput[]): Uint8Array {
  const list: readonly TlvInput[] = Array.isArray(nodes) ? nodes : [nodes as TlvInput];
  const sizes = measureAll(list);
  let total = 0;
  for (const n of list) total += encodedSize(n.tag, sizes.get(n)!);
  const out = new Uint8Array(total);
  let pos = 0;
  preorder(list, childrenOf, (n) => {
    const tag = n.tag;
    for (let k = tagByteLength(tag) - 1; k >= 0; k--) out[pos++] = Math.floor(tag / 256 ** k) & 0xff;
    const len = sizes.get(n)!;
    const lb = lengthByteLength(len);
    if (lb > 1) out[pos++] = 0x80 | (lb - 1);
    for (let k = lb === 1 ? 0 : lb - 2; k >= 0; k--) out[pos++] = Math.floor(len / 256 ** k) & 0xff;
    if (childrenOf(n) === undefined) {
      const value = (n as { value: Uint8Array }).value;
      out.set(value, pos);
      pos += value.length;
    }
  });
  return out;
}

// Depth-first pre-order over an explicit stack of (list, next index): no recursion, any depth.
function preorder<T>(roots: readonly T[], kids: (n: T) => readonly T[] | undefined, visit: (n: T, depth: number) => boolean | void): void {
  const lists: (readonly T[])[] = [roots];
  const idx: number[] = [0];
  while (lists.length > 0) {
    const top = lists.length - 1;
    const l = lists[top]!;
    const i = idx[top]!;
    if (i >= l.length) {
      lists.pop();
      idx.pop();
      continue;
    }
    idx[top] = i + 1;
    const n = l[i]!;
    if (visit(n, top) === true) return;
    const c = kids(n);
    if (c !== undefined && c.length > 0) {
      lists.push(c);
      idx.push(0);
    }
  }
}

function childrenOf(n: TlvInput): readonly TlvInput[] | undefined {
  const c = (n as { children?: readonly TlvInput[] }).children;
  return Array.isArray(c) ? c : undefined;
}

function encodedSize(tag: number, len: number): number {
  return tagByteLength(tag) + lengthByteLength(len) + len;
}

function checkNode(n: TlvInput): readonly TlvInput[] | undefined {
  if (typeof n !== 'object' || n === null || !isValidTag(n.tag)) {
    const tag = (n as { tag?: unknown } | null)?.tag;
    throw new EmvError('EMV_TLV_BAD_TAG', `cannot encode tag ${typeof tag === 'number' ? tag.toString(16).toUpperCase() : String(tag)}: not a valid BER tag of 1-4 bytes`);
  }
  const children = childrenOf(n);
  if (children !== undefined) {
    if (!isConstructed(n.tag)) throw new EmvError('EMV_TLV_NOT_CONSTRUCTED', `tag ${tagHex(n.tag)} is primitive but has children`);
  } else if (!('value' in n && n.value instanceof Uint8Array)) {
    throw new EmvError('EMV_TLV_BAD_INPUT', `tag ${tagHex(n.tag)} has neither a byte value nor children`);
  }
  return children;
}

// Content length of every node, children before parents (post-order over an explicit stack).
function measureAll(list: readonly TlvInput[]): Map<TlvInput, number> {
  const sizes = new Map<TlvInput, number>();
  const stack: { n: TlvInput; kids: readonly TlvInput[] | undefined; i: number; len: number }[] = [];
  for (const root of list) {
    stack.push({ n: root, kids: checkNode(root), i: 0, len: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.kids !== undefined && top.i < top.kids.length) {
        const c = top.kids[top.i++]!;
        stack.push({ n: c, kids: checkNode(c), i: 0, len: 0 });
        continue;
      }
      const len = top.kids === undefined ? (top.n as { value: Uint8Array }).value.length : top.len;
      if (len > 0xffffffff) throw new EmvError('EMV_TLV_BAD_INPUT', `value of tag ${tagHex(top.n.tag)} too long`);
      sizes.set(top.n, len);
      stack.pop();
      if (stack.length > 0) stack[stack.length - 1]!.len += encodedSize(top.n.tag, len);
    }
  }
  return sizes;
}

/**
 * Visits every object depth first in document order, without recursion. Return `true`
 * from `visit` to stop the walk.
 */
export function walkTlv(nodes: readonly Tlv[], visit: (node: Tlv, depth: number) => boolean | void): void {
  preorder(nodes, (n) => n.children, visit);
}

/** The first object with `tag`, depth first in document order, or undefined. */
export function findTlv(nodes: readonly Tlv[], tag: number): Tlv | undefined {
  let found: Tlv | undefined;
  walkTlv(nodes, (n) => {
    if (n.tag !== tag) return false;
    found = n;
    return true;
  });
  return found;
}

/** Every primitive object in document order (templates flattened away). */
export function primitives(nodes: readonly Tlv[]): Tlv[] {
  const out: Tlv[] = [];
  walkTlv(nodes, (n) => void (n.children === undefined && out.push(n)));
  return out;
}

/**
 * Indexes primitive objects by tag (templates flattened), first occurrence kept, and
 * reports the tags seen more than once: EMV Book 3 10.2 makes a data object that appears
 * twice in the records a reason to terminate, so the kernel needs to know.
 */
export function indexPrimitives(nodes: readonly Tlv[], into: Map<number, Uint8Array> = new Map()): { values: Map<number, Uint8Array>; duplicates: number[] } {
  const duplicates: number[] = [];
  walkTlv(nodes, (n) => {
    if (n.children !== undefined) return;
    if (into.has(n.tag)) duplicates.push(n.tag);
    else into.set(n.tag, n.value);
  });
  return { values: into, duplicates };
}
