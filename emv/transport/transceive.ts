/**
 * The one seam between emv/ and a card reader. Every reader (PN532, PC/SC, virtual cards)
 * exposes a {@link Transceive}; the kernel wraps it with {@link withT0Handling} so that
 * 61xx and 6Cxx never reach kernel logic.
 */
import { EmvError } from '../errors.js';
import { concatBytes } from '../bytes.js';
import { encodeCommand, getResponse, parseCommand } from '../apdu/apdu.js';

/**
 * Sends one command APDU to the card and resolves with the complete response APDU (data
 * followed by SW1 SW2). Rules for implementations:
 * - one exchange in flight at a time; the caller awaits each call before the next;
 * - the response is returned as the card sent it, at least the two status bytes; a reader
 *   or link fault rejects (with the reader layer's own error, e.g. a HalError);
 * - the caller may keep the returned bytes: an implementation must not reuse the buffer.
 */
export type Transceive = (capdu: Uint8Array) => Promise<Uint8Array>;

export interface T0Options {
  /** Most GET RESPONSE / re-send exchanges after the first command. Default 16. */
  maxRounds?: number;
  /**
   * Contact T=0 only (EMV Book 1 Annex A, case 4 with a warning): when a case 4 command
   * draws a bare 62xx/63xx, fetch the data with GET RESPONSE (Le 00) and return it with
   * that warning status. Leave off for T=1 and contactless links, where a bare warning is
   * the whole answer. Default false.
   */
  case4Warnings?: boolean;
}

/**
 * Wraps a raw transceive with the T=0 case 2/4 procedures (EMV Book 1 9.3.1.3, ISO/IEC
 * 7816-3 12.2): on 61xx, send GET RESPONSE with Le = xx (repeated, concatenating the data
 * of every response, until the card stops answering 61xx); on 6Cxx, re-send the same
 * command with Le = xx. The result is one response APDU: all data, then the final status.
 * More than `maxRounds` extra exchanges is EMV_T0_TOO_MANY_ROUNDS.
 */
export function withT0Handling(transceive: Transceive, options?: T0Options): Transceive {
  const maxRounds = options?.maxRounds ?? 16;
  return async (capdu) => {
    const parts: Uint8Array[] = [];
    let next = capdu;
    let warning: Uint8Array | undefined;
    for (let round = 0; ; round++) {
      if (round > maxRounds) {
        throw new EmvError('EMV_T0_TOO_MANY_ROUNDS', `card still answered 61xx/6Cxx after ${maxRounds} extra exchanges`);
      }
      const rapdu = await transceive(next);
      const n = rapdu.length;
      if (n < 2) throw new EmvError('EMV_APDU_TOO_SHORT', `response APDU of ${n} byte${n === 1 ? '' : 's'} has no status word`);
      const sw1 = rapdu[n - 2]!;
      const sw2 = rapdu[n - 1]!;
      if (sw1 === 0x61) {
        if (n > 2) parts.push(rapdu.subarray(0, n - 2));
        next = getResponse(sw2 === 0 ? 256 : sw2);
        continue;
      }
      if (sw1 === 0x6c) {
        // Re-send the command that drew 6Cxx (the original or a GET RESPONSE) with Le = xx.
        const cmd = parseCommand(next);
        next = encodeCommand({ cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: cmd.data, le: sw2 === 0 ? 256 : sw2 });
        continue;
      }
      if (round === 0 && n === 2 && (sw1 === 0x62 || sw1 === 0x63) && options?.case4Warnings === true && isCase4(capdu)) {
        warning = rapdu;
        next = getResponse(256);
        continue;
      }
      if (warning !== undefined) {
        // The data comes back with the warning of the original command; without data, the warning alone.
        if (sw1 !== 0x90 || sw2 !== 0x00) return warning;
        parts.push(rapdu.subarray(0, n - 2), warning);
        return concatBytes(parts);
      }
      if (parts.length === 0) return rapdu;
      parts.push(rapdu);
      return concatBytes(parts);
    }
  };
}

function isCase4(capdu: Uint8Array): boolean {
  try {
    return parseCommand(capdu).case === 4;
  } catch {
    return false;
  }
}
