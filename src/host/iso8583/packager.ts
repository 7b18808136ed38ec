/**
 * Packs and unpacks messages with a layout: MTI, primary bitmap (plus the secondary one
 * when any field 65..128 is present), then the fields in order. Unpacking is strict: a
 * length past the end, a bad digit, a bitmap naming a field the layout lacks, or bytes
 * left over are errors naming the field and the offset.
 */
import { HostError } from '../errors.js';
import { Writer, type FieldValue } from './format.js';
import type { Layout } from './layout.js';
import { IsoMessage } from './message.js';

const writer = new Writer(4096);

export function pack(layout: Layout, msg: IsoMessage): Uint8Array {
  const w = writer;
  w.pos = 0;
  layout.mti.pack(msg.mti, w);
  const ids = [...msg.fields.keys()].sort((a, b) => a - b);
  let secondary = false;
  for (const id of ids) {
    if (!layout.fields[id]) throw new HostError('HOST_PACK', `layout ${layout.name} has no field ${id}`, id);
    if (id > 64) secondary = true;
  }
  const bitmap = new Uint8Array(secondary ? 16 : 8);
  if (secondary) bitmap[0] = 0x80;
  for (const id of ids) bitmap[(id - 1) >> 3]! |= 0x80 >> ((id - 1) & 7);
  if (layout.bitmap === 'binary') {
    w.ensure(bitmap.length);
    w.buf.set(bitmap, w.pos);
    w.pos += bitmap.length;
  } else {
    w.ensure(bitmap.length * 2);
    w.pos += w.buf.write(Buffer.from(bitmap).toString('hex').toUpperCase(), w.pos, 'latin1');
  }
  for (const id of ids) layout.fields[id]!.pack(msg.fields.get(id)!, w);
  return Uint8Array.prototype.slice.call(w.buf, 0, w.pos);
}

function readBitmap(layout: Layout, frame: Buffer, offset: number): [Uint8Array, number] {
  const take = (n: number, at: number): Uint8Array => {
    const size = layout.bitmap === 'binary' ? n : n * 2;
    if (at + size > frame.length) throw new HostError('HOST_UNPACK', `bitmap at offset ${at}: truncated (needs ${size} bytes, ${frame.length - at} left)`, 1, at);
    if (layout.bitmap === 'binary') return frame.subarray(at, at + n);
    const text = frame.toString('latin1', at, at + size);
    if (!/^[0-9A-Fa-f]+$/.test(text)) throw new HostError('HOST_UNPACK', `bitmap at offset ${at}: not hex digits`, 1, at);
    return Uint8Array.from(Buffer.from(text, 'hex'));
  };
  const primary = take(8, offset);
  let pos = offset + (layout.bitmap === 'binary' ? 8 : 16);
  if (!(primary[0]! & 0x80)) return [primary, pos];
  const second = take(8, pos);
  pos += layout.bitmap === 'binary' ? 8 : 16;
  const all = new Uint8Array(16);
  all.set(primary, 0);
  all.set(second, 8);
  return [all, pos];
}

export function unpack(layout: Layout, input: Uint8Array): IsoMessage {
  const frame = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const [mti, mtiEnd] = layout.mti.unpack(frame, 0) as [string, number];
  const [bitmap, after] = readBitmap(layout, frame, mtiEnd);
  let pos = after;
  const msg = new IsoMessage(mti);
  const bits = bitmap.length * 8;
  for (let id = 2; id <= bits; id++) {
    if (!(bitmap[(id - 1) >> 3]! & (0x80 >> ((id - 1) & 7)))) continue;
    const codec = layout.fields[id];
    if (!codec) throw new HostError('HOST_UNPACK', `bitmap names field ${id}, which layout ${layout.name} does not define (offset ${pos})`, id, pos);
    let value: FieldValue;
    [value, pos] = codec.unpack(frame, pos);
    msg.fields.set(id, value);
  }
  if (pos !== frame.length) throw new HostError('HOST_UNPACK', `${frame.length - pos} bytes left over after the last field (offset ${pos})`, undefined, pos);
  return msg;
}
