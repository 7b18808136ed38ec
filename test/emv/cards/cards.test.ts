// Each virtual card answers a scripted APDU sequence; the scripts are the terminal side
// written from the EMV books (no kernel), and every cryptogram the card returns is checked
// with the host-side verifyArqc and the ODA recovery functions: card and host agree.
import t, { type Test } from 'tap';
import {
  PPSE_NAME, PSE_NAME, VERIFY_PIN, externalAuthenticate, generateAc, getChallenge, getData, getProcessingOptions, internalAuthenticate, parseResponse,
  readRecord, selectByName, verify,
} from '../../../emv/apdu/apdu.js';
import { decodeTlv, indexPrimitives } from '../../../emv/ber/tlv.js';
import { createCard, issuerKeysFor, simContactlessCard, TEST_CARDS, testCard } from '../../../emv/cards/catalogue.js';
import type { VirtualCard } from '../../../emv/cards/card.js';
import { cryptogramData, produceArpc, verifyArqc } from '../../../emv/crypto/emv-keys.js';
import { buildDol } from '../../../emv/dol/dol.js';
import { isEmvError } from '../../../emv/errors.js';
import { recoverIccPublicKey, recoverIssuerPublicKey, sha1Of, verifyDynamicSignature, verifySda, type IccPublicKey } from '../../../emv/oda/oda.js';
import { rsaRecover } from '../../../emv/oda/rsa.js';
import { testCaKey } from '../../../emv/oda/test-ca-keys.js';
import { luhnValid } from '../../../emv/track/pan.js';
import { parseTrack2, parseTrack2Equivalent } from '../../../emv/track/track.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array | undefined): string => (b === undefined ? '' : Buffer.from(b).toString('hex').toUpperCase());
const TODAY = new Date(Date.UTC(2026, 10, 28));

/** Terminal data for DOLs (Book 3 Annex A formats). */
function terminal(over: Record<string, string> = {}): Map<number, Uint8Array> {
  const base: Record<string, string> = {
    '9F02': '000000001000', // 10.00
    '9F03': '000000000000',
    '9F1A': '0840',
    '95': '0000000000',
    '5F2A': '0840',
    '9A': '261128',
    '9C': '00',
    '9F37': '11223344',
    '9F66': '36000000', // TTQ: qVSDC, contact chip, online PIN, signature supported; no online cryptogram required
    '9F35': '22',
    '9F45': '0000',
    '9F4C': '0000000000000000',
    '9F34': '1E0300',
    '8A': '3030',
    ...over,
  };
  return new Map(Object.entries(base).map(([k, v]) => [parseInt(k, 16), h(v)]));
}

function send(t: Test, card: VirtualCard, capdu: Uint8Array, expectSw = 0x9000, note = ''): Uint8Array {
  const r = parseResponse(card.transceive(capdu));
  t.equal(r.sw.toString(16).toUpperCase(), expectSw.toString(16).toUpperCase(), `> ${hex(capdu)}  < SW ${note}`);
  return Uint8Array.from(r.data);
}

const values = (data: Uint8Array): Map<number, Uint8Array> => indexPrimitives(decodeTlv(data)).values;

interface Read {
  card: Map<number, Uint8Array>;
  aip: Uint8Array;
  staticData: Uint8Array;
  gpo: Map<number, Uint8Array>;
}

/** SELECT the AID, GPO with the PDOL, READ RECORD along the AFL (Book 3 10.1-10.2), static data per Book 3 10.3. */
function initiate(t: Test, card: VirtualCard, aid: string, term: Map<number, Uint8Array>): Read {
  const fci = values(send(t, card, selectByName(h(aid))));
  t.equal(hex(fci.get(0x84)), aid, '# Book 1 11.3.4: FCI names the DF');
  const pdol = fci.get(0x9f38);
  const gpoData = send(t, card, getProcessingOptions(pdol === undefined ? new Uint8Array(0) : buildDol(pdol, (tag) => term.get(tag))));
  let aip: Uint8Array;
  let afl: Uint8Array;
  let gpo = new Map<number, Uint8Array>();
  if (gpoData[0] === 0x80) {
    // Format 1 (Book 3 6.5.8.4): AIP (2) || AFL.
    const body = decodeTlv(gpoData)[0]!.value;
    aip = body.slice(0, 2);
    afl = body.slice(2);
  } else {
    gpo = values(gpoData);
    aip = gpo.get(0x82)!;
    afl = gpo.get(0x94)!;
  }
  t.equal(afl.length % 4, 0, 'AFL is a list of 4-byte entries');
  const all = new Map<number, Uint8Array>(gpo);
  const stat: number[] = [];
  for (let i = 0; i < afl.length; i += 4) {
    const sfi = afl[i]! >> 3;
    for (let rec = afl[i + 1]!; rec <= afl[i + 2]!; rec++) {
      const data = send(t, card, readRecord(sfi, rec));
      const top = decodeTlv(data)[0]!;
      t.equal(top.tag, 0x70, `SFI ${sfi} record ${rec} is a 70 template`);
      const { duplicates } = indexPrimitives([top], all);
      t.same(duplicates, [], 'no data object twice');
      if (rec - afl[i + 1]! < afl[i + 3]!) stat.push(...top.value);
    }
  }
  if (hex(all.get(0x9f4a)) === '82') stat.push(...aip);
  return { card: all, aip, staticData: Uint8Array.from(stat), gpo };
}

/** Issuer then ICC public key recovery (Book 2 5.3, 6.4) with the TEST CA key the card names. */
function iccKey(t: Test, aid: string, r: Read, pan: string): IccPublicKey | undefined {
  const ca = testCaKey(aid.slice(0, 10), r.card.get(0x8f)![0]!);
  const issuer = recoverIssuerPublicKey(ca, r.card.get(0x90)!, r.card.get(0x92), r.card.get(0x9f32)!, pan, TODAY);
  t.ok(issuer.ok, 'issuer public key recovered');
  if (!issuer.ok) return undefined;
  const icc = recoverIccPublicKey(issuer.key, r.card.get(0x9f46)!, r.card.get(0x9f48), r.card.get(0x9f47)!, r.staticData, pan, TODAY);
  t.ok(icc.ok, 'ICC public key recovered over the static data');
  return icc.ok ? icc.key : undefined;
}

/** ARQC check as the acquirer simulator does it: keys by PAN, the Book 2 Table 26 data from field-55 values. */
function hostVerify(t: Test, pan: string, term: Map<number, Uint8Array>, aip: Uint8Array, atc: Uint8Array, arqc: Uint8Array): Uint8Array {
  const keys = issuerKeysFor(pan)!;
  const data = cryptogramData((tag) => (tag === 0x82 ? aip : tag === 0x9f36 ? atc : term.get(tag)));
  const un = term.get(0x9f37);
  const v = verifyArqc({ imk: keys.imk, pan, psn: keys.psn, atc, cdolData: data, arqc, option: keys.option, ...(keys.useUnpredictableNumber && un ? { un } : {}) });
  t.ok(v.ok, `host verifies the cryptogram ${hex(arqc)}`);
  return v.sessionKey;
}

t.test('visa-online, contact: PSE, DDA, ARQC verified by the host, ARPC method 2 by EXTERNAL AUTHENTICATE, TC', async (t) => {
  const tc = testCard('visa-online');
  const card = createCard(tc, 'contact');
  const pse = values(send(t, card, selectByName(PSE_NAME)));
  t.equal(hex(pse.get(0x88)), '01', '# Book 1 12.2.3: PSE FCI gives the directory SFI');
  const dir = values(send(t, card, readRecord(1, 1)));
  t.equal(hex(dir.get(0x4f)), 'A0000000031010');
  send(t, card, readRecord(1, 2), 0x6a83, '# end of directory');
  const term = terminal();
  const r = initiate(t, card, 'A0000000031010', term);
  t.equal(hex(r.aip), '3C00', 'AIP (Book 3 C1): DDA, cardholder verification, terminal risk management, issuer authentication');
  t.equal(hex(r.card.get(0x5a)), tc.pan);
  const key = iccKey(t, 'A0000000031010', r, tc.pan)!;
  const ddol = r.card.get(0x9f49)!;
  t.equal(hex(ddol), '9F3704');
  const ia = send(t, card, internalAuthenticate(term.get(0x9f37)!));
  const sdad = decodeTlv(ia)[0]!.value; // format 1 (80)
  const dyn = verifyDynamicSignature(key, Uint8Array.from(sdad), term.get(0x9f37)!);
  t.ok(dyn.ok, '# Book 2 6.5.2: SDAD verified over the DDOL data');
  const cdol1 = buildDol(r.card.get(0x8c)!, (tag) => term.get(tag));
  const ac = decodeTlv(send(t, card, generateAc('ARQC', cdol1)))[0]!;
  t.equal(ac.tag, 0x80, 'Visa answers format 1');
  const cid = ac.value[0]!;
  const atc = ac.value.slice(1, 3);
  const arqc = ac.value.slice(3, 11);
  t.equal(cid, 0x80, 'ARQC');
  t.equal(hex(atc), '0011', 'ATC incremented from 0010 at GPO');
  const sk = hostVerify(t, tc.pan, term, r.aip, atc, arqc);
  const keys = issuerKeysFor(tc.pan)!;
  t.equal(keys.arpcMethod, 2);
  const { issuerAuthenticationData } = produceArpc(sk, arqc, { method: 2, csu: h('00820000') });
  send(t, card, externalAuthenticate(issuerAuthenticationData), 0x9000, '# ARPC verified');
  const cdol2 = buildDol(r.card.get(0x8d)!, (tag) => term.get(tag));
  const second = decodeTlv(send(t, card, generateAc('TC', cdol2)))[0]!;
  t.equal(second.value[0], 0x40, 'TC after successful issuer authentication');
  send(t, card, generateAc('TC', cdol2), 0x6985, 'no third GENERATE AC');
});

t.test('visa-online, contact: a wrong ARPC gives 6300 and the second GENERATE AC declines', async (t) => {
  const tc = testCard('visa-online');
  const card = createCard(tc, 'contact');
  const term = terminal();
  const r = initiate(t, card, 'A0000000031010', term);
  const ac = decodeTlv(send(t, card, generateAc('ARQC', buildDol(r.card.get(0x8c)!, (tag) => term.get(tag)))))[0]!;
  const arqc = ac.value.slice(3, 11);
  const sk = hostVerify(t, tc.pan, term, r.aip, ac.value.slice(1, 3), arqc);
  const iad = produceArpc(sk, arqc, { method: 2, csu: h('00820000') }).issuerAuthenticationData;
  iad[0]! ^= 0x01;
  send(t, card, externalAuthenticate(iad), 0x6300, '# Book 3 6.5.4: authentication failed');
  const second = decodeTlv(send(t, card, generateAc('TC', buildDol(r.card.get(0x8d)!, (tag) => term.get(tag)))))[0]!;
  t.equal(second.value[0], 0x00, 'AAC');
});

t.test('mastercard-online, contact: CDA signature over the GENERATE AC, Mastercard SKD, ARPC method 1 in CDOL2', async (t) => {
  const tc = testCard('mastercard-online');
  const card = createCard(tc, 'contact');
  const term = terminal({ '9F37': 'CAFEBABE' });
  const r = initiate(t, card, 'A0000000041010', term);
  t.equal(hex(r.aip) , '3D80', 'AIP: DDA + CDA, CVM, TRM, issuer authentication; EMV mode');
  const key = iccKey(t, 'A0000000041010', r, tc.pan)!;
  const pdolData = buildDol(h('9F3501'), (tag) => term.get(tag));
  const cdol1 = buildDol(r.card.get(0x8c)!, (tag) => term.get(tag));
  const resp = send(t, card, generateAc('ARQC', cdol1, { cda: true }));
  const top = decodeTlv(resp)[0]!;
  t.equal(top.tag, 0x77);
  const v = indexPrimitives([top]).values;
  t.notOk(v.has(0x9f26), 'with CDA the AC travels inside the signature');
  const sig = verifyDynamicSignature(key, v.get(0x9f4b)!, term.get(0x9f37)!);
  t.ok(sig.ok);
  if (!sig.ok) return;
  t.equal(sig.cryptogramInfo, 0x80);
  // Book 2 6.6.2 step 9: hash of PDOL data, CDOL1 data and the response TLVs other than the SDAD.
  const others = top.children!.filter((c) => c.tag !== 0x9f4b).map((c) => resp.subarray(c.offset, c.value.byteOffset - resp.byteOffset + c.value.length));
  t.same(sig.txnDataHashCode, sha1Of(pdolData, cdol1, ...others), 'transaction data hash code');
  const sk = hostVerify(t, tc.pan, term, r.aip, v.get(0x9f36)!, sig.cryptogram!);
  const keys = issuerKeysFor(tc.pan)!;
  t.ok(keys.useUnpredictableNumber);
  t.equal(keys.arpcMethod, 1);
  const { issuerAuthenticationData } = produceArpc(sk, sig.cryptogram!, { method: 1, arc: h('3030') });
  const withIad = new Map(term);
  withIad.set(0x91, issuerAuthenticationData);
  const cdol2 = buildDol(r.card.get(0x8d)!, (tag) => withIad.get(tag));
  const second = values(send(t, card, generateAc('TC', cdol2)));
  t.equal(hex(second.get(0x9f27)), '40', 'TC: ARPC verified from 91 in the CDOL2 data');
});

t.test('unionpay-online, contactless (qPBOC): PPSE, ARQC in the GPO response, option B key for a 19-digit PAN', async (t) => {
  const tc = testCard('unionpay-online');
  t.equal(tc.pan.length, 19);
  const card = createCard(tc, 'contactless');
  const ppse = values(send(t, card, selectByName(PPSE_NAME)));
  t.equal(hex(ppse.get(0x4f)), 'A000000333010101', '# Book B: PPSE directory entry in BF0C');
  const term = terminal({ '5F2A': '0156', '9F1A': '0156' });
  const r = initiate(t, card, 'A000000333010101', term);
  t.equal(hex(r.gpo.get(0x9f27)), '80');
  t.equal(issuerKeysFor(tc.pan)!.option, 'b');
  hostVerify(t, tc.pan, term, r.aip, r.gpo.get(0x9f36)!, r.gpo.get(0x9f26)!);
  iccKey(t, 'A000000333010101', r, tc.pan);
  send(t, card, generateAc('ARQC', new Uint8Array(33)), 0x6985, 'the quick path has no GENERATE AC');
});

t.test('unionpay-online, contact (PBOC): DDA, ARQC, ARPC method 1 by EXTERNAL AUTHENTICATE, TC', async (t) => {
  const tc = testCard('unionpay-online');
  const card = createCard(tc, 'contact');
  const term = terminal({ '5F2A': '0156', '9F1A': '0156' });
  const r = initiate(t, card, 'A000000333010101', term);
  const key = iccKey(t, 'A000000333010101', r, tc.pan)!;
  const ia = values(send(t, card, internalAuthenticate(term.get(0x9f37)!)));
  t.ok(verifyDynamicSignature(key, ia.get(0x9f4b)!, term.get(0x9f37)!).ok, 'DDA signature in 77{9F4B}');
  const ac = values(send(t, card, generateAc('ARQC', buildDol(r.card.get(0x8c)!, (tag) => term.get(tag)))));
  t.equal(hex(ac.get(0x9f27)), '80');
  const sk = hostVerify(t, tc.pan, term, r.aip, ac.get(0x9f36)!, ac.get(0x9f26)!);
  const { issuerAuthenticationData } = produceArpc(sk, ac.get(0x9f26)!, { method: 1, arc: h('3030') });
  t.equal(issuerAuthenticationData.length, 10, '91 = ARPC (8) || ARC (2)');
  send(t, card, externalAuthenticate(issuerAuthenticationData), 0x9000);
  send(t, card, externalAuthenticate(issuerAuthenticationData), 0x6985, 'one EXTERNAL AUTHENTICATE per transaction');
  const second = values(send(t, card, generateAc('TC', buildDol(r.card.get(0x8d)!, (tag) => term.get(tag)))));
  t.equal(hex(second.get(0x9f27)), '40');
});

t.test('visa-offline, contactless (qVSDC): TC with an fDDA signature below the card limit; ARQC above it or when the reader asks', async (t) => {
  const tc = testCard('visa-offline');
  const card = createCard(tc, 'contactless');
  send(t, card, selectByName(PPSE_NAME));
  const term = terminal();
  const r = initiate(t, card, 'A0000000031010', term);
  t.equal(hex(r.gpo.get(0x9f27)), '40', 'TC');
  hostVerify(t, tc.pan, term, r.aip, r.gpo.get(0x9f36)!, r.gpo.get(0x9f26)!);
  const key = iccKey(t, 'A0000000031010', r, tc.pan)!;
  // Visa fDDA 01: signed data = UN || amount || currency || card authentication related data (9F69).
  const car = r.gpo.get(0x9f69)!;
  t.equal(car[0], 0x01, 'fDDA version 01');
  const fdda = verifyDynamicSignature(key, r.gpo.get(0x9f4b)!, Uint8Array.from([...term.get(0x9f37)!, ...term.get(0x9f02)!, ...term.get(0x5f2a)!, ...car]));
  t.ok(fdda.ok, 'fDDA signature verified');

  const big = createCard(tc, 'contactless');
  const above = initiate(t, big, 'A0000000031010', terminal({ '9F02': '000000010001' }));
  t.equal(hex(above.gpo.get(0x9f27)), '80', 'ARQC above 100.00');
  t.notOk(above.gpo.has(0x9f4b), 'no fDDA signature for an online request');
  const asked = initiate(t, createCard(tc, 'contactless'), 'A0000000031010', terminal({ '9F66': '36800000' }));
  t.equal(hex(asked.gpo.get(0x9f27)), '80', 'ARQC when the TTQ says online cryptogram required');
});

t.test('visa-offline and decline-offline, contact: the card answers TC, ARQC or AAC to what the terminal asks', async (t) => {
  const first = (name: string, type: 'TC' | 'ARQC' | 'AAC', amount: string): number => {
    const card = createCard(name, 'contact');
    const term = terminal({ '9F02': amount });
    const r = initiate(t, card, 'A0000000031010', term);
    const ac = decodeTlv(send(t, card, generateAc(type, buildDol(r.card.get(0x8c)!, (tag) => term.get(tag)))))[0]!;
    if (ac.value[0] !== 0x00) hostVerify(t, card.applets[0]!.data.profile.pan, term, r.aip, ac.value.slice(1, 3), ac.value.slice(3, 11));
    return ac.value[0]!;
  };
  t.equal(first('visa-offline', 'TC', '000000005000'), 0x40, 'TC below the limit');
  t.equal(first('visa-offline', 'TC', '000000020000'), 0x80, 'ARQC above the limit');
  t.equal(first('visa-offline', 'AAC', '000000005000'), 0x00, 'never more than asked');
  t.equal(first('decline-offline', 'ARQC', '000000005000'), 0x00, 'decline-offline answers AAC');
  t.equal(first('visa-online', 'TC', '000000000100'), 0x80, 'visa-online goes online even when a TC is asked');
});

t.test('offline-pin: VERIFY plaintext PIN, try counter, blocking (Book 3 6.5.12)', async (t) => {
  const card = createCard('offline-pin', 'contact');
  t.same(card.applets.map((a) => a.data.profile.aid), ['A0000000031010']);
  initiate(t, card, 'A0000000031010', terminal());
  const block = (pin: string): Uint8Array => h(('2' + pin.length.toString(16) + pin).padEnd(16, 'F'));
  t.equal(hex(values(send(t, card, getData(0x9f17))).get(0x9f17)), '03');
  send(t, card, verify(VERIFY_PIN.PLAINTEXT, block('1111')), 0x63c2);
  send(t, card, verify(VERIFY_PIN.PLAINTEXT, block('1234')), 0x9000, 'right PIN resets the counter');
  t.equal(hex(values(send(t, card, getData(0x9f17))).get(0x9f17)), '03');
  send(t, card, verify(VERIFY_PIN.PLAINTEXT, block('0000')), 0x63c2);
  send(t, card, verify(VERIFY_PIN.PLAINTEXT, block('0000')), 0x63c1);
  send(t, card, verify(VERIFY_PIN.PLAINTEXT, block('0000')), 0x6983, 'PIN blocked');
  send(t, card, verify(VERIFY_PIN.PLAINTEXT, block('1234')), 0x6983, 'still blocked');
  send(t, card, verify(VERIFY_PIN.PLAINTEXT, h('2412')), 0x6983);
  const fresh = createCard('offline-pin', 'contact');
  initiate(t, fresh, 'A0000000031010', terminal());
  send(t, fresh, verify(VERIFY_PIN.PLAINTEXT, h('24123F')), 0x6a80, 'not a format 2 PIN block');
  send(t, fresh, verify(VERIFY_PIN.ENCIPHERED, block('1234')), 0x6985, 'enciphered PIN needs a challenge first');
  t.equal(createCard('offline-pin', 'contactless').applets.length, 0, 'contact only');
});

t.test('an SDA profile: signed static application data (93) verifies over the records and AIP (Book 2 5.4)', async (t) => {
  const base = testCard('visa-online');
  const card = createCard({ applications: [{ ...base.profile.applications[0]!, oda: 'sda' }] }, 'contact');
  const r = initiate(t, card, 'A0000000031010', terminal());
  t.equal(hex(r.aip), '5C00', 'AIP: SDA, cardholder verification, terminal risk management, issuer authentication');
  t.notOk(r.card.has(0x9f46), 'no ICC key on an SDA card');
  const issuer = recoverIssuerPublicKey(testCaKey('A000000003', r.card.get(0x8f)![0]!), r.card.get(0x90)!, r.card.get(0x92), r.card.get(0x9f32)!, base.pan, TODAY);
  t.ok(issuer.ok);
  if (!issuer.ok) return;
  const sda = verifySda(issuer.key, r.card.get(0x93)!, r.staticData);
  t.ok(sda.ok);
  if (sda.ok) t.equal(hex(sda.dac), 'DAC1');
  send(t, card, internalAuthenticate(h('11223344')), 0x6d00, 'no INTERNAL AUTHENTICATE without an ICC key');
});

t.test('offline-enciphered-pin: GET CHALLENGE, VERIFY 88 with the PIN block enciphered under the ICC public key (Book 2 7)', async (t) => {
  const tc = testCard('offline-enciphered-pin');
  const card = createCard(tc, 'contact');
  const r = initiate(t, card, 'A0000000041010', terminal());
  t.equal(hex(r.card.get(0x8e)).slice(16, 20), '4403', 'CVM list: enciphered PIN by ICC');
  const key = iccKey(t, 'A0000000041010', r, tc.pan)!;
  const encipher = (pin: string, challenge: Uint8Array): Uint8Array => {
    // Book 2 7.1 Table 23: 7F || PIN block (format 2) || ICC unpredictable number || random pad, then RSA with the ICC public key.
    const x = new Uint8Array(key.modulus.length).fill(0x55);
    x[0] = 0x7f;
    x.set(h(('2' + pin.length.toString(16) + pin).padEnd(16, 'F')), 1);
    x.set(challenge, 9);
    return rsaRecover(key, x)!;
  };
  const ch1 = send(t, card, getChallenge());
  t.equal(ch1.length, 8);
  send(t, card, verify(VERIFY_PIN.ENCIPHERED, encipher('1234', ch1)), 0x9000, '# PIN 1234 verified');
  const ch2 = send(t, card, getChallenge());
  send(t, card, verify(VERIFY_PIN.ENCIPHERED, encipher('9999', ch2)), 0x63c2, 'wrong PIN');
  send(t, card, getChallenge());
  send(t, card, verify(VERIFY_PIN.ENCIPHERED, encipher('1234', ch2)), 0x63c1, 'an old challenge does not verify');
  send(t, card, verify(VERIFY_PIN.ENCIPHERED, encipher('1234', ch2)), 0x6985, 'each challenge serves one VERIFY');
  const ch3 = send(t, card, getChallenge());
  send(t, card, verify(VERIFY_PIN.ENCIPHERED, encipher('1234', ch3)), 0x9000, 'counter reset');
  t.equal(hex(values(send(t, card, getData(0x9f17))).get(0x9f17)), '03');
});

t.test('selection cases: blocked, unknown AID, two applications, interfaces', async (t) => {
  const blocked = createCard('blocked-application', 'contact');
  const fci = send(t, blocked, selectByName(h('A0000000031010')), 0x6283, '# Book 1 12.3.1: application blocked');
  t.equal(decodeTlv(fci)[0]!.tag, 0x6f, 'the FCI still comes back');
  send(t, blocked, getProcessingOptions(), 0x6985);

  const unknown = createCard('unknown-aid', 'contactless');
  t.equal(hex(values(send(t, unknown, selectByName(PPSE_NAME))).get(0x4f)), 'A0000009999001');
  send(t, unknown, selectByName(h('A0000000031010')), 0x6a82, 'Visa AID not on the card');

  const two = createCard('two-applications', 'contactless');
  const entries = decodeTlv(send(t, two, selectByName(PPSE_NAME)))[0]!;
  const found: string[] = [];
  const walk = (n: typeof entries): void => {
    if (n.tag === 0x61) {
      const v = indexPrimitives([n]).values;
      found.push(`${hex(v.get(0x4f))}/${hex(v.get(0x87))}`);
    }
    for (const c of n.children ?? []) walk(c);
  };
  walk(entries);
  t.same(found, ['A0000000031010/81', 'A0000000032010/82'], 'both need cardholder confirmation (bit 8)');
  // Partial selection (Book 1 12.3.1): A0000000 then next occurrence.
  t.equal(hex(values(send(t, two, selectByName(h('A000000003')))).get(0x84)), 'A0000000031010');
  t.equal(hex(values(send(t, two, selectByName(h('A000000003'), { next: true }))).get(0x84)), 'A0000000032010');
  send(t, two, selectByName(h('A000000003'), { next: true }), 0x6a82, 'no third');

  send(t, createCard('visa-online', 'contactless'), selectByName(PSE_NAME), 0x6a82, 'no PSE on the contactless interface');
  send(t, createCard('visa-online', 'contact'), selectByName(PPSE_NAME), 0x6a82, 'no PPSE on the contact interface');
});

t.test('oda-failure: the damaged issuer certificate does not recover', async (t) => {
  const tc = testCard('oda-failure');
  const card = createCard(tc, 'contact');
  const r = initiate(t, card, 'A0000000031010', terminal());
  const ca = testCaKey('A000000003', r.card.get(0x8f)![0]!);
  const res = recoverIssuerPublicKey(ca, r.card.get(0x90)!, r.card.get(0x92), r.card.get(0x9f32)!, tc.pan, TODAY);
  t.notOk(res.ok);
  t.ok(!res.ok && ['cert-format', 'hash'].includes(res.reason));
});

t.test('expired and not-yet-effective carry the dates the terminal checks (Book 3 10.4.3)', async (t) => {
  const exp = initiate(t, createCard('expired', 'contact'), 'A0000000031010', terminal());
  t.equal(hex(exp.card.get(0x5f24)), '231231');
  t.notOk(exp.card.has(0x8f), 'no ODA data');
  t.equal(hex(exp.aip), '1C00');
  const nye = initiate(t, createCard('not-yet-effective', 'contact'), 'A0000000031010', terminal());
  t.equal(hex(nye.card.get(0x5f25)), '350101');
});

t.test('card-removed: the second READ RECORD throws EMV_CARD_REMOVED; reset re-arms', async (t) => {
  const card = createCard('card-removed', 'contact');
  send(t, card, selectByName(h('A0000000031010')));
  send(t, card, getProcessingOptions());
  send(t, card, readRecord(1, 1));
  const threw = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  t.ok(isEmvError(threw(() => card.transceive(readRecord(2, 1))), 'EMV_CARD_REMOVED'));
  t.ok(isEmvError(threw(() => card.transceive(selectByName(PSE_NAME))), 'EMV_CARD_REMOVED'), 'gone until reset');
  card.reset();
  send(t, card, selectByName(PSE_NAME));
  const sim = simContactlessCard('card-removed');
  sim.transceive(selectByName(h('A0000000031010')));
  sim.transceive(readRecord(1, 1));
  t.ok(isEmvError(threw(() => sim.transceive(readRecord(1, 1))), 'EMV_CARD_REMOVED'), 'through the PN532 model shape as well');
});

t.test('malformed responses', async (t) => {
  const mc = createCard('malformed-bad-tlv', 'contact');
  send(t, mc, selectByName(h('A0000000041010')));
  const bad = send(t, mc, getProcessingOptions(h('22')));
  t.throws(() => decodeTlv(bad), 'GPO response template longer than its data');

  const sw = createCard('malformed-wrong-sw', 'contact');
  send(t, sw, selectByName(h('A0000000031010')));
  send(t, sw, getProcessingOptions());
  send(t, sw, readRecord(1, 1));
  send(t, sw, readRecord(2, 1), 0x6f00);

  const missing = createCard('malformed-missing-data', 'contact');
  send(t, missing, selectByName(h('A0000000031010')));
  send(t, missing, getProcessingOptions());
  const rec = values(send(t, missing, readRecord(2, 1)));
  t.notOk(rec.has(0x5a), 'PAN missing');
  t.ok(rec.has(0x8c), 'the rest is there');

  const dup = createCard('malformed-duplicate-tags', 'contact');
  send(t, dup, selectByName(h('A0000000031010')));
  send(t, dup, getProcessingOptions());
  t.same(indexPrimitives(decodeTlv(send(t, dup, readRecord(2, 1)))).duplicates, [0x5a]);
});

t.test('commands out of order or malformed get ISO/IEC 7816-4 status words, never an exception', async (t) => {
  const card = createCard('visa-online', 'contact');
  send(t, card, getProcessingOptions(), 0x6985, 'GPO before SELECT');
  send(t, card, selectByName(h('A0000000031010')));
  send(t, card, generateAc('ARQC', new Uint8Array(29)), 0x6985, 'GENERATE AC before GPO');
  send(t, card, getProcessingOptions(h('00')), 0x6700, 'PDOL data where the card has no PDOL');
  send(t, card, getProcessingOptions());
  send(t, card, getProcessingOptions(), 0x6985, 'second GPO');
  send(t, card, generateAc('ARQC', new Uint8Array(3)), 0x6700, 'CDOL1 data of the wrong length');
  send(t, card, readRecord(9, 1), 0x6a83);
  send(t, card, h('00FF000000'), 0x6d00, 'unknown instruction');
  send(t, card, h('B0A4040000'), 0x6e00, 'class not supported');
  send(t, card, h('00'), 0x6700, 'not a command APDU');
  send(t, card, getData(0x9f13), 0x9000);
  send(t, card, getData(0x9f17), 0x6a88, 'no PIN try counter without offline PIN');
});

t.test('catalogue: names, Luhn-valid PANs, track data that parses, issuer keys for every PAN, PN532 identity', async (t) => {
  const names = TEST_CARDS.map((c) => c.name);
  t.equal(new Set(names).size, names.length, 'names are unique');
  for (const name of ['visa-online', 'mastercard-online', 'unionpay-online', 'visa-offline', 'decline-offline', 'online-pin', 'expired', 'not-yet-effective',
    'blocked-application', 'oda-failure', 'unknown-aid', 'two-applications', 'card-removed', 'malformed-bad-tlv', 'malformed-wrong-sw',
    'malformed-missing-data', 'malformed-duplicate-tags']) {
    t.ok(names.includes(name), name);
  }
  t.ok(isEmvError((() => { try { testCard('nope'); } catch (e) { return e; } return undefined; })(), 'EMV_CARD_UNKNOWN'));
  for (const c of TEST_CARDS) {
    t.ok(luhnValid(c.pan), `${c.name}: Luhn`);
    const t2 = parseTrack2(c.track2);
    t.equal(t2.pan, c.pan);
    t.equal(t2.expiry, c.expiry);
    t.ok(t2.chipCapable, 'service code 2xx: chip card');
    t.equal(parseTrack2Equivalent(h(c.track2Equivalent)).pan, c.pan);
    for (const a of c.profile.applications) t.ok(issuerKeysFor(a.pan, a.psn), `${c.name}: issuer keys for ${a.aid}`);
    t.ok(c.description.length > 0 && c.expected.length > 0);
  }
  t.equal(issuerKeysFor('4000000000000002'), undefined);
  const sim = simContactlessCard('visa-online');
  t.equal(sim.sak & 0x20, 0x20, 'SAK: ISO/IEC 14443-4');
  t.equal(sim.ats[0], sim.ats.length, 'ATS TL counts itself');
  t.equal(sim.uid.length, 4);
  t.equal(parseResponse(sim.transceive(selectByName(PPSE_NAME))).sw, 0x9000);
});
