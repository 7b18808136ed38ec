/** `user list|add|disable|enable|reset-password|set-role|passwd`: the terminal's users. */
import { isRole, PIN_ROLES, ROLES, type Role } from '../../users/roles.js';
import { checkUserId, type TotpEnrolment } from '../../users/user-store.js';
import { ConsoleCommandError, ConsoleUsageError, type CommandContext, type ConsoleCommand } from '../registry.js';
import { askNewSecret, table } from './prompts.js';

const USAGE = `user list | user add ID ROLE | user disable ID | user enable ID
     | user reset-password ID | user set-role ID ROLE | user passwd
  ROLE is one of ${ROLES.join(', ')}. Passwords and PINs are asked without echo, twice;
  one set for someone else is temporary (changed at their next sign-in). An admin or
  technician gets a TOTP secret to enrol in an authenticator app (shown once).
  passwd changes your own password.`;

function role(text: string | undefined): Role {
  if (!isRole(text)) throw new ConsoleUsageError(`ROLE must be one of ${ROLES.join(', ')}; got "${String(text).slice(0, 20)}"`);
  return text;
}

function needUser(ctx: CommandContext, id: string | undefined, sub: string): string {
  if (id === undefined) throw new ConsoleUsageError(`user ${sub} needs a user ID`);
  if (ctx.services.users.get(id) === undefined) throw new ConsoleCommandError(`no user "${id.slice(0, 40)}" (see "user list")`);
  return id;
}

function arity(args: readonly string[], n: number, sub: string, what: string): void {
  if (args.length !== n) throw new ConsoleUsageError(`user ${sub} takes ${what}; got ${args.length} word${args.length === 1 ? '' : 's'}`);
}

async function showEnrolment(ctx: CommandContext, id: string, totp: TotpEnrolment | undefined): Promise<void> {
  if (totp) await ctx.print(`enrol this TOTP secret in ${id}'s authenticator app now (it is shown once):\n  secret ${totp.secret}\n  ${totp.uri}`);
}

async function askSecretFor(ctx: CommandContext, id: string, r: Role, save: (secret: string) => Promise<void>): Promise<void> {
  await askNewSecret(ctx, PIN_ROLES.includes(r) ? `operator PIN for ${id}` : `temporary password for ${id}`, save);
}

export const userCommand: ConsoleCommand = {
  name: 'user',
  summary: 'list and manage users (add, disable, reset password, role)',
  usage: USAGE,
  action: (args) => (args[0] === 'passwd' ? undefined : 'users.manage'),
  async run(ctx, args) {
    const [sub, ...rest] = args;
    const users = ctx.services.users;
    const audit = (subject: string, detail: Record<string, string | boolean>): Promise<void> =>
      ctx.audit({ type: 'user-change', subject, outcome: 'ok', detail });
    switch (sub) {
      case 'list': {
        arity(rest, 0, 'list', 'no arguments');
        const rows = users.list().map((u) => [
          u.id,
          u.role,
          u.disabled ? 'disabled' : u.locked ? 'locked' : 'enabled',
          u.totp ? 'totp' : '-',
          u.mustChangePassword ? 'must change' : `changed ${u.secretChangedAt.slice(0, 10)}`,
          u.test ? 'TEST' : '',
        ]);
        await ctx.print(table([['ID', 'ROLE', 'STATE', '2FA', 'PASSWORD', ''], ...rows]));
        return;
      }
      case 'add': {
        arity(rest, 2, 'add', 'ID and ROLE');
        const [id, roleText] = rest as [string, string];
        try {
          checkUserId(id);
        } catch (err) {
          throw new ConsoleUsageError((err as Error).message);
        }
        const r = role(roleText);
        if (users.get(id) !== undefined) throw new ConsoleCommandError(`user "${id}" already exists`);
        let totp: TotpEnrolment | undefined;
        await askSecretFor(ctx, id, r, async (secret) => {
          totp = (await users.add({ id, role: r, ...(PIN_ROLES.includes(r) ? { pin: secret } : { password: secret }), mustChange: true })).totp;
        });
        await audit(id, { op: 'add', role: r });
        await ctx.print(`user ${id} added as ${r}`);
        await showEnrolment(ctx, id, totp);
        return;
      }
      case 'disable':
      case 'enable': {
        arity(rest, 1, sub, 'one user ID');
        const id = needUser(ctx, rest[0], sub);
        if (sub === 'disable' && id === ctx.user.id) throw new ConsoleCommandError('you cannot disable your own account');
        await users.setDisabled(id, sub === 'disable');
        await audit(id, { op: sub });
        await ctx.print(`user ${id} ${sub}d`);
        return;
      }
      case 'reset-password': {
        arity(rest, 1, 'reset-password', 'one user ID');
        const id = needUser(ctx, rest[0], 'reset-password');
        await askSecretFor(ctx, id, users.get(id)!.role, async (secret) => void (await users.resetPassword(id, secret)));
        await ctx.audit({ type: 'password-change', subject: id, outcome: 'ok', detail: { op: 'reset', temporary: true } });
        await ctx.print(`${id} must choose a new password at the next sign-in; any lockout is lifted`);
        return;
      }
      case 'set-role': {
        arity(rest, 2, 'set-role', 'ID and ROLE');
        const id = needUser(ctx, rest[0], 'set-role');
        const r = role(rest[1]);
        const current = users.get(id)!.role;
        if (current === r) throw new ConsoleCommandError(`${id} is already ${r}`);
        if (id === ctx.user.id) throw new ConsoleCommandError('you cannot change your own role');
        let result: Awaited<ReturnType<typeof users.setRole>> | undefined;
        if (PIN_ROLES.includes(current) !== PIN_ROLES.includes(r)) {
          await askSecretFor(ctx, id, r, async (secret) => void (result = await users.setRole(id, r, secret)));
        } else result = await users.setRole(id, r);
        await audit(id, { op: 'set-role', from: current, to: r });
        await ctx.print(`${id}: ${current} -> ${r}`);
        await showEnrolment(ctx, id, result!.totp);
        return;
      }
      case 'passwd': {
        arity(rest, 0, 'passwd', 'no arguments');
        const id = ctx.user.id;
        await askNewSecret(ctx, 'new password', async (secret) => void (await users.changePassword(id, secret)));
        await ctx.audit({ type: 'password-change', subject: id, outcome: 'ok', detail: { op: 'own' } });
        await ctx.print('password changed');
        return;
      }
      case undefined:
        throw new ConsoleUsageError('user needs a subcommand: list, add, disable, enable, reset-password, set-role or passwd');
      default:
        throw new ConsoleUsageError(`unknown subcommand "user ${sub.slice(0, 40)}": use list, add, disable, enable, reset-password, set-role or passwd`);
    }
  },
};
