/** `pos tools mac`: ISO/IEC 9797-1 algorithm 1 and 3 MACs, ANSI X9.19, CMAC. */
import { toHex } from '../../../emv/crypto/bytes.js';
import { cmac } from '../../../emv/crypto/cmac.js';
import { macAlgorithm1, macAlgorithm3, type PaddingMethod } from '../../../emv/crypto/mac.js';
import type { Command } from '../command.js';
import { JSON_OPTION, choiceOpt, emit, hexOpt } from './key-tool-util.js';

const ALGS = ['x9.19', 'iso9797-1-alg1', 'iso9797-1-alg3', 'cmac-tdes', 'cmac-aes'] as const;

const command: Command = {
  summary: 'compute a MAC (ANSI X9.19, ISO/IEC 9797-1 algorithms 1 and 3, CMAC)',
  usage: `options:
  --alg x9.19|iso9797-1-alg1|iso9797-1-alg3|cmac-tdes|cmac-aes
  --key HEX      x9.19 / alg3: 16 bytes (K||K'); alg1: 8 (DES), 16 or 24 (TDES); cmac: TDES 16/24, AES 16/24/32
  --data HEX     the message
  --pad 1|2      ISO/IEC 9797-1 padding method (default 1; CMAC pads itself)
  --json         print { "mac" } (the full MAC: 8 bytes, AES CMAC 16)

example: pos tools mac --alg x9.19 --key 0123456789ABCDEFFEDCBA9876543210 --data 4E6F77206973207468652074696D6520666F7220616C6C20`,
  options: { alg: { type: 'string' }, key: { type: 'string' }, data: { type: 'string' }, pad: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const alg = choiceOpt(args, 'alg', ALGS);
    const key = hexOpt(args, 'key');
    const data = hexOpt(args, 'data');
    const pad = Number(choiceOpt(args, 'pad', ['1', '2'] as const, '1')) as PaddingMethod;
    let mac: Uint8Array;
    if (alg === 'iso9797-1-alg1') mac = macAlgorithm1(key, data, pad);
    else if (alg === 'cmac-tdes') mac = cmac('tdes', key, data);
    else if (alg === 'cmac-aes') mac = cmac('aes', key, data);
    else mac = macAlgorithm3(key, data, pad);
    return emit(args, io, { mac: toHex(mac), alg, ...(alg.startsWith('cmac') ? {} : { pad }) });
  },
};
export default command;
