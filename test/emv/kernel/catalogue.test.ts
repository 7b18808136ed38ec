// Every test card of the catalogue end to end through the kernel, over a direct transceive:
// outcome, stopping step, TVR, TSI, CVM results and the field 55 data asserted exactly as
// written in catalogue.ts; the APDU exchange compared with the annotated transcript in
// fixtures/<name>.apdu.
import t from 'tap';
import { toHex } from '../../../emv/bytes.js';
import { isEmvError } from '../../../emv/errors.js';
import type { KernelOutcome } from '../../../emv/kernel/types.js';
import { CASES } from './catalogue.js';
import { assertOutcome, runCase } from './harness.js';
import { checkFixture, transcriptText } from './transcript.js';

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
