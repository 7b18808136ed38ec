// Test helpers: the technician's end of the line (types, reads the transcript), console
// services over a temporary data folder with a clock the test moves, a small diagnostics
// provider built from a Terminal-like object.
import type { SerialLink } from '../../hal/serial.js';
import type { DiagnosticResult, DiagnosticsProvider } from '../../src/console/diagnostics.js';
import { openConsoleServices } from '../../src/console/services.js';
import type { ConsoleServices } from '../../src/console/registry.js';
import { FileDeviceKeyProvider } from '../../src/keys/device-key.js';
import { base32Decode, totp } from '../../src/users/totp.js';

/** Cheap scrypt for tests (the parameters are stored with each hash). */
export const TEST_SCRYPT = { N: 1 << 10, r: 8, p: 1 };

export class Clock {
  constructor(public ms = Date.UTC(2026, 10, 28, 12, 0, 0)) {}
  now = (): number => this.ms;
  advance(sec: number): void {
    this.ms += sec * 1000;
  }
}

/** The person at picocom: everything the console sent, and keys typed. */
export class FarEnd {
  transcript = '';
  #cursor = 0;
  #waiters = new Set<() => void>();

  constructor(readonly link: SerialLink) {
    link.onData((chunk) => {
      this.transcript += Buffer.from(chunk).toString('utf8');
      for (const w of [...this.#waiters]) w();
    });
  }

  async type(text: string): Promise<void> {
    await this.link.write(Buffer.from(text, 'utf8'));
  }

  /** Types a line ending in CR, as picocom sends Enter. */
  line(text: string): Promise<void> {
    return this.type(text + '\r');
  }

  /** Waits until the output after the last match contains `pattern`; returns the text up to and including it. */
  async expect(pattern: string | RegExp, timeoutMs = 8000): Promise<string> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.transcript.slice(this.#cursor);
      const m = re.exec(rest);
      if (m) {
        const upTo = rest.slice(0, m.index + m[0].length);
        this.#cursor += m.index + m[0].length;
        return upTo;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in:\n${JSON.stringify(rest.slice(-800))}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 100);
        this.#waiters.add(wake);
      });
    }
  }

  /** Answers prompts in turn: waits for each prompt, then types its reply and Enter. */
  async answer(...steps: [prompt: string, reply: string][]): Promise<void> {
    for (const [prompt, reply] of steps) {
      await this.expect(prompt);
      await this.line(reply);
    }
  }

  /** Output from the last match on, without moving. */
  get pending(): string {
    return this.transcript.slice(this.#cursor);
  }
}

/** A Terminal-like object: devices that test themselves, one of them failing. */
export interface FakeTerminal {
  devices: { name: string; compatible: string; driver: { selfTest(): Promise<unknown> } }[];
}

/** The diagnostics the console calls, built the way the composition root would: one self test per device. */
export function terminalDiagnostics(terminal: FakeTerminal): DiagnosticsProvider {
  return {
    async run(): Promise<DiagnosticResult[]> {
      const out: DiagnosticResult[] = [];
      for (const d of terminal.devices) {
        try {
          const detail = await d.driver.selfTest();
          out.push({ device: d.name, ok: true, detail: `${d.compatible}: ${String(detail)}` });
        } catch (err) {
          out.push({ device: d.name, ok: false, detail: `${d.compatible}: ${(err as Error).message}` });
        }
      }
      return out;
    },
  };
}

/** A test PAN (Luhn-valid, the Visa test number) that a reader's self test reports; the console must mask it. */
export const TEST_PAN = '4111111111111111';

export function fakeTerminal(): FakeTerminal {
  return {
    devices: [
      { name: 'lcd', compatible: 'hitachi,hd44780-pcf8574', driver: { selfTest: async () => 'busy flag clear, 20x4' } },
      { name: 'nfc', compatible: 'nxp,pn532', driver: { selfTest: async () => `firmware 1.6, last card ${TEST_PAN}` } },
      {
        name: 'printer',
        compatible: 'epson,escpos',
        driver: {
          selfTest: async () => {
            throw new Error('paper out');
          },
        },
      },
    ],
  };
}

export async function testServices(dataDir: string, clock: Clock): Promise<ConsoleServices> {
  return openConsoleServices({
    dataDir,
    version: '0.0.0-test',
    deviceKey: new FileDeviceKeyProvider({ dataDir }),
    diagnostics: terminalDiagnostics(fakeTerminal()),
    now: clock.now,
    scrypt: TEST_SCRYPT,
  });
}

/** The current TOTP code for a base32 secret at the test clock's time. */
export function code(secret: string, clock: Clock): string {
  return totp(base32Decode(secret)!, clock.ms);
}
