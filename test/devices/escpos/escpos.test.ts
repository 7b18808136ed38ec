// The ESC/POS driver against the printer model on a sim serial pair: the Printer role
// conformance suite, receipts (English and Chinese) parsed back by the model into the
// same structured receipt, the charset set-up a Chinese printer needs (hardware.md risk
// 12), XON/XOFF on the status line (7.6), and opening a printer that does not answer.
import t from 'tap';
import { EscPosPrinter } from '../../../hal/devices/escpos/escpos.js';
import { EscPosPrinterModel, type EscPosModelOptions, type PrintedItem } from '../../../hal/devices/escpos/escpos.sim.js';
import type { EscPosProps } from '../../../hal/devices/escpos/binding.js';
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import type { Receipt } from '../../../hal/roles/printer.js';
import { printerConformance } from '../../conformance/printer.js';
import { modelFixture } from './model-fixture.js';
import { until } from '../../until.js';

// The model answers every request it gets: the time limits only bound a hang, so they are
// the largest the props allow (a busy host must not turn a late answer into a failure).
// Tests of a limit running out set a short one where no answer can ever come.
const PATIENT = { statusTimeoutMs: 10_000, lineTimeoutMs: 20_000 } as const;
// Where the printer is switched off, a status limit has to run out: 2 s (four times the
// product default) keeps that short and stays far above the stalls of a busy host.
const OFF_STATUS_MS = 2000;

async function rig(model: EscPosModelOptions = {}, props: Partial<EscPosProps> = {}, lineRateBaud?: number): Promise<{ printer: EscPosPrinter; model: EscPosPrinterModel }> {
  const { driver, device } = createSimSerialPair({ name: 'ttyPrinter', lineRateBaud });
  const m = await EscPosPrinterModel.attach(device, model);
  const printer = await EscPosPrinter.open({ link: driver, ...PATIENT, ...props });
  return { printer, model: m };
}

printerConformance(t, {
  name: 'escpos on a sim serial pair',
  factory: async () => {
    // The suite switches the printer off and waits for the status limit to run out.
    const { printer, model } = await rig({}, { statusTimeoutMs: OFF_STATUS_MS });
    return modelFixture(model, printer, async () => {
      await printer.close();
      t.same(model.errors, [], 'the model saw no bad command');
    });
  },
});

const english: Receipt = {
  lines: [
    { kind: 'text', text: 'ACME CAFE', style: { align: 'center', bold: true, doubleWidth: true, doubleHeight: true } },
    { kind: 'text', text: '1 Main St {Zone 2}', style: { align: 'center' } },
    { kind: 'feed', lines: 1 },
    { kind: 'text', text: 'SALE          EUR 12.34' },
    { kind: 'text', text: 'Card 476173******0119', style: { underline: 1 } },
    { kind: 'text', text: 'APPROVED', style: { align: 'right', bold: true, doubleHeight: true } },
    { kind: 'qr', data: 'https://example.com/r?id=42&x={1}', moduleSize: 5, errorCorrection: 'Q' },
    { kind: 'barcode', symbology: 'CODE128', data: '20261128000042', codeSet: 'C', hri: 'below', height: 60 },
    { kind: 'barcode', symbology: 'CODE128', data: 'Ref{7}', moduleWidth: 3, hri: 'above', align: 'left' },
    { kind: 'cut', partial: true },
  ],
};

const plain = { bold: false, underline: 0 as const, width: 1, height: 1 };
const englishPrinted: PrintedItem[] = [
  { kind: 'text', text: 'ACME CAFE', align: 'center', spans: [{ text: 'ACME CAFE', bold: true, underline: 0, width: 2, height: 2 }] },
  { kind: 'text', text: '1 Main St {Zone 2}', align: 'center', spans: [{ text: '1 Main St {Zone 2}', ...plain }] },
  { kind: 'feed', lines: 1 },
  { kind: 'text', text: 'SALE          EUR 12.34', align: 'left', spans: [{ text: 'SALE          EUR 12.34', ...plain }] },
  { kind: 'text', text: 'Card 476173******0119', align: 'left', spans: [{ text: 'Card 476173******0119', ...plain, underline: 1 }] },
  { kind: 'text', text: 'APPROVED', align: 'right', spans: [{ text: 'APPROVED', ...plain, bold: true, height: 2 }] },
  { kind: 'qr', data: 'https://example.com/r?id=42&x={1}', model: 2, moduleSize: 5, errorCorrection: 'Q', align: 'center' },
  { kind: 'barcode', symbology: 'CODE128', data: '20261128000042', codeSet: 'C', height: 60, moduleWidth: 2, hri: 'below', align: 'center' },
  { kind: 'barcode', symbology: 'CODE128', data: 'Ref{7}', codeSet: 'B', height: 80, moduleWidth: 3, hri: 'above', align: 'left' },
  { kind: 'cut', partial: true },
];

t.test('an English receipt round-trips through the model', async (t) => {
  const { printer, model } = await rig({ columns: 32 });
  const r = await printer.print(english, { jobId: 'en' });
  t.equal(r.progress.state, 'complete');
  t.same(model.errors, []);
  t.same(model.items(), englishPrinted);
  t.match(model.text(), /ACME CAFE|A C M E/);
  await printer.close();
});

const chinese: Receipt = {
  lines: [
    { kind: 'text', text: '签购单', style: { align: 'center', bold: true, doubleWidth: true, doubleHeight: true } },
    { kind: 'text', text: '商户名称: 示例咖啡店' },
    { kind: 'text', text: '交易类型: 消费 SALE' },
    { kind: 'text', text: '金额 AMT: RMB 88.00 ¥ €' },
    { kind: 'qr', data: '银联二维码 https://qr.95516.com/00010000/123', errorCorrection: 'M' },
    { kind: 'text', text: '持卡人签名', style: { align: 'right', underline: 2 } },
    { kind: 'cut' },
  ],
};

for (const startInHanziMode of [false, true]) {
  t.test(`a Chinese receipt (GB18030) round-trips, printer ${startInHanziMode ? 'starting in' : 'not in'} Hanzi mode`, async (t) => {
    const { printer, model } = await rig({ startInHanziMode }, { charset: 'gb18030' });
    await printer.print(chinese, { jobId: 'zh' });
    t.same(model.errors, []);
    const items = model.items();
    t.same(items.map((i) => (i.kind === 'text' ? i.text : i.kind === 'qr' ? `QR:${i.data}` : i.kind)), [
      '签购单',
      '商户名称: 示例咖啡店',
      '交易类型: 消费 SALE',
      '金额 AMT: RMB 88.00 ¥ €',
      'QR:银联二维码 https://qr.95516.com/00010000/123',
      '持卡人签名',
      'cut',
    ]);
    t.match(items[0], { align: 'center', spans: [{ bold: true, width: 2, height: 2 }] });
    t.match(items[5], { align: 'right', spans: [{ underline: 2 }] });
    await printer.close();
  });
}

t.test('a single-byte printer on a Chinese printer that powers up in Hanzi mode: FS . first (risk 12)', async (t) => {
  const { printer, model } = await rig({ startInHanziMode: true }, { charset: 'cp437' });
  await printer.print({ lines: [{ kind: 'text', text: 'Café £5 ½' }] });
  t.same(model.items().map((i) => (i.kind === 'text' ? i.text : i.kind)), ['Café £5 ½']);
  t.same(model.errors, []);
  await printer.close();
});

t.test('a printer without cutter: the cut line feeds the paper out instead', async (t) => {
  const { printer, model } = await rig({ cutter: false }, { cutter: false });
  await printer.print({ lines: [{ kind: 'text', text: 'x' }, { kind: 'cut' }] });
  t.same(model.items(), [{ kind: 'text', text: 'x', align: 'left', spans: [{ text: 'x', ...plain }] }, { kind: 'feed', lines: 4 }]);
  t.same(model.errors, []);
  await printer.close();
});

t.test('XON/XOFF share the line with status replies (hardware.md 7.6)', async (t) => {
  t.test('XOFF holds job data, real-time status still flows, XON releases it', async (t) => {
    const { printer, model } = await rig({ xonXoff: true });
    await model.sendRaw(Uint8Array.of(0x13));
    const before = model.bytesReceived;
    const job = printer.print({ lines: [{ kind: 'text', text: 'held' }] });
    // The job's status check (4 x DLE EOT n, 3 bytes each) reached the printer; the status
    // asked next queues behind it on the wire, after the job's first line had it not held.
    await until(() => model.bytesReceived >= before + 12, 'the job\'s status check');
    t.equal((await printer.status()).ready, true, 'status answered while XOFF');
    t.same(model.items(), [], 'nothing printed while XOFF');
    await model.sendRaw(Uint8Array.of(0x11));
    t.equal((await job).progress.state, 'complete');
    t.same(model.items().map((i) => i.kind === 'text' && i.text), ['held']);
    t.equal(printer.strayBytes, 0, 'XON/XOFF were not taken for status bytes');
    await printer.close();
  });

  t.test('the printer sends XOFF at paper end and XON after the refill', async (t) => {
    const { printer, model } = await rig({ xonXoff: true });
    model.runOutAfter(1);
    await t.rejects(printer.print({ lines: [{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }] }, { jobId: 'x' }), { code: 'HAL_DEVICE', message: /paper-out/ });
    model.loadPaper();
    t.match(await printer.job('x'), { printedLines: 2 });
    await printer.print({ lines: [{ kind: 'text', text: 'c' }] });
    t.same(model.items().map((i) => i.kind === 'text' && i.text), ['a', 'b', 'c']);
    t.equal(printer.strayBytes, 0);
    await printer.close();
  });
});

t.test('line noise on the TX line is counted, not taken for a reply', async (t) => {
  const { printer, model } = await rig();
  await model.sendRaw(Uint8Array.of(0xff, 0x81, 0x13 | 0x80));
  t.equal(printer.strayBytes, 3);
  await printer.print({ lines: [{ kind: 'text', text: 'ok' }] });
  await printer.close();
});

t.test('open: a printer that does not answer is a time-limit error; bad props are refused', async (t) => {
  const { driver, device } = createSimSerialPair({ name: 'off' });
  const m = await EscPosPrinterModel.attach(device);
  m.setPower(false);
  await t.rejects(EscPosPrinter.open({ link: driver, statusTimeoutMs: 100 }), { code: 'HAL_TIMEOUT' });
  await t.rejects(EscPosPrinter.open({ link: driver, paperWidthMm: 76 as 80 }), { code: 'HAL_INVALID_ARGUMENT', message: /paperWidthMm/ });
  await t.rejects(EscPosPrinter.open({ link: driver, charset: 'utf-7' as 'ascii' }), { code: 'HAL_INVALID_ARGUMENT', message: /charset/ });
  await driver.close();
});

t.test('columns come from the paper width unless given', async (t) => {
  for (const [props, columns] of [[{}, 32], [{ paperWidthMm: 80 as const }, 48], [{ paperWidthMm: 80 as const, columns: 42 }, 42]] as const) {
    const { printer } = await rig({}, props);
    t.equal(printer.columns, columns, JSON.stringify(props));
    await printer.close();
  }
});

t.test('the far end going away fails a job (link closed or disconnected), then calls say HAL_DISCONNECTED', async (t) => {
  const { driver, device } = createSimSerialPair({ name: 'gone' });
  const m = await EscPosPrinterModel.attach(device);
  const printer = await EscPosPrinter.open({ link: driver, ...PATIENT });
  m.runOutAfter(0);
  const job = printer.print({ lines: [{ kind: 'text', text: 'x' }] }).catch((e: unknown) => e);
  await device.close();
  t.match(await job, { code: /^HAL_(DISCONNECTED|CLOSED)$/ });
  await new Promise((r) => setImmediate(r));
  await t.rejects(printer.status(), { code: 'HAL_DISCONNECTED' });
  await printer.close();
});

t.test('a printer switched off while a line is in doubt: the line stays in doubt, later jobs print', async (t) => {
  const { printer, model } = await rig({}, { lineTimeoutMs: 300 });
  model.runOutAfter(1);
  await t.rejects(printer.print({ lines: [{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }] }, { jobId: 'lost' }), { message: /paper-out/ });
  // Power cycle: the buffer with line 1 and its GS r is gone.
  model.setPower(false);
  model.setPower(true);
  model.loadPaper();
  t.same(await printer.job('lost', { timeoutMs: 100 }), { jobId: 'lost', state: 'interrupted', totalLines: 2, startAt: 0, printedLines: 1, inDoubtLine: 1 });
  const r = await printer.print({ lines: [{ kind: 'text', text: 'c' }, { kind: 'text', text: 'd' }] }, { jobId: 'next' });
  t.same(r.progress, { jobId: 'next', state: 'complete', totalLines: 2, startAt: 0, printedLines: 2 });
  t.same(await printer.job('lost'), { jobId: 'lost', state: 'interrupted', totalLines: 2, startAt: 0, printedLines: 1, inDoubtLine: 1 }, 'no later reply was credited to it');
  t.same(model.items().map((i) => i.kind === 'text' && i.text), ['a', 'c', 'd']);
  await printer.close();
});

t.test('an aborted job rejects with HAL_ABORTED and job() tells how far it got', async (t) => {
  const { printer, model } = await rig();
  model.runOutAfter(1);
  const ac = new AbortController();
  const job = printer.print({ lines: [{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }] }, { jobId: 'ab', signal: ac.signal });
  // Line b waits in the printer for paper: line a was confirmed and b is the line in doubt.
  await until(() => model.waiting > 0, 'line b waiting for paper');
  ac.abort();
  await t.rejects(job, { code: 'HAL_ABORTED' });
  t.same(await printer.job('ab'), { jobId: 'ab', state: 'interrupted', totalLines: 2, startAt: 0, printedLines: 1, inDoubtLine: 1 });
  model.loadPaper();
  t.same(await printer.job('ab'), { jobId: 'ab', state: 'complete', totalLines: 2, startAt: 0, printedLines: 2 }, 'the in-doubt line came out after the refill');
  await printer.close();
});

t.test('a job that completes reports a missing status as undefined, never as a failure', async (t) => {
  const { printer, model } = await rig({}, { statusTimeoutMs: OFF_STATUS_MS });
  const job = printer.print({ lines: [{ kind: 'text', text: 'last' }] });
  // Switch the printer off as soon as the line is printed: the status after the job gets no answer.
  while (model.items().length === 0) await new Promise((r) => setImmediate(r));
  model.setPower(false);
  const r = await job;
  t.equal(r.progress.state, 'complete');
  t.ok(r.status === undefined || r.status.ready, 'status missing (or taken just before the switch-off)');
  await printer.close();
});

t.test('at 19200 baud (10 bits a byte on the sim line) a receipt with a large QR code still prints', async (t) => {
  const { printer, model } = await rig({}, { baudRate: 19200 }, 19200);
  const r = await printer.print({ lines: [{ kind: 'text', text: 'slow' }, { kind: 'qr', data: 'Q'.repeat(1200) }, { kind: 'cut' }] });
  t.equal(r.progress.state, 'complete');
  t.same(model.items().map((i) => i.kind), ['text', 'qr', 'cut']);
  t.same(model.errors, []);
  await printer.close();
});

t.test('status queries and job data never interleave on the wire', async (t) => {
  const { printer, model } = await rig();
  const lines = Array.from({ length: 6 }, (_, i) => ({ kind: 'text' as const, text: `line ${i}` }));
  const [r, ...statuses] = await Promise.all([printer.print({ lines }), printer.status(), printer.status(), printer.job('none'), printer.status()]);
  t.equal(r.progress.state, 'complete');
  t.ok(statuses.every((s) => s === undefined || !('ready' in s) || s.ready));
  t.same(model.errors, []);
  t.equal(model.items().length, 6);
  await printer.close();
});

t.test('paper near end: the job completes and the result warns', async (t) => {
  const { printer, model } = await rig();
  model.setPaperNearEnd(true);
  const r = await printer.print({ lines: [{ kind: 'text', text: 'x' }] });
  t.equal(r.progress.state, 'complete');
  t.match(r.status, { ready: true, paperNearEnd: true, paperOut: false });
  await printer.close();
});

t.test('an Automatic Status Back report (gs_la) is never taken for a line confirmation', async (t) => {
  const { printer, model } = await rig();
  model.runOutAfter(1);
  await t.rejects(printer.print({ lines: [{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }] }, { jobId: 'asb' }), { message: /paper-out/ });
  // 4 bytes: 0xx1xx00 then three 0xx0xxxx bytes (which alone would look like GS r replies).
  await model.sendRaw(Uint8Array.of(0x18, 0x00, 0x0c, 0x00));
  t.equal(printer.strayBytes, 4);
  // Out of paper, job() does not wait for the line: it reports it at once.
  t.match(await printer.job('asb'), { printedLines: 1, inDoubtLine: 1 }, 'still in doubt');
  model.loadPaper();
  t.match(await printer.job('asb'), { state: 'complete', printedLines: 2 });
  await printer.close();
});

t.test('a printer that stays in XOFF: the job fails with nothing of the held line sent', async (t) => {
  const { printer, model } = await rig({}, { lineTimeoutMs: 200 });
  await model.sendRaw(Uint8Array.of(0x13));
  const e = await printer.print({ lines: [{ kind: 'text', text: 'a' }] }, { jobId: 'held' }).catch((err: unknown) => err);
  t.match(e, { reason: 'no-answer', code: 'HAL_TIMEOUT', progress: { state: 'not-started', printedLines: 0 } });
  t.same(model.items(), []);
  await printer.close();
});
