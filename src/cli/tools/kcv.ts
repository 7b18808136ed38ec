/** `pos tools kcv`: key check value of a TDES or AES key. */
import { toHex } from '../../../emv/crypto/bytes.js';
import { guessAlgorithm, keyCheckValue } from '../../../emv/crypto/kcv.js';
import type { Command } from '../command.js';
import { JSON_OPTION, choiceOpt, emit, hexOpt } from './key-tool-util.js';

const command: Command = {
  summary: 'key check value (TDES: E(K, 0^8), 3 bytes; AES: CMAC(K, 0^16), 5 bytes)',
  usage: `options:
  --key HEX          the key (TDES 8/16/24 bytes, AES 16/24/32)
  --alg tdes|aes     default tdes, or aes for a 32-byte key
  --json             print { "kcv" }`,
  options: { key: { type: 'string' }, alg: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const key = hexOpt(args, 'key');
    const alg = choiceOpt(args, 'alg', ['tdes', 'aes'] as const, guessAlgorithm(key));
    return emit(args, io, { kcv: toHex(keyCheckValue(key, alg)), alg });
  },
};
export default command;
