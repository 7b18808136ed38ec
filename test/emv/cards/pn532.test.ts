// The catalogue cards in the PN532 chip model, reached through the real PN532 driver on a
// sim SPI bus: the identity the reader reports, full-size records through the chip's
// chaining, the ARQC the host verifies, and a card that leaves the field.
import t from 'tap';
import { PPSE_NAME, getProcessingOptions, parseResponse, readRecord, selectByName } from '../../../emv/apdu/apdu.js';
import { decodeTlv, indexPrimitives } from '../../../emv/ber/tlv.js';
import { createCard, issuerKeysFor, simContactlessCard, testCard } from '../../../emv/cards/catalogue.js';
import { cryptogramData, verifyArqc } from '../../../emv/crypto/emv-keys.js';
import { isContactlessError } from '../../../hal/roles/contactless.js';
import { openReader } from '../../devices/pn532/rig.js';
import { HANG_MS } from '../../until.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const PDOL_DATA = h('36000000' + '000000001000' + '000000000000' + '0156' + '0000000000' + '0156' + '261128' + '00' + 'A1B2C3D4');

t.test('unionpay-online tapped on the PN532: ATS, PPSE, GPO ARQC verified by the host, 251-byte certificate record', async (t) => {
  const rig = await openReader('spi', { cardTimeoutMs: 20 });
  t.teardown(() => rig.close());
  const tc = testCard('unionpay-online');
  const sim = simContactlessCard(tc);
  rig.model.insertCard(sim);
  const info = await rig.reader.waitForCard({ timeoutMs: HANG_MS });
  t.same(info.uid, sim.uid);
  t.equal(info.protocol, 'iso14443-4');
  const x = async (c: Uint8Array): Promise<Map<number, Uint8Array>> => {
    const r = parseResponse(await rig.reader.transceive(c));
    t.equal(r.sw, 0x9000);
    return indexPrimitives(decodeTlv(r.data)).values;
  };
  t.equal(Buffer.from((await x(selectByName(PPSE_NAME))).get(0x4f)!).toString('hex').toUpperCase(), 'A000000333010101');
  await x(selectByName(h('A000000333010101')));
  const gpo = await x(getProcessingOptions(PDOL_DATA));
  const keys = issuerKeysFor(tc.pan)!;
  const terminal = new Map<number, Uint8Array>([[0x9f02, h('000000001000')], [0x9f03, h('000000000000')], [0x9f1a, h('0156')], [0x95, h('0000000000')], [0x5f2a, h('0156')], [0x9a, h('261128')], [0x9c, h('00')], [0x9f37, h('A1B2C3D4')]]);
  const data = cryptogramData((tag) => (tag === 0x82 ? gpo.get(0x82) : tag === 0x9f36 ? gpo.get(0x9f36) : terminal.get(tag)));
  t.ok(verifyArqc({ imk: keys.imk, pan: tc.pan, psn: keys.psn, atc: gpo.get(0x9f36)!, cdolData: data, arqc: gpo.get(0x9f26)!, option: keys.option }).ok, 'ARQC verified');
  const cert = await x(readRecord(3, 1));
  t.equal(cert.get(0x90)!.length, 248, 'issuer certificate under the 1984-bit TEST CA key');
});

t.test('card-removed tapped on the PN532: the reader reports card-removed at the second READ RECORD', async (t) => {
  const rig = await openReader('spi', { cardTimeoutMs: 20 });
  t.teardown(() => rig.close());
  rig.model.insertCard(simContactlessCard(createCard('card-removed', 'contactless')));
  await rig.reader.waitForCard({ timeoutMs: HANG_MS });
  await rig.reader.transceive(selectByName(h('A0000000031010')));
  await rig.reader.transceive(getProcessingOptions(PDOL_DATA));
  await rig.reader.transceive(readRecord(1, 1));
  const err = await rig.reader.transceive(readRecord(2, 1)).then(() => undefined, (e: unknown) => e);
  t.ok(isContactlessError(err, 'card-removed'), 'ContactlessError card-removed');
});
