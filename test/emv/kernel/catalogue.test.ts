// Every test card of the catalogue end to end through the kernel, over a direct transceive:
// outcome, stopping step, TVR, TSI, CVM results and the field 55 data asserted exactly as
// written in catalogue.ts; the APDU exchange compared with the annotated transcript in
// fixtures/<name>.apdu.
import t, { type Test } from 'tap';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import { decodeTlv } from '../../../emv/ber/tlv.js';
import { toHex } from '../../../emv/bytes.js';
import { isEmvError } from '../../../emv/errors.js';
import type { KernelOutcome } from '../../../emv/kernel/types.js';
import { CASES, TERMINAL, type Case, type Expect } from './catalogue.js';
import { recording } from './sim-card.js';
import { checkFixture, transcriptText } from './transcript.js';

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

for (const c of CASES) {
  t.test(`${c.iface} ${c.name}`, async (t) => {
    const card = c.card();
    const lines: string[] = [];
    let n = 0;
    const transceive = async (cmd: Uint8Array): Promise<Uint8Array> => {
      if (c.removeAt !== undefined && n++ === c.removeAt) throw new Error('card removed');
      return card.transceive(cmd);
    };
    if (c.removeAt !== undefined) {
      const err = await runCase(c, transceive, lines).then(() => undefined, (e: unknown) => e);
      t.ok(isEmvError(err, 'EMV_KERNEL_TRANSPORT'), 'a reader fault is EMV_KERNEL_TRANSPORT');
      return;
    }
    const { r, removable } = await runCase(c, transceive, lines);
    t.comment(c.why);
    assertOutcome(t, r, c.expect, c.iface);
    let final: KernelOutcome | undefined;
    if (c.final !== undefined) {
      t.ok(r.complete, 'an online request from a contact card can be completed');
      final = await r.complete!(c.host!);
      assertOutcome(t, final, c.final, c.iface);
      await t.rejects(r.complete!(c.host!), { code: 'EMV_KERNEL_STATE' }, 'completing twice is a state error');
    }
    const last = final ?? r;
    t.equal(removable(), last.events.filter((e) => e.kind === 'card-removable').length, 'card-removable signalled once per event');
    if (c.iface === 'contactless') t.equal(removable(), 1, 'contactless: the card-removal point is signalled');
    const msg = checkFixture(new URL(`./fixtures/${c.name}.apdu`, import.meta.url), transcriptText([`case ${c.name} (${c.iface})`, c.why, `expect: ${JSON.stringify(c.expect)}`, ...(c.final ? [`after host ${JSON.stringify(c.host, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v))}: ${JSON.stringify(c.final)}`] : [])], lines));
    t.equal(msg, undefined, 'APDU transcript matches the fixture');
  });
}
