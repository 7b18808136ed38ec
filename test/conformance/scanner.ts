/**
 * CodeScanner role conformance (hal/roles/scanner.ts): run against every scanner + model
 * pair (sim serial link, real pseudo-terminal).
 */
import type { Test } from 'tap';
import type { CodeScan, CodeScanError, CodeScanner } from '../../hal/roles/scanner.js';
import { eventQueue } from './stripe.js';

export interface ScannerRig {
  scanner: CodeScanner;
  /** The far end scans `code` (with this AIM identifier when the rig sends them). */
  scan(code: string, symbology?: string): Promise<void>;
  /** The far end sends raw bytes. */
  send(bytes: Uint8Array): Promise<void>;
  /** The scanner is set to send AIM symbology identifiers (capability as data). */
  aimPrefix: boolean;
  cleanup(): Promise<void>;
}

export interface ScannerSuiteOptions {
  name: string;
  factory: () => Promise<ScannerRig>;
}

/** Codes a payment terminal meets: wallet pay codes, QR text, UTF-8, GS1 with FNC1 (GS). */
export const CODES: readonly { code: string; symbology: string; what: string }[] = [
  { code: '134567890123456789', symbology: ']Q1', what: 'WeChat Pay code (18 digits, 10-15 prefix)' },
  { code: '286543210987654321', symbology: ']Q1', what: 'Alipay code (25-30 prefix)' },
  { code: 'https://qr.alipay.com/bax03431ljhokirwl38f00a7', symbology: ']Q1', what: 'QR URL' },
  { code: '付款码 测试 ¥12.50', symbology: ']Q1', what: 'UTF-8 text' },
  { code: '0109501101530003\x1d10ABC123', symbology: ']C1', what: 'GS1-128 with FNC1 as GS (0x1D)' },
  { code: '5901234123457', symbology: ']E0', what: 'EAN-13' },
];

type Event = CodeScan | CodeScanError;

const events = (scanner: CodeScanner): ReturnType<typeof eventQueue<Event>> =>
  eventQueue<Event>(
    (l) => scanner.onScan(l),
    (l) => scanner.onError(l),
  );

export function scannerConformance(t: Test, { name, factory }: ScannerSuiteOptions): void {
  const setup = async (t: Test): Promise<ScannerRig> => {
    const rig = await factory();
    t.teardown(() => rig.cleanup());
    return rig;
  };

  t.test(`${name}: CodeScanner role`, async (t) => {
    t.test('every code arrives once, in order, exactly as scanned', async (t) => {
      const rig = await setup(t);
      const ev = events(rig.scanner);
      for (const c of CODES) await rig.scan(c.code, c.symbology);
      for (const c of CODES) {
        t.same(await ev.next(), rig.aimPrefix ? { code: c.code, symbology: c.symbology } : { code: c.code }, c.what);
      }
    });

    t.test('a code cut short is an "incomplete" error, never a scan; the next code reads', async (t) => {
      const rig = await setup(t);
      const ev = events(rig.scanner);
      await rig.send(Buffer.from('1345678901'));
      const e = await ev.next();
      t.equal('reason' in e ? e.reason : 'scan', 'incomplete');
      t.notMatch(JSON.stringify(e), /1345678901/, 'the error does not carry the code');
      await rig.scan(CODES[0]!.code, CODES[0]!.symbology);
      t.equal(((await ev.next()) as CodeScan).code, CODES[0]!.code);
    });

    t.test('selfTest passes; after close nothing fires and calls reject HAL_CLOSED', async (t) => {
      const rig = await setup(t);
      await rig.scanner.selfTest();
      const ev = events(rig.scanner);
      await rig.scanner.close();
      await rig.scanner.close();
      await rig.scan('123').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      t.equal(ev.all.length, 0);
      await t.rejects(rig.scanner.selfTest(), { code: 'HAL_CLOSED' });
    });
  });
}
