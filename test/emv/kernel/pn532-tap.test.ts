// The contactless test cards end to end through the real PN532 driver and its chip model
// on a sim SPI bus (the tap path of the terminal): same outcome, TVR, TSI and the same
// APDU transcript as over a direct transceive.
import t from 'tap';
import { isEmvError } from '../../../emv/errors.js';
import { isContactlessError } from '../../../hal/roles/contactless.js';
import { openReader } from '../../devices/pn532/rig.js';
import { CASES } from './catalogue.js';
import { assertOutcome, runCase } from './harness.js';
import { checkFixture, transcriptText } from './transcript.js';
import { HANG_MS } from '../../until.js';

for (const c of CASES.filter((x) => x.iface === 'contactless')) {
  t.test(`PN532 over SPI: ${c.name}`, async (t) => {
    const rig = await openReader('spi');
    t.teardown(() => rig.close());
    rig.model.insertCard(c.card());
    await rig.reader.waitForCard({ timeoutMs: HANG_MS });
    const lines: string[] = [];
    const { r, removable } = await runCase(c, (cmd) => rig.reader.transceive(cmd), lines);
    assertOutcome(t, r, c.expect, c.iface);
    t.equal(removable(), 1, 'card-removal point signalled once');
    const fixture = new URL(`./fixtures/${c.name}.apdu`, import.meta.url);
    t.equal(checkFixture(fixture, transcriptText([`case ${c.name}`], lines)), undefined, 'same APDUs as the fixture');
  });
}

t.test('PN532 over SPI: card pulled from the field during GET PROCESSING OPTIONS', async (t) => {
  const rig = await openReader('spi');
  t.teardown(() => rig.close());
  const c = CASES.find((x) => x.name === 'cl-visa-qvsdc-offline')!;
  rig.model.insertCard(c.card());
  await rig.reader.waitForCard({ timeoutMs: HANG_MS });
  let n = 0;
  const err = await runCase(
    c,
    (cmd) => {
      if (n++ === 2) rig.model.pullCardDuringNextExchange(); // PPSE, SELECT AID, then GPO
      return rig.reader.transceive(cmd);
    },
    [],
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isEmvError(err, 'EMV_KERNEL_TRANSPORT'), 'a removed card is a transport fault (EMV_KERNEL_TRANSPORT)');
  t.ok(isContactlessError((err as Error).cause, 'card-removed'), 'caused by the reader fault card-removed');
});
