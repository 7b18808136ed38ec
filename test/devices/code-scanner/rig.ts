// Builds a SerialCodeScanner + CodeScannerModel pair on a sim serial link or a real pty pair.
import { SerialCodeScanner, type CodeScannerProps } from '../../../hal/devices/code-scanner/code-scanner.js';
import { CodeScannerModel } from '../../../hal/devices/code-scanner/code-scanner.sim.js';
import type { ScannerRig } from '../../conformance/scanner.js';
import { simSerialEnds, type Ends } from '../pty-link.js';
export { ptyEnds } from '../pty-link.js';
export const simEnds = (): Promise<Ends> => simSerialEnds('ttyScanner');

export async function scannerRig(ends: () => Promise<Ends>, props: CodeScannerProps): Promise<ScannerRig> {
  const { driver, device, stop } = await ends();
  const scanner = await SerialCodeScanner.open({ link: driver, ...props });
  const model = new CodeScannerModel(device, props);
  return {
    scanner,
    scan: (code, symbology) => model.scan(code, symbology),
    send: (bytes) => model.send(bytes),
    aimPrefix: props.aimPrefix ?? false,
    cleanup: async () => {
      await scanner.close();
      await stop();
    },
  };
}
