/** `pos tools iso8583 decode|encode`: ISO 8583 messages in any layout the terminal can speak. */
import { flag, hexArg, printJson, requireOpt, UsageError, type Command } from '../command.js';
import { BUILTIN_LAYOUT_NAMES, loadLayout, type Layout } from '../../host/iso8583/layout.js';
import { IsoMessage } from '../../host/iso8583/message.js';
import { pack, unpack } from '../../host/iso8583/packager.js';
import { decodeTlv } from '../../../emv/ber/tlv.js';
import { maskPan } from '../../../emv/track/pan.js';
import { formatTlvTree } from '../../../emv/strings/describe.js';

const LAYOUT_HELP = `--layout NAME|FILE: ${BUILTIN_LAYOUT_NAMES.join(', ')}, or a jPOS GenericPackager .xml or a .json layout`;

/** Cardholder data shown to a person or a script only with --reveal (DESIGN data rules). */
function masked(id: number, value: string): string {
  if (id === 2) return maskPan(value);
  if (id === 35) return value.replace(/^(\d+)([=D]).*$/, (_, pan: string, sep: string) => `${maskPan(pan)}${sep}${'*'.repeat(Math.max(0, value.length - pan.length - 1))}`);
  if (id === 45 || id === 36) return `[track data, ${value.length} characters hidden]`;
  if (id === 52) return '[PIN block hidden]';
  return value;
}

function layoutOf(name: string): Layout {
  return loadLayout(name);
}

const decode: Command = {
  summary: 'decode an ISO 8583 message (without the channel length header)',
  usage: `pos tools iso8583 decode HEX --layout NAME|FILE [--json] [--reveal]

${LAYOUT_HELP}. HEX is the message as the packager writes it (MTI first).
The PAN and track 2 are masked, track 1/3 and the PIN block hidden unless --reveal.
--json prints { "mti", "fields": { "2": "...", ... } } (binary fields as uppercase hex);
the human output also decodes field 55 as an EMV TLV tree.`,
  options: { layout: { type: 'string' }, json: { type: 'boolean' }, reveal: { type: 'boolean' } },
  run(args, io) {
    const layout = layoutOf(requireOpt(args, 'layout'));
    if (args.positionals.length === 0) throw new UsageError('missing HEX');
    const msg = unpack(layout, hexArg(args.positionals.join(''), 'HEX'));
    const reveal = flag(args, 'reveal');
    const json = msg.toJSON();
    if (!reveal) for (const k of Object.keys(json.fields)) json.fields[k] = masked(Number(k), json.fields[k]!);
    if (flag(args, 'json')) {
      printJson(io, json);
      return 0;
    }
    const lines = [`MTI ${msg.mti}   layout ${layout.name}`];
    for (const [k, v] of Object.entries(json.fields)) {
      const id = Number(k);
      lines.push(`  ${String(id).padStart(3)}  ${(layout.fields[id]?.def.name ?? '').padEnd(38).slice(0, 38)}  ${v}`);
      if (id === 55) {
        try {
          lines.push(...formatTlvTree(decodeTlv(msg.bytes(55)!), { reveal }).trimEnd().split('\n').map((l) => `         ${l}`));
        } catch (err) {
          lines.push(`         (field 55 is not valid TLV: ${(err as Error).message})`);
        }
      }
    }
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};

const encode: Command = {
  summary: 'encode { "mti", "fields" } JSON from stdin into a message (hex)',
  usage: `pos tools iso8583 encode --layout NAME|FILE [--json] < message.json

${LAYOUT_HELP}. The JSON is the shape "decode --json --reveal" prints.
Prints the message as uppercase hex (--json: { "hex" }).`,
  options: { layout: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const layout = layoutOf(requireOpt(args, 'layout'));
    const text = (await io.stdin()).trim();
    if (text === '') throw new UsageError('expected the message JSON on stdin');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`stdin is not JSON: ${(err as Error).message}`);
    }
    const hex = Buffer.from(pack(layout, IsoMessage.fromJSON(layout, json))).toString('hex').toUpperCase();
    if (flag(args, 'json')) printJson(io, { hex });
    else io.out(hex + '\n');
    return 0;
  },
};

const iso8583: Command = {
  summary: 'ISO 8583 message decoder and encoder (binary, ascii, jPOS XML or JSON layouts)',
  subcommands: { decode: async () => decode, encode: async () => encode },
};

export default iso8583;
