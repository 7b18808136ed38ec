// T=0 case 2/4 handling (EMV Book 1 9.3.1.3, ISO/IEC 7816-3 12.2) against a scripted card:
// the card is the far end of the wire, answering each exact command it expects.
import t from 'tap';
import { withT0Handling, type Transceive } from '../../emv/transport/transceive.js';
import { fromHex, toHex } from '../../emv/bytes.js';

/** A card that answers a fixed conversation and fails on any unexpected command. */
function scriptedCard(script: Array<[string, string]>): Transceive & { left: () => number } {
  const steps = [...script];
  const card = (async (capdu: Uint8Array) => {
    const next = steps.shift();
    if (next === undefined) throw new Error(`card: unexpected extra command ${toHex(capdu)}`);
    if (toHex(capdu) !== next[0]) throw new Error(`card: expected ${next[0]}, got ${toHex(capdu)}`);
    return fromHex(next[1]);
  }) as Transceive & { left: () => number };
  card.left = () => steps.length;
  return card;
}

const SELECT = '00A4040007A000000003101000';
const FCI = '6F1A840E315041592E5359532E4444463031A5088801025F2D02656E';

t.test('61xx: GET RESPONSE with Le = xx, data returned with the final status', async (t) => {
  const card = scriptedCard([
    [SELECT, '611C'],
    ['00C000001C', FCI + '9000'],
  ]);
  t.equal(toHex(await withT0Handling(card)(fromHex(SELECT))), FCI + '9000');
  t.equal(card.left(), 0);
});

t.test('61xx repeated: data of every response concatenated in order', async (t) => {
  const card = scriptedCard([
    [SELECT, '6110'],
    ['00C0000010', FCI.slice(0, 32) + '6100'],
    ['00C0000000', FCI.slice(32) + '6283'],
  ]);
  t.equal(toHex(await withT0Handling(card)(fromHex(SELECT))), FCI + '6283', '61 00 asks for 256 bytes (Le 00); last SW kept');
});

t.test('6Cxx: the same command again with Le = xx', async (t) => {
  const record = '70' + '0A' + '5A084761739001010010';
  const card = scriptedCard([
    ['00B2010C00', '6C0C'],
    ['00B2010C0C', record + '9000'],
  ]);
  t.equal(toHex(await withT0Handling(card)(fromHex('00B2010C00'))), record + '9000');
});

t.test('6Cxx answered to a GET RESPONSE re-sends the GET RESPONSE', async (t) => {
  const card = scriptedCard([
    [SELECT, '6120'],
    ['00C0000020', '6C1C'],
    ['00C000001C', FCI + '9000'],
  ]);
  t.equal(toHex(await withT0Handling(card)(fromHex(SELECT))), FCI + '9000');
});

t.test('other status words pass through untouched', async (t) => {
  const card = scriptedCard([[SELECT, '6A82']]);
  t.equal(toHex(await withT0Handling(card)(fromHex(SELECT))), '6A82');
});

t.test('a card that never stops answering 61xx hits the cap', async (t) => {
  let calls = 0;
  const endless: Transceive = async () => {
    calls++;
    return fromHex('0102' + '6102');
  };
  await t.rejects(withT0Handling(endless, { maxRounds: 5 })(fromHex(SELECT)), { code: 'EMV_T0_TOO_MANY_ROUNDS' });
  t.equal(calls, 6, 'the command plus 5 GET RESPONSEs');
});

t.test('a response without status word is an error', async (t) => {
  const mute: Transceive = async () => fromHex('90');
  await t.rejects(withT0Handling(mute)(fromHex(SELECT)), { code: 'EMV_APDU_TOO_SHORT' });
});

t.test('reader faults propagate unchanged', async (t) => {
  const broken: Transceive = async () => {
    throw Object.assign(new Error('card removed'), { code: 'HAL_DEVICE' });
  };
  await t.rejects(withT0Handling(broken)(fromHex(SELECT)), { code: 'HAL_DEVICE' });
});

t.test('case 4 with a warning (Book 1 Annex A, T=0): data fetched, returned with the warning', async (t) => {
  const gac = '80AE80000E0000000010000000000000000156' + '00';
  const card = scriptedCard([
    [gac, '6283'],
    ['00C0000000', '6C16'],
    ['00C0000016', '77149F2701809F360200279F2608E1A4E7C5C95B6F0D' + '9000'],
  ]);
  const r = await withT0Handling(card, { case4Warnings: true })(fromHex(gac));
  t.equal(toHex(r), '77149F2701809F360200279F2608E1A4E7C5C95B6F0D' + '6283');
  t.equal(card.left(), 0);
  const plain = scriptedCard([[gac, '6283']]);
  t.equal(toHex(await withT0Handling(plain)(fromHex(gac))), '6283', 'off by default: a bare warning is the answer');
  const nodata = scriptedCard([
    [gac, '6300'],
    ['00C0000000', '6F00'],
  ]);
  t.equal(toHex(await withT0Handling(nodata, { case4Warnings: true })(fromHex(gac))), '6300', 'no data to fetch: the warning alone');
  const case3 = scriptedCard([['0020008008241234FFFFFFFFFF', '63C2']]);
  t.equal(toHex(await withT0Handling(case3, { case4Warnings: true })(fromHex('0020008008241234FFFFFFFFFF'))), '63C2', 'case 3 (VERIFY): no GET RESPONSE');
});
