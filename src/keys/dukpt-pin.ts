/**
 * The online-PIN step of a transaction (DESIGN "tap/swipe-to-settle path", step 4): the
 * PIN from the keypad buffer goes straight into an ISO 9564 PIN block under the current
 * DUKPT PIN key; the PIN buffer, the transaction key and the PIN key are wiped before
 * returning. The result (KSN + enciphered block) is what the host message carries.
 */
import { wipe } from '../../emv/crypto/bytes.js';
import { deriveAesWorkingKey, type DukptAesTerminal } from './dukpt-aes.js';
import { variantKey, type DukptTdesTerminal } from './dukpt-tdes.js';
import { encipherPinBlock, type PinBuffer } from './pin-block.js';

export interface EncipheredPin {
  /** The KSN to send with the block (field 53 or a private field, per host spec). */
  ksn: Uint8Array;
  pinBlock: Uint8Array;
  format: 0 | 1 | 3 | 4;
}

/** TDES DUKPT: the next transaction key's PIN variant enciphers an ISO format 0 (or 1, 3) block. */
export function encipherPinTdesDukpt(terminal: DukptTdesTerminal, pin: PinBuffer, pan: string, format: 0 | 1 | 3 = 0): EncipheredPin {
  let tx: ReturnType<DukptTdesTerminal['nextTransaction']> | undefined;
  let pinKey: Uint8Array | undefined;
  try {
    tx = terminal.nextTransaction();
    pinKey = variantKey(tx.key, 'pin');
    return { ksn: tx.ksn, pinBlock: encipherPinBlock(format, pin, pan, pinKey), format };
  } finally {
    pin.wipe();
    wipe(tx?.key, pinKey);
  }
}

/** AES DUKPT: the next transaction's PIN encryption key (AES, the initial key's size) enciphers an ISO format 4 block. */
export function encipherPinAesDukpt(terminal: DukptAesTerminal, pin: PinBuffer, pan: string): EncipheredPin {
  let tx: ReturnType<DukptAesTerminal['nextTransaction']> | undefined;
  let pinKey: Uint8Array | undefined;
  try {
    tx = terminal.nextTransaction();
    pinKey = deriveAesWorkingKey(tx.key, tx.ksn, 'pinEncryption');
    return { ksn: tx.ksn, pinBlock: encipherPinBlock(4, pin, pan, pinKey), format: 4 };
  } finally {
    pin.wipe();
    wipe(tx?.key, pinKey);
  }
}
