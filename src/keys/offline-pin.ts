/**
 * Offline PIN for a chip card's VERIFY command (EMV Book 3 6.5.12, Book 2 7): the plaintext
 * PIN block (Book 3 Table 24: control 2, PIN length, the PIN digits, F filler, 8 bytes) and
 * the enciphered PIN (Book 2 7.1: 7F || PIN block || the ICC's unpredictable number from
 * GET CHALLENGE || random padding, as long as the ICC PIN encipherment (or ICC) key's modulus,
 * then the RSA public operation with that key). The PIN comes from a {@link PinBuffer}; the
 * clear blocks built here are wiped before return, except the VERIFY data itself, which the
 * caller hands to the kernel for one command.
 */
import { randomFillSync } from 'node:crypto';
import { rsaRecover } from '../../emv/oda/rsa.js';
import { wipe } from '../../emv/crypto/bytes.js';
import { KeyError } from './errors.js';
import { PIN_MAX_LENGTH, PIN_MIN_LENGTH, type PinBuffer } from './pin-block.js';

/** Book 3 Table 24: 2N PP PP P/F ... FF (8 bytes). */
export function offlinePinBlock(pin: PinBuffer): Uint8Array {
  return pin.withDigits((d) => {
    if (d.length < PIN_MIN_LENGTH || d.length > PIN_MAX_LENGTH) throw new KeyError('KEY_PIN_INVALID', `an offline PIN has ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH} digits`);
    const nibbles = new Uint8Array(16).fill(0xf);
    nibbles[0] = 0x2;
    nibbles[1] = d.length;
    nibbles.set(d, 2);
    const block = new Uint8Array(8);
    for (let i = 0; i < 8; i++) block[i] = (nibbles[2 * i]! << 4) | nibbles[2 * i + 1]!;
    nibbles.fill(0);
    return block;
  });
}

export interface OfflinePinRequest {
  readonly enciphered: boolean;
  /** The ICC unpredictable number (GET CHALLENGE), 8 bytes: enciphered PIN only. */
  readonly challenge?: Uint8Array;
  /** The ICC PIN encipherment public key, or the ICC public key (Book 2 7.1): enciphered PIN only. */
  readonly iccPinKey?: { readonly modulus: Uint8Array; readonly exponent: Uint8Array };
}

/** The VERIFY command data for `pin` (P2 80 plaintext, P2 88 enciphered). Does not wipe `pin`. */
export function offlinePinVerifyData(pin: PinBuffer, request: OfflinePinRequest, random: (out: Uint8Array) => void = (out) => randomFillSync(out)): Uint8Array {
  const block = offlinePinBlock(pin);
  if (!request.enciphered) return block;
  const key = request.iccPinKey;
  const challenge = request.challenge;
  try {
    if (!key || !challenge || challenge.length !== 8) throw new KeyError('KEY_BAD_ARGUMENT', 'an enciphered offline PIN needs the ICC PIN key and an 8-byte ICC challenge');
    const n = key.modulus.length;
    if (n < 17 + 1) throw new KeyError('KEY_BAD_LENGTH', `ICC PIN key modulus of ${n} bytes is too short`);
    const message = new Uint8Array(n);
    message[0] = 0x7f;
    message.set(block, 1);
    message.set(challenge, 9);
    random(message.subarray(17));
    // The public-key operation X^e mod n (Book 2 7.1 step 4); the 7F header keeps X below n.
    const enciphered = rsaRecover(key, message);
    wipe(message);
    if (!enciphered) throw new KeyError('KEY_BAD_ARGUMENT', 'the ICC PIN key cannot encipher the PIN block');
    return enciphered;
  } finally {
    wipe(block);
  }
}
