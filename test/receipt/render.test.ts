// renderPrinted: what the printer model decoded from the driver's bytes, as the text and
// PNG file the control channel's {"receipt": {"text", "png"}} event carries.
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRender } from '../../hal/devices/escpos/escpos-render.js';
import { ReceiptPrinter } from '../../src/receipt/printer.js';
import { renderPrinted } from '../../src/receipt/render.js';
import { rig, sale } from './rig.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]; // PNG spec 5.2

t.test('one receipt, out of the printed roll, as text and PNG', async (t) => {
  const r = await rig();
  const rp = new ReceiptPrinter({ printer: r.printer, language: 'zh' });
  await rp.print(sale(), 'merchant');
  const mark = r.model.items().length;
  await rp.print(sale(), 'customer');
  await r.close();
  const dir = mkdtempSync(join(tmpdir(), 'receipt-'));
  const out = await renderPrinted(r.model.items().slice(mark), { dir, name: 'customer.png' });
  const text = out.text.split('\n');
  t.ok(text.some((l) => l.trim() === '持卡人存根'), 'the customer copy');
  t.notOk(text.some((l) => l.trim() === '商户存根'), 'not the merchant copy printed before the mark');
  t.ok(text.some((l) => /^卡号\s+\*{12}\d{4}$/.test(l)), 'the card line, last 4 only');
  t.ok(text.some((l) => /^-+ cut -+$/.test(l)), 'the cut');
  // A Chinese character takes two cells: no line is wider than 32 cells of the 58 mm paper.
  t.ok(text.every((l) => [...l].length <= 32));
  const { ok, missing } = await canRender();
  if (!ok) {
    t.equal(out.png, undefined);
    t.match(out.pngError, /canvas|font/, `no PNG here: ${missing.join(', ')}`);
    return;
  }
  t.equal(out.png, join(dir, 'customer.png'));
  const png = readFileSync(out.png!);
  t.same([...png.subarray(0, 8)], PNG_SIGNATURE, 'a PNG file');
  t.equal(png.readUInt32BE(16), 384, '58 mm paper is 384 dots wide (IHDR width)');
});

t.test('an unwritable folder is RECEIPT_RENDER', async (t) => {
  const { ok } = await canRender();
  if (!ok) return void t.pass('no PNG rendering here: nothing to write');
  const dir = mkdtempSync(join(tmpdir(), 'receipt-'));
  const file = join(dir, 'not-a-folder');
  writeFileSync(file, '');
  await t.rejects(renderPrinted([{ kind: 'feed', lines: 1 }], { dir: file }), { code: 'RECEIPT_RENDER' });
});
