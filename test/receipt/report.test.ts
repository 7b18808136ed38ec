// X and Z reports printed through the driver into the printer model and read back: the
// printed counts and amounts are the batch totals (product.md 1.6: per scheme and currency,
// DR/CR, count, net), with the merchant fee per scheme, currencies never added together.
// Expected figures are worked by hand below from the rows, not taken from the code.
import t from 'tap';
import { summarise, type BatchTotals } from '../../src/journal/totals.js';
import { formatReport, type ReportMeta } from '../../src/receipt/report.js';
import type { SettleResult } from '../../src/settle/types.js';
import { rig } from './rig.js';

const ROWS = {
  'CNY|visa|sale': { count: 3, amount: 30000 },
  'CNY|visa|refund': { count: 1, amount: 5000 },
  'CNY|unionpay|sale': { count: 2, amount: 20000 },
  'CNY|unionpay|void': { count: 1, amount: 1000 },
  'CNY|unionpay|preauth': { count: 1, amount: 7000 },
  'USD|mastercard|sale': { count: 1, amount: 1234 },
};
const totals: BatchTotals = summarise({ batch: 12, rows: ROWS }, { visa: 0.6, unionpay: 0.38 });
const meta: ReportMeta = { merchant: { name: 'ACME CAFE', merchantId: '123456789012345', terminalId: 'T0000042' }, at: '2026-11-28T18:00:00+08:00', operator: 'super1' };

async function printed(kind: 'x' | 'z', bt: BatchTotals, m: ReportMeta, lang: 'en' | 'zh' = 'en'): Promise<string[]> {
  const r = await rig();
  await r.printer.print(formatReport(kind, bt, m, lang, { columns: r.printer.columns }));
  await r.close();
  t.same(r.model.errors, []);
  return r.lines();
}

/** The printed lines between a heading and the next heading/rule, as { label: [count, amount] }. */
function section(lines: string[], heading: RegExp): Record<string, [number | undefined, string]> {
  const start = lines.findIndex((l) => heading.test(l));
  const out: Record<string, [number | undefined, string]> = {};
  for (const l of lines.slice(start + 1)) {
    const m = /^ (\S.*?)\s{2,}(?:(\d+)\s+)?(-?\d+\.\d{2})$/.exec(l) ?? /^ (\S.*?)\s+(?:(\d+)\s+)?(-?\d+\.\d{2})$/.exec(l);
    if (!m) break;
    out[m[1]!] = [m[2] === undefined ? undefined : Number(m[2]), m[3]!];
  }
  return out;
}

t.test('X report: the open batch per currency and scheme', async (t) => {
  const lines = await printed('x', totals, meta);
  t.ok(lines.some((l) => /X REPORT/.test(l)));
  t.ok(lines.some((l) => /RUNNING TOTALS - BATCH OPEN/.test(l)));
  t.ok(lines.some((l) => /BATCH\s+000012$/.test(l)));
  // Visa CNY: 3 sales 300.00, 1 refund 50.00 (printed negative); net 4 txns 250.00; MDR 0.6% of 250.00 = 1.50.
  t.same(section(lines, /^VISA$/), { SALE: [3, '300.00'], REFUND: [1, '-50.00'], NET: [4, '250.00'], 'MDR FEE 0.6%': [undefined, '1.50'] });
  // UnionPay CNY: 2 sales 200.00, 1 void 10.00; a pre-auth moves no money (not in net);
  // net 3 txns 190.00; MDR 0.38% of 190.00 = 0.722 -> 0.72.
  t.same(section(lines, /^UNIONPAY$/), { SALE: [2, '200.00'], VOID: [1, '-10.00'], 'PRE-AUTH': [1, '70.00'], NET: [3, '190.00'], 'MDR FEE 0.38%': [undefined, '0.72'] });
  // CNY over all schemes: sales 5 / 500.00; net 250.00 + 190.00 = 440.00 over 7 txns; fees 1.50 + 0.72 = 2.22.
  t.same(section(lines, /^TOTAL CNY$/), { SALE: [5, '500.00'], REFUND: [1, '-50.00'], VOID: [1, '-10.00'], 'PRE-AUTH': [1, '70.00'], NET: [7, '440.00'], 'MDR FEE': [undefined, '2.22'] });
  // USD stays apart: no rate configured for Mastercard, so no fee line.
  t.same(section(lines, /^TOTAL USD$/), { SALE: [1, '12.34'], NET: [1, '12.34'] });
  t.ok(lines.every((l) => l.length <= 32), 'fits 58 mm paper');

  // The sums printed agree with each other: scheme nets add up to the currency net.
  const cny = ['VISA', 'UNIONPAY'].map((s) => Number(section(lines, new RegExp(`^${s}$`)).NET![1]));
  t.equal(cny.reduce((a, b) => a + b, 0).toFixed(2), section(lines, /^TOTAL CNY$/).NET![1]);
});

t.test('Z report: the batch closed and how settlement went', async (t) => {
  const settled: SettleResult = { status: 'balanced-after-upload', batch: 12, responseCode: '00', uploaded: 9, totals };
  const z = await printed('z', totals, { ...meta, settle: settled });
  t.ok(z.some((l) => /Z REPORT/.test(l)));
  t.ok(z.some((l) => /BATCH CLOSED/.test(l)));
  t.ok(z.some((l) => /SETTLED AFTER BATCH UPLOAD/.test(l)));
  t.ok(z.some((l) => /UPLOADED 9/.test(l)));
  t.same(section(z, /^TOTAL CNY$/).NET, [7, '440.00']);

  const failed = await printed('z', totals, { ...meta, settle: { status: 'refused', batch: 12, responseCode: '96', uploaded: 0, totals } });
  t.ok(failed.some((l) => /BATCH NOT CLOSED/.test(l)), 'a refused settlement leaves the batch open');
  t.ok(failed.some((l) => /REFUSED BY HOST/.test(l)));
  t.ok(failed.some((l) => /^\s*96 SYSTEM MALFUNCTION/.test(l)), 'with the field 39 text (ISO 8583 96: system malfunction)');

  const empty = await printed('z', { batch: 13, byCurrency: {} }, { ...meta, settle: { status: 'empty', batch: 13, uploaded: 0, totals: { batch: 13, byCurrency: {} } } });
  t.ok(empty.some((l) => /NO TRANSACTIONS/.test(l)));
  t.ok(empty.some((l) => /SETTLED - EMPTY BATCH/.test(l)));
});

t.test('Chinese report in GB18030', async (t) => {
  const lines = await printed('x', totals, meta, 'zh');
  for (const re of [/X 报表/, /当前批次累计/, /^银联$/, /^ 消费\s+2\s+200\.00$/, /^ 消费撤销\s+1\s+-10\.00$/, /^ 净额\s+3\s+190\.00$/, /^合计 CNY$/, /手续费/]) t.ok(lines.some((l) => re.test(l)), String(re));
});

t.test('training reports say so', async (t) => {
  const lines = await printed('x', totals, { ...meta, training: true });
  t.equal(lines.filter((l) => l.includes('TRAINING - NOT A TRANSACTION')).length, 2);
});

t.test('for any batch, every printed row is the batch totals row it stands for (random totals)', async (t) => {
  const { default: fc } = await import('fast-check');
  const { messages } = await import('../../src/receipt/messages/index.js');
  const m = messages('en');
  const TYPES = ['sale', 'refund', 'void', 'completion', 'preauth'] as const;
  const SIGN: Record<string, number> = { sale: 1, completion: 1, refund: -1, void: -1, preauth: 0 };
  const key = fc.tuple(fc.constantFrom('CNY', 'USD', 'EUR'), fc.constantFrom('visa', 'mastercard', 'unionpay'), fc.constantFrom(...TYPES)).map((k) => k.join('|'));
  const rows = fc.dictionary(key, fc.record({ count: fc.integer({ min: 1, max: 9999 }), amount: fc.integer({ min: 1, max: 99_999_999_99 }) }));
  const toMinor = (s: string): number => Number(s.replace('.', ''));
  fc.assert(
    fc.property(rows, (r) => {
      const lines = formatReport('x', summarise({ batch: 1, rows: r }), meta, 'en', { columns: 32 }).lines.flatMap((l) => (l.kind === 'text' ? [l.text] : []));
      // Walk the report: currency heading, scheme heading, then " TYPE count amount" rows.
      let currency = '';
      let scheme = '';
      const seen: Record<string, { count: number; amount: number }> = {};
      const net: Record<string, number> = {};
      for (const line of lines) {
        if (/^(CNY|USD|EUR)$/.test(line)) currency = line;
        else if (/^(VISA|MASTERCARD|UNIONPAY)$/.test(line)) scheme = line.toLowerCase();
        else if (line.startsWith(`${m.total} `)) scheme = '';
        const row = /^ (.+?)\s+(\d+)\s+(-?\d+\.\d{2})$/.exec(line);
        if (!row || !scheme) continue;
        const type = TYPES.find((x) => m.txnType[x] === row[1]);
        if (type) seen[`${currency}|${scheme}|${type}`] = { count: Number(row[2]), amount: Math.abs(toMinor(row[3]!)) };
        if (row[1] === m.net) net[`${currency}|${scheme}`] = toMinor(row[3]!);
      }
      if (JSON.stringify(Object.keys(seen).sort()) !== JSON.stringify(Object.keys(r).sort())) return false;
      if (!Object.entries(r).every(([k, v]) => seen[k]!.count === v.count && seen[k]!.amount === v.amount)) return false;
      // Each scheme's printed net: its sales and completions minus refunds and voids.
      return Object.entries(net).every(([cs, n]) => n === Object.entries(r).filter(([k]) => k.startsWith(`${cs}|`)).reduce((a, [k, v]) => a + SIGN[k.split('|')[2]!]! * v.amount, 0));
    }),
  );
  t.pass('printed rows are the totals');
});
