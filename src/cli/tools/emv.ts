/** `pos tools emv`: EMV card key derivation and cryptograms (EMV Book 2 A1.3, A1.4, 8.1, 8.2), for technicians and key custodians. */
import { toHex, wipe } from '../../../emv/crypto/bytes.js';
import { arpcMethod1, arpcMethod2, computeCryptogram, deriveIccMasterKey, deriveSessionKey } from '../../../emv/crypto/emv-keys.js';
import { isEmvCryptoError } from '../../../emv/crypto/errors.js';
import { UsageError, requireOpt, stringOpt, type Command, type ParsedArgs } from '../command.js';
import { JSON_OPTION, choiceOpt, emit, hexOpt, optionalHexOpt } from './key-tool-util.js';

const NOTE = '  These are test calculations: never type a production issuer master key into a terminal.';

/** Crypto argument errors (key length, ATC length...) are the caller's mistake: usage errors. */
function calc<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isEmvCryptoError(err)) throw new UsageError(err.message);
    throw err;
  }
}

const iccKey: Command = {
  summary: 'ICC master key from the issuer master key (EMV Book 2 A1.4, option A or B)',
  usage: `options:
  --imk HEX          issuer master key (16 bytes)
  --pan PAN          8-19 digits
  --psn NN           PAN sequence number, 2 digits (default 00)
  --option a|b       derivation option (default a; b applies to PANs over 16 digits)
  --json             print { "iccMasterKey" }
${NOTE}`,
  options: { imk: { type: 'string' }, pan: { type: 'string' }, psn: { type: 'string' }, option: { type: 'string' }, ...JSON_OPTION },
  run(args: ParsedArgs, io) {
    const imk = hexOpt(args, 'imk');
    const pan = requireOpt(args, 'pan');
    if (!/^[0-9]{8,19}$/.test(pan)) throw new UsageError('--pan must be 8-19 digits');
    const psn = stringOpt(args, 'psn') ?? '00';
    if (!/^[0-9]{2}$/.test(psn)) throw new UsageError('--psn must be 2 digits');
    const option = choiceOpt(args, 'option', ['a', 'b'] as const, 'a');
    const mk = calc(() => deriveIccMasterKey(imk, pan, psn, option));
    const out = { iccMasterKey: toHex(mk), option };
    wipe(mk, imk);
    return emit(args, io, out);
  },
};

const sessionKey: Command = {
  summary: 'session key from the ICC master key and ATC (EMV common session key; Mastercard-style with --un)',
  usage: `options:
  --key HEX          ICC master key (16 bytes)
  --atc HEX          application transaction counter (2 bytes)
  --un HEX           unpredictable number (4 bytes): R = ATC || 0000 || UN (Mastercard SKD)
  --json             print { "sessionKey" }
${NOTE}`,
  options: { key: { type: 'string' }, atc: { type: 'string' }, un: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const key = hexOpt(args, 'key');
    const atc = hexOpt(args, 'atc');
    const un = optionalHexOpt(args, 'un');
    const sk = calc(() => deriveSessionKey(key, atc, un));
    const out = { sessionKey: toHex(sk) };
    wipe(sk, key);
    return emit(args, io, out);
  },
};

const arqc: Command = {
  summary: 'application cryptogram (ARQC/TC/AAC): ISO/IEC 9797-1 MAC algorithm 3 over the data',
  usage: `options:
  --key HEX          session key (16 bytes)
  --data HEX         the cryptogram input (e.g. CDOL1 data elements, AIP, ATC)
  --pad 1|2          ISO/IEC 9797-1 padding method (default 2)
  --json             print { "cryptogram" }`,
  options: { key: { type: 'string' }, data: { type: 'string' }, pad: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const key = hexOpt(args, 'key');
    const data = hexOpt(args, 'data');
    const pad = Number(choiceOpt(args, 'pad', ['1', '2'] as const, '2')) as 1 | 2;
    const ac = calc(() => computeCryptogram(key, data, pad));
    wipe(key);
    return emit(args, io, { cryptogram: toHex(ac), pad });
  },
};

const arpc: Command = {
  summary: 'authorisation response cryptogram: method 1 with --arc, method 2 with --csu (EMV Book 2 8.2)',
  usage: `options:
  --key HEX          session key (16 bytes)
  --arqc HEX         the ARQC (8 bytes)
  --arc HEX          authorisation response code (2 bytes): ARPC method 1
  --csu HEX          card status update (4 bytes): ARPC method 2
  --prop HEX         proprietary authentication data (0-8 bytes), method 2 only
  --json             print { "arpc", "method" }`,
  options: { key: { type: 'string' }, arqc: { type: 'string' }, arc: { type: 'string' }, csu: { type: 'string' }, prop: { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const key = hexOpt(args, 'key');
    const cryptogram = hexOpt(args, 'arqc');
    const arc = optionalHexOpt(args, 'arc');
    const csu = optionalHexOpt(args, 'csu');
    const prop = optionalHexOpt(args, 'prop');
    if ((arc === undefined) === (csu === undefined)) throw new UsageError('give exactly one of --arc (method 1) or --csu (method 2)');
    if (arc !== undefined && prop !== undefined) throw new UsageError('--prop goes with --csu (method 2)');
    const out =
      arc !== undefined
        ? { arpc: toHex(calc(() => arpcMethod1(key, cryptogram, arc))), method: 1 }
        : { arpc: toHex(calc(() => arpcMethod2(key, cryptogram, csu!, prop))), method: 2 };
    wipe(key);
    return emit(args, io, out);
  },
};

const command: Command = {
  summary: 'EMV card keys and cryptograms: icc-key, session-key, arqc, arpc; replay an APDU trace',
  subcommands: {
    'icc-key': () => Promise.resolve(iccKey),
    'session-key': () => Promise.resolve(sessionKey),
    arqc: () => Promise.resolve(arqc),
    arpc: () => Promise.resolve(arpc),
    replay: () => import('./emv-replay.js').then((m) => m.default),
  },
};
export default command;
