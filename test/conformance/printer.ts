/**
 * Printer role conformance (hal/roles/printer.ts): run against every printer backend that
 * claims the role: the ESC/POS driver with its model on a sim serial pair or a real
 * pseudo-terminal, and a real printer (`make test-hw`), where the fault fixtures are absent
 * and their tests skip.
 */
import type { Test } from 'tap';
import { isPrintError, type Printer, type PrintError, type Receipt } from '../../hal/roles/printer.js';

export interface PrinterFixture {
  printer: Printer;
  /** The text lines the far end printed so far, when the backend can see them (a model can). */
  printedText?: () => string[];
  /** Fault controls, when the backend has them (a model does; a real printer does not). */
  faults?: {
    /** The roll ends after this many more content rows. */
    paperOutAfter(rows: number): void;
    loadPaper(): void;
    setCoverOpen(open: boolean): void;
    setPower(on: boolean): void;
  };
  cleanup(): Promise<void>;
}

export interface PrinterSuiteOptions {
  name: string;
  factory: () => Promise<PrinterFixture>;
}

const receipt = (tag: string, n: number): Receipt => ({
  lines: Array.from({ length: n }, (_, i) => ({ kind: 'text' as const, text: `${tag} line ${i}` })),
});

export async function printError(p: Promise<unknown>): Promise<PrintError> {
  try {
    await p;
  } catch (err) {
    if (isPrintError(err)) return err;
    throw err;
  }
  throw new Error('the job did not fail');
}

function skip(t: Test, f: PrinterFixture): Promise<void> {
  t.pass('skipped: no fault fixtures on this backend');
  return f.cleanup();
}

export function printerConformance(t: Test, { name, factory }: PrinterSuiteOptions): void {
  t.test(`${name}: printer role`, async (t) => {
    t.test('a ready printer reports ready status and passes its self test', async (t) => {
      const f = await factory();
      const s = await f.printer.status();
      t.match(s, { ready: true, online: true, paperOut: false, coverOpen: false, error: false });
      t.ok(f.printer.columns >= 16, 'columns');
      await f.printer.selfTest();
      await f.cleanup();
    });

    t.test('a receipt prints completely, each line once', async (t) => {
      const f = await factory();
      const r = await f.printer.print(receipt('A', 5), { jobId: 'A' });
      t.same(r.progress, { jobId: 'A', state: 'complete', totalLines: 5, startAt: 0, printedLines: 5 });
      t.equal(r.status?.ready, true);
      if (f.printedText) t.same(f.printedText(), ['A line 0', 'A line 1', 'A line 2', 'A line 3', 'A line 4']);
      t.same(await f.printer.job('A'), r.progress, 'job() tells the same');
      t.equal(await f.printer.job('nope'), undefined);
      await f.cleanup();
    });

    t.test('bad input fails the job before anything is printed', async (t) => {
      const f = await factory();
      await t.rejects(f.printer.print({ lines: [{ kind: 'text', text: 'ok' }, { kind: 'text', text: 'bad\x1bd\x09' }] }), { code: 'HAL_INVALID_ARGUMENT', message: /line 1/ });
      await t.rejects(f.printer.print(receipt('X', 2), { startAt: 3 }), { code: 'HAL_INVALID_ARGUMENT' });
      if (f.printedText) t.same(f.printedText(), []);
      await f.cleanup();
    });

    t.test('after close every call rejects with HAL_CLOSED', async (t) => {
      const f = await factory();
      await f.printer.close();
      await t.rejects(f.printer.print(receipt('C', 1)), { code: 'HAL_CLOSED' });
      await t.rejects(f.printer.status(), { code: 'HAL_CLOSED' });
      await f.printer.close();
      await f.cleanup();
    });

    t.test('paper out before the job: rejected, not started, nothing printed', async (t) => {
      const f = await factory();
      if (!f.faults) return skip(t, f);
      f.faults.paperOutAfter(0);
      const e = await printError(f.printer.print(receipt('Q', 3), { jobId: 'Q' }));
      t.equal(e.reason, 'paper-out');
      t.equal(e.code, 'HAL_DEVICE');
      t.same(e.progress, { jobId: 'Q', state: 'not-started', totalLines: 3, startAt: 0, printedLines: 0 });
      if (f.printedText) t.same(f.printedText(), []);
      f.faults.loadPaper();
      await f.printer.print(receipt('Q', 3), { jobId: 'Q' });
      if (f.printedText) t.same(f.printedText(), ['Q line 0', 'Q line 1', 'Q line 2'], 'Q printed once, after the refill');
      await f.cleanup();
    });

    t.test('paper out mid-job: how far it got, then exactly what was printed after the refill', async (t) => {
      const f = await factory();
      if (!f.faults) return skip(t, f);
      f.faults.paperOutAfter(2);
      const e = await printError(f.printer.print(receipt('M', 5), { jobId: 'M' }));
      t.equal(e.reason, 'paper-out');
      t.same(e.progress, { jobId: 'M', state: 'interrupted', totalLines: 5, startAt: 0, printedLines: 2, inDoubtLine: 2 });
      if (f.printedText) t.same(f.printedText(), ['M line 0', 'M line 1']);
      const st = await f.printer.status();
      t.match(st, { paperOut: true, ready: false });

      // Still out of paper: the record cannot settle.
      t.same(await f.printer.job('M'), e.progress);

      f.faults.loadPaper();
      const settled = await f.printer.job('M');
      t.same(settled, { jobId: 'M', state: 'interrupted', totalLines: 5, startAt: 0, printedLines: 3 }, 'the in-doubt line came out on its own');
      // The application finishes the receipt from where it stopped: no line twice, none lost.
      const rest = await f.printer.print(receipt('M', 5), { jobId: 'M2', startAt: settled!.printedLines });
      t.same(rest.progress, { jobId: 'M2', state: 'complete', totalLines: 5, startAt: 3, printedLines: 5 });
      if (f.printedText) t.same(f.printedText(), ['M line 0', 'M line 1', 'M line 2', 'M line 3', 'M line 4']);
      await f.cleanup();
    });

    t.test('a new job settles an interrupted one first', async (t) => {
      const f = await factory();
      if (!f.faults) return skip(t, f);
      f.faults.paperOutAfter(1);
      const e = await printError(f.printer.print(receipt('S', 3), { jobId: 'S' }));
      t.same(e.progress.inDoubtLine, 1);
      f.faults.loadPaper();
      await f.printer.print(receipt('T', 1), { jobId: 'T' });
      t.same(await f.printer.job('S'), { jobId: 'S', state: 'interrupted', totalLines: 3, startAt: 0, printedLines: 2 });
      if (f.printedText) t.same(f.printedText(), ['S line 0', 'S line 1', 'T line 0']);
      await f.cleanup();
    });

    t.test('cover open: rejected with cover-open; closed again: prints', async (t) => {
      const f = await factory();
      if (!f.faults) return skip(t, f);
      f.faults.setCoverOpen(true);
      const e = await printError(f.printer.print(receipt('K', 2), { jobId: 'K' }));
      t.equal(e.reason, 'cover-open');
      t.equal(e.progress.state, 'not-started');
      t.match(await f.printer.status(), { coverOpen: true, online: false });
      await t.rejects(f.printer.selfTest(), { code: 'HAL_DEVICE' });
      f.faults.setCoverOpen(false);
      await f.printer.print(receipt('K', 2), { jobId: 'K' });
      if (f.printedText) t.same(f.printedText(), ['K line 0', 'K line 1']);
      await f.cleanup();
    });

    t.test('printer switched off: no-answer within the time limit (HAL_TIMEOUT)', async (t) => {
      const f = await factory();
      if (!f.faults) return skip(t, f);
      f.faults.setPower(false);
      await t.rejects(f.printer.status(), { code: 'HAL_TIMEOUT' });
      const e = await printError(f.printer.print(receipt('O', 2), { jobId: 'O' }));
      t.equal(e.reason, 'no-answer');
      t.equal(e.code, 'HAL_TIMEOUT');
      t.equal(e.progress.state, 'not-started');
      f.faults.setPower(true);
      await f.printer.print(receipt('O', 2), { jobId: 'O' });
      if (f.printedText) t.same(f.printedText(), ['O line 0', 'O line 1']);
      await f.cleanup();
    });

    t.test('switched off mid-job: interrupted with no-answer', async (t) => {
      const f = await factory();
      if (!f.faults) return skip(t, f);
      if (!f.printedText) return skip(t, f);
      f.faults.paperOutAfter(1);
      const job = printError(f.printer.print(receipt('W', 3), { jobId: 'W' }));
      // Paper runs out after line 0; then the printer is switched off.
      while (f.printedText().length === 0) await new Promise((r) => setTimeout(r, 5));
      f.faults.setPower(false);
      const e = await job;
      t.ok(e.reason === 'no-answer' || e.reason === 'paper-out', `reason ${e.reason}`);
      t.equal(e.progress.state, 'interrupted');
      t.equal(e.progress.printedLines, 1);
      await f.cleanup();
    });
  });
}
