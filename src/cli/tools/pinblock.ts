/** `pos tools pinblock encode|decode`: ISO 9564-1 PIN blocks, formats 0, 1, 3 (TDES) and 4 (AES). */
import { toHex, wipe } from '../../../emv/crypto/bytes.js';
import { PinBuffer, decipherPinBlock, decodePinBlock, encipherPinBlock, encodePinBlock, parseFillNibbles, type PinBlockFormat } from '../../keys/pin-block.js';
import { UsageError, requireOpt, stringOpt, type Command, type ParsedArgs } from '../command.js';
import { JSON_OPTION, choiceOpt, emit, hexOpt, optionalHexOpt } from './key-tool-util.js';

function format(args: ParsedArgs): PinBlockFormat {
  return Number(choiceOpt(args, 'format', ['0', '1', '3', '4'] as const)) as PinBlockFormat;
}

function pan(args: ParsedArgs, f: PinBlockFormat): string | undefined {
  const p = stringOpt(args, 'pan');
  if (p === undefined && f !== 1) throw new UsageError(`missing --pan (format ${f} binds the PIN to the PAN)`);
  return p;
}

const encode: Command = {
  summary: 'build a PIN block from a PIN and PAN, optionally enciphered',
  usage: `options:
  --format 0|1|3|4   ISO 9564-1 format (0, 1, 3: 8 bytes, TDES; 4: 16 bytes, AES)
  --pin PIN          4 to 12 digits
  --pan PAN          the card number (not needed for format 1)
  --fill HEX         fixed fill so results can be compared: formats 1 and 3, the 14 - PIN length
                     fill digits (format 3: A-F); format 4, the 8 random bytes as 16 hex digits
  --key HEX          encipher the block (TDES 16/24 bytes for 0/1/3; AES 16/24/32 for 4).
                     Without --key, format 4 prints the plain-text PIN field.
  --json             print { "pinBlock" }`,
  options: { format: { type: 'string' }, pin: { type: 'string' }, pan: { type: 'string' }, fill: { type: 'string' }, key: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const f = format(args);
    const p = pan(args, f);
    const fillText = stringOpt(args, 'fill');
    const fill = fillText === undefined ? undefined : parseFillNibbles(fillText);
    const key = optionalHexOpt(args, 'key');
    const pin = PinBuffer.fromString(requireOpt(args, 'pin'));
    try {
      const block = key ? encipherPinBlock(f, pin, p, key, fill) : encodePinBlock(f, pin, p, fill);
      const out = { pinBlock: toHex(block), format: f, enciphered: key !== undefined };
      wipe(block, key);
      return emit(args, io, out);
    } finally {
      pin.wipe();
    }
  },
};

const decode: Command = {
  summary: 'recover the PIN from a PIN block (deciphering it first with --key)',
  usage: `options:
  --format 0|1|3|4   ISO 9564-1 format
  --block HEX        the PIN block (8 bytes; format 4: 16)
  --pan PAN          the card number (not needed for format 1)
  --key HEX          decipher first (TDES for 0/1/3, AES for 4); format 4 needs it
  --json             print { "pin" }`,
  options: { format: { type: 'string' }, block: { type: 'string' }, pan: { type: 'string' }, key: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const f = format(args);
    const p = pan(args, f);
    const block = hexOpt(args, 'block');
    const key = optionalHexOpt(args, 'key');
    const pin = key ? decipherPinBlock(f, block, p, key) : decodePinBlock(f, block, p);
    try {
      return emit(args, io, { pin: pin.reveal(), format: f });
    } finally {
      pin.wipe();
      wipe(key);
    }
  },
};

const command: Command = {
  summary: 'ISO 9564-1 PIN blocks (formats 0, 1, 3, 4): encode and decode',
  subcommands: { encode: async () => encode, decode: async () => decode },
};
export default command;
