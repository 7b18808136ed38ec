/**
 * JSON.parse with the position of a syntax error as line and column (V8 reports a
 * character offset, "at position N", which a person cannot use). Shared by the board
 * loader and the configuration store.
 */

export type JsonParseResult =
  | { ok: true; value: unknown }
  | { ok: false; line: number; column: number; message: string };

export function parseJsonText(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const raw = (err as Error).message;
    const m = /at position (\d+)/.exec(raw);
    const pos = m ? Number(m[1]) : text.length;
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    const message = raw.replace(/\s*in JSON at position \d+.*$/s, '');
    return { ok: false, line, column, message };
  }
}

/** A key that appears twice in one object (JSON.parse keeps the last one silently). */
export interface DuplicateKey {
  /** JSON path of the key, e.g. `roles.display`. */
  readonly path: string;
  /** Line of the second occurrence. */
  readonly line: number;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

function join(path: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

type Frame = { kind: 'object'; path: string; keys: Set<string>; key: string; expectKey: boolean } | { kind: 'array'; path: string; index: number };

/** Finds repeated keys in text that JSON.parse accepted (call it only on valid JSON). */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let line = 1;
  const here = (): string => {
    const top = stack.at(-1);
    if (top === undefined) return '';
    return top.kind === 'object' ? join(top.path, top.key) : `${top.path}[${top.index}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{') stack.push({ kind: 'object', path: here(), keys: new Set(), key: '', expectKey: true });
    else if (c === '[') stack.push({ kind: 'array', path: here(), index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top?.kind === 'array') top.index++;
      else if (top?.kind === 'object') top.expectKey = true;
    } else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) found.push({ path: join(top.path, key), line });
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    }
  }
  return found;
}
