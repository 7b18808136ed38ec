/**
 * The session MAC key of the host link: ANSI X9.19 (ISO 9797-1 MAC algorithm 3, padding 1)
 * over the message before field 64/128, with a key the host delivers in a key exchange
 * (0800, field 70 = 101), enciphered under the terminal's key-encrypting key (TDES ECB) with
 * its key check value in field 48: 32 hex digits of the enciphered key, then 6 of the KCV.
 */
import { timingSafeEqual } from 'node:crypto';
import { x919Mac } from '../../emv/crypto/mac.js';
import { tdesDecryptEcb, tdesEncryptEcb } from '../../emv/crypto/block-cipher.js';
import { keyCheckValue } from '../../emv/crypto/kcv.js';
import { HostError } from './errors.js';
import type { MacProvider } from './client.js';
import type { IsoMessage } from './iso8583/message.js';

export class SessionMac implements MacProvider {
  constructor(private key: Uint8Array) {}

  generate(data: Uint8Array): Uint8Array {
    return x919Mac(this.key, data);
  }

  verify(data: Uint8Array, mac: Uint8Array): boolean {
    const expected = x919Mac(this.key, data);
    return mac.length === expected.length && timingSafeEqual(Buffer.from(expected), Buffer.from(mac));
  }

  /** Takes the key delivered in a key-exchange answer; checks its KCV first. */
  applyKeyExchange(response: IsoMessage, kek: Uint8Array): { kcv: string } {
    const f48 = response.text(48);
    if (!/^[0-9A-F]{38}$/i.test(f48)) throw new HostError('HOST_MAC', 'key exchange: field 48 does not hold an enciphered key and its check value');
    const key = tdesDecryptEcb(kek, Uint8Array.from(Buffer.from(f48.slice(0, 32), 'hex')));
    const kcv = Buffer.from(keyCheckValue(key, 'tdes', 3)).toString('hex').toUpperCase();
    if (kcv !== f48.slice(32).toUpperCase()) {
      key.fill(0);
      throw new HostError('HOST_MAC', `key exchange: the delivered key's check value ${kcv} is not the one the host sent`);
    }
    this.key.fill(0);
    this.key = key;
    return { kcv };
  }
}

/** Host side: field 48 of a key-exchange answer for `key` under `kek`. */
export function keyExchangeField(key: Uint8Array, kek: Uint8Array): string {
  return Buffer.from(tdesEncryptEcb(kek, key)).toString('hex').toUpperCase() + Buffer.from(keyCheckValue(key, 'tdes', 3)).toString('hex').toUpperCase();
}
