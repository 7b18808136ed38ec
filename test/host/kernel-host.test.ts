// Card, kernel and host agree: a tap of a catalogue card through the real EMV kernel gives
// field 55, the acquirer simulator verifies its ARQC with the card's TEST issuer keys and
// answers with issuer authentication data; a damaged cryptogram is declined.
import t from 'tap';
import { runTransaction } from '../../emv/kernel/kernel.js';
import { SAMPLE_TERMINAL } from '../../emv/kernel/sample-config.js';
import { createCard } from '../../emv/cards/catalogue.js';
import { fromHex } from '../../emv/bytes.js';
import { decodeTlv, encodeTlv } from '../../emv/ber/tlv.js';
import { createSimulator } from '../../src/board/acquirer.js';
import { loadLayout } from '../../src/host/iso8583/layout.js';
import { financialRequest } from '../../src/host/messages.js';

const layout = loadLayout('binary');

for (const name of ['visa-online', 'unionpay-online', 'mastercard-online']) {
  t.test(`${name}: contactless tap -> online request -> the simulator approves with 91`, async (t) => {
    const card = createCard(name, 'contactless');
    const result = await runTransaction({
      interface: 'contactless',
      params: { amount: 1000, currency: 156, type: 0, date: '261128', time: '120000', unpredictableNumber: fromHex('11223344'), sequenceCounter: 1 },
      config: SAMPLE_TERMINAL,
      deps: { transceive: async (c) => Uint8Array.from(card.transceive(c)) },
    });
    t.equal(result.outcome, 'online-request', result.reason ?? '');
    const f55 = result.field55!;
    const account = result.account!;
    const sim = createSimulator({ layout });
    const request = (icc: Uint8Array, stan: string) =>
      financialRequest(layout, { kind: 'sale', pan: account.pan, expiry: account.expiry, amountMinor: 1000, currency: '156', entryMode: '071', merchantId: 'MERCHANT0000001', iccData: icc, ...(account.panSequenceNumber ? { panSequence: account.panSequenceNumber } : {}) })
        .set(11, stan)
        .set(7, '1128120000')
        .set(41, 'TERM0001');
    const ok = sim.handle(request(f55, '000001'))!;
    t.equal(ok.text(39), '00', 'the ARQC verified at the host');
    t.equal(decodeTlv(ok.bytes(55)!)[0]!.tag, 0x91, 'issuer authentication data back');
    const damaged = decodeTlv(f55).map((n) => ({ tag: n.tag, value: n.tag === 0x9f26 ? n.value.map((b, i) => (i === 0 ? b ^ 1 : b)) : n.value }));
    t.equal(sim.handle(request(encodeTlv(damaged), '000002'))!.text(39), '05', 'a damaged ARQC is declined');
  });
}
