/** `pos tools tlv decode|encode`: BER-TLV for people and scripts. */
import { flag, hexArg, printJson, UsageError, type Command } from '../command.js';
import { decodeTlv, encodeTlv } from '../../../emv/ber/tlv.js';
import { tlvFromJson, tlvToJson } from '../../../emv/ber/json.js';
import { toHex } from '../../../emv/bytes.js';
import { dataElement } from '../../../emv/dict/tags.js';
import { formatTlvTree } from '../../../emv/strings/describe.js';

export const tagName = (tag: number): string => dataElement(tag)?.name ?? 'unknown tag';

const decode: Command = {
  summary: 'decode BER-TLV hex into an annotated tree',
  usage: `pos tools tlv decode HEX [--json] [--lenient] [--reveal]

HEX may contain spaces or be split over several arguments; without HEX it is read from stdin.
Strict by default: truncated objects, indefinite lengths and padding are errors naming the
byte offset. --lenient skips 00/FF padding between objects (as in EMV records).
The tree masks PANs and hides track data unless --reveal is given.
--json prints [{ "tag", "name", "value" } | { "tag", "name", "children": [...] }], hex uppercase.`,
  options: { json: { type: 'boolean' }, lenient: { type: 'boolean' }, reveal: { type: 'boolean' } },
  async run(args, io) {
    const text = args.positionals.length > 0 ? args.positionals.join('') : (await io.stdin()).trim();
    if (text === '') throw new UsageError('missing HEX');
    const bytes = hexArg(text, 'HEX');
    const nodes = decodeTlv(bytes, { lenient: flag(args, 'lenient') });
    if (flag(args, 'json')) printJson(io, tlvToJson(nodes, tagName));
    else io.out(formatTlvTree(nodes, { reveal: flag(args, 'reveal') }));
    // "90 00" at the end parses as an empty tag 90: most likely a pasted status word.
    const last = nodes[nodes.length - 1];
    if (nodes.length > 1 && last !== undefined && last.tag === 0x90 && last.value.length === 0 && last.offset === bytes.length - 2) {
      io.err('note: the last two bytes 90 00 look like a status word; "pos tools apdu decode" splits it off\n');
    }
    return 0;
  },
};

const encode: Command = {
  summary: 'encode the JSON shape of `tlv decode --json` (read from stdin) into hex',
  usage: `pos tools tlv encode [--json] < tree.json

stdin holds one node or an array of nodes: { "tag": "9F02", "value": "000000001000" } or
{ "tag": "70", "children": [...] } ("name" is ignored). Prints the hex, or { "hex": ... } with --json.`,
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError('encode reads JSON from stdin, not from arguments');
    const text = await io.stdin();
    if (text.trim() === '') throw new UsageError('no JSON on stdin');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`stdin is not JSON: ${(err as Error).message}`);
    }
    const hex = toHex(encodeTlv(tlvFromJson(json)));
    if (flag(args, 'json')) printJson(io, { hex });
    else io.out(`${hex}\n`);
    return 0;
  },
};

const tlv: Command = {
  summary: 'BER-TLV decoder and encoder (EMV Book 3 Annex B)',
  subcommands: { decode: async () => decode, encode: async () => encode },
};
export default tlv;
