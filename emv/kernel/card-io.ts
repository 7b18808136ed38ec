// The kernel's one path to the card: T=0 handling, and the line between a card fault
// (an outcome) and a reader fault (EMV_KERNEL_TRANSPORT, thrown).
import { EmvError, isEmvError } from '../errors.js';
import { parseResponse, type ResponseApdu } from '../apdu/apdu.js';
import { decodeTlv, indexPrimitives, type Tlv } from '../ber/tlv.js';
import { withT0Handling, type Transceive } from '../transport/transceive.js';

/** A card answered in a way the EMV rules treat as a card error; caught by the kernel loop and turned into an outcome. */
export class CardFault {
  constructor(readonly reason: string) {}
}

export class CardIo {
  private readonly send: Transceive;
  constructor(transceive: Transceive, contact: boolean) {
    this.send = withT0Handling(transceive, { case4Warnings: contact });
  }

  async exchange(capdu: Uint8Array): Promise<ResponseApdu> {
    let rapdu: Uint8Array;
    try {
      rapdu = await this.send(capdu);
    } catch (err) {
      // A response too short to carry a status word, or endless 61xx/6Cxx, is the card's fault (Book 1 9.3).
      if (isEmvError(err, 'EMV_APDU_TOO_SHORT') || isEmvError(err, 'EMV_T0_TOO_MANY_ROUNDS') || isEmvError(err, 'EMV_APDU_BAD_COMMAND')) throw new CardFault(err.message);
      throw new EmvError('EMV_KERNEL_TRANSPORT', `card exchange failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    // Copy: the kernel keeps values past the reader's buffer life.
    return parseResponse(Uint8Array.from(rapdu));
  }
}

/** Decodes `data` strictly as BER-TLV; bad TLV is a card fault (Book 3 Annex B). */
export function decodeCard(data: Uint8Array, what: string, lenient = false): Tlv[] {
  try {
    return decodeTlv(data, { lenient });
  } catch (err) {
    if (isEmvError(err)) throw new CardFault(`${what}: ${err.message}`);
    throw err;
  }
}

/** The one template `tag` the response must be; its children. */
export function expectTemplate(data: Uint8Array, tag: number, what: string, lenient = false): Tlv {
  const nodes = decodeCard(data, what, lenient);
  if (nodes.length !== 1 || nodes[0]!.tag !== tag || nodes[0]!.children === undefined) {
    throw new CardFault(`${what}: expected one template ${tag.toString(16).toUpperCase()}`);
  }
  return nodes[0]!;
}

/** Primitive values of a template; a tag seen twice is a card fault (Book 3 10.2). */
export function indexOnce(nodes: readonly Tlv[], what: string): Map<number, Uint8Array> {
  const { values, duplicates } = indexPrimitives(nodes);
  if (duplicates.length > 0) throw new CardFault(`${what}: data object ${duplicates[0]!.toString(16).toUpperCase()} appears more than once`);
  return values;
}
