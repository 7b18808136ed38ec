// The printer model's fault controls as the Printer conformance suite's fixture.
import type { EscPosPrinter } from '../../../hal/devices/escpos/escpos.js';
import type { EscPosPrinterModel } from '../../../hal/devices/escpos/escpos.sim.js';
import type { PrinterFixture } from '../../conformance/printer.js';

export function modelFixture(m: EscPosPrinterModel, printer: EscPosPrinter, cleanup: () => Promise<void>): PrinterFixture {
  return {
    printer,
    printedText: () => m.items().flatMap((i) => (i.kind === 'text' ? [i.text] : [])),
    faults: {
      paperOutAfter: (rows) => m.runOutAfter(rows),
      loadPaper: () => m.loadPaper(),
      setCoverOpen: (open) => m.setCoverOpen(open),
      setPower: (on) => m.setPower(on),
    },
    cleanup,
  };
}
