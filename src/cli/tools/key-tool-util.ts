/** Helpers shared by the key and MAC calculators under `pos tools`. */
import { UsageError, flag, hexArg, printJson, requireOpt, stringOpt, type CommandIo, type ParsedArgs } from '../command.js';

/** A required hex option, parsed (usage error names the option). */
export function hexOpt(args: ParsedArgs, name: string): Uint8Array {
  return hexArg(requireOpt(args, name), `--${name}`);
}

/** An optional hex option. */
export function optionalHexOpt(args: ParsedArgs, name: string): Uint8Array | undefined {
  const v = stringOpt(args, name);
  return v === undefined ? undefined : hexArg(v, `--${name}`);
}

/** One of a fixed set of values, or a usage error listing them. */
export function choiceOpt<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback?: T): T {
  const v = stringOpt(args, name) ?? fallback;
  if (v === undefined) throw new UsageError(`missing --${name} (${choices.join('|')})`);
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join('|')}, got "${v}"`);
  return v as T;
}

/** `--json`: one JSON value; otherwise "key: value" lines for people. */
export function emit(args: ParsedArgs, io: CommandIo, result: Record<string, unknown>): number {
  if (flag(args, 'json')) printJson(io, result);
  else {
    const width = Math.max(...Object.keys(result).map((k) => k.length));
    for (const [k, v] of Object.entries(result)) io.out(`${k.padEnd(width)}  ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
  }
  return 0;
}

export const JSON_OPTION = { json: { type: 'boolean' } } as const;
