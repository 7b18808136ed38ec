// Data the kernel builds around the cryptogram and after completion, each checked against
// the rule that defines it:
// - TC Hash Value (98) over the TDOL data (Book 3 5.4, Annex A), default TDOL and TVR byte 5
//   bit 8 (Book 3 Annex C5);
// - Issuer Script Results (9F5B) after completion (Book 4 Annex A5);
// - the CID a qVSDC card leaves out, taken from the IAD (Book C-3, Visa IAD CVR byte 2).
import t from 'tap';
import { createHash } from 'node:crypto';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import { decodeTlv } from '../../../emv/ber/tlv.js';
import { fromHex, toHex } from '../../../emv/bytes.js';
import { parseDol } from '../../../emv/dol/dol.js';
import type { HostResponse, TerminalConfig } from '../../../emv/kernel/types.js';
import { TERMINAL, params } from './catalogue.js';
import { p, recording, SimEmvCard, type SimApp } from './sim-card.js';
import { checkFixture, transcriptText } from './transcript.js';

const PAN = '4761739001010010';
const sha1 = (hex: string): string => createHash('sha1').update(Buffer.from(hex, 'hex')).digest('hex').toUpperCase();

/** A contact Visa application without ODA whose CDOL1 asks for the TC Hash Value: 9F02 9F37 95 98. */
function tdolApp(cardTdol: string | undefined): SimApp {
  return {
    aid: 'A0000000031010',
    label: 'VISA CREDIT',
    priority: '01',
    aip: '1800', // cardholder verification, terminal risk management (Book 3 Annex C1)
    afl: '08010100',
    records: {
      '1.1': [
        p(0x57, `${PAN}D30122011000000000`),
        p(0x5a, PAN),
        p(0x5f24, '301231'),
        p(0x8c, '9F0206' + '9F3704' + '9505' + '9814'),
        p(0x8d, '8A02' + '9F3704' + '9505' + '9814'),
        p(0x8e, '00000000000000001F03'),
        ...(cardTdol === undefined ? [] : [p(0x97, cardTdol)]),
      ],
    },
    gpoFormat: 1,
    policy: 'online',
  };
}

/** The GENERATE AC data of each GENERATE AC in `lines`, split by CDOL1 (9F02 9F37 95 98). */
function generateAcData(lines: string[]): Map<number, string>[] {
  const cdol = parseDol(fromHex('9F0206' + '9F3704' + '9505' + '9814'));
  return lines
    .filter((l) => l.startsWith('> 80AE'))
    .slice(0, 1)
    .map((l) => {
      const data = fromHex(l.slice(2)).subarray(5, -1);
      const m = new Map<number, string>();
      let o = 0;
      for (const e of cdol) m.set(e.tag, toHex(data.subarray(o, (o += e.length))));
      return m;
    });
}

async function run(card: SimEmvCard, config: TerminalConfig, lines: string[]) {
  return runTransaction({ interface: 'contact', params: params(5000), config, deps: { transceive: recording(card.transceiveAsync, lines) } });
}

t.test('TC Hash Value: SHA-1 of the card TDOL data; TVR byte 5 bit 8 clear (Book 3 5.4)', async (t) => {
  const lines: string[] = [];
  // TDOL 9F02 06, 5F2A 02, 9A 03: 50.00, EUR (0978), 2026-11-28.
  const r = await run(new SimEmvCard({ directory: 'pse', apps: [tdolApp('9F02065F2A029A03')] }), TERMINAL, lines);
  const [ac] = generateAcData(lines);
  t.equal(ac!.get(0x98), sha1('000000005000' + '0978' + '261128'), '98 = SHA-1(9F02 || 5F2A || 9A)');
  t.equal(r.tvr[4]! & 0x80, 0, 'default TDOL not used');
  t.equal(checkFixture(new URL('./fixtures/tc-hash-card-tdol.apdu', import.meta.url), transcriptText(['TC Hash Value over the card TDOL 9F02065F2A029A03 (Book 3 5.4)'], lines)), undefined, 'transcript');
});

t.test('TC Hash Value with the terminal default TDOL sets TVR byte 5 bit 8, seen by the same GENERATE AC (Book 3 Annex C5)', async (t) => {
  const lines: string[] = [];
  const config: TerminalConfig = { ...TERMINAL, aids: TERMINAL.aids.map((a) => ({ ...a, defaultTdol: fromHex('9F3704') })) };
  const r = await run(new SimEmvCard({ directory: 'pse', apps: [tdolApp(undefined)] }), config, lines);
  const [ac] = generateAcData(lines);
  t.equal(ac!.get(0x98), sha1('11223344'), '98 = SHA-1(9F37)');
  t.equal(r.tvr[4]! & 0x80, 0x80, 'outcome TVR: default TDOL used');
  t.equal(parseInt(ac!.get(0x95)!.slice(8, 10), 16) & 0x80, 0x80, 'the TVR in the same CDOL data already carries it');
});

t.test('TC Hash Value with no TDOL anywhere: SHA-1 of nothing, TVR bit clear', async (t) => {
  const lines: string[] = [];
  const r = await run(new SimEmvCard({ directory: 'pse', apps: [tdolApp(undefined)] }), TERMINAL, lines);
  const [ac] = generateAcData(lines);
  // FIPS 180-4 SHA-1 of the empty message.
  t.equal(ac!.get(0x98), 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709');
  t.equal(r.tvr[4]! & 0x80, 0);
});

function script(tag: number, id: string | undefined, cmds: string[]): number[] {
  const body = [...(id === undefined ? [] : [...fromHex(`9F1804${id}`)]), ...cmds.flatMap((h) => [0x86, h.length / 2, ...fromHex(h)])];
  return [tag, body.length, ...body];
}

t.test('Issuer Script Results (9F5B) after completion, one entry per script (Book 4 Annex A5)', async (t) => {
  const failing = '84DA9F580203FF';
  // The card refuses the second command of the second 72 script (6A80: SW1 not 90/62/63, Book 3 10.10).
  const card = new SimEmvCard({ directory: 'pse', apps: [tdolApp(undefined)], mutate: (cmd, r) => (toHex(cmd) === failing ? fromHex('6A80') : r) });
  const lines: string[] = [];
  const first = await run(card, TERMINAL, lines);
  t.equal(first.outcome, 'online-request');
  const host: HostResponse = {
    kind: 'response',
    arc: '00',
    scripts: Uint8Array.from([
      ...script(0x71, '00000001', ['84DA9F580201FF', '84DA9F580202FF']),
      ...script(0x72, '00000002', ['84DA9F580204FF', failing, '84DA9F580205FF']),
      ...script(0x72, undefined, ['84DA9F580206FF']),
    ]),
  };
  const r = await first.complete!(host);
  t.equal(r.outcome, 'approved');
  // 20 = performed successfully, no sequence number; 12 = failed at command 2; no 9F18: identifier zeros.
  t.equal(r.issuerScriptResults && toHex(r.issuerScriptResults), '2000000001' + '1200000002' + '2000000000');
  t.equal(r.tvr[4]! & 0x30, 0x10, 'TVR byte 5: script failed after final GENERATE AC only (Annex C5)');
  t.equal(r.tsi[0]! & 0x04, 0x04, 'TSI: script processing performed');
  const f55 = new Map(decodeTlv(r.field55!).map((n) => [n.tag, toHex(n.value)]));
  t.equal(f55.get(0x9f5b), '2000000001' + '1200000002' + '2000000000', 'field 55 carries 9F5B');
  t.notOk(lines.includes('> 84DA9F580205FF'), 'the script stops at the failing command');
  t.equal(first.issuerScriptResults, undefined, 'no results before completion');
});

/** A qVSDC application (Book C-3) whose GPO response leaves out the CID; IAD as given. */
function noCidCard(aid: string, iad: string): SimEmvCard {
  const app: SimApp = {
    aid,
    label: 'CONTACTLESS',
    priority: '01',
    pdol: '9F66049F02069F37045F2A02',
    aip: '0000',
    afl: '08010100',
    records: { '1.1': [p(0x57, `${PAN}D30122011000000000`), p(0x5f24, '301231')] },
    gpoFormat: 2,
    policy: 'online',
    qvsdc: () => [p(0x9f36, '0021'), p(0x9f26, '1122334455667788'), p(0x9f10, iad), p(0x5f34, '01')],
  };
  return new SimEmvCard({ directory: 'ppse', apps: [app] });
}

t.test('qVSDC without 9F27: the cryptogram type comes from IAD byte 5 bits 6-5 (Book C-3; Visa CVR byte 2)', async (t) => {
  const cases: Array<[string, string, string, number | undefined]> = [
    // IAD 06 | DKI 01 | CVN 0A | CVR 03 A0 00 00: byte 5 A0 -> bits 6-5 = 10, ARQC.
    ['06010A03A00000', 'online-request', 'ARQC', 0x80],
    // 80 -> bits 6-5 = 00, AAC.
    ['06010A03800000', 'declined', 'AAC', 0x00],
  ];
  for (const [iad, outcome, what, cid] of cases) {
    const lines: string[] = [];
    const r = await runTransaction({ interface: 'contactless', params: params(1000), config: TERMINAL, deps: { transceive: recording(noCidCard('A0000000031010', iad).transceiveAsync, lines) } });
    t.equal(r.outcome, outcome, `IAD ${iad}: ${what}`);
    t.equal(r.cid, cid, 'CID');
    const f55 = new Map(decodeTlv(r.field55!).map((n) => [n.tag, toHex(n.value)]));
    t.equal(f55.get(0x9f27), toHex(Uint8Array.of(cid!)), 'field 55 carries the derived 9F27');
  }
});

t.test('without 9F27 and without that rule the GPO response is a card data error', async (t) => {
  // Visa IAD format 2 (length 1F): CVR elsewhere, no derivation.
  const visa2 = await runTransaction({ interface: 'contactless', params: params(1000), config: TERMINAL, deps: { transceive: noCidCard('A0000000031010', '1F4301002000000000000000000000000000000000000000000000000000000000').transceiveAsync } });
  t.equal(visa2.outcome, 'end-application');
  t.equal(visa2.stoppedAt, 'processing-restrictions');
  // A UnionPay AID: the rule is Kernel 3's for Visa; not applied.
  const up = await runTransaction({ interface: 'contactless', params: params(1000), config: TERMINAL, deps: { transceive: noCidCard('A000000333010101', '06010A03A00000').transceiveAsync } });
  t.equal(up.outcome, 'end-application');
});
