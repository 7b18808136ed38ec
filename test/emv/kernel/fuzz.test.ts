// No exception escapes the kernel for anything a card can answer: random responses, and a
// good card's responses mutated (bytes flipped, truncated, status words changed, a TLV
// object repeated). Every run must end in one of the five outcomes (and, for an online
// request over contact, `complete` must end in one too).
import t from 'tap';
import fc from 'fast-check';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import type { KernelOutcome } from '../../../emv/kernel/types.js';
import { CASES, TERMINAL, pinPad } from './catalogue.js';

const OUTCOMES = new Set(['approved', 'declined', 'online-request', 'try-another-interface', 'end-application']);

async function runWith(iface: 'contact' | 'contactless', amount: number, answer: (cmd: Uint8Array, i: number) => Uint8Array): Promise<KernelOutcome[]> {
  let i = 0;
  const r = await runTransaction({
    interface: iface,
    params: { amount, currency: 978, type: 0, date: '261128', time: '120000', unpredictableNumber: Uint8Array.of(1, 2, 3, 4), sequenceCounter: 1 },
    config: TERMINAL,
    deps: { transceive: async (cmd) => answer(cmd, i++), pin: pinPad(['1234', '0000']), chooseApplication: async (l) => l[l.length - 1] },
  });
  const out: KernelOutcome[] = [r];
  if (r.complete !== undefined) out.push(await r.complete({ kind: 'response', arc: '00', issuerAuthenticationData: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 0x30, 0x30), scripts: Uint8Array.of(0x71, 0x03, 0x86, 0x01, 0x00) }));
  return out;
}

t.test('random responses', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 30 }), fc.boolean(), async (responses, contact) => {
      const outs = await runWith(contact ? 'contact' : 'contactless', 1000, (_c, i) => responses[i % responses.length]!);
      return outs.every((o) => OUTCOMES.has(o.outcome));
    }),
    { numRuns: 300 },
  );
  t.pass('300 runs, every one ended in an outcome');
});

type Mutation = { at: number; kind: 'flip' | 'truncate' | 'sw' | 'repeat' | 'empty'; pos: number; value: number };

t.test('mutated responses of every catalogue card', async (t) => {
  const cases = CASES.filter((c) => c.removeAt === undefined);
  const mutation = fc.record({
    at: fc.nat(14),
    kind: fc.constantFrom('flip', 'truncate', 'sw', 'repeat', 'empty'),
    pos: fc.nat(400),
    value: fc.integer({ min: 0, max: 255 }),
  }) as fc.Arbitrary<Mutation>;
  await fc.assert(
    fc.asyncProperty(fc.nat(cases.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ci, muts) => {
      const c = cases[ci]!;
      const card = c.card();
      const outs = await runWith(c.iface, c.params.amount, (cmd, i) => {
        let r = Uint8Array.from(card.transceive(cmd));
        for (const m of muts) {
          if (m.at !== i) continue;
          const n = r.length;
          if (m.kind === 'flip' && n > 0) r[m.pos % n] = r[m.pos % n]! ^ (m.value | 1);
          else if (m.kind === 'truncate') r = r.subarray(0, m.pos % (n + 1));
          else if (m.kind === 'sw' && n >= 2) r[n - 2 + (m.pos % 2)] = m.value;
          else if (m.kind === 'repeat' && n > 2) r = Uint8Array.from([...r.subarray(0, n - 2), ...r.subarray(0, n - 2), ...r.subarray(n - 2)]);
          else if (m.kind === 'empty') r = new Uint8Array(0);
        }
        return r;
      });
      return outs.every((o) => OUTCOMES.has(o.outcome));
    }),
    { numRuns: 400 },
  );
  t.pass('400 runs, every one ended in an outcome');
});
