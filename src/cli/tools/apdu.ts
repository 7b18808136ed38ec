/** `pos tools apdu decode`: a command or response APDU with its meaning. */
import { flag, hexArg, printJson, UsageError, type Command } from '../command.js';
import { INS_NAMES, parseCommand, parseResponse } from '../../../emv/apdu/apdu.js';
import { isStatusWord, statusWordMeaning } from '../../../emv/apdu/status-words.js';
import { decodeTlv, type Tlv } from '../../../emv/ber/tlv.js';
import { tlvToJson } from '../../../emv/ber/json.js';
import { toHex } from '../../../emv/bytes.js';
import { isEmvError } from '../../../emv/errors.js';
import { formatTlvTree } from '../../../emv/strings/describe.js';
import { tagName } from './tlv.js';

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

function tryTlv(data: Uint8Array): Tlv[] | undefined {
  if (data.length === 0) return undefined;
  try {
    return decodeTlv(data, { lenient: true });
  } catch (err) {
    if (isEmvError(err)) return undefined;
    throw err;
  }
}

function looksLikeCommand(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || INS_NAMES[bytes[1]!] === undefined || bytes[0] === 0xff) return false;
  try {
    parseCommand(bytes);
    return true;
  } catch (err) {
    if (isEmvError(err)) return false;
    throw err;
  }
}

const decode: Command = {
  summary: 'decode a command APDU or a response APDU (with status word meaning)',
  usage: `pos tools apdu decode HEX [--command | --response] [--json] [--reveal]

Without --command/--response the kind is guessed: a well-formed C-APDU with a known EMV
instruction is a command, anything ending in a valid status word is a response.
Response data that parses as BER-TLV is shown as a tree. VERIFY data (a PIN block) is
hidden unless --reveal is given.`,
  options: { command: { type: 'boolean' }, response: { type: 'boolean' }, json: { type: 'boolean' }, reveal: { type: 'boolean' } },
  run(args, io) {
    if (args.positionals.length === 0) throw new UsageError('missing HEX');
    if (flag(args, 'command') && flag(args, 'response')) throw new UsageError('--command and --response exclude each other');
    const bytes = hexArg(args.positionals.join(''), 'HEX');
    const reveal = flag(args, 'reveal');
    const asCommand = flag(args, 'command') || (!flag(args, 'response') && looksLikeCommand(bytes));
    if (!asCommand && !flag(args, 'response') && (bytes.length < 2 || !isStatusWord((bytes[bytes.length - 2]! << 8) | bytes[bytes.length - 1]!))) {
      throw new UsageError('neither a well-formed EMV command nor a response ending in a status word; use --command or --response');
    }
    if (asCommand) {
      const c = parseCommand(bytes);
      const name = INS_NAMES[c.ins] ?? 'unknown instruction';
      const hidden = c.ins === 0x20 && !reveal;
      const data = hidden ? `(${c.data.length} bytes of PIN data, hidden)` : toHex(c.data);
      if (flag(args, 'json')) {
        printJson(io, { kind: 'command', name, cla: hex2(c.cla), ins: hex2(c.ins), p1: hex2(c.p1), p2: hex2(c.p2), case: c.case, extended: c.extended, lc: c.data.length, data: hidden ? null : toHex(c.data), le: c.le ?? null });
        return 0;
      }
      io.out(`command ${name}\n  CLA ${hex2(c.cla)}  INS ${hex2(c.ins)}  P1 ${hex2(c.p1)}  P2 ${hex2(c.p2)}  (case ${c.case}${c.extended ? ', extended' : ''})\n`);
      if (c.data.length > 0) io.out(`  Lc ${c.data.length}  data ${data}\n`);
      if (c.le !== undefined) io.out(`  Le ${c.le}\n`);
      const detail = commandDetail(c.ins, c.p1, c.p2);
      if (detail) io.out(`  ${detail}\n`);
      const tree = c.ins === 0xa8 ? tryTlv(c.data) : undefined;
      if (tree) io.out(formatTlvTree(tree, { reveal, indent: '  ' }).replace(/^(?=.)/gm, '  '));
      return 0;
    }
    const r = parseResponse(bytes);
    const meaning = statusWordMeaning(r.sw);
    const tree = tryTlv(r.data);
    if (flag(args, 'json')) {
      printJson(io, { kind: 'response', data: toHex(r.data), sw: hex2(r.sw1) + hex2(r.sw2), meaning, ...(tree ? { tlv: tlvToJson(tree, tagName) } : {}) });
      return 0;
    }
    io.out(`response, ${r.data.length} data bytes\n  SW ${hex2(r.sw1)}${hex2(r.sw2)}: ${meaning}\n`);
    if (tree) io.out(formatTlvTree(tree, { reveal }).replace(/^(?=.)/gm, '  '));
    else if (r.data.length > 0) io.out(`  data ${toHex(r.data)}\n`);
    return 0;
  },
};

function commandDetail(ins: number, p1: number, p2: number): string {
  switch (ins) {
    case 0xa4:
      return `select ${p1 === 0x04 ? 'by DF name' : `P1 ${hex2(p1)}`}, ${p2 === 0x02 ? 'next occurrence' : p2 === 0x00 ? 'first or only occurrence' : `P2 ${hex2(p2)}`}`;
    case 0xb2:
      return `record ${p1} of SFI ${p2 >> 3}${(p2 & 7) === 4 ? '' : ` (P2 low bits ${p2 & 7}, EMV uses 100b)`}`;
    case 0xae:
      return `requests ${['AAC', 'TC', 'ARQC', 'RFU'][p1 >> 6]}${p1 & 0x10 ? ' with CDA signature' : ''}`;
    case 0xca:
      return `data object ${hex2(p1)}${hex2(p2)}`;
    case 0x20:
      return p2 === 0x80 ? 'plaintext PIN' : p2 === 0x88 ? 'enciphered PIN' : `P2 ${hex2(p2)}`;
    default:
      return '';
  }
}

const apdu: Command = {
  summary: 'APDU decoder (ISO/IEC 7816-4, EMV Book 1 and 3)',
  subcommands: { decode: async () => decode },
};
export default apdu;
