/** `pos tools dukpt`: DUKPT keys of a KSN from the BDK (TDES for a 10-byte KSN, AES for 12). */
import { toHex, wipe } from '../../../emv/crypto/bytes.js';
import { AES_DUKPT_KEY_TYPES, aesKsnCounter, aesWorkingKeys, deriveAesInitialKey, deriveAesTransactionKey, type AesDukptKeyType } from '../../keys/dukpt-aes.js';
import { deriveIpek, deriveTransactionKey, ksnCounter, workingKeys } from '../../keys/dukpt-tdes.js';
import { UsageError, stringOpt, type Command } from '../command.js';
import { JSON_OPTION, choiceOpt, emit, hexOpt } from './key-tool-util.js';

const command: Command = {
  summary: 'DUKPT keys of a KSN (ANSI X9.24-1 TDES for a 10-byte KSN, X9.24-3 AES for 12 bytes)',
  usage: `options:
  --bdk HEX          base derivation key (TDES 16 bytes; AES 16/24/32 bytes)
  --ksn HEX          10-byte KSN (TDES) or 12-byte KSN = initial key ID (8) + counter (4) (AES)
  --key-type T       AES only: working key type aes128|aes192|aes256|tdes2|tdes3 (default: the BDK's)
  --json             TDES: { "ipek", "pinKey", "macRequestKey", "macResponseKey", "dataRequestKey", "dataResponseKey" }
                     AES:  { "initialKey", "pinKey", "macGenerationKey", "macVerificationKey", "dataEncryptKey", "dataDecryptKey" }
  The data keys of TDES DUKPT are given after the one-way function.
  These are test calculations: never type a production BDK into a terminal.`,
  options: { bdk: { type: 'string' }, ksn: { type: 'string' }, 'key-type': { type: 'string' }, ...JSON_OPTION },
  run(args, io) {
    const bdk = hexOpt(args, 'bdk');
    const ksn = hexOpt(args, 'ksn');
    const hex = (o: object): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toHex(v as Uint8Array)]));
    if (ksn.length === 10) {
      if (stringOpt(args, 'key-type') !== undefined) throw new UsageError('--key-type applies to AES DUKPT (12-byte KSN) only');
      const ipek = deriveIpek(bdk, ksn);
      const txn = deriveTransactionKey(ipek, ksn);
      const keys = workingKeys(txn);
      const out = { ipek: toHex(ipek), ksn: toHex(ksn), counter: ksnCounter(ksn), transactionKey: toHex(txn), ...hex(keys) };
      wipe(ipek, txn, ...Object.values(keys));
      return emit(args, io, out);
    }
    if (ksn.length === 12) {
      const keyType = stringOpt(args, 'key-type') === undefined ? undefined : choiceOpt(args, 'key-type', Object.keys(AES_DUKPT_KEY_TYPES) as AesDukptKeyType[]);
      const ik = deriveAesInitialKey(bdk, ksn.subarray(0, 8));
      const txn = deriveAesTransactionKey(ik, ksn);
      const keys = aesWorkingKeys(txn, ksn, keyType);
      const out = { initialKey: toHex(ik), ksn: toHex(ksn), counter: aesKsnCounter(ksn), derivationKey: toHex(txn), ...hex(keys) };
      wipe(ik, txn, ...Object.values(keys));
      return emit(args, io, out);
    }
    throw new UsageError(`--ksn must be 10 bytes (TDES) or 12 bytes (AES), got ${ksn.length}`);
  },
};
export default command;
