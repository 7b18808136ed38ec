// The receipt as a PNG a person can look at (escpos-render.ts). Needs the npm package
// @napi-rs/canvas and the Debian font package fonts-wqy-zenhei; without them the test
// says so and checks only that rendering refuses with HAL_UNSUPPORTED.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { canRender, renderPng } from '../../../hal/devices/escpos/escpos-render.js';
import { EscPosPrinter } from '../../../hal/devices/escpos/escpos.js';
import { EscPosPrinterModel } from '../../../hal/devices/escpos/escpos.sim.js';
import { createSimSerialPair } from '../../../hal/sim/serial.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]; // PNG spec 5.2

const { ok, missing } = await canRender();

if (!ok) {
  if (missing.some((m) => m.includes('@napi-rs/canvas'))) {
    t.test('without the canvas library rendering refuses clearly', async (t) => {
      await t.rejects(renderPng([]), { code: 'HAL_UNSUPPORTED', message: /@napi-rs\/canvas/ });
    });
  }
  t.skip(`PNG rendering: missing ${missing.join(', ')}`, async () => undefined);
} else {
  t.test('a Chinese and English receipt renders to a PNG', async (t) => {
    const { driver, device } = createSimSerialPair({ name: 'lp' });
    const model = await EscPosPrinterModel.attach(device, { paperWidthMm: 80 });
    const printer = await EscPosPrinter.open({ link: driver, charset: 'gb18030', statusTimeoutMs: 10_000 });
    await printer.print({
      lines: [
        { kind: 'text', text: '签购单 RECEIPT', style: { align: 'center', bold: true, doubleWidth: true, doubleHeight: true } },
        { kind: 'text', text: '商户名称: 示例咖啡店' },
        { kind: 'text', text: 'AMOUNT  RMB 88.00', style: { underline: 1 } },
        { kind: 'text', text: '这一行很长，会在纸的边缘换行继续打印 — this line wraps at the paper edge' },
        { kind: 'feed', lines: 1 },
        { kind: 'qr', data: 'https://example.com/r/42', moduleSize: 4 },
        { kind: 'barcode', symbology: 'CODE128', data: '20261128000042', codeSet: 'C', height: 60 },
        { kind: 'cut' },
      ],
    });
    await printer.close();
    for (const width of [58, 80] as const) {
      const png = await renderPng(model.items(), { paperWidthMm: width });
      t.same([...png.subarray(0, 8)], PNG_SIGNATURE, 'PNG signature');
      // IHDR (PNG spec 11.2.2): width at bytes 16..19 is the paper's dot width.
      t.equal(Buffer.from(png).readUInt32BE(16), width === 58 ? 384 : 576, `${width} mm is ${width === 58 ? 384 : 576} dots wide`);
      mkdirSync('.tap/escpos', { recursive: true });
      writeFileSync(`.tap/escpos/receipt-${width}mm.png`, png);
    }
    const own = await model.png();
    t.equal(Buffer.from(own).readUInt32BE(16), 576, "the model's own picture uses its paper width");
  });
}
