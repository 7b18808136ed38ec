/** `pos tools tr31 unwrap|wrap`: TR-31 / X9.143 key blocks, versions B and D. */
import { toHex, wipe } from '../../../emv/crypto/bytes.js';
import { keyCheckValue } from '../../../emv/crypto/kcv.js';
import { parseTr31Header, unwrapTr31, wrapTr31 } from '../../keys/tr31.js';
import { requireOpt, type Command } from '../command.js';
import { JSON_OPTION, emit, hexOpt } from './key-tool-util.js';

const unwrap: Command = {
  summary: 'unwrap a key block (versions B and D) and check its MAC',
  usage: `options:
  --kbpk HEX     key block protection key (B: TDES 16/24 bytes; D: AES 16/24/32)
  --block TEXT   the key block
  --json         print { "key", "header" } (header as the encoded header string), plus its fields and the key's KCV`,
  options: { kbpk: { type: 'string' }, block: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const kbpk = hexOpt(args, 'kbpk');
    const r = unwrapTr31(kbpk, requireOpt(args, 'block'));
    const h = r.header;
    const kcv = keyCheckValue(r.key, h.algorithm === 'A' ? 'aes' : 'tdes');
    const out = {
      key: toHex(r.key),
      header: r.headerText,
      kcv: toHex(kcv),
      version: h.version,
      keyUsage: h.keyUsage,
      algorithm: h.algorithm,
      modeOfUse: h.modeOfUse,
      keyVersion: h.keyVersion,
      exportability: h.exportability,
      optionalBlocks: h.optionalBlocks,
    };
    wipe(kbpk, r.key);
    return emit(args, io, out);
  },
};

const wrap: Command = {
  summary: 'wrap a key into a key block (versions B and D), for test blocks',
  usage: `options:
  --kbpk HEX     key block protection key (B: TDES 16/24 bytes; D: AES 16/24/32)
  --key HEX      the key to wrap
  --header TEXT  the header: version, length (any 4 digits: recomputed), usage, algorithm, mode,
                 key version, exportability, optional block count, reserved, then optional blocks,
                 e.g. D0000P0AE00E0000 or B0000B0TX12S0100KS1800604B120F9292800000
  --json         print { "block" }`,
  options: { kbpk: { type: 'string' }, key: { type: 'string' }, header: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const kbpk = hexOpt(args, 'kbpk');
    const key = hexOpt(args, 'key');
    const { header } = parseTr31Header(requireOpt(args, 'header'));
    const block = wrapTr31(kbpk, header, key);
    wipe(kbpk, key);
    return emit(args, io, { block });
  },
};

const command: Command = {
  summary: 'TR-31 / X9.143 key blocks (versions B and D): unwrap and wrap',
  subcommands: { unwrap: async () => unwrap, wrap: async () => wrap },
};
export default command;
