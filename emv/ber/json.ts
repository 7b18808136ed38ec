/**
 * The JSON shape of TLV trees shared by `pos tools tlv decode --json` and `tlv encode`:
 * `{ "tag": "9F02", "name": "...", "value": "HEX" }` for a primitive object and
 * `{ "tag": "70", "name": "...", "children": [...] }` for a constructed one; tags and values
 * uppercase hex. `name` is informative and ignored when reading.
 */
import { EmvError } from '../errors.js';
import { fromHex, toHex } from '../bytes.js';
import { parseTag, tagHex, type Tlv, type TlvInput } from './tlv.js';

export type TlvJson = { tag: string; name: string; value: string } | { tag: string; name: string; children: TlvJson[] };

/** Converts decoded objects to the JSON shape; `nameOf` supplies names (e.g. from the dictionary). */
export function tlvToJson(nodes: readonly Tlv[], nameOf: (tag: number) => string): TlvJson[] {
  // Iterative so that any nesting depth converts.
  const out: TlvJson[] = [];
  const stack: { src: readonly Tlv[]; dst: TlvJson[] }[] = [{ src: nodes, dst: out }];
  while (stack.length > 0) {
    const { src, dst } = stack.pop()!;
    for (const n of src) {
      if (n.children === undefined) {
        dst.push({ tag: tagHex(n.tag), name: nameOf(n.tag), value: toHex(n.value) });
      } else {
        const children: TlvJson[] = [];
        dst.push({ tag: tagHex(n.tag), name: nameOf(n.tag), children });
        stack.push({ src: n.children, dst: children });
      }
    }
  }
  return out;
}

/**
 * Reads the JSON shape (one node or an array of nodes) into encoder input. Throws
 * EMV_TLV_BAD_INPUT naming the JSON path of the first problem.
 */
export function tlvFromJson(json: unknown): TlvInput[] {
  const list = Array.isArray(json) ? json : [json];
  try {
    return list.map((n, i) => node(n, Array.isArray(json) ? `$[${i}]` : '$'));
  } catch (err) {
    if (err instanceof RangeError) throw bad('$', 'nested too deeply');
    throw err;
  }
}

function node(n: unknown, path: string): TlvInput {
  if (typeof n !== 'object' || n === null || Array.isArray(n)) throw bad(path, 'expected an object with "tag" and "value" or "children"');
  const o = n as Record<string, unknown>;
  if (typeof o.tag !== 'string') throw bad(`${path}.tag`, 'expected a hex string such as "9F02"');
  let tag: number;
  try {
    tag = parseTag(o.tag);
  } catch (err) {
    throw bad(`${path}.tag`, (err as Error).message);
  }
  const hasValue = 'value' in o;
  const hasChildren = 'children' in o;
  if (hasValue === hasChildren) throw bad(path, 'needs exactly one of "value" or "children"');
  if (hasChildren) {
    if (!Array.isArray(o.children)) throw bad(`${path}.children`, 'expected an array');
    return { tag, children: o.children.map((c, i) => node(c, `${path}.children[${i}]`)) };
  }
  if (typeof o.value !== 'string') throw bad(`${path}.value`, 'expected a hex string');
  try {
    return { tag, value: fromHex(o.value) };
  } catch (err) {
    throw bad(`${path}.value`, (err as Error).message);
  }
}

function bad(path: string, why: string): EmvError {
  return new EmvError('EMV_TLV_BAD_INPUT', `${path}: ${why}`);
}
