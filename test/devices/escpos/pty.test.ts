// The printer over a real pseudo-terminal pair (socat, hardware.md 4.4): the driver on one
// end through the Linux serial backend, the printer model on the other. Runs the Printer role
// conformance suite and a receipt round trip through the kernel's tty layer (socat must be
// installed: `make setup` does it).
import t from 'tap';
import { EscPosPrinter } from '../../../hal/devices/escpos/escpos.js';
import { EscPosPrinterModel } from '../../../hal/devices/escpos/escpos.sim.js';
import { LinuxSerialOpener } from '../../../hal/linux/serial.js';
import { printerConformance } from '../../conformance/printer.js';
import { openPtyPair } from '../../linux/pty-pair.js';
import { modelFixture } from './model-fixture.js';

const BAUD = 115200;

async function rig(): Promise<{ printer: EscPosPrinter; model: EscPosPrinterModel; cleanup: () => Promise<void> }> {
  const opener = new LinuxSerialOpener();
  const pair = await openPtyPair((path) => opener.open(path, { baudRate: BAUD }));
  const [driverEnd, deviceEnd] = pair.ends;
  try {
    const model = await EscPosPrinterModel.attach(deviceEnd);
    // Limits far above a busy host's stalls; the suite's switched-off tests wait the status one out.
    const printer = await EscPosPrinter.open({ link: driverEnd, baudRate: BAUD, statusTimeoutMs: 2000, lineTimeoutMs: 20_000 });
    const cleanup = async (): Promise<void> => {
      await printer.close();
      await model.detach();
      await deviceEnd.close();
      await pair.kill();
    };
    return { printer, model, cleanup };
  } catch (e) {
    await driverEnd.close();
    await deviceEnd.close();
    await pair.kill();
    throw e;
  }
}

{
  printerConformance(t, {
    name: 'escpos over a socat pty pair',
    factory: async () => {
      const { printer, model, cleanup } = await rig();
      return modelFixture(model, printer, async () => {
        await cleanup();
        t.same(model.errors, [], 'the model saw no bad command');
      });
    },
  });

  t.test('a receipt with QR and bar code round-trips through the ptys', async (t) => {
    const { printer, model, cleanup } = await rig();
    const r = await printer.print({
      lines: [
        { kind: 'text', text: 'PTY RECEIPT', style: { align: 'center', bold: true, doubleWidth: true } },
        { kind: 'qr', data: 'x'.repeat(1500), errorCorrection: 'L', moduleSize: 3 },
        { kind: 'barcode', symbology: 'CODE128', data: '0123456789', codeSet: 'C' },
        { kind: 'cut' },
      ],
    });
    t.equal(r.progress.state, 'complete');
    t.same(model.errors, []);
    t.same(model.items().map((i) => i.kind), ['text', 'qr', 'barcode', 'cut']);
    t.match(model.items()[1], { kind: 'qr', data: 'x'.repeat(1500) });
    t.match(model.items()[2], { kind: 'barcode', data: '0123456789', codeSet: 'C' });
    await cleanup();
  });
}
