/**
 * AES DUKPT, ANSI X9.24-3-2017: initial key from a BDK (AES-128/192/256) and the 8-byte
 * initial key ID, intermediate derivation keys per transaction counter, and working keys
 * for each key usage. KSN: 12 bytes = initial key ID (BDK ID 4 ‖ derivation ID 4) ‖ 32-bit counter.
 * Derivation: NIST SP 800-108 counter mode with AES-ECB on 16-byte derivation data (X9.24-3 6.3).
 */
import { encryptEcb } from '../../emv/crypto/block-cipher.js';
import { concat, wipe } from '../../emv/crypto/bytes.js';
import { KeyError } from './errors.js';
import { KeyRegisters, isValidCounterFor, nextCounterFor, type CounterRules } from './dukpt-registers.js';

export const AES_KSN_LENGTH = 12;
export const AES_IKID_LENGTH = 8;
const RULES: CounterRules = { bits: 32, maxOnes: 16 };

/** X9.24-3-2017 Table 2, key type (algorithm indicator) and length in bits. */
export const AES_DUKPT_KEY_TYPES = {
  tdes2: { indicator: 0x0000, bits: 128 },
  tdes3: { indicator: 0x0001, bits: 192 },
  aes128: { indicator: 0x0002, bits: 128 },
  aes192: { indicator: 0x0003, bits: 192 },
  aes256: { indicator: 0x0004, bits: 256 },
} as const;

export type AesDukptKeyType = keyof typeof AES_DUKPT_KEY_TYPES;

/** X9.24-3-2017 Table 2, key usage indicator. */
export const AES_DUKPT_USAGES = {
  keyEncryption: 0x0002,
  pinEncryption: 0x1000,
  macGeneration: 0x2000,
  macVerification: 0x2001,
  macBoth: 0x2002,
  dataEncrypt: 0x3000,
  dataDecrypt: 0x3001,
  dataBoth: 0x3002,
  keyDerivation: 0x8000,
  keyDerivationInitialKey: 0x8001,
} as const;

export type AesDukptUsage = keyof typeof AES_DUKPT_USAGES;

/** The AES key type of a BDK or derivation key from its length. */
export function aesKeyType(key: Uint8Array): 'aes128' | 'aes192' | 'aes256' {
  switch (key.length) {
    case 16:
      return 'aes128';
    case 24:
      return 'aes192';
    case 32:
      return 'aes256';
    default:
      throw new KeyError('KEY_BAD_LENGTH', `AES DUKPT key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
}

function checkKsn(ksn: Uint8Array): void {
  if (ksn.length !== AES_KSN_LENGTH) throw new KeyError('KEY_BAD_LENGTH', `AES DUKPT KSN must be 12 bytes, got ${ksn.length}`);
}

export function aesKsnCounter(ksn: Uint8Array): number {
  checkKsn(ksn);
  return new DataView(ksn.buffer, ksn.byteOffset + 8, 4).getUint32(0);
}

export function aesKsnWithCounter(ksnOrIkid: Uint8Array, counter: number): Uint8Array {
  if (ksnOrIkid.length !== AES_KSN_LENGTH && ksnOrIkid.length !== AES_IKID_LENGTH) {
    throw new KeyError('KEY_BAD_LENGTH', `expected an 8-byte initial key ID or a 12-byte KSN, got ${ksnOrIkid.length} bytes`);
  }
  const out = new Uint8Array(AES_KSN_LENGTH);
  out.set(ksnOrIkid.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, counter >>> 0);
  return out;
}

export function isValidAesCounter(counter: number): boolean {
  return isValidCounterFor(RULES, counter);
}

/** Next valid counter (at most 16 one bits), null when exhausted. */
export function nextAesCounter(counter: number): number | null {
  return nextCounterFor(RULES, counter);
}

/**
 * X9.24-3-2017 6.3.2 "Derive Key": derivation data = version 01 ‖ block counter ‖ usage (2)
 * ‖ algorithm (2) ‖ length in bits (2) ‖ 8 bytes of context; one AES-ECB block per 128 bits.
 */
export function deriveAesDukptKey(derivationKey: Uint8Array, usage: AesDukptUsage, keyType: AesDukptKeyType, context: Uint8Array): Uint8Array {
  aesKeyType(derivationKey);
  if (context.length !== 8) throw new KeyError('KEY_BAD_LENGTH', 'derivation context must be 8 bytes');
  const { indicator, bits } = AES_DUKPT_KEY_TYPES[keyType];
  const usageCode = AES_DUKPT_USAGES[usage];
  const data = new Uint8Array(16);
  data[0] = 0x01;
  data[2] = usageCode >> 8;
  data[3] = usageCode & 0xff;
  data[4] = indicator >> 8;
  data[5] = indicator & 0xff;
  data[6] = bits >> 8;
  data[7] = bits & 0xff;
  data.set(context, 8);
  const blocks = Math.ceil(bits / 128);
  if (blocks === 1) {
    data[1] = 1;
    return encryptEcb('aes', derivationKey, data);
  }
  const all = new Uint8Array(blocks * 16);
  for (let i = 1; i <= blocks; i++) {
    data[1] = i;
    const block = encryptEcb('aes', derivationKey, data);
    all.set(block, (i - 1) * 16);
    wipe(block);
  }
  const key = all.slice(0, bits / 8);
  wipe(all);
  return key;
}

/** X9.24-3-2017 6.3.3: the initial key of a device from the BDK and its initial key ID. */
export function deriveAesInitialKey(bdk: Uint8Array, initialKeyId: Uint8Array): Uint8Array {
  if (initialKeyId.length !== AES_IKID_LENGTH) throw new KeyError('KEY_BAD_LENGTH', `initial key ID must be 8 bytes, got ${initialKeyId.length}`);
  return deriveAesDukptKey(bdk, 'keyDerivationInitialKey', aesKeyType(bdk), initialKeyId);
}

/** Context for counter-bound derivations: derivation ID (rightmost 4 bytes of the IKID) ‖ counter. */
function counterContext(ksn: Uint8Array, counter: number): Uint8Array {
  const ctx = new Uint8Array(8);
  ctx.set(ksn.subarray(4, 8));
  ctx[4] = counter >>> 24;
  ctx[5] = (counter >>> 16) & 0xff;
  ctx[6] = (counter >>> 8) & 0xff;
  ctx[7] = counter & 0xff;
  return ctx;
}

/** The intermediate derivation key of a KSN, straight from the initial key (the receiving side, X9.24-3 6.5). */
export function deriveAesTransactionKey(initialKey: Uint8Array, ksn: Uint8Array): Uint8Array {
  const counter = aesKsnCounter(ksn);
  if (!isValidAesCounter(counter)) throw new KeyError('KEY_KSN_INVALID', `KSN counter ${counter} is not a valid AES DUKPT transaction counter`);
  const type = aesKeyType(initialKey);
  let key: Uint8Array = Uint8Array.from(initialKey);
  let working = 0;
  for (let b = 31; b >= 0; b--) {
    const bit = 2 ** b;
    if (!((counter >>> b) & 1)) continue;
    working += bit;
    const next = deriveAesDukptKey(key, 'keyDerivation', type, counterContext(ksn, working));
    wipe(key);
    key = next;
  }
  return key;
}

/** A working key from a transaction's intermediate derivation key (X9.24-3 6.3.3). */
export function deriveAesWorkingKey(transactionKey: Uint8Array, ksn: Uint8Array, usage: AesDukptUsage, keyType: AesDukptKeyType = aesKeyType(transactionKey)): Uint8Array {
  return deriveAesDukptKey(transactionKey, usage, keyType, counterContext(ksn, aesKsnCounter(ksn)));
}

export interface AesWorkingKeys {
  pinKey: Uint8Array;
  macGenerationKey: Uint8Array;
  macVerificationKey: Uint8Array;
  dataEncryptKey: Uint8Array;
  dataDecryptKey: Uint8Array;
}

/** The working keys of one transaction, all of `keyType` (default: the derivation key's own AES type). */
export function aesWorkingKeys(transactionKey: Uint8Array, ksn: Uint8Array, keyType?: AesDukptKeyType): AesWorkingKeys {
  const k = (usage: AesDukptUsage): Uint8Array => deriveAesWorkingKey(transactionKey, ksn, usage, keyType);
  return {
    pinKey: k('pinEncryption'),
    macGenerationKey: k('macGeneration'),
    macVerificationKey: k('macVerification'),
    dataEncryptKey: k('dataEncrypt'),
    dataDecryptKey: k('dataDecrypt'),
  };
}

export interface AesDukptTransaction {
  ksn: Uint8Array;
  counter: number;
  /** The intermediate derivation key of this counter; derive working keys from it, then wipe it. */
  key: Uint8Array;
}

/** The originating (terminal) side with its 32 intermediate derivation key registers (X9.24-3 6.4). */
export class DukptAesTerminal {
  private constructor(
    private readonly initialKeyId: Uint8Array,
    private readonly registers: KeyRegisters,
  ) {}

  private static create(initialKeyId: Uint8Array, keyLength: number): DukptAesTerminal {
    const ikid = Uint8Array.from(initialKeyId);
    const type = aesKeyType(new Uint8Array(keyLength));
    const child = (key: Uint8Array, counter: number): Uint8Array => deriveAesDukptKey(key, 'keyDerivation', type, counterContext(ikid, counter));
    return new DukptAesTerminal(ikid, new KeyRegisters(RULES, keyLength, child, 1));
  }

  /** Loads the initial key (not the BDK) and its 8-byte initial key ID; the first transaction uses counter 1. */
  static load(initialKey: Uint8Array, initialKeyId: Uint8Array): DukptAesTerminal {
    aesKeyType(initialKey);
    if (initialKeyId.length !== AES_IKID_LENGTH) throw new KeyError('KEY_BAD_LENGTH', `initial key ID must be 8 bytes, got ${initialKeyId.length}`);
    const t = DukptAesTerminal.create(initialKeyId, initialKey.length);
    t.registers.loadInitial(initialKey);
    return t;
  }

  get exhausted(): boolean {
    return this.registers.exhausted;
  }

  get currentKsn(): Uint8Array {
    return aesKsnWithCounter(this.initialKeyId, this.registers.counter);
  }

  nextTransaction(): AesDukptTransaction {
    const { counter, key } = this.registers.next();
    return { ksn: aesKsnWithCounter(this.initialKeyId, counter), counter, key };
  }

  /** initial key ID (8) ‖ key length (1) ‖ registers. Secret: store it encrypted. */
  exportState(): Uint8Array {
    const regs = this.registers.export();
    const keyLength = (regs.length - 8) / 32;
    return concat(this.initialKeyId, Uint8Array.of(keyLength), regs);
  }

  static importState(state: Uint8Array): DukptAesTerminal {
    if (state.length < 9 || ![16, 24, 32].includes(state[8]!)) throw new KeyError('KEY_DUKPT_STATE', 'DUKPT AES state is malformed');
    const t = DukptAesTerminal.create(state.subarray(0, 8), state[8]!);
    t.registers.import(state.subarray(9));
    return t;
  }

  destroy(): void {
    this.registers.destroy();
  }
}
