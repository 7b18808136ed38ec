/** `pos report x|z`: batch totals from the journal's running totals (X: the open batch; Z: the last closed one). */
import { CommandError, flag, printJson, UsageError, type Command } from './command.js';
import { ConfigStore } from '../config/store.js';
import { isConfigError } from '../config/errors.js';
import { CURRENCIES } from '../config/keys/merchant.js';
import type { BatchTotals } from '../journal/index.js';
import { DATA_HELP, dataOptions, withJournal } from './journal.js';

function money(amount: number, currency: string): string {
  const exp = (CURRENCIES as Record<string, { exponent: number } | undefined>)[currency]?.exponent ?? 2;
  const sign = amount < 0 ? '-' : '';
  const abs = String(Math.abs(amount)).padStart(exp + 1, '0');
  return `${sign}${abs.slice(0, abs.length - exp)}${exp > 0 ? '.' + abs.slice(abs.length - exp) : ''} ${currency}`;
}

/** The X or Z report as text (people read it on the console). */
export function reportText(kind: string, t: BatchTotals): string {
  const lines = [`${kind.toUpperCase()} report, batch ${t.batch}`];
  const currencies = Object.entries(t.byCurrency);
  if (currencies.length === 0) lines.push('  no transactions');
  for (const [cur, c] of currencies) {
    lines.push(`  ${cur}: ${c.count} transactions, net ${money(c.net, cur)}${c.fee !== undefined ? `, fee ${money(c.fee, cur)}` : ''}`);
    for (const [type, v] of Object.entries(c.byType)) lines.push(`    ${type.padEnd(15)} ${String(v.count).padStart(6)}  ${money(v.amount, cur)}`);
    for (const [scheme, s] of Object.entries(c.byScheme)) {
      lines.push(`    ${scheme.padEnd(15)} ${String(s.count).padStart(6)}  net ${money(s.net, cur)}${s.fee !== undefined ? `  fee ${money(s.fee, cur)} (${s.mdrPercent} %)` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

const report: Command = {
  summary: 'print the batch totals: x (the open batch, running) or z (the last closed batch)',
  usage: `pos report x|z [--data DIR] [--json]\n\n${DATA_HELP}
Counts and amounts (integer minor units in --json) per currency, scheme and transaction
type, and the merchant fee per scheme from fees.mdrPercent (rounded half away from zero to
a whole minor unit). --json prints {report, batch, byCurrency: {CUR: {count, net, fee,
byType: {TYPE: {count, amount}}, byScheme: {SCHEME: {count, net, mdrPercent, fee, byType}}}}}.`,
  options: dataOptions,
  async run(args, io) {
    const kind = args.positionals[0];
    if (args.positionals.length !== 1 || (kind !== 'x' && kind !== 'z')) throw new UsageError('expected x or z');
    const totals = await withJournal(args, async (journal, dataDir) => {
      let rates: Readonly<Record<string, number>> = {};
      try {
        rates = (await ConfigStore.open(dataDir)).get('fees.mdrPercent');
      } catch (err) {
        if (isConfigError(err)) throw new CommandError(`${err.code}: ${err.message}`);
        throw err;
      }
      const batch = kind === 'x' ? (journal.openBatch ?? journal.lastClosedBatch) : journal.lastClosedBatch;
      if (batch === undefined) throw new CommandError(kind === 'x' ? 'no batch in the journal yet' : 'no closed batch in the journal yet');
      return journal.totals(batch, rates);
    });
    if (flag(args, 'json')) printJson(io, { report: kind, ...totals });
    else io.out(reportText(kind, totals));
    return 0;
  },
};

export default report;
