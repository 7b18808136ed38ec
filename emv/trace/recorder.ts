/**
 * Recording around the kernel's injected transceive (the kernel itself is not touched):
 * every exchange is kept with track data and PIN data redacted at capture ({@link
 * redactResponse}, {@link redactCommand}); a reader fault keeps the command with no
 * response (an incomplete trace). {@link TraceRecorder.text} writes the trace with the
 * session's terminal data as the `# terminal:` header.
 */
import { numberToBcd, digitsToBcd } from '../bytes.js';
import type { PinEntry, PinEntryResult, TerminalConfig, TransactionParams } from '../kernel/types.js';
import type { Transceive } from '../transport/transceive.js';
import { writeTrace, type TraceExchange, type TraceHeader } from './format.js';
import { redactCommand, redactResponse } from './redact.js';

export type RecordedExchange = Pick<TraceExchange, 'command' | 'response' | 'redacted'>;

export class TraceRecorder {
  readonly exchanges: RecordedExchange[] = [];
  /** What the cardholder did at online PIN entry (no card command shows it); written as `# online-pin:`. */
  onlinePin: PinEntryResult['kind'] | undefined;

  /** The PIN entry to give the kernel: records whether an online PIN was entered (never a PIN). */
  wrapPin(pin: PinEntry): PinEntry {
    return {
      online: async (req) => {
        const r = await pin.online(req);
        this.onlinePin = r.kind;
        return r;
      },
      offline: (req) => pin.offline(req),
    };
  }

  /** The transceive to give the kernel. */
  wrap(transceive: Transceive): Transceive {
    return async (capdu) => {
      const c = redactCommand(capdu);
      try {
        const rapdu = await transceive(capdu);
        const r = redactResponse(rapdu);
        this.exchanges.push({ command: Uint8Array.from(c.command), response: r.response, redacted: [...c.redacted, ...r.redacted] });
        return rapdu;
      } catch (err) {
        this.exchanges.push({ command: Uint8Array.from(c.command), response: undefined, redacted: c.redacted });
        throw err;
      }
    };
  }

  text(header: TraceHeader = {}): string {
    const comments = [...(header.comments ?? []), ...(this.onlinePin === undefined ? [] : [`online-pin: ${this.onlinePin}`])];
    return writeTrace(this.exchanges, { ...header, comments });
  }
}

/** Session facts no card command shows (comments the replay reads): random selection draw, forced online. */
export function sessionComments(params: TransactionParams): string[] {
  return [
    ...(params.randomSelectionDraw === undefined ? [] : [`random-selection: ${params.randomSelectionDraw}`]),
    ...(params.forcedOnline ? ['forced-online: yes'] : []),
  ];
}

/** The `# terminal:` data of a session (EMV Book 4 Annex A / Book 3 Annex A formats). */
export function terminalHeader(params: TransactionParams, config?: Pick<TerminalConfig, 'ttq' | 'capabilities' | 'country' | 'terminalType'>): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>([
    [0x9f02, numberToBcd(params.amount, 6)],
    [0x9f03, numberToBcd(params.amountOther ?? 0, 6)],
    [0x5f2a, numberToBcd(params.currency, 2)],
    [0x9c, Uint8Array.of(params.type)],
    [0x9a, digitsToBcd(params.date)],
    [0x9f21, digitsToBcd(params.time)],
    [0x9f37, Uint8Array.from(params.unpredictableNumber)],
    [0x9f41, numberToBcd(params.sequenceCounter, 4)],
  ]);
  if (config?.ttq !== undefined) m.set(0x9f66, Uint8Array.from(config.ttq));
  return m;
}
