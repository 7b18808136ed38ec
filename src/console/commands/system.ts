/** `diag`, `version`, `payments`, `factory-reset`. */
import { ConsoleCommandError, ConsoleUsageError, type ConsoleCommand } from '../registry.js';
import { table } from './prompts.js';

function noArgs(name: string, args: readonly string[]): void {
  if (args.length) throw new ConsoleUsageError(`${name} takes no arguments; got "${args.join(' ').slice(0, 40)}"`);
}

export const diagCommand: ConsoleCommand = {
  name: 'diag',
  summary: 'run the hardware checks (display, keypad, readers, printer ...)',
  usage: 'diag\n  runs the board\'s checks (as "pos diag" does) and shows one line per device',
  action: 'hardware.diag',
  async run(ctx, args) {
    noArgs('diag', args);
    const diagnostics = ctx.services.diagnostics;
    if (!diagnostics) throw new ConsoleCommandError('this console was started without the board\'s diagnostics');
    const results = await diagnostics.run();
    const failed = results.filter((r) => !r.ok).length;
    await ctx.audit({ type: 'diag-run', outcome: failed ? 'failed' : 'ok', detail: { devices: results.length, failed } });
    if (results.length === 0) {
      await ctx.print('no devices to check');
      return;
    }
    await ctx.print(table([['DEVICE', 'RESULT', 'DETAIL'], ...results.map((r) => [r.device, r.ok ? 'ok' : 'FAIL', r.detail])]));
    await ctx.print(failed ? `${failed} of ${results.length} devices failed` : `all ${results.length} devices ok`);
  },
};

export const versionCommand: ConsoleCommand = {
  name: 'version',
  summary: 'show the software version',
  usage: 'version',
  async run(ctx, args) {
    noArgs('version', args);
    await ctx.print(`pos ${ctx.services.version} (node ${process.versions.node}, ${process.platform}/${process.arch})`);
  },
};

export const paymentsCommand: ConsoleCommand = {
  name: 'payments',
  summary: 'say whether the configuration gives a payment terminal, and what is missing',
  usage: `payments
  builds the EMV terminal configuration from the settings (terminal.id, merchant.id, emv.aids,
  emv.*, limits.*) and the CA keys (capk) as the terminal does at start, and lists what is
  missing; changes take effect when the terminal restarts`,
  action: 'config.read',
  async run(ctx, args) {
    noArgs('payments', args);
    const check = ctx.services.paymentsCheck;
    if (!check) throw new ConsoleCommandError('this console was started without the payment configuration check');
    const r = check();
    await ctx.print(r.ready ? 'ready: the configuration gives a payment terminal' : 'NOT CONFIGURED for payments:');
    for (const m of r.missing) await ctx.print(`  - ${m}`);
    for (const w of r.warnings) await ctx.print(`  warning: ${w}`);
  },
};

export const NO_TERMINAL_ID = 'NO-TERMINAL-ID';

export const factoryResetCommand: ConsoleCommand = {
  name: 'factory-reset',
  summary: 'wipe keys, users and data (asks for the terminal ID)',
  usage: `factory-reset
  wipes every key, user, the configuration and the data folder's records; the audit log
  keeps the reset. Confirm by typing the terminal ID (or ${NO_TERMINAL_ID} when none is set).
  The console then asks for new admin and technician credentials.`,
  action: 'factory-reset',
  async run(ctx, args) {
    noArgs('factory-reset', args);
    const tid = ctx.services.config.get('terminal.id') ?? NO_TERMINAL_ID;
    await ctx.print('FACTORY RESET: every key, user, setting and stored record on this terminal will be erased.');
    if (!(await ctx.confirm(`type the terminal ID (${tid}) to confirm: `, tid))) {
      await ctx.print('not confirmed: nothing was erased');
      return;
    }
    // Audited before the wipe: if the record cannot be written, nothing is erased.
    await ctx.audit({ type: 'factory-reset', subject: tid, outcome: 'ok' });
    await ctx.services.factoryReset();
    await ctx.print('factory reset done: keys, users and data erased');
    ctx.endSession('factory reset');
  },
};
