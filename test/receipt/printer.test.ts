// ReceiptPrinter on the real ESC/POS driver and the sim printer model: copies in order,
// every printer failure as a PrintError with its reason, and a retry after the fault that
// leaves the whole receipt on paper exactly once (hal/roles/printer.ts delivery rules;
// product.md 3.2: no duplicate prints after a paper refill).
import t, { type Test } from 'tap';
import type { PrintError, Receipt } from '../../hal/roles/printer.js';
import { printError } from '../conformance/printer.js';
import { ReceiptPrinter, type ReceiptPrintResult } from '../../src/receipt/printer.js';
import { summarise } from '../../src/journal/totals.js';
import type { AppServices } from '../../src/app/services.js';
import { rig, sale, type Rig } from './rig.js';

const textsOf = (receipt: Receipt): string[] => receipt.lines.flatMap((l) => (l.kind === 'text' ? [l.text] : []));

/** Calls `act` once, right after the model has executed something that makes `when` true. */
function onPrinted(r: Rig, when: () => boolean, act: () => void): void {
  let done = false;
  // Registered after the model's own listener: runs once the chunk has been executed.
  r.device.onData(() => {
    if (!done && when()) {
      done = true;
      act();
    }
  });
}

/** Prints, expects a PrintError for `reason`, clears the fault, prints again. */
async function failThenRetry(t: Test, rp: ReceiptPrinter, copy: 'merchant' | 'customer', reason: string, clear: () => void): Promise<{ e: PrintError; done: ReceiptPrintResult }> {
  const e = await printError(rp.print(sale(), copy));
  t.equal(e.reason, reason);
  clear();
  return { e, done: await rp.print(sale(), copy) };
}

t.test('merchant copy, then customer copy; an original copy prints once, a reprint says so', async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({ printer: r.printer });
  const merchant = await rp.print(sale(), 'merchant');
  t.equal(merchant.outcome, 'printed');
  t.equal(merchant.progress?.state, 'complete');
  const customer = await rp.print(sale(), 'customer');
  t.same(r.lines(), [...textsOf(merchant.receipt), ...textsOf(customer.receipt)], 'both copies, merchant first');
  const before = r.model.items().length;
  t.equal((await rp.print(sale(), 'merchant')).outcome, 'already-printed');
  t.equal(r.model.items().length, before, 'nothing printed again');
  const again = await rp.print(sale(), 'merchant', { reprint: true });
  t.equal(again.outcome, 'printed');
  t.ok(textsOf(again.receipt).some((l) => /REPRINT/.test(l)) && r.lines().slice(-12).some((l) => /DUPLICATE/.test(l)), 'the reprint is marked');
  await r.close();
  t.same(r.model.errors, []);
});

t.test('paper out mid-receipt: PrintError paper-out; after the refill the whole receipt prints once', async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({ printer: r.printer });
  r.model.runOutAfter(5);
  const e = await printError(rp.print(sale(), 'merchant'));
  t.equal(e.reason, 'paper-out');
  t.match(e.progress, { state: 'interrupted', printedLines: 5, inDoubtLine: 5 });
  t.equal(r.lines().length, 5);

  const still = await printError(rp.print(sale(), 'merchant'));
  t.equal(still.reason, 'paper-out', 'retry before the refill: still paper-out');
  t.equal(still.progress.state, 'not-started');
  t.equal(r.lines().length, 5, 'nothing more printed');

  r.model.loadPaper();
  const done = await rp.print(sale(), 'merchant');
  t.equal(done.outcome, 'printed');
  const whole = textsOf(done.receipt);
  const paper = r.lines();
  // Old roll: lines 0-4; new roll: line 5 (it waited in the printer's buffer), then the whole receipt.
  t.same(paper.slice(6), whole, 'the whole receipt after the refill');
  t.equal(paper.filter((l) => l === 'APPROVED').length, 1, 'APPROVED once');
  t.equal(paper.filter((l) => l === 'MERCHANT COPY').length, 1, 'one merchant copy');
  t.equal((await rp.print(sale(), 'merchant')).outcome, 'already-printed', 'asking again prints nothing');
  await r.close();
  t.same(r.model.errors, []);
});

t.test('paper out at the last printed line: the retry only feeds and cuts', async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({ printer: r.printer });
  const lines = textsOf((await import('../../src/receipt/format.js')).formatReceipt(sale(), 'customer', 'en', { columns: 32 }));
  r.model.runOutAfter(lines.length - 1);
  const { done } = await failThenRetry(t, rp, 'customer', 'paper-out', () => r.model.loadPaper());
  t.equal(done.outcome, 'printed');
  t.same(r.lines(), lines, 'every line exactly once');
  t.equal(done.progress?.startAt, done.receipt.lines.length - 2, 'only the feed and the cut were left');
  t.equal(r.model.items().filter((i) => i.kind === 'cut').length, 1, 'one cut');
  await r.close();
});

t.test('cover opened mid-receipt: PrintError cover-open; closed again, the rest prints', async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({ printer: r.printer });
  onPrinted(r, () => r.lines().length >= 10, () => r.model.setCoverOpen(true));
  const { e, done } = await failThenRetry(t, rp, 'merchant', 'cover-open', () => r.model.setCoverOpen(false));
  t.equal(e.progress.state, 'interrupted');
  t.equal(done.outcome, 'printed');
  t.same(r.lines(), textsOf(done.receipt), 'continuous paper: every line exactly once');
  await r.close();
  t.same(r.model.errors, []);
});

t.test('cover opened before the cut: the receipt completes by itself, the retry prints nothing', async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({ printer: r.printer });
  const expected = textsOf((await import('../../src/receipt/format.js')).formatReceipt(sale(), 'merchant', 'en', { columns: 32 }));
  onPrinted(
    r,
    () => r.lines().length === expected.length && r.model.items().at(-1)?.kind === 'feed',
    () => r.model.setCoverOpen(true),
  );
  const { e, done: retry } = await failThenRetry(t, rp, 'merchant', 'cover-open', () => r.model.setCoverOpen(false));
  t.equal(e.progress.inDoubtLine, e.progress.totalLines - 1, 'the cut waits in the printer');
  t.equal(retry.outcome, 'completed-earlier');
  t.same(r.lines(), expected);
  t.equal(r.model.items().filter((i) => i.kind === 'cut').length, 1, 'one cut');
  await r.close();
});

t.test('a printer that is off or closed: PrintError no-answer / offline, nothing printed', async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({ printer: r.printer });
  r.model.setPower(false);
  const off = await printError(rp.print(sale(), 'merchant'));
  t.equal(off.reason, 'no-answer');
  t.equal(off.progress.state, 'not-started');
  r.model.setPower(true);
  await r.printer.close();
  const closed = await printError(rp.print(sale(), 'merchant'));
  t.equal(closed.reason, 'offline');
  t.equal(closed.code, 'HAL_DEVICE');
  t.equal(closed.progress.state, 'not-started');
  t.same(r.lines(), []);
});

t.test('reports and the configured language', async (t) => {
  const r = await rig();
  let lang: 'en' | 'zh' = 'zh';
  const rp = new ReceiptPrinter({ printer: r.printer, language: () => lang });
  await rp.print(sale(), 'merchant');
  t.ok(r.lines().includes('商户存根'), 'Chinese by configuration');
  lang = 'en';
  const totals = summarise({ batch: 3, rows: { 'CNY|visa|sale': { count: 2, amount: 2500 } } });
  const x = await rp.printReport('x', totals, { merchant: sale().merchant, at: '2026-11-28T20:00:00' });
  t.equal(x.outcome, 'printed');
  t.ok(r.lines().includes('X REPORT'));
  t.equal((await rp.printReport('x', totals, { merchant: sale().merchant, at: '2026-11-28T20:01:00' })).outcome, 'printed', 'an X report prints whenever asked');
  await t.rejects(rp.printReport('z', totals), { code: 'RECEIPT_DATA' }, 'no heading at all: a clear error');
  await r.close();
});

t.test("as the application's services: print(data, copy, {reprint}) and printReport(kind, totals)", async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({
    printer: r.printer,
    reportMeta: (kind) => ({ merchant: sale().merchant, at: '2026-11-28T21:00:00', ...(kind === 'z' ? { settle: { status: 'in-balance', batch: 3, responseCode: '00', uploaded: 0, totals: { batch: 3, byCurrency: {} } } } : {}) }),
  });
  const services: Pick<AppServices, 'receipts' | 'reports'> = rp.forApp();
  await services.receipts.print(sale(), 'merchant', { reprint: false });
  await services.reports.printReport('z', summarise({ batch: 3, rows: {} }));
  t.ok(r.lines().includes('MERCHANT COPY'));
  t.ok(r.lines().includes('Z REPORT') && r.lines().includes('SETTLED - IN BALANCE'), 'the Z report with the heading the wiring gives');
  await r.close();
});
