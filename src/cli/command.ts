/**
 * The `pos` command framework. Every subcommand is a module exporting a {@link Command};
 * groups (`pos tools tlv ...`) nest. Conventions (../../README.md, DESIGN "The pos command"):
 * `--help` everywhere; people-readable output by default; `--json` prints one JSON value;
 * flags before or after positionals; errors to stderr with a non-zero exit, never a stack.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Standard input as text (for `encode` commands); resolves '' when none. */
  stdin(): Promise<string>;
}

export interface Command {
  /** One line for the parent's listing. */
  summary: string;
  /** Usage text shown by --help (without the "usage: pos ..." prefix line, which is derived). */
  usage?: string;
  options?: OptionSpec;
  /** Subcommands, loaded lazily so that boot imports only what it runs. */
  subcommands?: Record<string, () => Promise<Command>>;
  run?(args: ParsedArgs, io: CommandIo): Promise<number> | number;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  /** The full command path, e.g. ["tools", "tlv", "decode"]. */
  path: string[];
}

/** A mistake of the caller: printed as "pos ...: message" plus a hint, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An expected failure of the command (bad input data, device fault): message only, exit 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function parse(command: Command, argv: string[], path: string[]): ParsedArgs {
  const options: OptionSpec = { help: { type: 'boolean', short: 'h' }, ...(command.options ?? {}) };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals, path };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

export function stringOpt(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireOpt(args: ParsedArgs, name: string): string {
  const v = stringOpt(args, name);
  if (v === undefined || v === '') throw new UsageError(`missing --${name}`);
  return v;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Parses a hex argument (spaces allowed), naming the option in the error. */
export function hexArg(value: string, what: string): Uint8Array {
  const clean = value.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new UsageError(`${what}: expected hex digits in pairs, got "${value.length > 40 ? value.slice(0, 40) + '...' : value}"`);
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** One JSON value on stdout (callers put byte strings in as uppercase hex). */
export function printJson(io: CommandIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}
