/** `pos tools`: decoders and calculators for technicians and developers. */
import type { Command } from './command.js';

const load = (p: Promise<{ default: Command }>): Promise<Command> => p.then((m) => m.default);

const tools: Command = {
  summary: 'decoders and calculators (TLV, APDU, tracks, MAC, KCV, DUKPT, PIN blocks, ISO 8583, EMV keys)',
  subcommands: {
    apdu: () => load(import('./tools/apdu.js')),
    tlv: () => load(import('./tools/tlv.js')),
    track: () => load(import('./tools/track.js')),
    mac: () => load(import('./tools/mac.js')),
    kcv: () => load(import('./tools/kcv.js')),
    dukpt: () => load(import('./tools/dukpt.js')),
    pinblock: () => load(import('./tools/pinblock.js')),
    tr31: () => load(import('./tools/tr31.js')),
    emv: () => load(import('./tools/emv.js')),
  },
};
export default tools;
