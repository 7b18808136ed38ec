// Receipts printed through the real ESC/POS driver into the sim printer model on a sim
// serial pair (a Chinese printer: GB18030, powering up in Hanzi mode), and what the model
// decoded read back as text lines.
import { EscPosPrinter } from '../../hal/devices/escpos/escpos.js';
import { EscPosPrinterModel, type EscPosModelOptions } from '../../hal/devices/escpos/escpos.sim.js';
import type { Charset } from '../../hal/devices/escpos/text-encoding.js';
import { createSimSerialPair, type SimSerialEnd } from '../../hal/sim/serial.js';
import { maskPan } from '../../emv/track/pan.js';
import { testCard } from '../../emv/cards/catalogue.js';
import type { ReceiptData } from '../../src/receipt/types.js';

export interface Rig {
  printer: EscPosPrinter;
  model: EscPosPrinterModel;
  /** The printer's end of the serial link (listeners added here run after the model's). */
  device: SimSerialEnd;
  /** Every byte the driver sent, in order. */
  wire: number[];
  /** The text lines on the paper so far. */
  lines(): string[];
  close(): Promise<void>;
}

export async function rig(options: EscPosModelOptions & { charset?: Charset } = {}): Promise<Rig> {
  const { charset = 'gb18030', ...model } = options;
  const { driver, device } = createSimSerialPair({ name: 'ttyPrinter' });
  const m = await EscPosPrinterModel.attach(device, { paperWidthMm: 58, startInHanziMode: charset === 'gb18030', ...model });
  const wire: number[] = [];
  device.onData((chunk) => wire.push(...chunk));
  // Faults are modelled, not timed: the limits only bound a hang, far above a loaded host's
  // stalls (a switched-off printer waits the status one out).
  const printer = await EscPosPrinter.open({ link: driver, charset, statusTimeoutMs: 2000, lineTimeoutMs: 20_000 });
  return {
    printer,
    model: m,
    device,
    wire,
    lines: () => m.items().flatMap((i) => (i.kind === 'text' ? [i.text] : [])),
    close: () => printer.close(),
  };
}

/** The catalogue's Visa test card: its PAN and expiry are what must never print in clear. */
export const CARD = testCard('visa-online');

export function sale(over: Partial<ReceiptData> = {}): ReceiptData {
  return {
    merchant: { name: 'ACME CAFE', address: '1 Main St', merchantId: '123456789012345', terminalId: 'T0000042' },
    at: '2026-11-28T13:45:07',
    txnType: 'sale',
    result: 'approved',
    amount: 8800,
    currency: 'CNY',
    maskedPan: maskPan(CARD.pan),
    scheme: 'visa',
    entryMode: '07',
    aid: 'A0000000031010',
    applicationLabel: 'VISA CREDIT',
    tvr: '0000008000',
    tsi: 'E800',
    cryptogram: '9A1B2C3D4E5F6071',
    cryptogramType: 'ARQC',
    cvm: 'online-pin',
    authCode: 'A1B2C3',
    rrn: '633212345678',
    stan: 417,
    batch: 7,
    txnId: 'T-000417',
    responseCode: '00',
    operator: 'cashier1',
    ...over,
  };
}

/** Digit runs of 13 to 19 digits that pass Luhn: a clear PAN (ISO/IEC 7812-1). */
export function luhnRuns(text: string, luhnValid: (d: string) => boolean): string[] {
  const runs: string[] = [];
  for (const m of text.matchAll(/[0-9]{13,}/g)) {
    const s = m[0];
    for (let len = 13; len <= 19; len++) for (let i = 0; i + len <= s.length; i++) if (luhnValid(s.slice(i, i + len))) runs.push(s.slice(i, i + len));
  }
  return runs;
}
