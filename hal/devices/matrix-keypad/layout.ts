/**
 * Keypad layouts as the profile gives them (`generic,matrix-keypad` props), shared by the
 * driver and the matrix model: one entry per row, either a string of one-character labels
 * ("123A") or an array of labels (["1", "2", "3", "F1"]).
 */
import { HalError } from '../../errors.js';
import { KEY_CANCEL, KEY_CLEAR, KEY_ENTER, KEY_FUNCTION } from '../../roles/keypad.js';

export type KeypadLayout = readonly string[] | readonly (readonly string[])[];

/** Names of single-character labels that are not themselves the key's name. */
export const DEFAULT_KEY_NAMES: Readonly<Record<string, string>> = {
  '*': KEY_CANCEL,
  '#': KEY_ENTER,
  A: 'F1',
  B: 'F2',
  C: KEY_CLEAR,
  D: KEY_FUNCTION,
};

/** Labels as a grid [row][col]; throws HAL_INVALID_ARGUMENT unless it is rows x cols. */
export function layoutGrid(layout: KeypadLayout, rows: number, cols: number): string[][] {
  if (layout.length !== rows) {
    throw new HalError('HAL_INVALID_ARGUMENT', `matrix-keypad: layout has ${layout.length} rows, the keypad ${rows}`);
  }
  return layout.map((row, r) => {
    const labels = typeof row === 'string' ? [...row] : [...row];
    if (labels.length !== cols) {
      throw new HalError('HAL_INVALID_ARGUMENT', `matrix-keypad: layout row ${r} has ${labels.length} keys, the keypad ${cols} columns`);
    }
    return labels;
  });
}
