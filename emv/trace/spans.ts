// Where each BER-TLV data object sits in a byte string (start of the tag, start and end of
// the value), walking constructed objects; 00 and FF padding between objects is skipped
// (EMV Book 3 Annex B1). Lenient: stops at the first object that does not parse, so it
// never throws; redaction and the replay's "was redacted data signed" check use it.

export interface TlvSpan {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

export function tlvSpans(bytes: Uint8Array, from = 0, to = bytes.length, out: TlvSpan[] = []): TlvSpan[] {
  let i = from;
  while (i < to) {
    const first = bytes[i]!;
    if (first === 0x00 || first === 0xff) {
      i++;
      continue;
    }
    const start = i;
    let tag = bytes[i++]!;
    if ((first & 0x1f) === 0x1f) {
      do {
        if (i >= to || tag > 0xffffff) return out;
        tag = (tag << 8) | bytes[i]!;
      } while ((bytes[i++]! & 0x80) !== 0);
    }
    if (i >= to) return out;
    let len = bytes[i++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 3 || i + n > to) return out;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + bytes[i++]!;
    }
    if (i + len > to) return out;
    out.push({ tag, start, valueStart: i, valueEnd: i + len });
    if ((first & 0x20) !== 0) tlvSpans(bytes, i, i + len, out);
    i += len;
  }
  return out;
}
