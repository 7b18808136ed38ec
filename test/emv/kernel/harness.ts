// Shared by the catalogue tests: run one case through the kernel, assert an outcome.
import type { Test } from 'tap';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import { decodeTlv } from '../../../emv/ber/tlv.js';
import { toHex } from '../../../emv/bytes.js';
import type { KernelOutcome } from '../../../emv/kernel/types.js';
import { TERMINAL, type Case, type Expect } from './catalogue.js';
import { recording } from './sim-card.js';

export function assertOutcome(t: Test, o: KernelOutcome, e: Expect, iface: 'contact' | 'contactless'): void {
  t.equal(o.outcome, e.outcome, 'outcome');
  t.equal(o.stoppedAt, e.stoppedAt, 'stopping step');
  t.equal(toHex(o.tvr), e.tvr, 'TVR');
  t.equal(toHex(o.tsi), e.tsi, 'TSI');
  t.equal(o.entryMode, iface === 'contact' ? '05' : '07', 'entry mode');
  if (e.aid !== undefined) t.equal(o.aid === undefined ? undefined : toHex(o.aid), e.aid, 'AID');
  if (e.cvm !== undefined) t.equal(o.cvm === undefined ? undefined : toHex(o.cvm.bytes), e.cvm, 'CVM results');
  if (e.cid !== undefined) t.equal(o.cid === undefined ? undefined : o.cid & 0xc0, e.cid, 'cryptogram type');
  if (e.arc !== undefined) t.equal(o.arc, e.arc, 'authorisation response code');
  if (o.panMasked !== undefined) t.match(o.panMasked, /^[0-9]{6}\*+[0-9]{4}$/, 'PAN masked (first 6, last 4)');
  if (o.cryptogram !== undefined) {
    // Field 55 (Book 4; scheme lists): the cryptogram, CID, ATC and the TVR of the outcome.
    const f55 = new Map(decodeTlv(o.field55!).map((n) => [n.tag, toHex(n.value)]));
    t.equal(f55.get(0x9f26), toHex(o.cryptogram), 'field 55: 9F26');
    t.equal(f55.get(0x9f27), toHex(Uint8Array.of(o.cid!)), 'field 55: 9F27');
    t.equal(f55.get(0x9f36), toHex(o.atc!), 'field 55: 9F36');
    t.equal(f55.get(0x95), e.tvr, 'field 55: 95 is the TVR');
    t.equal(f55.get(0x9f37), '11223344', 'field 55: 9F37');
    t.equal(f55.get(0x9a), '261128', 'field 55: 9A');
    t.equal(f55.get(0x5f2a), '0978', 'field 55: 5F2A');
    t.equal(f55.get(0x9f1a), '0250', 'field 55: 9F1A');
    t.equal(f55.get(0x9f33), 'E0F8C8', 'field 55: 9F33');
    t.equal(f55.get(0x9f35), '22', 'field 55: 9F35');
    t.equal(f55.get(0x84), toHex(o.aid!), 'field 55: 84');
    t.ok(f55.has(0x82) && f55.has(0x9f02) && f55.has(0x9c) && f55.has(0x9f34) && f55.has(0x9f10), 'field 55: 82 9F02 9C 9F34 9F10');
  }
}

export async function runCase(c: Case, transceive: (cmd: Uint8Array) => Promise<Uint8Array>, lines: string[]) {
  let removable = 0;
  const r = await runTransaction({
    interface: c.iface,
    params: c.params,
    config: TERMINAL,
    deps: { transceive: recording(transceive, lines), pin: c.pin, chooseApplication: c.choose, onCardRemovable: () => removable++ },
  });
  return { r, removable: () => removable };
}

