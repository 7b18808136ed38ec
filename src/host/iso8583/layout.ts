/**
 * Message layouts as data: the MTI format, the bitmap encoding and a format per field.
 * Built in: `binary` (alias iso87binary) and `ascii` (alias iso87ascii); a deployment
 * matches its acquirer without code by loading a jPOS GenericPackager XML file or the
 * project's own JSON.
 */
import { readFileSync } from 'node:fs';
import { HostError } from '../errors.js';
import { compileField, type FieldCodec, type FieldDef, type FieldFormat } from './format.js';
import { ISO87_FIELDS } from './iso87-fields.js';
import { BITMAP_CLASSES, formatForClass } from './jpos-classes.js';

export type BitmapEncoding = 'binary' | 'hex';

export interface Layout {
  readonly name: string;
  readonly mti: FieldCodec;
  readonly bitmap: BitmapEncoding;
  /** Indexed by field number (2..128); undefined where the layout has no such field. */
  readonly fields: ReadonlyArray<FieldCodec | undefined>;
}

/** One field of a JSON layout: either a jPOS class or an explicit format. */
export type JsonFieldSpec = { name?: string; class: string; length: number; pad?: boolean } | ({ name?: string } & FieldFormat);

export interface JsonLayout {
  name: string;
  /** "binary" or "hex"; default from field 1's class if given, else "binary". */
  bitmap?: BitmapEncoding;
  fields: Record<string, JsonFieldSpec>;
}

function layoutError(source: string, message: string, field?: number): HostError {
  return new HostError('HOST_LAYOUT', `${source}: ${message}`, field);
}

function build(name: string, bitmap: BitmapEncoding, defs: FieldDef[], source: string): Layout {
  const fields: (FieldCodec | undefined)[] = new Array(129).fill(undefined);
  let mti: FieldCodec | undefined;
  for (const def of defs) {
    if (!Number.isInteger(def.id) || def.id < 0 || def.id > 128 || def.id === 1) throw layoutError(source, `field id ${def.id} is not a data field (0 or 2..128)`, def.id);
    if (!(def.length > 0)) throw layoutError(source, `field ${def.id}: length must be positive`, def.id);
    const codec = compileField(def);
    if (def.id === 0) mti = codec;
    else fields[def.id] = codec;
  }
  if (!mti) throw layoutError(source, 'no field 0 (message type indicator)');
  if (mti.def.content !== 'n' || mti.def.length !== 4 || mti.def.lengthDigits !== 0) throw layoutError(source, 'field 0 must be a fixed 4-digit numeric field', 0);
  return { name, mti, bitmap, fields };
}

function iso87(name: string, column: 1 | 2, bitmap: BitmapEncoding): Layout {
  const defs = ISO87_FIELDS.map(([id, asciiClass, binaryClass, length, fieldName]) => {
    const cls = column === 1 ? asciiClass : binaryClass;
    const format = formatForClass(cls, id, length, undefined)!;
    return { ...format, id, name: fieldName };
  });
  return build(name, bitmap, defs, name);
}

let builtins: Map<string, Layout> | undefined;

function builtinLayouts(): Map<string, Layout> {
  if (!builtins) {
    const binary = iso87('binary', 2, 'binary');
    const ascii = iso87('ascii', 1, 'hex');
    builtins = new Map([
      ['binary', binary],
      ['iso87binary', binary],
      ['ascii', ascii],
      ['iso87ascii', ascii],
    ]);
  }
  return builtins;
}

export const BUILTIN_LAYOUT_NAMES = ['binary', 'ascii', 'iso87binary', 'iso87ascii'] as const;

/** A layout by built-in name, or from a `.xml` (GenericPackager) or `.json` file. */
export function loadLayout(nameOrFile: string): Layout {
  const builtin = builtinLayouts().get(nameOrFile);
  if (builtin) return builtin;
  if (/\.xml$/i.test(nameOrFile)) return layoutFromXml(readFile(nameOrFile), nameOrFile);
  if (/\.json$/i.test(nameOrFile)) {
    let json: unknown;
    try {
      json = JSON.parse(readFile(nameOrFile));
    } catch (err) {
      throw layoutError(nameOrFile, `not valid JSON: ${(err as Error).message}`);
    }
    return layoutFromJson(json as JsonLayout, nameOrFile);
  }
  throw layoutError(nameOrFile, `unknown layout; use one of ${BUILTIN_LAYOUT_NAMES.join(', ')}, or a .xml (jPOS GenericPackager) or .json file`);
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw layoutError(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function defFromSpec(id: number, spec: JsonFieldSpec, source: string): FieldDef | 'bitmap' {
  if ('class' in spec) {
    const cls = spec.class.replace(/^org\.jpos\.iso\./, '');
    if (cls in BITMAP_CLASSES) return 'bitmap';
    const format = formatForClass(cls, id, spec.length, spec.pad);
    if (!format) throw layoutError(source, `field ${id}: unsupported class "${spec.class}"`, id);
    return { ...format, id, name: spec.name ?? `FIELD ${id}` };
  }
  return { ...spec, id, name: spec.name ?? `FIELD ${id}` };
}

export function layoutFromJson(json: JsonLayout, source = 'layout.json'): Layout {
  if (typeof json !== 'object' || json === null || typeof json.fields !== 'object' || json.fields === null) {
    throw layoutError(source, 'expected an object with "name" and "fields"');
  }
  const defs: FieldDef[] = [];
  let bitmap: BitmapEncoding | undefined = json.bitmap;
  for (const [key, spec] of Object.entries(json.fields)) {
    const id = Number(key);
    const def = defFromSpec(id, spec, source);
    if (def === 'bitmap') {
      const cls = (spec as { class: string }).class.replace(/^org\.jpos\.iso\./, '') as keyof typeof BITMAP_CLASSES;
      bitmap ??= BITMAP_CLASSES[cls];
      continue;
    }
    defs.push(def);
  }
  return build(json.name ?? source, bitmap ?? 'binary', defs, source);
}

/**
 * Reads a jPOS GenericPackager XML file: `<isofield id length name class pad/>` elements
 * (the format of jPOS's iso87ascii.xml and iso87binary.xml). Nested field packagers
 * (`isofieldpackager`, subfields) are not supported and are reported as such.
 */
export function layoutFromXml(text: string, source = 'packager.xml'): Layout {
  if (/<isofieldpackager\b/.test(text)) throw layoutError(source, 'nested <isofieldpackager> (subfield) definitions are not supported');
  if (!/<isopackager\b/.test(text)) throw layoutError(source, 'not a GenericPackager file (no <isopackager> element)');
  const body = text.replace(/<!--[\s\S]*?-->/g, '');
  const fields: Record<string, JsonFieldSpec> = {};
  const re = /<isofield\b([^>]*?)\/?>/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([A-Za-z_:-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]!] = decodeXml(a[2]!);
    const line = body.slice(0, m.index).split('\n').length;
    for (const need of ['id', 'length', 'class']) {
      if (attrs[need] === undefined) throw layoutError(`${source}:${line}`, `<isofield> without "${need}"`);
    }
    const id = Number(attrs.id);
    const length = Number(attrs.length);
    if (!Number.isInteger(id) || !Number.isInteger(length)) throw layoutError(`${source}:${line}`, `id and length must be integers`);
    if (fields[String(id)]) throw layoutError(`${source}:${line}`, `field ${id} is defined twice`, id);
    fields[String(id)] = {
      class: attrs.class!,
      length,
      ...(attrs.name !== undefined ? { name: attrs.name } : {}),
      ...(attrs.pad !== undefined ? { pad: attrs.pad === 'true' } : {}),
    };
  }
  if (Object.keys(fields).length === 0) throw layoutError(source, 'no <isofield> elements');
  const name = source.replace(/^.*\//, '').replace(/\.xml$/i, '');
  return layoutFromJson({ name, fields }, source);
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!);
}
