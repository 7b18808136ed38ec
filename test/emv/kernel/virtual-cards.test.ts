// Every card of the emv/cards catalogue (TEST_CARDS) end to end through the kernel, on each
// interface it has; contactless ones also through the PN532 driver and model on a sim SPI
// bus. Expectations are written from each card's profile (emv/cards/catalogue.ts and its
// README) and the EMV rules named beside them; the terminal is catalogue.ts TERMINAL (TACs
// DC4000A800 / 0010000000 / DC4004F800, floor 20.00, CL floor and CVM limit 50.00).
import t, { type Test } from 'tap';
import { TEST_CARDS, createCard, simContactlessCard } from '../../../emv/cards/catalogue.js';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import { isEmvError } from '../../../emv/errors.js';
import type { PinEntry, KernelOutcome } from '../../../emv/kernel/types.js';
import { toHex } from '../../../emv/bytes.js';
import { TERMINAL, params, pinPad } from './catalogue.js';
import { openReader } from '../../devices/pn532/rig.js';
import { recording } from './sim-card.js';
import { checkFixture, transcriptText } from './transcript.js';
import { HANG_MS } from '../../until.js';

interface Want {
  outcome: KernelOutcome['outcome'] | 'transport-fault';
  stoppedAt?: string;
  tvr?: string;
  tsi?: string;
  cvm?: string;
  aid?: string;
  /** POS entry mode when not the interface's chip mode (05 contact, 07 contactless). */
  entryMode?: string;
  /** After the host approves (ARC 00), contact online requests. */
  final?: { outcome: KernelOutcome['outcome']; tvr: string; tsi: string };
}

const ONLINE_PIN_4203 = { cvm: '420300', tvr: '0000040000', tsi: 'E800' }; // CVM list 4203: online PIN entered, TVR byte 3 bit 3 -> TAC online (Book 3 10.5, 10.7)
const ON = (x: Partial<Want> = {}): Want => ({ outcome: 'online-request', stoppedAt: 'first-generate-ac', ...ONLINE_PIN_4203, final: { outcome: 'approved', tvr: x.tvr ?? ONLINE_PIN_4203.tvr, tsi: x.tsi ?? 'E800' }, ...x });
const END = (stoppedAt: string): Want => ({ outcome: 'end-application', stoppedAt, tvr: '0000000000', tsi: '0000' });
const CL_ON = (x: Partial<Want> = {}): Want => ({ outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000000000', tsi: '2000', cvm: '1F0002', ...x }); // qVSDC ARQC in GPO (C-3 5.4), under the CVM limit

/** [card, interface, amount, PIN pad, expectation]. */
const TABLE: Array<[string, 'contact' | 'contactless', number, PinEntry | undefined, Want]> = [
  ['visa-online', 'contact', 1000, pinPad([]), ON()],
  ['mastercard-online', 'contact', 1000, pinPad([]), ON()],
  ['unionpay-online', 'contact', 1000, pinPad([]), ON()],
  // No PIN pad: 42 fails (TVR byte 3 bit 5, PIN pad not working), signature 1E03 (Book 3 10.5); nothing in TAC/IAC online -> TC; card TC at 10.00 <= 100.00.
  ['visa-offline', 'contact', 1000, undefined, { outcome: 'approved', tvr: '0000100000', tsi: 'E800', cvm: '1E0300' }],
  ['decline-offline', 'contact', 1000, pinPad([]), { outcome: 'declined', stoppedAt: 'first-generate-ac', ...ONLINE_PIN_4203 }],
  ['online-pin', 'contact', 1000, pinPad([]), ON({ cvm: '020000' })],
  // Offline plaintext PIN 1234 verified (410302); TVR clean -> TC asked, the card answers ARQC (Book 3 9.3 allows it).
  ['offline-pin', 'contact', 1000, pinPad(['1234']), ON({ cvm: '410302', tvr: '0000000000' })],
  // CVM 4403 offline enciphered PIN under the ICC key (no 9F2D, Book 2 7.1): GET CHALLENGE, VERIFY P2 88 -> 9000 (440302); the card then asks online.
  ['offline-enciphered-pin', 'contact', 1000, pinPad(['1234']), ON({ cvm: '440302', tvr: '0000000000' })],
  // No ODA data: ODA not performed (TVR byte 1 bit 8) and not in TSI; expired TVR byte 2 bit 7 (10.4.3).
  ['expired', 'contact', 1000, pinPad([]), ON({ tvr: '8040040000', tsi: '6800' })],
  ['not-yet-effective', 'contact', 1000, pinPad([]), ON({ tvr: '8020040000', tsi: '6800' })],
  ['blocked-application', 'contact', 1000, pinPad([]), END('application-selection')],
  // DDA fails at issuer key recovery: TVR byte 1 bit 4 (10.3).
  ['oda-failure', 'contact', 1000, pinPad([]), ON({ tvr: '0800040000' })],
  ['unknown-aid', 'contact', 1000, pinPad([]), END('application-selection')],
  ['two-applications', 'contact', 1000, pinPad([]), ON({ aid: 'A0000000032010' })],
  ['card-removed', 'contact', 1000, pinPad([]), { outcome: 'transport-fault' }],
  ['malformed-bad-tlv', 'contact', 1000, pinPad([]), END('initiate-application-processing')],
  ['malformed-wrong-sw', 'contact', 1000, pinPad([]), END('read-application-data')],
  ['malformed-missing-data', 'contact', 1000, pinPad([]), END('read-application-data')],
  ['malformed-duplicate-tags', 'contact', 1000, pinPad([]), END('read-application-data')],
  // On contact the mag-stripe card is an M/Chip card like mastercard-online.
  ['mastercard-magstripe', 'contact', 1000, pinPad([]), ON()],

  ['visa-online', 'contactless', 1000, pinPad([]), CL_ON()],
  // M/Chip: CDA verified with GENERATE AC (TSI byte 1 bit 8); under the CVM limit only "no CVM" is offered: 1F03 -> 1F0302 (C-2).
  ['mastercard-online', 'contactless', 1000, pinPad([]), CL_ON({ tsi: 'E800', cvm: '1F0302' })],
  ['mastercard-online', 'contactless', 6000, pinPad([]), CL_ON({ tsi: 'E800', cvm: '420300', tvr: '0000048000' })],
  ['unionpay-online', 'contactless', 1000, pinPad([]), CL_ON()],
  // qVSDC TC with fDDA verified (C-3 5.3): approved offline.
  ['visa-offline', 'contactless', 1000, pinPad([]), { outcome: 'approved', tvr: '0000000000', tsi: 'A000', cvm: '1F0002' }],
  // Over the CL floor limit: TTQ byte 2 bit 8 forces ARQC; CVM required, CTQ names none: signature (TTQ byte 1 bit 2).
  ['visa-offline', 'contactless', 6000, pinPad([]), CL_ON({ tsi: '6000', cvm: '1E0000' })],
  ['decline-offline', 'contactless', 1000, pinPad([]), { outcome: 'declined', stoppedAt: 'first-generate-ac', tvr: '0000000000', tsi: '2000' }],
  // CVM list 0200 (online PIN, always) under the CVM limit: not offered, fails without continuation (TVR byte 3 bit 8).
  ['online-pin', 'contactless', 1000, pinPad([]), CL_ON({ tsi: 'E800', cvm: '020001', tvr: '0000800000' })],
  ['online-pin', 'contactless', 6000, pinPad([]), CL_ON({ tsi: 'E800', cvm: '020000', tvr: '0000048000' })],
  ['expired', 'contactless', 1000, pinPad([]), CL_ON({ tvr: '0040000000' })],
  ['not-yet-effective', 'contactless', 1000, pinPad([]), CL_ON({ tvr: '0020000000' })],
  ['blocked-application', 'contactless', 1000, pinPad([]), END('application-selection')],
  // ARQC in the GPO: no fDDA is done for an online cryptogram (C-3 5.3), so the bad certificate is not seen.
  ['oda-failure', 'contactless', 1000, pinPad([]), CL_ON()],
  ['unknown-aid', 'contactless', 1000, pinPad([]), END('application-selection')],
  ['two-applications', 'contactless', 1000, pinPad([]), CL_ON({ aid: 'A0000000031010' })],
  ['card-removed', 'contactless', 1000, pinPad([]), { outcome: 'transport-fault' }],
  ['malformed-bad-tlv', 'contactless', 1000, pinPad([]), END('initiate-application-processing')],
  ['malformed-wrong-sw', 'contactless', 1000, pinPad([]), END('read-application-data')],
  // Contactless (C-3): Track 2 Equivalent Data (57) carries the PAN; 5A is optional there, so the tap goes on.
  ['malformed-missing-data', 'contactless', 1000, pinPad([]), CL_ON()],
  ['malformed-duplicate-tags', 'contactless', 1000, pinPad([]), END('read-application-data')],
  // AIP byte 2 bit 8 clear, mag-stripe mode allowed for the Mastercard AID: COMPUTE CRYPTOGRAPHIC CHECKSUM, online, entry mode 91 (Book C-2).
  ['mastercard-magstripe', 'contactless', 1000, pinPad([]), { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000000000', tsi: '2000', cvm: '1F0002', entryMode: '91' }],
  // Over the CVM required limit: the reader's online PIN (TTQ byte 1 bit 3).
  ['mastercard-magstripe', 'contactless', 6000, pinPad([]), { outcome: 'online-request', stoppedAt: 'first-generate-ac', tvr: '0000040000', tsi: '6000', cvm: '020000', entryMode: '91' }],
];

async function check(t: Test, want: Want, run: () => Promise<KernelOutcome & { complete?: (h: { kind: 'response'; arc: string }) => Promise<KernelOutcome> }>): Promise<void> {
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run();
  } catch (err) {
    t.equal(want.outcome, 'transport-fault', 'only a removed card may reject');
    t.ok(isEmvError(err, 'EMV_KERNEL_TRANSPORT'), 'EMV_KERNEL_TRANSPORT');
    return;
  }
  t.equal(r.outcome, want.outcome, 'outcome');
  t.equal(r.stoppedAt, want.stoppedAt, 'stopping step');
  if (want.tvr !== undefined) t.equal(toHex(r.tvr), want.tvr, 'TVR');
  if (want.tsi !== undefined) t.equal(toHex(r.tsi), want.tsi, 'TSI');
  if (want.cvm !== undefined) t.equal(r.cvm && toHex(r.cvm.bytes), want.cvm, 'CVM results');
  if (want.aid !== undefined) t.equal(r.aid && toHex(r.aid), want.aid, 'AID');
  if (want.outcome !== 'end-application') t.equal(r.entryMode, want.entryMode ?? (r.interface === 'contact' ? '05' : '07'), 'POS entry mode');
  if (r.panMasked !== undefined) t.notMatch(JSON.stringify({ ...r, account: undefined, field55: undefined }), /[0-9]{12,}/, 'no full PAN outside `account`');
  if (want.final !== undefined && r.complete !== undefined) {
    const f = await r.complete({ kind: 'response', arc: '00' });
    t.equal(f.outcome, want.final.outcome, 'outcome after the host approves');
    t.equal(toHex(f.tvr), want.final.tvr, 'final TVR');
    t.equal(toHex(f.tsi), want.final.tsi, 'final TSI');
  }
}

t.test('the table covers every catalogue card on every chip interface it has', async (t) => {
  for (const c of TEST_CARDS) for (const i of ['contact', 'contactless'] as const) if (c.interfaces.includes(i)) t.ok(TABLE.some(([n, f]) => n === c.name && f === i), `${c.name} ${i}`);
});

for (const [name, iface, amount, pin, want] of TABLE) {
  t.test(`${name} ${iface} ${amount / 100}`, async (t) => {
    const card = createCard(name, iface);
    const lines: string[] = [];
    await check(t, want, () => runTransaction({ interface: iface, params: params(amount), config: TERMINAL, deps: { transceive: recording(async (c) => card.transceive(c), lines), pin, chooseApplication: async (l) => l[l.length - 1] } }));
    // The exchange as an annotated transcript (fixtures/cards/<card>-<interface>-<amount>.apdu).
    const header = [`emv/cards test card "${name}" over ${iface}, amount ${(amount / 100).toFixed(2)}`, `expect: ${JSON.stringify(want)}`];
    t.equal(checkFixture(new URL(`./fixtures/cards/${name}-${iface}-${amount}.apdu`, import.meta.url), transcriptText(header, lines)), undefined, 'APDU transcript matches the fixture');
  });
  if (iface === 'contactless') {
    t.test(`${name} tapped on the PN532 (sim SPI) ${amount / 100}`, async (t) => {
      const rig = await openReader('spi');
      t.teardown(() => rig.close());
      rig.model.insertCard(simContactlessCard(createCard(name, iface)));
      await rig.reader.waitForCard({ timeoutMs: HANG_MS });
      const lines: string[] = [];
      await check(t, want, () => runTransaction({ interface: iface, params: params(amount), config: TERMINAL, deps: { transceive: recording((c) => rig.reader.transceive(c), lines), pin } }));
      // The same annotated transcript as over a direct transceive: the PN532 driver and model carry the APDUs unchanged.
      if (want.outcome !== 'transport-fault') {
        const header = [`emv/cards test card "${name}" over ${iface}, amount ${(amount / 100).toFixed(2)}`, `expect: ${JSON.stringify(want)}`];
        t.equal(checkFixture(new URL(`./fixtures/cards/${name}-${iface}-${amount}.apdu`, import.meta.url), transcriptText(header, lines)), undefined, 'PN532: APDU transcript matches the fixture');
      }
    });
  }
}
