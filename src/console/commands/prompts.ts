/** Prompts shared by the console and its commands. */
import { isUserError } from '../../users/errors.js';
import type { CommandContext } from '../registry.js';

type Io = Pick<CommandContext, 'ask' | 'print'>;

/**
 * Asks a new password or PIN twice until it meets the policy (`save` throws
 * USER_WEAK_PASSWORD with the rules broken); Ctrl-C cancels.
 */
export async function askNewSecret(io: Io, label: string, save: (secret: string) => Promise<void>): Promise<void> {
  for (;;) {
    const first = await io.ask(`${label}: `, { secret: true });
    const second = await io.ask('again: ', { secret: true });
    if (first !== second) {
      await io.print('the two entries differ; try again');
      continue;
    }
    try {
      await save(first);
      return;
    } catch (err) {
      if (!isUserError(err, 'USER_WEAK_PASSWORD')) throw err;
      await io.print(`not accepted:\n${err.problems.map((p) => `  - ${p}`).join('\n')}`);
    }
  }
}

/** Formats rows as aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
