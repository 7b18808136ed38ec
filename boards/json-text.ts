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
