// An annotated APDU transcript (fixtures/visa-qvsdc-tap.apdu) replayed against the data
// layer as the kernel will use it: builders produce exactly the commands in the trace,
// the T=0 helper resolves 61xx/6Cxx, responses decode, the PDOL is answered per Book 3 5.4.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { withT0Handling, type Transceive } from '../../emv/transport/transceive.js';
import { selectByName, PPSE_NAME, getProcessingOptions, readRecord, parseResponse } from '../../emv/apdu/apdu.js';
import { decodeOne, findTlv } from '../../emv/ber/tlv.js';
import { buildDol } from '../../emv/dol/dol.js';
import { TAG } from '../../emv/dict/tags.js';
import { fromHex, toHex } from '../../emv/bytes.js';
import { parseTrack2Equivalent } from '../../emv/track/track.js';
import { maskPan } from '../../emv/track/pan.js';
import { parseTrace } from '../../emv/trace/format.js';

// The trace format of emv/trace (promoted from this loader): exchanges as [command, response] hex.
function loadTranscript(name: string): Array<[string, string]> {
  return parseTrace(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')).exchanges.map((e) => [toHex(e.command), toHex(e.response!)]);
}

t.test('one qVSDC tap replayed through the data layer', async (t) => {
  const script = loadTranscript('visa-qvsdc-tap.apdu');
  const card: Transceive = async (capdu) => {
    const step = script.shift();
    if (step === undefined) throw new Error(`card: unexpected command ${toHex(capdu)}`);
    t.equal(toHex(capdu), step[0], 'the terminal sends the command of the trace');
    return fromHex(step[1]);
  };
  const send = withT0Handling(card);

  const ppse = parseResponse(await send(selectByName(PPSE_NAME)));
  t.equal(ppse.sw, 0x9000);
  const aid = findTlv([decodeOne(ppse.data)], TAG.ADF_NAME)!.value;
  t.equal(toHex(aid), 'A0000000031010');
  t.equal(toHex(findTlv([decodeOne(ppse.data)], TAG.KERNEL_IDENTIFIER)!.value), '03', 'kernel 3 (Visa)');

  const select = parseResponse(await send(selectByName(aid)));
  t.equal(select.sw, 0x9000);
  const fci = decodeOne(select.data);
  t.equal(Buffer.from(findTlv([fci], TAG.APPLICATION_LABEL)!.value).toString('latin1'), 'VISA CREDIT');
  const pdol = findTlv([fci], TAG.PDOL)!.value;

  const terminal = new Map<number, string>([
    [TAG.TTQ, '36004000'],
    [TAG.AMOUNT_AUTHORISED, '000000001000'],
    [TAG.UNPREDICTABLE_NUMBER, '12345678'],
    [TAG.TRANSACTION_CURRENCY_CODE, '0156'],
  ]);
  const pdolData = buildDol(pdol, (tag) => (terminal.has(tag) ? fromHex(terminal.get(tag)!) : undefined));
  const gpo = parseResponse(await send(getProcessingOptions(pdolData)));
  t.equal(gpo.sw, 0x9000);
  const rmt2 = decodeOne(gpo.data);
  t.equal(rmt2.tag, 0x77, 'response format 2, reassembled from two GET RESPONSE parts');
  t.equal(toHex(findTlv([rmt2], TAG.CRYPTOGRAM_INFORMATION_DATA)!.value), '80', 'ARQC');
  const t2 = parseTrack2Equivalent(findTlv([rmt2], TAG.TRACK2_EQUIVALENT_DATA)!.value);
  t.equal(maskPan(t2.pan), '476173******0010');
  t.equal(t2.serviceCode, '201');

  const afl = findTlv([rmt2], TAG.AFL)!.value;
  for (let i = 0; i < afl.length; i += 4) {
    for (let r = afl[i + 1]!; r <= afl[i + 2]!; r++) {
      const rec = parseResponse(await send(readRecord(afl[i]! >> 3, r)));
      t.equal(rec.sw, 0x9000);
      const tpl = decodeOne(rec.data, { lenient: true });
      t.equal(tpl.tag, 0x70);
      t.equal(toHex(findTlv([tpl], TAG.APPLICATION_EXPIRATION_DATE)!.value), '251231');
    }
  }
  t.equal(script.length, 0, 'every exchange of the trace was used');
});
