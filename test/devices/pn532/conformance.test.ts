// The ContactlessReader role suite against the PN532 driver and its model on each bus.
import t from 'tap';
import { contactlessConformance } from '../../conformance/contactless.js';
import { BUSES, openReader } from './rig.js';

for (const bus of BUSES) {
  contactlessConformance(t, {
    name: `pn532 over ${bus} (sim)`,
    factory: async () => {
      const r = await openReader(bus);
      return {
        reader: r.reader,
        field: {
          present: (card) => r.model.insertCard(card),
          remove: (card) => r.model.removeCard(card),
          pullDuringNextExchange: () => r.model.pullCardDuringNextExchange(),
        },
        cleanup: () => r.close(),
      };
    },
  });
}
