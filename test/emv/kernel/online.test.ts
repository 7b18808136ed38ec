// Online completion against a real host side: the host rebuilds the cryptogram input from
// field 55 (EMV Book 2 8.1.1 Table 26 elements), verifies the ARQC with the TEST issuer
// keys and answers with an ARPC (Book 2 8.2: Visa method 2 by EXTERNAL AUTHENTICATE,
// UnionPay method 1 by EXTERNAL AUTHENTICATE, Mastercard method 1 in CDOL2). A good ARPC
// gives a TC (TSI byte 1 bit 5 set); a damaged one sets TVR byte 5 bit 7 (Book 3 10.9) where
// the terminal checks it with EXTERNAL AUTHENTICATE, and the card declines (AAC).
import t from 'tap';
import { createCard, issuerKeysFor } from '../../../emv/cards/catalogue.js';
import { cryptogramData, produceArpc, verifyArqc } from '../../../emv/crypto/emv-keys.js';
import { decodeTlv } from '../../../emv/ber/tlv.js';
import { fromHex, toHex } from '../../../emv/bytes.js';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import { TERMINAL, params, pinPad } from './catalogue.js';

const CASES = [
  { card: 'visa-online', externalAuthenticate: true },
  { card: 'unionpay-online', externalAuthenticate: true },
  { card: 'mastercard-online', externalAuthenticate: false },
] as const;

for (const { card: name, externalAuthenticate } of CASES) {
  for (const damaged of [false, true]) {
    t.test(`${name}: host ${damaged ? 'answers a damaged ARPC' : 'approves with a valid ARPC'}`, async (t) => {
      const card = createCard(name, 'contact');
      const r = await runTransaction({ interface: 'contact', params: params(5000), config: TERMINAL, deps: { transceive: async (c) => card.transceive(c), pin: pinPad([]) } });
      t.equal(r.outcome, 'online-request');
      const f55 = new Map(decodeTlv(r.field55!).map((n) => [n.tag, Uint8Array.from(n.value)]));
      const keys = issuerKeysFor(r.account!.pan, r.account!.panSequenceNumber)!;
      t.ok(keys, 'the host knows the card');
      const check = verifyArqc({ imk: keys.imk, pan: r.account!.pan, psn: keys.psn, option: keys.option, atc: f55.get(0x9f36)!, un: keys.useUnpredictableNumber ? f55.get(0x9f37) : undefined, cdolData: cryptogramData((tag) => f55.get(tag)), arqc: f55.get(0x9f26)! });
      t.ok(check.ok, 'the ARQC verifies from the field 55 data');
      const { issuerAuthenticationData } = produceArpc(check.sessionKey, f55.get(0x9f26)!, keys.arpcMethod === 1 ? { method: 1, arc: fromHex('3030') } : { method: 2, csu: fromHex('00820000') });
      const iad = Uint8Array.from(issuerAuthenticationData);
      if (damaged) iad[0] = iad[0]! ^ 0xff;
      const final = await r.complete!({ kind: 'response', arc: '00', issuerAuthenticationData: iad });
      t.equal(toHex(final.tsi), 'F800', 'TSI: ODA, CVM, card risk management, issuer authentication, TRM performed');
      if (!damaged) {
        t.equal(final.outcome, 'approved');
        t.equal(final.stoppedAt, undefined);
        t.equal(final.tvr[4]! & 0x40, 0, 'issuer authentication did not fail');
      } else {
        t.equal(final.outcome, 'declined', 'the card declines after a failed ARPC');
        t.equal(final.stoppedAt, 'second-generate-ac');
        t.equal(final.tvr[4]! & 0x40, externalAuthenticate ? 0x40 : 0, externalAuthenticate ? 'TVR byte 5 bit 7: issuer authentication failed' : 'card-side check (91 in CDOL2): the terminal sets no TVR bit');
      }
    });
  }
}
