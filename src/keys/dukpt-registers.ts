/**
 * The originating-side key register machine both DUKPT variants share (ANSI X9.24-1:2009
 * A.2 future key registers; ANSI X9.24-3-2017 intermediate derivation key registers).
 * One register per counter bit. The key for counter c sits in the register of c's lowest
 * one bit; using it fills the registers below that bit with the keys of c|bit, then it is
 * erased. Counters with more one bits than allowed are skipped by adding the lowest one bit.
 */
import { wipe } from '../../emv/crypto/bytes.js';
import { KeyError } from './errors.js';

export function popcount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v; v = (v & (v - 1)) >>> 0) c++;
  return c;
}

/** The value of the lowest one bit of a counter (0 for 0). */
export function lowestBit(n: number): number {
  return (n & -n) >>> 0;
}

export interface CounterRules {
  /** Counter width in bits: 21 (TDES) or 32 (AES). */
  bits: number;
  /** Most one bits a valid counter may have: 10 (TDES) or 16 (AES). */
  maxOnes: number;
}

export function counterMax(rules: CounterRules): number {
  return 2 ** rules.bits - 1;
}

export function isValidCounterFor(rules: CounterRules, counter: number): boolean {
  return Number.isInteger(counter) && counter > 0 && counter <= counterMax(rules) && popcount(counter) <= rules.maxOnes;
}

/** The next valid counter, or null when the counter space is exhausted. */
export function nextCounterFor(rules: CounterRules, counter: number): number | null {
  const next = popcount(counter) < rules.maxOnes ? counter + 1 : counter + lowestBit(counter);
  return next > counterMax(rules) ? null : next;
}

/** Derives the key of `counter` from the key of its parent (`counter` minus its lowest one bit). */
export type ChildKeyFn = (parentKey: Uint8Array, counter: number) => Uint8Array;

export class KeyRegisters {
  private readonly registers: (Uint8Array | null)[];
  private counterValue: number;
  private done = false;

  constructor(
    private readonly rules: CounterRules,
    private readonly keyLength: number,
    private readonly child: ChildKeyFn,
    counter: number,
  ) {
    this.registers = new Array<Uint8Array | null>(rules.bits).fill(null);
    this.counterValue = counter;
  }

  /** Loads from the initial key (counter 0): every register gets the key of its single bit. */
  loadInitial(initialKey: Uint8Array): void {
    this.fill(initialKey, 0, this.rules.bits);
    this.counterValue = 1;
    this.done = false;
  }

  private fill(key: Uint8Array, base: number, fromBit: number): void {
    for (let b = fromBit - 1; b >= 0; b--) {
      wipe(this.registers[b] ?? undefined);
      this.registers[b] = this.child(key, (base + 2 ** b) >>> 0);
    }
  }

  get exhausted(): boolean {
    return this.done;
  }

  /** The counter the next transaction will use. */
  get counter(): number {
    if (this.done) throw new KeyError('KEY_DUKPT_EXHAUSTED', 'DUKPT transaction counter exhausted: load a new initial key');
    return this.counterValue;
  }

  /** Hands out the current counter's key (a copy the caller wipes) and advances. */
  next(): { counter: number; key: Uint8Array } {
    const c = this.counter;
    const b = 31 - Math.clz32(lowestBit(c));
    const current = this.registers[b];
    if (!current) throw new KeyError('KEY_DUKPT_STATE', `key register ${b} is empty`);
    const key = current.slice();
    if (popcount(c) < this.rules.maxOnes) this.fill(current, c, b);
    wipe(current);
    this.registers[b] = null;
    const n = nextCounterFor(this.rules, c);
    if (n === null) this.done = true;
    else this.counterValue = n;
    return { counter: c, key };
  }

  /** counter (4, 0 when exhausted) ‖ presence bitmap (4) ‖ every register (zeros when empty). */
  export(): Uint8Array {
    const out = new Uint8Array(8 + this.rules.bits * this.keyLength);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, this.done ? 0 : this.counterValue);
    let present = 0;
    this.registers.forEach((r, i) => {
      if (r) {
        out.set(r, 8 + i * this.keyLength);
        present = (present | (2 ** i)) >>> 0;
      }
    });
    dv.setUint32(4, present);
    return out;
  }

  import(state: Uint8Array): void {
    if (state.length !== 8 + this.rules.bits * this.keyLength) throw new KeyError('KEY_DUKPT_STATE', 'DUKPT state has the wrong length');
    const dv = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const counter = dv.getUint32(0);
    if (counter !== 0 && !isValidCounterFor(this.rules, counter)) throw new KeyError('KEY_DUKPT_STATE', 'DUKPT state has an invalid counter');
    this.done = counter === 0;
    this.counterValue = counter;
    const present = dv.getUint32(4);
    for (let i = 0; i < this.rules.bits; i++) {
      wipe(this.registers[i] ?? undefined);
      this.registers[i] = (present >>> i) & 1 ? state.slice(8 + i * this.keyLength, 8 + (i + 1) * this.keyLength) : null;
    }
  }

  destroy(): void {
    for (let i = 0; i < this.registers.length; i++) {
      wipe(this.registers[i] ?? undefined);
      this.registers[i] = null;
    }
    this.done = true;
  }
}
