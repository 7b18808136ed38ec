/**
 * An ISO 8583 message holds fields only (jPOS's ISOMsg): the MTI and field values by
 * number. Text fields are strings; binary fields are bytes. How they travel is the
 * packager's business (layout.ts, packager.ts).
 */
import type { FieldValue } from './format.js';
import type { Layout } from './layout.js';
import { HostError } from '../errors.js';

export class IsoMessage {
  readonly fields = new Map<number, FieldValue>();

  constructor(
    public mti: string,
    fields?: Iterable<[number, FieldValue]> | Record<number, FieldValue>,
  ) {
    if (fields) {
      const entries = Symbol.iterator in fields ? (fields as Iterable<[number, FieldValue]>) : Object.entries(fields).map(([k, v]) => [Number(k), v] as [number, FieldValue]);
      for (const [k, v] of entries) this.fields.set(k, v);
    }
  }

  set(id: number, value: FieldValue): this {
    this.fields.set(id, value);
    return this;
  }

  get(id: number): FieldValue | undefined {
    return this.fields.get(id);
  }

  has(id: number): boolean {
    return this.fields.has(id);
  }

  unset(id: number): this {
    this.fields.delete(id);
    return this;
  }

  /** A text field's value ('' when absent); bytes are given as uppercase hex. */
  text(id: number): string {
    const v = this.fields.get(id);
    if (v === undefined) return '';
    return typeof v === 'string' ? v : Buffer.from(v).toString('hex').toUpperCase();
  }

  /**
   * A field as bytes, whatever the layout carries it as: binary fields directly, text
   * fields holding hex (e.g. field 55 in jPOS's ASCII layout, an LLLCHAR of hex digits).
   */
  bytes(id: number): Uint8Array | undefined {
    const v = this.fields.get(id);
    if (v === undefined || v instanceof Uint8Array) return v;
    if (!/^([0-9A-Fa-f]{2})*$/.test(v)) throw new HostError('HOST_UNPACK', `field ${id} does not hold hex digits`, id);
    return Uint8Array.from(Buffer.from(v, 'hex'));
  }

  /** Sets a field from bytes in the form the layout carries it (binary, or uppercase hex text). */
  setBytes(layout: Layout, id: number, bytes: Uint8Array): this {
    const codec = layout.fields[id];
    if (!codec) throw new HostError('HOST_PACK', `layout ${layout.name} has no field ${id}`, id);
    this.fields.set(id, codec.def.content === 'b' ? bytes : Buffer.from(bytes).toString('hex').toUpperCase());
    return this;
  }

  clone(): IsoMessage {
    return new IsoMessage(this.mti, [...this.fields].map(([k, v]) => [k, v instanceof Uint8Array ? Uint8Array.from(v) : v] as [number, FieldValue]));
  }

  /** `{ mti, fields: { "2": "...", ... } }` with bytes as uppercase hex, fields in order. */
  toJSON(): { mti: string; fields: Record<string, string> } {
    const fields: Record<string, string> = {};
    for (const id of [...this.fields.keys()].sort((a, b) => a - b)) fields[String(id)] = this.text(id);
    return { mti: this.mti, fields };
  }

  /** The inverse of toJSON for a layout: binary fields are read from hex. */
  static fromJSON(layout: Layout, json: unknown): IsoMessage {
    const obj = json as { mti?: unknown; fields?: unknown };
    if (typeof obj !== 'object' || obj === null || typeof obj.mti !== 'string' || typeof obj.fields !== 'object' || obj.fields === null) {
      throw new HostError('HOST_PACK', 'expected {"mti": "0200", "fields": {"2": "...", ...}}');
    }
    const msg = new IsoMessage(obj.mti);
    for (const [key, value] of Object.entries(obj.fields as Record<string, unknown>)) {
      const id = Number(key);
      const codec = layout.fields[id];
      if (!Number.isInteger(id) || !codec) throw new HostError('HOST_PACK', `layout ${layout.name} has no field ${key}`, Number.isInteger(id) ? id : undefined);
      if (typeof value !== 'string') throw new HostError('HOST_PACK', `field ${key}: expected a string`, id);
      if (codec.def.content === 'b') {
        if (!/^([0-9A-Fa-f]{2})*$/.test(value)) throw new HostError('HOST_PACK', `field ${key}: binary field expects hex digits in pairs`, id);
        msg.set(id, Uint8Array.from(Buffer.from(value, 'hex')));
      } else msg.set(id, value);
    }
    return msg;
  }
}

/** The response MTI for a request MTI (0100 -> 0110, 0401 -> 0410). */
export function responseMti(mti: string): string {
  const d = mti.split('').map(Number);
  if (d.length !== 4 || d.some((x) => Number.isNaN(x))) throw new HostError('HOST_PACK', `bad MTI "${mti}"`);
  return `${d[0]}${d[1]}${d[2]! - (d[2]! % 2) + 1}0`;
}
