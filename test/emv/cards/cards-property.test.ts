// Random command APDUs to every catalogue card on both interfaces: the card always answers
// data || SW1 SW2 with a status word ISO/IEC 7816-4 defines; only the configured removal throws.
import fc from 'fast-check';
import t from 'tap';
import { parseResponse } from '../../../emv/apdu/apdu.js';
import { createCard, TEST_CARDS } from '../../../emv/cards/catalogue.js';
import { isEmvError } from '../../../emv/errors.js';

t.test('random APDUs never crash a card', async (t) => {
  const apdu = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.constantFrom(0x00, 0x80, 0x84), fc.constantFrom(0xa4, 0xb2, 0xa8, 0xae, 0x88, 0x82, 0x20, 0xca, 0x84), fc.nat(255), fc.nat(255), fc.uint8Array({ minLength: 1, maxLength: 255 }))
      .map(([cla, ins, p1, p2, data]) => Uint8Array.from([cla, ins, p1, p2, data.length, ...data, 0])),
  );
  let answered = 0;
  for (const c of TEST_CARDS) {
    for (const iface of ['contact', 'contactless'] as const) {
      const card = createCard(c, iface);
      fc.assert(
        fc.property(fc.array(apdu, { maxLength: 12 }), (cmds) => {
          card.reset();
          for (const cmd of cmds) {
            try {
              const r = parseResponse(card.transceive(cmd));
              if (r.sw1 < 0x61 || r.sw1 > 0x6f) {
                if (r.sw !== 0x9000) return false;
              }
              answered++;
            } catch (e) {
              if (!isEmvError(e, 'EMV_CARD_REMOVED')) throw e;
            }
          }
          return true;
        }),
        { numRuns: 25 },
      );
    }
  }
  t.ok(answered > 0);
});
