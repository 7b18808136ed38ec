/**
 * DUKPT registers kept in the key store across restarts. Installing turns a stored DUKPT
 * initial key (with its KSN or initial key ID) into originating-side registers and erases
 * the initial key, as X9.24-1 A.2 "Load Initial Key" requires. Each transaction's state is
 * written (atomically, encrypted) before its key is used, so a power cut can never make the
 * terminal use a KSN twice: at worst one counter is skipped.
 */
import { fromHex, wipe } from '../../emv/crypto/bytes.js';
import { DukptAesTerminal } from './dukpt-aes.js';
import { encipherPinAesDukpt, encipherPinTdesDukpt, type EncipheredPin } from './dukpt-pin.js';
import { DukptTdesTerminal } from './dukpt-tdes.js';
import { KeyError } from './errors.js';
import type { KeyStore } from './key-store.js';
import type { PinBuffer } from './pin-block.js';

const TDES = 1;
const AES = 2;

type Terminal = { kind: 'tdes'; terminal: DukptTdesTerminal } | { kind: 'aes'; terminal: DukptAesTerminal };

function encode(t: Terminal): Uint8Array {
  const state = t.terminal.exportState();
  const out = new Uint8Array(1 + state.length);
  out[0] = t.kind === 'tdes' ? TDES : AES;
  out.set(state, 1);
  wipe(state);
  return out;
}

function decode(bytes: Uint8Array): Terminal {
  if (bytes[0] === TDES) return { kind: 'tdes', terminal: DukptTdesTerminal.importState(bytes.subarray(1)) };
  if (bytes[0] === AES) return { kind: 'aes', terminal: DukptAesTerminal.importState(bytes.subarray(1)) };
  throw new KeyError('KEY_DUKPT_STATE', 'stored DUKPT state has an unknown kind');
}

export class StoredDukpt {
  private constructor(
    private readonly store: KeyStore,
    readonly stateName: string,
    private t: Terminal,
  ) {}

  /**
   * Builds the registers from the stored initial key `initialKeyName` (usage
   * 'dukpt-initial-key': a TDES IPEK with a 10-byte initial KSN, or an AES initial key with
   * its 8-byte initial key ID), stores them as `stateName`, then deletes the initial key.
   */
  static async install(store: KeyStore, initialKeyName: string, stateName: string): Promise<StoredDukpt> {
    const { key, info } = await store.get(initialKeyName, 'dukpt-initial-key');
    let t: Terminal;
    try {
      const ksn = info.ksn === undefined ? undefined : fromHex(info.ksn);
      if (info.algorithm === 'tdes' && ksn?.length === 10) t = { kind: 'tdes', terminal: DukptTdesTerminal.load(key, ksn) };
      else if (info.algorithm === 'aes' && (ksn?.length === 8 || ksn?.length === 12)) t = { kind: 'aes', terminal: DukptAesTerminal.load(key, ksn.subarray(0, 8)) };
      else throw new KeyError('KEY_DUKPT_STATE', `initial key "${initialKeyName}" has no usable KSN / initial key ID for ${info.algorithm}`);
    } finally {
      wipe(key);
    }
    const s = new StoredDukpt(store, stateName, t);
    await s.save();
    await store.delete(initialKeyName);
    return s;
  }

  /** Reopens registers stored by install() (after a restart). */
  static async open(store: KeyStore, stateName: string): Promise<StoredDukpt> {
    const { key } = await store.get(stateName, 'dukpt-state');
    try {
      return new StoredDukpt(store, stateName, decode(key));
    } finally {
      wipe(key);
    }
  }

  get kind(): 'tdes' | 'aes' {
    return this.t.kind;
  }

  get exhausted(): boolean {
    return this.t.terminal.exhausted;
  }

  private async save(): Promise<void> {
    const bytes = encode(this.t);
    try {
      await this.store.put(this.stateName, bytes, { usage: 'dukpt-state', algorithm: 'none', source: 'derived', replace: true });
    } finally {
      wipe(bytes);
    }
  }

  /**
   * Online PIN for one transaction: advances the registers, stores them, then builds the
   * PIN block (TDES: ISO format 0; AES: ISO format 4). The PIN buffer is wiped in every case.
   */
  async encipherPin(pin: PinBuffer, pan: string): Promise<EncipheredPin> {
    try {
      // Advance a copy, persist it, and only then give out the block and adopt the copy:
      // a failed write leaves the registers as they were and returns no block.
      const next = decode(encode(this.t));
      const result = next.kind === 'tdes' ? encipherPinTdesDukpt(next.terminal, pin, pan) : encipherPinAesDukpt(next.terminal, pin, pan);
      const bytes = encode(next);
      try {
        await this.store.put(this.stateName, bytes, { usage: 'dukpt-state', algorithm: 'none', source: 'derived', replace: true });
      } catch (err) {
        wipe(result.pinBlock);
        next.terminal.destroy();
        throw err;
      } finally {
        wipe(bytes);
      }
      this.t.terminal.destroy();
      this.t = next;
      return result;
    } finally {
      pin.wipe();
    }
  }
}
