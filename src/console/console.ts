/**
 * The technician console on a serial line (115200 8N1 by default; screen, minicom,
 * picocom): sign-in with password and, for admin and technician, a TOTP code; commands
 * checked against the role's permissions; line editing and history; an idle timeout that
 * signs the user out; every sign-in, failure and change audited. Output passes through
 * scrubPans as a last line of defence: no full PAN ever leaves on the wire.
 *
 * On a terminal with no enabled admin or technician (a real board's first boot, or after
 * a factory reset) the console first asks for both to be set: there are no default passwords.
 */
import type { SerialLink } from '../../hal/serial.js';
import type { AuditEvent } from '../audit/audit.js';
import { createLogger, scrubPans } from '../log.js';
import { can, PERMISSIONS, TOTP_ROLES, type Role } from '../users/roles.js';
import type { AuthResult } from '../users/user-store.js';
import { builtinCommands } from './commands/index.js';
import { askNewSecret } from './commands/prompts.js';
import { LineEditor, type LineEvent } from './line-editor.js';
import {
  CommandRegistry,
  ConsoleCancelled,
  ConsoleCommandError,
  ConsoleUsageError,
  consoleCommands,
  requiredAction,
  tokenize,
  type AskOptions,
  type CommandContext,
  type ConsoleCommand,
  type ConsoleServices,
} from './registry.js';

const log = createLogger('pos:console');

export interface TechnicianConsoleOptions {
  link: SerialLink;
  services: ConsoleServices;
  /** Commands other parts registered; default: the global registry. */
  registry?: CommandRegistry;
  /** Overrides console.idleTimeoutSec (tests); milliseconds. */
  idleTimeoutMs?: number;
}

type Session = { id: string; role: Role };

/** Error types whose message is meant for people (they carry a stable code). */
function describe(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (err instanceof Error && typeof e.code === 'string' && /^(KEY|CONFIG|USER|AUDIT|EMV_CRYPTO)_/.test(e.code)) return `${e.code}: ${err.message}`;
  return undefined;
}

export class TechnicianConsole {
  readonly #link: SerialLink;
  readonly #services: ConsoleServices;
  readonly #registry: CommandRegistry;
  readonly #builtins = new CommandRegistry();
  readonly #editor: LineEditor;
  readonly #idleMs: number;
  readonly #channel: string;
  #pending: { resolve: (e: LineEvent) => void; reject: (err: ConsoleCancelled) => void } | undefined;
  #backlog: Uint8Array[] = [];
  #closed = false;
  #session: Session | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #idleFired = false;
  #endReason: string | undefined;
  #unsubscribe: (() => void)[] = [];
  #done: Promise<void> | undefined;

  constructor(options: TechnicianConsoleOptions) {
    this.#link = options.link;
    this.#services = options.services;
    this.#registry = options.registry ?? consoleCommands;
    this.#channel = `console:${options.link.path}`;
    this.#idleMs = options.idleTimeoutMs ?? options.services.config.get('console.idleTimeoutSec') * 1000;
    this.#editor = new LineEditor((text) => this.#send(text));
    for (const c of [...builtinCommands(), ...this.#sessionCommands()]) this.#builtins.register(c);
    const clash = this.#registry.list().find((c) => this.#builtins.get(c.name) !== undefined);
    if (clash) throw new Error(`console command "${clash.name}" is built in: register it under another name`);
  }

  /** The idle time after which a signed-in user is signed out, in milliseconds. */
  get idleTimeoutMs(): number {
    return this.#idleMs;
  }

  /** Starts serving the line; resolves when the console stops (close() or the line went away). */
  start(): Promise<void> {
    this.#done ??= this.#run();
    return this.#done;
  }

  /** Stops the console (signing out any user) and leaves the link open for its owner to close. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#pending?.reject(new ConsoleCancelled('closed'));
    }
    await this.#done;
  }

  async #run(): Promise<void> {
    this.#unsubscribe.push(
      this.#link.onData((chunk) => this.#input(chunk)),
      this.#link.onClose(() => {
        this.#closed = true;
        this.#pending?.reject(new ConsoleCancelled('closed'));
      }),
    );
    await this.#audit({ type: 'console-open', actor: 'system', detail: { idleTimeoutSec: Math.round(this.#idleMs / 1000) } });
    try {
      while (!this.#closed) {
        try {
          if (!this.#services.users.hasEnabled('admin') || !this.#services.users.hasEnabled('technician')) {
            await this.#firstBoot();
            continue;
          }
          const session = await this.#login();
          if (session) await this.#serve(session);
        } catch (err) {
          if (!(err instanceof ConsoleCancelled)) throw err;
          if (err.why === 'cancel') await this.#print('cancelled\n');
        }
      }
    } catch (err) {
      log.error('console stopped on an internal error', { error: (err as Error).message });
    } finally {
      this.#stopIdle();
      this.#unsubscribe.forEach((u) => u());
      await this.#audit({ type: 'console-close', actor: 'system' }).catch(() => undefined);
    }
  }

  // ---- line input ----

  #input(chunk: Uint8Array): void {
    if (this.#session) this.#armIdle();
    if (!this.#pending) {
      this.#backlog.push(Uint8Array.from(chunk));
      return;
    }
    this.#feed(chunk);
  }

  #feed(chunk: Uint8Array): void {
    const { event, rest } = this.#editor.feed(chunk);
    if (!event) return;
    const pending = this.#pending!;
    this.#pending = undefined;
    if (rest.length) this.#backlog.unshift(Uint8Array.from(rest));
    pending.resolve(event);
  }

  async #ask(prompt: string, options: AskOptions = {}): Promise<string> {
    if (this.#closed) throw new ConsoleCancelled('closed');
    if (this.#idleFired) throw new ConsoleCancelled('idle');
    const event = await new Promise<LineEvent>((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#editor.begin(prompt, options.secret === true);
      while (this.#pending && this.#backlog.length) this.#feed(this.#backlog.shift()!);
    });
    if (event.type === 'cancel') throw new ConsoleCancelled('cancel');
    if (event.type === 'eof') throw new ConsoleCancelled('eof');
    return event.text;
  }

  // ---- output ----

  #send(text: string): void {
    if (this.#closed || !this.#link.isOpen) return;
    this.#link.write(Buffer.from(text, 'utf8')).catch(() => undefined);
  }

  async #print(text: string): Promise<void> {
    const clean = scrubPans(text).replace(/\r?\n/g, '\r\n');
    if (this.#closed || !this.#link.isOpen) return;
    await this.#link.write(Buffer.from(clean, 'utf8')).catch(() => undefined);
  }

  // ---- idle timeout ----

  #armIdle(): void {
    this.#stopIdle();
    this.#idleTimer = setTimeout(() => {
      this.#idleFired = true;
      this.#pending?.reject(new ConsoleCancelled('idle'));
    }, this.#idleMs);
  }

  #stopIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  async #audit(event: AuditEvent): Promise<void> {
    await this.#services.audit.record({ channel: this.#channel, ...event });
  }

  // ---- sign-in ----

  async #askCredentials(label: string): Promise<{ id: string; result: AuthResult }> {
    const id = (await this.#ask(`${label}login: `)).trim();
    const password = await this.#ask('password: ', { secret: true });
    const code = this.#services.users.needsTotp(id) ? (await this.#ask('one-time code: ', { secret: true })).trim() : undefined;
    const result = await this.#services.users.authenticate(id, password, code);
    if (!result.ok) {
      const actor = result.userId ?? 'unknown';
      const shown = id.length > 0 && id.length <= 32 && /^[\x21-\x7e]+$/.test(id) ? id : '(not a user ID)';
      await this.#audit({ type: 'login-failure', actor, subject: shown, outcome: 'failed', detail: { reason: result.reason } });
      if (result.lockedNow) {
        await this.#audit({ type: 'lockout', actor, subject: shown, detail: { seconds: Math.ceil(result.retryAfterMs! / 1000) } });
        await this.#print(`login failed\ntoo many failed attempts: account locked for ${Math.ceil(result.retryAfterMs! / 1000)} s\n`);
      } else if (result.reason === 'locked') {
        await this.#print(`account locked: try again in ${Math.ceil(result.retryAfterMs! / 1000)} s\n`);
      } else {
        await this.#print('login failed\n');
      }
    }
    return { id, result };
  }

  async #login(): Promise<Session | undefined> {
    await this.#print(`\nPOS technician console (${this.#services.config.get('terminal.id') ?? 'terminal ID not set'})\n`);
    const { id, result } = await this.#askCredentials('');
    if (!result.ok) return undefined;
    const role = result.user.role;
    if (!can(role, 'console.login')) {
      await this.#audit({ type: 'login-failure', actor: id, outcome: 'denied', detail: { reason: 'role', role } });
      await this.#print(`login refused: the ${role} role does not use the console\n`);
      return undefined;
    }
    const session = { id, role };
    this.#session = session;
    this.#idleFired = false;
    this.#armIdle();
    try {
      if (result.mustChangePassword) {
        await this.#print(result.expired ? 'your password has expired: choose a new one\n' : 'you must choose a new password\n');
        await this.#newPassword(session, 'own', async (pw) => void (await this.#services.users.changePassword(id, pw)));
      }
    } catch (err) {
      await this.#endSession(session, err instanceof ConsoleCancelled ? err.why : 'password change');
      throw err;
    }
    await this.#audit({ type: 'login', actor: id, outcome: 'ok', detail: { role } });
    await this.#print(`welcome, ${id} (${role}); type "help" for commands\n`);
    return session;
  }

  /** Asks a new password twice until it meets the policy, saves and audits it. */
  async #newPassword(session: Session, whose: 'own' | string, save: (secret: string) => Promise<void>): Promise<void> {
    const io = { ask: (p: string, o?: AskOptions) => this.#ask(p, o), print: (t: string) => this.#print(t.endsWith('\n') ? t : t + '\n') };
    await askNewSecret(io, whose === 'own' ? 'new password' : `new password for ${whose}`, save);
    await this.#audit({ type: 'password-change', actor: session.id, subject: whose === 'own' ? session.id : whose, outcome: 'ok' });
    await this.#print('password changed\n');
  }

  async #firstBoot(): Promise<void> {
    const users = this.#services.users;
    await this.#print('\nFIRST BOOT: this terminal has no administrator or technician yet; there are no default passwords.\n');
    for (const role of ['admin', 'technician'] as const) {
      if (users.hasEnabled(role)) continue;
      await this.#print(`\nset the ${role} credentials\n`);
      let id: string;
      for (;;) {
        id = (await this.#ask(`${role} user ID: `)).trim();
        if (users.get(id) === undefined && /^[a-z][a-z0-9._-]{1,31}$/.test(id)) break;
        await this.#print(users.get(id) ? `"${id}" already exists\n` : 'user ID: 2 to 32 characters, lower-case letters, digits, ".", "-", "_", starting with a letter\n');
      }
      const setup: Session = { id: 'first-boot', role };
      let totp: { secret: string; uri: string } | undefined;
      await this.#newPassword(setup, id, async (password) => {
        totp = (await users.add({ id, role, password })).totp;
      });
      await this.#audit({ type: 'first-boot', actor: 'first-boot', subject: id, outcome: 'ok', detail: { role } });
      if (totp) await this.#print(`enrol this TOTP secret in ${id}'s authenticator app now (it is shown once):\n  secret ${totp.secret}\n  ${totp.uri}\n`);
    }
  }

  async #endSession(session: Session, reason: string): Promise<void> {
    this.#stopIdle();
    this.#session = undefined;
    this.#idleFired = false;
    await this.#audit({ type: 'logout', actor: session.id, detail: { reason } });
  }

  // ---- commands ----

  #find(name: string): ConsoleCommand | undefined {
    return this.#builtins.get(name) ?? this.#registry.get(name);
  }

  #allCommands(): ConsoleCommand[] {
    return [...this.#builtins.list(), ...this.#registry.list()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async #serve(session: Session): Promise<void> {
    const tid = this.#services.config.get('terminal.id');
    this.#endReason = undefined;
    try {
      while (!this.#closed && this.#endReason === undefined) {
        let line: string;
        try {
          line = await this.#ask(`${session.id}@${tid ?? 'pos'}> `);
        } catch (err) {
          // Ctrl-C drops the line being typed; the session stays.
          if (err instanceof ConsoleCancelled && err.why === 'cancel') continue;
          throw err;
        }
        await this.#execute(session, line);
        if (this.#idleFired) throw new ConsoleCancelled('idle');
      }
      await this.#endSession(session, this.#endReason ?? 'closed');
      if (this.#endReason !== undefined) await this.#print('logged out\n');
    } catch (err) {
      if (!(err instanceof ConsoleCancelled) || err.why === 'cancel') throw err;
      if (err.why === 'idle') await this.#print(`\nidle for ${Math.round(this.#idleMs / 1000)} s: logged out\n`);
      if (err.why === 'eof') await this.#print('logged out\n');
      await this.#endSession(session, err.why === 'idle' ? 'idle timeout' : err.why);
    }
  }

  async #execute(session: Session, line: string): Promise<void> {
    let words: string[];
    try {
      words = tokenize(line);
    } catch (err) {
      await this.#print(`error: ${(err as Error).message}\n`);
      return;
    }
    if (words.length === 0) return;
    const [name, ...args] = words as [string, ...string[]];
    const command = this.#find(name);
    if (!command) {
      await this.#print(`unknown command "${name.slice(0, 40)}": type "help" for the list\n`);
      return;
    }
    const action = requiredAction(command, args);
    if (action !== undefined && !can(session.role, action)) {
      await this.#audit({ type: 'permission-denied', actor: session.id, subject: name, outcome: 'denied', detail: { action } });
      await this.#print(`permission denied: "${name}${args[0] && action !== requiredAction(command, []) ? ' ' + args[0] : ''}" needs the ${action} permission, which the ${session.role} role does not have\n`);
      return;
    }
    try {
      await command.run(this.#context(session), args);
    } catch (err) {
      if (err instanceof ConsoleCancelled) {
        if (err.why !== 'cancel') throw err;
        await this.#print('cancelled\n');
      } else if (err instanceof ConsoleUsageError) {
        await this.#print(`error: ${err.message}\nusage: ${command.usage.split('\n')[0]}\n(type "help ${name}" for details)\n`);
      } else if (err instanceof ConsoleCommandError) {
        await this.#print(`error: ${err.message}\n`);
      } else {
        const shown = describe(err);
        if (shown === undefined) log.error('console command failed', { command: name, error: (err as Error).message });
        await this.#print(`error: ${shown ?? 'internal error (see the log)'}\n`);
      }
    }
  }

  #context(session: Session): CommandContext {
    return {
      user: session,
      services: this.#services,
      channel: this.#channel,
      print: (text) => this.#print(text.endsWith('\n') ? text : text + '\n'),
      ask: (prompt, options) => this.#ask(prompt, options),
      confirm: async (prompt, expected) => (await this.#ask(prompt)).trim() === expected,
      audit: (event) => this.#audit({ actor: session.id, ...event }),
      signInOther: async (purpose) => {
        await this.#print(`${purpose}: sign in\n`);
        return (await this.#askCredentials(`${purpose} `)).result;
      },
      endSession: (reason) => {
        this.#endReason = reason;
      },
    };
  }

  /** help, whoami, logout: they need the session and the command list. */
  #sessionCommands(): ConsoleCommand[] {
    return [
      {
        name: 'help',
        summary: 'list commands, or show how to use one',
        usage: 'help [COMMAND]',
        run: async (ctx, args) => {
          if (args.length > 1) throw new ConsoleUsageError(`help takes at most one command name, got ${args.length} words`);
          if (args.length === 1) {
            const c = this.#find(args[0]!);
            if (!c) throw new ConsoleCommandError(`no command "${args[0]!.slice(0, 40)}": type "help" for the list`);
            await ctx.print(`${c.name}: ${c.summary}\nusage: ${c.usage}`);
            return;
          }
          const rows = this.#allCommands().map((c) => {
            const a = requiredAction(c, []);
            const allowed = a === undefined || can(ctx.user.role, a) || typeof c.action === 'function';
            return `  ${c.name.padEnd(14)} ${c.summary}${allowed ? '' : ' (not for your role)'}`;
          });
          await ctx.print(`commands:\n${rows.join('\n')}\nType "help COMMAND" for its usage. Keys: arrows recall history, Ctrl-U erases the line, Ctrl-C cancels.`);
        },
      },
      {
        name: 'whoami',
        summary: 'show who is signed in and what the role allows',
        usage: 'whoami',
        run: async (ctx, args) => {
          if (args.length) throw new ConsoleUsageError('whoami takes no arguments');
          const totp = TOTP_ROLES.includes(ctx.user.role) ? ', password + TOTP' : '';
          await ctx.print(`${ctx.user.id} (${ctx.user.role}${totp}) on ${this.#link.path}\npermissions: ${PERMISSIONS[ctx.user.role].join(', ')}`);
        },
      },
      {
        name: 'logout',
        summary: 'sign out',
        usage: 'logout',
        run: async (ctx, args) => {
          if (args.length) throw new ConsoleUsageError('logout takes no arguments');
          ctx.endSession('logout');
        },
      },
    ];
  }
}
