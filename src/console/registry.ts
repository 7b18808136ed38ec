/**
 * Console commands and their registry. Later work adds commands with
 * {@link registerCommand} (journal view, batch and settlement, backup, CA keys, tracing):
 * a name, a one-line summary, usage text for `help NAME`, the action a user's role must
 * allow, and `run`. Arguments arrive split like a shell would (quotes group words).
 */
import type { AuditEvent, AuditSink } from '../audit/audit.js';
import type { ConfigStore } from '../config/store.js';
import type { CaKeyStore } from '../keys/ca-keys.js';
import type { KeyStore } from '../keys/key-store.js';
import type { TraceStore } from '../trace/trace-store.js';
import type { Action, Role } from '../users/roles.js';
import type { AuthResult, UserStore } from '../users/user-store.js';
import type { DiagnosticsProvider } from './diagnostics.js';

/** Every code of a console failure a person sees, with its meaning. */
export const CONSOLE_ERROR_CODES = {
  CONSOLE_USAGE: 'a command was given wrong arguments (the message says which and shows the usage)',
  CONSOLE_DENIED: "the user's role does not allow the command",
  CONSOLE_FAILED: 'the command ran and failed (the message says why)',
  CONSOLE_CANCELLED: 'a prompt was cancelled (Ctrl-C), timed out, or the line went away',
} as const;

/** What the configuration lacks for taking payments (src/board/emv-config.ts). */
export interface PaymentsCheck {
  readonly ready: boolean;
  /** Why the terminal cannot take payments, one line each (empty when ready). */
  readonly missing: readonly string[];
  /** What works but is incomplete (an AID dropped, a RID without CA keys). */
  readonly warnings: readonly string[];
}

/** A wrong argument: printed with the command's usage. */
export class ConsoleUsageError extends Error {
  override readonly name = 'ConsoleUsageError';
  readonly code = 'CONSOLE_USAGE';
}

/** A failure the command reports in words (no stack): printed as "error: message". */
export class ConsoleCommandError extends Error {
  override readonly name = 'ConsoleCommandError';
  readonly code = 'CONSOLE_FAILED';
}

/** A prompt ended without an answer: Ctrl-C, idle timeout or the line closed. */
export class ConsoleCancelled extends Error {
  override readonly name = 'ConsoleCancelled';
  readonly code = 'CONSOLE_CANCELLED';
  constructor(readonly why: 'cancel' | 'idle' | 'closed' | 'eof') {
    super(`cancelled (${why})`);
  }
}

/** What the console hands its commands. */
export interface ConsoleServices {
  config: ConfigStore;
  users: UserStore;
  keys: KeyStore;
  audit: AuditSink;
  /** The `diag` checks; absent when the board gave none. */
  diagnostics?: DiagnosticsProvider;
  /** APDU traces (`trace`); absent: the terminal does not record traces. */
  traces?: TraceStore;
  /** CA public keys (`capk`); absent: not managed from this console. */
  caKeys?: CaKeyStore;
  /** `payments`: whether the configuration and CA keys give a payment terminal; absent: not checked from this console. */
  paymentsCheck?: () => PaymentsCheck;
  /** Software version shown by `version`. */
  version: string;
  /** The console's clock (ms since the epoch): CA key expiry is judged by it. Default Date.now. */
  now?: () => number;
  /** Wipes keys, users and data (factory reset); the console has audited it already. */
  factoryReset(): Promise<void>;
}

export interface AskOptions {
  /** No echo (passwords, key components). */
  secret?: boolean;
}

export interface CommandContext {
  readonly user: { readonly id: string; readonly role: Role };
  readonly services: ConsoleServices;
  /** The serial device, for audit records ("console:/dev/serial0"). */
  readonly channel: string;
  /** Writes text ("\n" becomes CRLF; PANs are masked on the way out). */
  print(text: string): Promise<void>;
  /** Asks one line; rejects with ConsoleCancelled on Ctrl-C, idle timeout or a closed line. */
  ask(prompt: string, options?: AskOptions): Promise<string>;
  /** Asks for `expected` typed exactly; false for anything else. */
  confirm(prompt: string, expected: string): Promise<boolean>;
  /** Records an event with this session's actor and channel filled in. */
  audit(event: Omit<AuditEvent, 'actor' | 'channel'>): Promise<void>;
  /** Asks another person to sign in (a second key custodian); resolves with the result. */
  signInOther(purpose: string): Promise<AuthResult>;
  /** Ends the session after this command (logout, factory reset). */
  endSession(reason: string): void;
}

export interface ConsoleCommand {
  name: string;
  /** One line for `help`. */
  summary: string;
  /** Full usage for `help NAME` and for wrong arguments. */
  usage: string;
  /**
   * The action the user's role must allow: one for the command, a function of the
   * arguments when subcommands differ (undefined: any signed-in user).
   */
  action?: Action | ((args: readonly string[]) => Action | undefined);
  run(ctx: CommandContext, args: string[]): Promise<void>;
}

export class CommandRegistry {
  readonly #commands = new Map<string, ConsoleCommand>();

  register(command: ConsoleCommand): void {
    if (!/^[a-z][a-z0-9-]*$/.test(command.name)) throw new Error(`console command name "${command.name}": lower-case letters, digits and "-"`);
    if (this.#commands.has(command.name)) throw new Error(`console command "${command.name}" is registered twice`);
    this.#commands.set(command.name, command);
  }

  get(name: string): ConsoleCommand | undefined {
    return this.#commands.get(name);
  }

  list(): ConsoleCommand[] {
    return [...this.#commands.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}

/** Commands other parts add; a console lists them after its own. */
export const consoleCommands = new CommandRegistry();

export function registerCommand(command: ConsoleCommand): void {
  consoleCommands.register(command);
}

/** The action a command needs for these arguments. */
export function requiredAction(command: ConsoleCommand, args: readonly string[]): Action | undefined {
  return typeof command.action === 'function' ? command.action(args) : command.action;
}

/** Splits a command line into words: blanks separate, "double" or 'single' quotes group. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + ch;
  }
  if (quote) throw new ConsoleUsageError(`unclosed ${quote === '"' ? 'double' : 'single'} quote`);
  if (word !== undefined) words.push(word);
  return words;
}

/** Splits words into positionals and `--name value` options; unknown options and missing values are usage errors. */
export function parseOptions(words: readonly string[], known: readonly string[]): { positionals: string[]; options: Record<string, string> } {
  const positionals: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--')) {
      positionals.push(w);
      continue;
    }
    const eq = w.indexOf('=');
    const name = w.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name)) throw new ConsoleUsageError(`unknown option "--${name}"${known.length ? ` (options: ${known.map((k) => `--${k}`).join(', ')})` : ''}`);
    const value = eq >= 0 ? w.slice(eq + 1) : words[++i];
    if (value === undefined || value === '') throw new ConsoleUsageError(`option --${name} needs a value`);
    options[name] = value;
  }
  return { positionals, options };
}
