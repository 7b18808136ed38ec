/**
 * TDES DUKPT, ANSI X9.24-1:2009: initial key (IPEK) derivation, transaction keys by direct
 * derivation (the receiving side, the acquirer simulator) and by the future key registers
 * (the originating side, the terminal), the working-key variants and the data key one-way
 * function. KSN: 10 bytes, the rightmost 21 bits are the transaction counter.
 */
import { encryptEcb } from '../../emv/crypto/block-cipher.js';
import { concat, wipe, xor } from '../../emv/crypto/bytes.js';
import { KeyError } from './errors.js';
import { KeyRegisters, isValidCounterFor, nextCounterFor, type CounterRules } from './dukpt-registers.js';

export const TDES_KSN_LENGTH = 10;
export const TDES_COUNTER_BITS = 21;
export const TDES_COUNTER_MASK = 0x1fffff;
/** A transaction counter may have at most this many one bits (X9.24-1:2009 A.2). */
export const TDES_MAX_COUNTER_ONES = 10;
const RULES: CounterRules = { bits: TDES_COUNTER_BITS, maxOnes: TDES_MAX_COUNTER_ONES };

const KEY_MASK = Uint8Array.from([0xc0, 0xc0, 0xc0, 0xc0, 0, 0, 0, 0, 0xc0, 0xc0, 0xc0, 0xc0, 0, 0, 0, 0]);

/** X9.24-1:2009 A.2/A.6 variant constants, XORed into the transaction key. */
export const TDES_VARIANTS = {
  pin: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff]),
  macRequest: Uint8Array.from([0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0]),
  macResponse: Uint8Array.from([0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0]),
  dataRequest: Uint8Array.from([0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0]),
  dataResponse: Uint8Array.from([0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0]),
} as const;

export type TdesVariant = keyof typeof TDES_VARIANTS;

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== 16) throw new KeyError('KEY_BAD_LENGTH', `${what} must be a 16-byte double-length TDES key, got ${key.length} bytes`);
}

function checkKsn(ksn: Uint8Array): void {
  if (ksn.length !== TDES_KSN_LENGTH) throw new KeyError('KEY_BAD_LENGTH', `TDES KSN must be 10 bytes, got ${ksn.length}`);
}

/** The 21-bit transaction counter of a KSN. */
export function ksnCounter(ksn: Uint8Array): number {
  checkKsn(ksn);
  return ((ksn[7]! & 0x1f) << 16) | (ksn[8]! << 8) | ksn[9]!;
}

/** A copy of the KSN with its counter replaced. */
export function ksnWithCounter(ksn: Uint8Array, counter: number): Uint8Array {
  checkKsn(ksn);
  const out = Uint8Array.from(ksn);
  out[7] = (ksn[7]! & 0xe0) | ((counter >>> 16) & 0x1f);
  out[8] = (counter >>> 8) & 0xff;
  out[9] = counter & 0xff;
  return out;
}

/** A transaction counter is valid when non-zero, 21 bits, at most 10 one bits. */
export function isValidCounter(counter: number): boolean {
  return isValidCounterFor(RULES, counter);
}

/**
 * The next valid counter after `counter` (X9.24-1:2009 A.2 "New Key"): plus one while the
 * counter has fewer than 10 one bits, otherwise plus its lowest one bit, which skips every
 * counter with more than 10. Null when the counter would overflow 21 bits (exhausted).
 */
export function nextCounter(counter: number): number | null {
  return nextCounterFor(RULES, counter);
}

/** X9.24-1:2009 A.6: IPEK = TDES(BDK, KSN with counter zeroed, leftmost 8 bytes) ‖ same under BDK ⊕ C0C0C0C000000000C0C0C0C000000000. */
export function deriveIpek(bdk: Uint8Array, ksn: Uint8Array): Uint8Array {
  checkKey(bdk, 'BDK');
  const base = ksnWithCounter(ksn, 0).subarray(0, 8);
  const masked = xor(bdk, KEY_MASK);
  try {
    return concat(encryptEcb('tdes', bdk, base), encryptEcb('tdes', masked, base));
  } finally {
    wipe(masked);
  }
}

// Scratch registers for the non-reversible step: filled, used and wiped within one synchronous
// call (saves five small allocations per step on the per-transaction path).
const MASKED = new Uint8Array(16);
const CR = new Uint8Array(8);

/** One half of the non-reversible key generation process: out = DES(K_L, CR ⊕ K_R) ⊕ K_R. */
function nrkgpHalf(key: Uint8Array, cr1: Uint8Array, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 8; i++) CR[i] = cr1[i]! ^ key[8 + i]!;
  const e = encryptEcb('tdes', key.subarray(0, 8), CR);
  for (let i = 0; i < 8; i++) out[offset + i] = e[i]! ^ key[8 + i]!;
  wipe(e, CR);
}

/** X9.24-1:2009 A.2 "Non-reversible Key Generation Process": new key from a key and crypto register 1. */
export function nonReversibleKey(key: Uint8Array, cr1: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) MASKED[i] = key[i]! ^ KEY_MASK[i]!;
  try {
    nrkgpHalf(MASKED, cr1, out, 0);
    nrkgpHalf(key, cr1, out, 8);
    return out;
  } finally {
    wipe(MASKED);
  }
}

const REGISTER = new Uint8Array(8);

/** Crypto register 1 for a counter: the rightmost 8 bytes of the KSN with that counter (a scratch, consumed at once). */
function register(ksn: Uint8Array, counter: number): Uint8Array {
  REGISTER.set(ksn.subarray(2, 10));
  REGISTER[5] = (ksn[7]! & 0xe0) | ((counter >>> 16) & 0x1f);
  REGISTER[6] = (counter >>> 8) & 0xff;
  REGISTER[7] = counter & 0xff;
  return REGISTER;
}

/**
 * The transaction key for a KSN, derived directly from the IPEK (the receiving side,
 * X9.24-1:2009 A.3): one non-reversible step per one bit of the counter, highest first.
 */
export function deriveTransactionKey(ipek: Uint8Array, ksn: Uint8Array): Uint8Array {
  checkKey(ipek, 'IPEK');
  const counter = ksnCounter(ksn);
  if (!isValidCounter(counter)) throw new KeyError('KEY_KSN_INVALID', `KSN counter ${counter} is not a valid transaction counter`);
  let key: Uint8Array = Uint8Array.from(ipek);
  let reg = 0;
  for (let bit = 1 << (TDES_COUNTER_BITS - 1); bit; bit >>>= 1) {
    if (!(counter & bit)) continue;
    reg |= bit;
    const next = nonReversibleKey(key, register(ksn, reg));
    wipe(key);
    key = next;
  }
  return key;
}

/** The transaction key XOR a variant constant (X9.24-1:2009 A.6 and ANSI X9.24-1:2009 A.2 variants). */
export function variantKey(transactionKey: Uint8Array, variant: TdesVariant): Uint8Array {
  checkKey(transactionKey, 'transaction key');
  return xor(transactionKey, TDES_VARIANTS[variant]);
}

/**
 * The data key one-way function (X9.24-1:2009, data encryption keys): each half of the
 * data variant key enciphered under the variant key itself, so the data key cannot be
 * turned back into the transaction key.
 */
export function dataKeyOneWay(dataVariantKey: Uint8Array): Uint8Array {
  checkKey(dataVariantKey, 'data variant key');
  return encryptEcb('tdes', dataVariantKey, dataVariantKey);
}

export interface TdesWorkingKeys {
  pinKey: Uint8Array;
  macRequestKey: Uint8Array;
  macResponseKey: Uint8Array;
  /** Data request key after the one-way function. */
  dataRequestKey: Uint8Array;
  /** Data response key after the one-way function. */
  dataResponseKey: Uint8Array;
}

/** Every working key of a transaction key. */
export function workingKeys(transactionKey: Uint8Array): TdesWorkingKeys {
  const dataReq = variantKey(transactionKey, 'dataRequest');
  const dataResp = variantKey(transactionKey, 'dataResponse');
  try {
    return {
      pinKey: variantKey(transactionKey, 'pin'),
      macRequestKey: variantKey(transactionKey, 'macRequest'),
      macResponseKey: variantKey(transactionKey, 'macResponse'),
      dataRequestKey: dataKeyOneWay(dataReq),
      dataResponseKey: dataKeyOneWay(dataResp),
    };
  } finally {
    wipe(dataReq, dataResp);
  }
}

/** One transaction's KSN and key, as handed out by the terminal. The caller wipes `key` after use. */
export interface DukptTransaction {
  ksn: Uint8Array;
  counter: number;
  /** The transaction key (before variants). */
  key: Uint8Array;
}

/**
 * The originating (terminal) side with its 21 future key registers (X9.24-1:2009 A.2).
 * The IPEK is used once at load and not kept; each register is erased once used, so no
 * key of a past transaction survives in the device.
 */
export class DukptTdesTerminal {
  private constructor(
    private readonly initialKsn: Uint8Array,
    private readonly registers: KeyRegisters,
  ) {}

  private static create(initialKsn: Uint8Array): DukptTdesTerminal {
    const ksn = Uint8Array.from(initialKsn);
    return new DukptTdesTerminal(ksn, new KeyRegisters(RULES, 16, (key, counter) => nonReversibleKey(key, register(ksn, counter)), 1));
  }

  /** "Load Initial Key": the IPEK and its initial KSN (counter zero); the first transaction uses counter 1. */
  static load(ipek: Uint8Array, initialKsn: Uint8Array): DukptTdesTerminal {
    checkKey(ipek, 'IPEK');
    if (ksnCounter(initialKsn) !== 0) throw new KeyError('KEY_KSN_INVALID', 'the initial KSN must have a zero counter');
    const t = DukptTdesTerminal.create(initialKsn);
    t.registers.loadInitial(ipek);
    return t;
  }

  get exhausted(): boolean {
    return this.registers.exhausted;
  }

  /** The KSN the next transaction will use (KEY_DUKPT_EXHAUSTED when none is left). */
  get currentKsn(): Uint8Array {
    return ksnWithCounter(this.initialKsn, this.registers.counter);
  }

  /**
   * "Request PIN Entry" + "New Key": the current transaction key and KSN; then the
   * counter advances to the next valid one and the future keys it needs are generated.
   */
  nextTransaction(): DukptTransaction {
    const { counter, key } = this.registers.next();
    return { ksn: ksnWithCounter(this.initialKsn, counter), counter, key };
  }

  /** The state for the key store (secret: store it encrypted): initial KSN ‖ registers. */
  exportState(): Uint8Array {
    return concat(this.initialKsn, this.registers.export());
  }

  static importState(state: Uint8Array): DukptTdesTerminal {
    if (state.length < TDES_KSN_LENGTH) throw new KeyError('KEY_DUKPT_STATE', 'DUKPT TDES state is too short');
    const t = DukptTdesTerminal.create(state.subarray(0, TDES_KSN_LENGTH));
    t.registers.import(state.subarray(TDES_KSN_LENGTH));
    return t;
  }

  /** Erases every register (key deletion, factory reset). */
  destroy(): void {
    this.registers.destroy();
  }
}
