// The simulator with the virtual-card catalogue: a cryptogram made with a card's keys
// verifies and gets an ARPC; `pos host-sim` serves terminals over TCP and keeps its ledger.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { catalogueCards, catalogueIssuer, createSimulator } from '../../src/board/acquirer.js';
import { issuerKeysFor, testCard } from '../../emv/cards/catalogue.js';
import { arpcMethod2, computeCryptogram, cryptogramData, deriveIccMasterKey, deriveSessionKey } from '../../emv/crypto/emv-keys.js';
import { loadLayout } from '../../src/host/iso8583/layout.js';
import { financialRequest } from '../../src/host/messages.js';
import { connectChannel } from '../../src/host/channel.js';
import { HostClient } from '../../src/host/client.js';
import { MemoryHostStore } from '../../src/host/store.js';
import { encodeTlv, decodeTlv } from '../../emv/ber/tlv.js';
import { spawnPos, tsHook, waitForOutput } from '../cli/fixtures/spawn-cli.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const layout = loadLayout('binary');

/** Field 55 as a card would produce it: the Book 2 Table 26 data and an ARQC under the card's keys. */
function iccData(pan: string, atcHex: string, tamper = false): { tags: Map<number, Uint8Array>; tlv: Uint8Array; arqc: Uint8Array; sessionKey: Uint8Array } {
  const keys = issuerKeysFor(pan)!;
  const tags = new Map<number, Uint8Array>([
    [0x9f02, hex('000000001000')],
    [0x9f03, hex('000000000000')],
    [0x9f1a, hex('0156')],
    [0x95, hex('0000000000')],
    [0x5f2a, hex('0156')],
    [0x9a, hex('261128')],
    [0x9c, hex('00')],
    [0x9f37, hex('11223344')],
    [0x82, hex('3900')],
    [0x9f36, hex(atcHex)],
  ]);
  const mk = deriveIccMasterKey(keys.imk, pan, keys.psn, keys.option);
  const sessionKey = deriveSessionKey(mk, tags.get(0x9f36)!, keys.useUnpredictableNumber ? tags.get(0x9f37) : undefined);
  const arqc = computeCryptogram(sessionKey, cryptogramData((tag) => tags.get(tag)));
  if (tamper) arqc[0] ^= 1;
  tags.set(0x9f26, arqc);
  return { tags, tlv: encodeTlv([...tags].map(([tag, value]) => ({ tag, value }))), arqc, sessionKey };
}

t.test('the catalogue issuer verifies an ARQC made with the card keys and answers an ARPC', async (t) => {
  const card = catalogueCards().find((c) => c.name === 'visa-online')!;
  const { tags, arqc, sessionKey } = iccData(card.pan, '0001');
  const result = catalogueIssuer.authorise(card, tags, '00');
  t.equal(result.ok, true);
  if (!result.ok) return;
  // Visa: method 2, 91 = ARPC(4) || CSU(4) (EMV Book 2 8.2.2).
  const csu = result.issuerAuthData.subarray(4, 8);
  t.same([...result.issuerAuthData.subarray(0, 4)], [...arpcMethod2(sessionKey, arqc, csu)]);
  const bad = catalogueIssuer.authorise(card, iccData(card.pan, '0001', true).tags, '00');
  t.equal(bad.ok, false);
  t.equal(catalogueCards().length >= 10, true, 'every catalogue card is known to the host');
  t.equal(testCard('visa-online').pan, card.pan);
});

t.test('a sale with field 55: approved with 91 in the answer; a bad cryptogram is declined', async (t) => {
  const sim = createSimulator({ layout });
  const pan = testCard('unionpay-online').pan;
  const ok = sim.handle(financialRequest(layout, { kind: 'sale', pan, expiry: testCard('unionpay-online').expiry, amountMinor: 1000, currency: '156', entryMode: '071', merchantId: 'M', iccData: iccData(pan, '0005').tlv }).set(11, '000001').set(7, '1128000000').set(41, 'TERM0001'))!;
  t.equal(ok.text(39), '00');
  const f55 = decodeTlv(ok.bytes(55)!);
  t.equal(f55[0]!.tag, 0x91);
  t.equal(f55[0]!.value.length, 10, 'UnionPay: method 1, ARPC(8) || ARC(2)');
  const bad = sim.handle(financialRequest(layout, { kind: 'sale', pan, amountMinor: 1000, currency: '156', entryMode: '071', merchantId: 'M', iccData: iccData(pan, '0006', true).tlv }).set(11, '000002').set(7, '1128000000').set(41, 'TERM0001'))!;
  t.equal(bad.text(39), '05');
});

t.test('pos host-sim serves a terminal over TCP and rewrites its ledger', { skip: tsHook === undefined && "needs tap's TypeScript import hook" }, async (t) => {
  const ledger = path.join(mkdtempSync(path.join(tmpdir(), 'hostsim-')), 'ledger.json');
  const child = spawnPos(['host-sim', '--port', '0', '--ledger', ledger]);
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  try {
    const [, port] = await waitForOutput(child, /listening on 127\.0\.0\.1:(\d+)/);
    const client = new HostClient({ layout, store: new MemoryHostStore(), terminalId: 'TERM0001', connect: () => connectChannel({ host: '127.0.0.1', port: Number(port) }) });
    const card = testCard('visa-online');
    const res = await client.request(financialRequest(layout, { kind: 'sale', pan: card.pan, expiry: card.expiry, amountMinor: 2500, currency: '156', entryMode: '071', merchantId: 'M' }));
    t.equal(res.text(39), '00');
    await client.close();
    await new Promise((r) => setTimeout(r, 200));
    const book = JSON.parse(readFileSync(ledger, 'utf8')) as { cards: Record<string, { balanceMinor: number; approvals: number }> };
    t.equal(book.cards['visa-online']!.balanceMinor, 100_000 - 2500);
    t.equal(book.cards['visa-online']!.approvals, 1);
    t.notMatch(readFileSync(ledger, 'utf8'), new RegExp(card.pan), 'no PAN in the ledger file');
  } finally {
    child.kill('SIGTERM');
  }
  t.equal(await exited, 0, 'SIGTERM: clean exit');
});
