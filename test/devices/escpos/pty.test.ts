// The printer over a real pseudo-terminal pair (socat, hardware.md 4.4): the driver on one
// end through serialport, the printer model on the other. Runs the Printer role
// conformance suite and a receipt round trip through the kernel's tty layer.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EscPosPrinter } from '../../../hal/devices/escpos/escpos.js';
import { EscPosPrinterModel } from '../../../hal/devices/escpos/escpos.sim.js';
import type { SerialLink } from '../../../hal/serial.js';
import { printerConformance } from '../../conformance/printer.js';
import { modelFixture } from './model-fixture.js';
// Switch to the Linux serial backend (hal/linux/serial.ts) when it lands.
import { openSerialportTestLink } from './serialport-link.test-adapter.js';

const BAUD = 115200;

/** Starts socat with two raw ptys; resolves with their paths once both are announced. */
function ptyPair(): Promise<{ paths: [string, string]; socat: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const paths: string[] = [];
    let err = '';
    const timer = setTimeout(() => {
      socat.kill();
      reject(new Error(`socat did not announce two ptys: ${err}`));
    }, 5000);
    socat.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socat.stderr!.setEncoding('utf8');
    socat.stderr!.on('data', (text: string) => {
      err += text;
      // "... N PTY is /dev/pts/7" once per address (socat -d -d)
      for (const m of text.matchAll(/PTY is (\S+)/g)) paths.push(m[1]!);
      if (paths.length === 2) {
        clearTimeout(timer);
        resolve({ paths: [paths[0]!, paths[1]!], socat });
      }
    });
  });
}

async function rig(): Promise<{ printer: EscPosPrinter; model: EscPosPrinterModel; cleanup: () => Promise<void> }> {
  const { paths, socat } = await ptyPair();
  const links: SerialLink[] = [];
  try {
    links.push(await openSerialportTestLink(paths[0], BAUD), await openSerialportTestLink(paths[1], BAUD));
    const model = await EscPosPrinterModel.attach(links[1]!);
    const printer = await EscPosPrinter.open({ link: links[0]!, baudRate: BAUD, statusTimeoutMs: 300, lineTimeoutMs: 3000 });
    const cleanup = async (): Promise<void> => {
      await printer.close();
      await model.detach();
      await links[1]!.close();
      const exited = new Promise((r) => socat.once('exit', r));
      socat.kill();
      await exited;
    };
    return { printer, model, cleanup };
  } catch (e) {
    for (const l of links) await l.close();
    socat.kill();
    throw e;
  }
}

if (spawnSync('socat', ['-V']).status !== 0) {
  t.plan(0, 'socat is not installed (make system-deps installs it)');
} else {
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
