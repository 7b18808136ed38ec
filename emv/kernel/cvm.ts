// Cardholder verification: EMV Book 3 10.5 (CVM list processing, CV Rule codes Annex C3),
// Book 4 6.3.4 (PIN entry). The PIN pad builds and keeps PIN blocks: the kernel only
// forwards the VERIFY data the PIN pad hands it and never stores it.
import { getChallenge, getData, verify, VERIFY_PIN } from '../apdu/apdu.js';
import { TAG } from '../dict/tags.js';
import { maskPan } from '../track/pan.js';
import { setBit, TERMINAL_CAPABILITIES as CAP, hasBit, TVR, type Bit } from './bits.js';
import type { CardIo } from './card-io.js';
import type { CaKey, CvmResultInfo, OdaVerifier, PinEntry } from './types.js';

export interface CvmContext {
  readonly io: CardIo;
  readonly card: ReadonlyMap<number, Uint8Array>;
  /** Terminal Capabilities in effect (contactless kernels may narrow them). */
  readonly capabilities: Uint8Array;
  readonly terminalType: number;
  readonly transactionType: number;
  readonly amount: number;
  readonly currency: number;
  readonly tvr: Uint8Array;
  readonly pin: PinEntry | undefined;
  readonly oda: OdaVerifier | undefined;
  readonly caKey: CaKey | undefined;
  readonly date: string;
  readonly pan: string | undefined;
  /** Static data to be authenticated (Book 3 10.3), for recovering the ICC key as PIN key. */
  readonly staticData: Uint8Array;
}

const CVM = { FAIL: 0x00, PLAINTEXT_PIN: 0x01, ONLINE_PIN: 0x02, PLAINTEXT_PIN_SIGNATURE: 0x03, ENCIPHERED_PIN: 0x04, ENCIPHERED_PIN_SIGNATURE: 0x05, SIGNATURE: 0x1e, NO_CVM: 0x1f } as const;

/** CVM Results (9F34) for "no CVM performed" (Book 3 Annex A: 3F = no CVM performed). */
export function noCvmPerformed(result: 0 | 1): CvmResultInfo {
  return { bytes: Uint8Array.of(0x3f, 0x00, result), method: 'none', signatureRequired: false };
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
}

function supported(code: number, caps: Uint8Array): boolean | undefined {
  const need: Record<number, Bit[]> = {
    [CVM.FAIL]: [],
    [CVM.PLAINTEXT_PIN]: [CAP.PLAINTEXT_PIN],
    [CVM.ONLINE_PIN]: [CAP.ONLINE_PIN],
    [CVM.PLAINTEXT_PIN_SIGNATURE]: [CAP.PLAINTEXT_PIN, CAP.SIGNATURE],
    [CVM.ENCIPHERED_PIN]: [CAP.ENCIPHERED_PIN],
    [CVM.ENCIPHERED_PIN_SIGNATURE]: [CAP.ENCIPHERED_PIN, CAP.SIGNATURE],
    [CVM.SIGNATURE]: [CAP.SIGNATURE],
    [CVM.NO_CVM]: [CAP.NO_CVM],
  };
  const bits = need[code];
  return bits === undefined ? undefined : bits.every((b) => hasBit(caps, b));
}

/** Book 3 Annex C3 Table 40: is the CV Rule's condition satisfied? `undefined` for a code the terminal does not know. */
function conditionMet(cond: number, code: number, x: number, y: number, ctx: CvmContext): boolean {
  const unattended = [4, 5, 6].includes(ctx.terminalType & 0x0f);
  const cash = ctx.transactionType === 0x01;
  const cashback = ctx.transactionType === 0x09;
  const appCurrency = ctx.card.get(TAG.APPLICATION_CURRENCY_CODE);
  const inAppCurrency = appCurrency !== undefined && appCurrency.length === 2 && Number(((appCurrency[0]! << 8) | appCurrency[1]!).toString(16)) === ctx.currency;
  switch (cond) {
    case 0x00: return true;
    case 0x01: return unattended && cash;
    case 0x02: return !cash && !cashback; // neither unattended nor manual cash, nor cashback
    case 0x03: return supported(code, ctx.capabilities) === true;
    case 0x04: return !unattended && cash;
    case 0x05: return cashback;
    case 0x06: return inAppCurrency && ctx.amount < x;
    case 0x07: return inAppCurrency && ctx.amount > x;
    case 0x08: return inAppCurrency && ctx.amount < y;
    case 0x09: return inAppCurrency && ctx.amount > y;
    default: return false;
  }
}

type Attempt = 'success' | 'unknown' | 'failed';

/** Book 3 10.5: processes the CVM list; sets TVR bits; returns CVM Results. */
export async function processCvmList(ctx: CvmContext): Promise<CvmResultInfo> {
  const list = ctx.card.get(TAG.CVM_LIST);
  if (list === undefined || list.length < 10 || (list.length - 8) % 2 !== 0) {
    setBit(ctx.tvr, TVR.ICC_DATA_MISSING);
    return noCvmPerformed(0);
  }
  const x = readU32(list, 0);
  const y = readU32(list, 4);
  let last: [number, number] | undefined;
  for (let o = 8; o < list.length; o += 2) {
    const rule = list[o]!;
    const cond = list[o + 1]!;
    const code = rule & 0x3f;
    const continueOnFail = (rule & 0x40) !== 0;
    if (!conditionMet(cond, code, x, y, ctx)) continue;
    last = [rule, cond];
    const sup = supported(code, ctx.capabilities);
    let attempt: Attempt;
    if (sup === undefined) {
      setBit(ctx.tvr, TVR.UNRECOGNISED_CVM);
      attempt = 'failed';
    } else if (!sup) {
      attempt = 'failed';
    } else {
      attempt = await perform(code, ctx);
    }
    if (attempt !== 'failed') {
      const signature = code === CVM.SIGNATURE || code === CVM.PLAINTEXT_PIN_SIGNATURE || code === CVM.ENCIPHERED_PIN_SIGNATURE;
      return {
        bytes: Uint8Array.of(rule, cond, attempt === 'success' ? 0x02 : 0x00),
        method: methodName(code),
        signatureRequired: signature,
      };
    }
    if (!continueOnFail) break;
  }
  setBit(ctx.tvr, TVR.CVM_NOT_SUCCESSFUL);
  return last === undefined ? noCvmPerformed(1) : { bytes: Uint8Array.of(last[0], last[1], 0x01), method: 'failed', signatureRequired: false };
}

function methodName(code: number): CvmResultInfo['method'] {
  if (code === CVM.ONLINE_PIN) return 'online-pin';
  if (code === CVM.SIGNATURE) return 'signature';
  if (code === CVM.NO_CVM) return 'no-cvm';
  return 'offline-pin';
}

async function perform(code: number, ctx: CvmContext): Promise<Attempt> {
  switch (code) {
    case CVM.FAIL:
      return 'failed';
    case CVM.NO_CVM:
      return 'success';
    case CVM.SIGNATURE:
      return 'unknown'; // Book 3 10.5: signature is verified after the transaction
    case CVM.ONLINE_PIN:
      return onlinePin(ctx);
    default: {
      const r = await offlinePin(ctx, code === CVM.ENCIPHERED_PIN || code === CVM.ENCIPHERED_PIN_SIGNATURE);
      // A PIN + signature rule counts as performed with the outcome of the PIN part (Book 3 10.5.1).
      return r === 'success' && (code === CVM.PLAINTEXT_PIN_SIGNATURE || code === CVM.ENCIPHERED_PIN_SIGNATURE) ? 'unknown' : r;
    }
  }
}

/** Runs a CVM outside the CVM list (contactless online PIN, Book C-3 5.7). */
export async function onlinePin(ctx: Pick<CvmContext, 'pin' | 'tvr' | 'pan'>): Promise<Attempt> {
  if (ctx.pin === undefined) {
    setBit(ctx.tvr, TVR.PIN_PAD_NOT_WORKING);
    return 'failed';
  }
  const r = await ctx.pin.online({ panMasked: ctx.pan === undefined ? '' : maskPan(ctx.pan) });
  if (r.kind === 'entered') {
    setBit(ctx.tvr, TVR.ONLINE_PIN_ENTERED);
    return 'unknown';
  }
  setBit(ctx.tvr, r.kind === 'bypassed' ? TVR.PIN_NOT_ENTERED : TVR.PIN_PAD_NOT_WORKING);
  return 'failed';
}

/** Offline PIN (Book 3 10.5.1, 6.5.12): PIN Try Counter, PIN entry, VERIFY, retries while tries remain. */
async function offlinePin(ctx: CvmContext, enciphered: boolean): Promise<Attempt> {
  if (ctx.pin === undefined) {
    setBit(ctx.tvr, TVR.PIN_PAD_NOT_WORKING);
    return 'failed';
  }
  let tries: number | undefined;
  const ptc = await ctx.io.exchange(getData(TAG.PIN_TRY_COUNTER));
  if (ptc.sw === 0x9000 && ptc.data.length === 4 && ptc.data[0] === 0x9f && ptc.data[1] === 0x17 && ptc.data[2] === 1) tries = ptc.data[3]!;
  if (tries === 0) {
    setBit(ctx.tvr, TVR.PIN_TRY_LIMIT_EXCEEDED);
    return 'failed';
  }
  let iccPinKey: { modulus: Uint8Array; exponent: Uint8Array } | undefined;
  if (enciphered) {
    iccPinKey = ctx.caKey === undefined ? undefined : ctx.oda?.iccPinKey?.(ctx.card, ctx.caKey, ctx.date, ctx.staticData);
    if (iccPinKey === undefined) return 'failed'; // no key to encipher with: this CVM cannot be performed
  }
  for (let round = 0; round < 16; round++) {
    let challenge: Uint8Array | undefined;
    if (enciphered) {
      const c = await ctx.io.exchange(getChallenge());
      if (c.sw !== 0x9000 || c.data.length !== 8) return 'failed';
      challenge = c.data;
    }
    const entry = await ctx.pin.offline({ enciphered, triesLeft: tries, challenge, iccPinKey });
    if (entry.kind !== 'entered') {
      setBit(ctx.tvr, entry.kind === 'bypassed' ? TVR.PIN_NOT_ENTERED : TVR.PIN_PAD_NOT_WORKING);
      return 'failed';
    }
    const r = await ctx.io.exchange(verify(enciphered ? VERIFY_PIN.ENCIPHERED : VERIFY_PIN.PLAINTEXT, entry.verifyData));
    if (r.sw === 0x9000) return 'success';
    if (r.sw1 === 0x63 && (r.sw2 & 0xf0) === 0xc0 && (r.sw2 & 0x0f) > 0) {
      tries = r.sw2 & 0x0f;
      continue;
    }
    if (r.sw === 0x6983 || r.sw === 0x6984 || r.sw === 0x63c0) setBit(ctx.tvr, TVR.PIN_TRY_LIMIT_EXCEEDED);
    return 'failed';
  }
  return 'failed';
}
