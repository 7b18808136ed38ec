// The contact reader scenarios and every contact catalogue card (T=1 and T=0-only) through
// the sim PC/SC backend (no daemon), the sim backend's own contract rules, a reader
// unplugged and plugged back, and the contactless role's shape on a PC/SC contactless reader.
import t from 'tap';
import { SimPcscContext } from '../../hal/sim/pcsc.js';
import { PcscContactlessReader } from '../../hal/devices/pcsc/contactless.js';
import type { PcscEvent } from '../../hal/pcsc.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { contactScenarios, simRig, waitFor, SIM_READER as READER } from './scenarios.js';
import { scriptedCard, recipes, ATR_T1 } from './cards.js';
import { CONTACT_CARDS, assertRun, runCard } from './catalogue.js';

t.test('contact scenarios through the sim backend', async (t) => {
  const rig = simRig();
  t.teardown(() => rig.close());
  await waitFor(() => rig.reader.state === 'ready');
  await contactScenarios(t, rig);
});

t.test('every contact catalogue card through the sim backend and the full kernel, over T=1 and T=0', async (t) => {
  const rig = simRig();
  t.teardown(() => rig.close());
  await waitFor(() => rig.reader.state === 'ready');
  for (const name of CONTACT_CARDS) {
    for (const protocol of ['T=1', 'T=0'] as const) {
      await t.test(`${name} ${protocol}`, async (t) => {
        await rig.insert(recipes.catalogue(name, protocol));
        await rig.reader.waitForCard();
        t.equal((await rig.reader.powerUp()).protocol, protocol);
        assertRun(t, name, await runCard(name, rig.reader));
        await rig.reader.powerDown();
        rig.ctx.remove(READER);
        await waitFor(() => !rig.reader.cardPresent);
      });
    }
  }
});

t.test('reader unplugged mid-transaction: out of service, back when plugged in', async (t) => {
  const rig = simRig();
  t.teardown(() => rig.close());
  await waitFor(() => rig.reader.state === 'ready');
  rig.ctx.insert(READER, scriptedCard());
  await rig.reader.waitForCard();
  await rig.reader.powerUp();
  const reasons: string[] = [];
  rig.reader.onStateChange((s, why) => reasons.push(`${s}${why ? ': ' + why : ''}`));
  rig.ctx.removeReader(READER);
  await t.rejects(rig.reader.transceive(fromHex('00A404000E315041592E5359532E444446303100')), { fault: 'out-of-service', code: 'HAL_DISCONNECTED' });
  t.equal(rig.reader.state, 'out-of-service');
  rig.ctx.addReader(READER);
  await waitFor(() => rig.reader.state === 'ready');
  t.match(reasons[0], /out-of-service: reader "Sim Contact Reader 00 00" went away/);
  t.equal(reasons.at(-1), 'ready');
  await t.rejects(rig.reader.powerUp(), { fault: 'no-card', code: 'HAL_DEVICE' }, 'the replugged reader is empty');
});

t.test('sim backend: events replayed to a late subscriber, in order; nothing after close', async (t) => {
  const ctx = new SimPcscContext({ readers: ['A'] });
  ctx.insert('A', scriptedCard());
  const seen: string[] = [];
  ctx.onEvent((e: PcscEvent) => seen.push(e.type + ('reader' in e ? ` ${e.reader}` : '')));
  await new Promise((r) => setImmediate(r));
  t.strictSame(seen, ['reader-added A', 'card-inserted A']);
  ctx.remove('A');
  ctx.addReader('B');
  ctx.removeReader('A');
  await new Promise((r) => setImmediate(r));
  t.strictSame(seen.slice(2), ['card-removed A', 'reader-added B', 'reader-removed A']);
  const card = await (async () => {
    ctx.insert('B', scriptedCard());
    return ctx.connect('B');
  })();
  const inFlight = card.transmit(fromHex('80CA9F3600'));
  await ctx.close();
  await t.rejects(inFlight, { code: 'HAL_CLOSED' }, 'a call in flight settles with HAL_CLOSED');
  const before = seen.length;
  ctx.remove('B');
  await new Promise((r) => setTimeout(r, 10));
  t.equal(seen.length, before, 'no event after close');
  await t.rejects(ctx.listReaders(), { code: 'HAL_CLOSED' });
});

t.test('sim backend: exclusive share mode, protocol mismatch, no card', async (t) => {
  const ctx = new SimPcscContext({ readers: ['A'] });
  t.teardown(() => ctx.close());
  await t.rejects(ctx.connect('A'), { fault: 'no-card', code: 'HAL_DEVICE' });
  await t.rejects(ctx.connect('Z'), { fault: 'reader-gone', code: 'HAL_DISCONNECTED' });
  ctx.insert('A', scriptedCard({ atr: ATR_T1 }));
  await t.rejects(ctx.connect('A', { protocols: ['T=0'] }), { fault: 'protocol-mismatch', code: 'HAL_UNSUPPORTED' }, 'a T=1-only ATR');
  const first = await ctx.connect('A', { share: 'exclusive' });
  await t.rejects(ctx.connect('A'), { fault: 'sharing-violation', code: 'HAL_BUSY' });
  await first.disconnect();
  const second = await ctx.connect('A');
  t.equal(second.protocol, 'T=1');
  ctx.stopService();
  await t.rejects(second.transmit(fromHex('80CA9F3600')), { fault: 'service-gone', code: 'HAL_DISCONNECTED' });
  await t.rejects(ctx.listReaders(), { fault: 'service-gone', code: 'HAL_DISCONNECTED' });
});

t.test('contactless role on a PC/SC contactless reader (ACR122U-style), sim backend', async (t) => {
  const NAME = 'ACS ACR122U PICC Interface 00 00';
  const ctx = new SimPcscContext({ readers: [NAME] });
  const reader = new PcscContactlessReader({ pcsc: ctx, readerPattern: 'ACR122U', ownsContext: true });
  t.teardown(() => reader.close());
  // PC/SC Part 3 3.1.3.2.3: an ISO/IEC 14443-4 card's ATR is 3B 8n 80 01 + historical bytes + TCK.
  // Here 3B 81 80 01 80 80: one historical byte 80; TCK = 81^80^01^80 = 80.
  const inner = scriptedCard({ atr: fromHex('3B8180018080') });
  ctx.insert(NAME, {
    atr: inner.atr,
    // The reader answers GET DATA (UID) itself (Part 3 3.2.2.1.3).
    transceive: (capdu) => (toHex(capdu) === 'FFCA000000' ? fromHex('08A1B2C39000') : inner.transceive(capdu)),
  });
  const info = await reader.waitForCard({ timeoutMs: 2000 });
  t.equal(toHex(info.uid), '08A1B2C3');
  t.equal(info.protocol, 'iso14443-4');
  t.equal(info.sak, 0x20);
  t.equal(toHex(await reader.transceive(fromHex('80CA9F3600'))), '9F360200079000');
  ctx.remove(NAME);
  await reader.waitForRemoval({ timeoutMs: 2000 });
  await t.rejects(reader.transceive(fromHex('80CA9F3600')), { fault: 'card-removed', code: 'HAL_DEVICE' });
  t.strictSame(await reader.selfTest(), { ic: 0, version: 0, revision: 0, support: 1 });
});
