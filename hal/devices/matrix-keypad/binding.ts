/**
 * Board-profile binding of a matrix keypad scanned over GPIO (rows driven, columns sensed
 * with pull-ups). Facts: hardware.md section 9.
 */
import type { DeviceBinding, PropSchema } from '../binding.js';
import type { GpioLineRef } from '../../gpio.js';

/** One layout row: a string of single-character labels ("123A") or an array of labels. */
export type KeypadLayoutRow = string | readonly string[];

/** The props of a `generic,matrix-keypad` device as the board loader returns them (defaults applied). */
export interface MatrixKeypadProps {
  /** Lines driven one at a time (row 0 first). */
  rows: readonly GpioLineRef[];
  /** Lines read back (need pull-ups: config.txt `gpio=...=ip,pu` on a Pi). */
  cols: readonly GpioLineRef[];
  /** One entry per row, one label per column. */
  layout: readonly KeypadLayoutRow[];
  /** Names given to single-character labels; replaces {@link DEFAULT_KEY_NAMES} when set. */
  keyNames: Readonly<Record<string, string>>;
  debounceMs: number;
  scanIntervalMs: number;
}

/**
 * Key names for the labels of a common 4x4 membrane keypad (`123A / 456B / 789C / *0#D`),
 * so that it yields the keys the application knows (hal/roles/keypad.ts). A profile's
 * `keyNames` replaces this map as a whole; a label with no name is its own key name.
 */
export const DEFAULT_KEY_NAMES: Readonly<Record<string, string>> = {
  '*': 'CANCEL',
  '#': 'ENTER',
  A: 'F1',
  B: 'F2',
  C: 'CLEAR',
  D: 'FUNC',
};

/** The labels of one layout row, one per column ("12" is ["1", "2"]). */
export function rowLabels(row: KeypadLayoutRow): string[] {
  return typeof row === 'string' ? [...row] : [...row];
}

/** Key names by [row][column]: each label through `keyNames` (a label with no name stays as is). */
export function keyGrid(props: Pick<MatrixKeypadProps, 'layout' | 'keyNames'>): string[][] {
  return props.layout.map((row) => rowLabels(row).map((label) => props.keyNames[label] ?? label));
}

const lines = (what: string): PropSchema => ({
  type: 'array',
  items: { type: 'gpio' },
  minItems: 1,
  maxItems: 8,
  description: what,
});

const binding: DeviceBinding = {
  compatible: 'generic,matrix-keypad',
  bus: 'gpio',
  roles: ['keypad'],
  description: 'matrix keypad (4x4, 4x3, ...) scanned over GPIO lines',
  props: {
    type: 'object',
    required: ['rows', 'cols', 'layout'],
    properties: {
      rows: lines('row lines, driven low one at a time'),
      cols: lines('column lines, read with pull-ups'),
      layout: {
        type: 'array',
        minItems: 1,
        maxItems: 8,
        description: 'key labels, one entry per row',
        items: {
          type: 'oneOf',
          oneOf: [
            { type: 'string', minLength: 1, maxLength: 8, description: 'single-character labels, one per column' },
            {
              type: 'array',
              minItems: 1,
              maxItems: 8,
              items: { type: 'string', minLength: 1, maxLength: 16 },
              description: 'labels, one per column',
            },
          ],
        },
      },
      keyNames: {
        type: 'object',
        properties: {},
        additionalProperties: { type: 'string', pattern: '^[A-Za-z0-9_]{1,16}$', patternHint: 'a key name of 1 to 16 letters, digits or _' },
        keyPattern: '^.$',
        keyPatternHint: 'a single-character label',
        default: DEFAULT_KEY_NAMES,
        description: 'names of single-character labels',
      },
      debounceMs: { type: 'integer', minimum: 5, maximum: 100, default: 20, description: 'a key must read the same for this long' },
      scanIntervalMs: { type: 'integer', minimum: 1, maximum: 50, default: 5, description: 'time between two scans of the matrix' },
    },
  },
  validate(props) {
    const p = props as unknown as MatrixKeypadProps;
    const problems: string[] = [];
    if (p.layout.length !== p.rows.length) {
      problems.push(`layout: ${p.layout.length} rows but rows has ${p.rows.length} lines`);
    }
    const names = keyGrid(p);
    const where = new Map<string, string>();
    names.forEach((row, r) => {
      if (row.length !== p.cols.length) problems.push(`layout[${r}]: ${row.length} keys but cols has ${p.cols.length} lines`);
      row.forEach((name, c) => {
        const first = where.get(name);
        if (first !== undefined) problems.push(`layout[${r}][${c}]: key "${name}" appears twice (also at ${first})`);
        else where.set(name, `layout[${r}][${c}]`);
      });
    });
    if (p.debounceMs < p.scanIntervalMs) {
      problems.push(`debounceMs: ${p.debounceMs} is shorter than scanIntervalMs (${p.scanIntervalMs}); debounce needs at least one scan`);
    }
    return problems;
  },
};

export default binding;
