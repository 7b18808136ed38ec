// The trace format as issue 10 states it: ">" command, next "<" its response (hex after the
// marker, spaces and case ignored, status word last), "#" comments anywhere, optional
// "# terminal:" and "# atr:" headers. Malformed input: EMV_TRACE_MALFORMED with the line
// number; random input: a trace or that error, never anything else; writer/reader round trip.
import t from 'tap';
import fc from 'fast-check';
import { fromHex, toHex } from '../../../emv/bytes.js';
import { isEmvError } from '../../../emv/errors.js';
import { parseTrace, writeTrace } from '../../../emv/trace/format.js';
import { redactCommand, redactResponse } from '../../../emv/trace/redact.js';

t.test('lenient reading', async (t) => {
  const tr = parseTrace(['  # a comment before anything', '# Terminal: 9F02=000000001000, 9a=261128  9F37=11223344,9F66=36004000', '# atr: 3B 6E 00 00', '', '>00a4 0400 0e 325041592e5359532e4444463031 00', '# between command and response', '<  6f00 90 00  ', '\t> 80A8000002830000', '< 6985'].join('\r\n'));
  t.equal(tr.exchanges.length, 2);
  t.equal(toHex(tr.exchanges[0]!.command), '00A404000E325041592E5359532E444446303100');
  t.equal(toHex(tr.exchanges[0]!.response!), '6F009000', 'spaces and case ignored, status word last');
  t.equal(tr.exchanges[0]!.line, 5);
  t.equal(tr.exchanges[0]!.responseLine, 7);
  t.same([...tr.terminal].map(([k, v]) => [k.toString(16), toHex(v)]), [['9f02', '000000001000'], ['9a', '261128'], ['9f37', '11223344'], ['9f66', '36004000']]);
  t.equal(toHex(tr.atr!), '3B6E0000');
  t.same(tr.comments, ['a comment before anything', 'between command and response']);
});

t.test('a trailing command without a response is an incomplete trace, not an error', async (t) => {
  const tr = parseTrace('> 00A4040000\n< 9000\n> 80A8000002830000\n');
  t.equal(tr.exchanges.length, 2);
  t.equal(tr.exchanges[1]!.response, undefined);
});

t.test('malformed input: a clear error with the line number', async (t) => {
  const cases: Array<[string, number, RegExp]> = [
    ['< 9000', 1, /response with no command/],
    ['> 00A4040000\n> 00B2010C00\n< 9000', 2, /has no response/],
    ['# ok\n> 00A40G0000\n< 9000', 2, /not hex/],
    ['> 00A404000\n< 9000', 1, /odd number/],
    ['> 00A4\n< 9000', 1, /4 header bytes/],
    ['> 00A4040000\n< 90', 2, /two status bytes/],
    ['> 00A4040000\n< 9000\nSELECT PPSE', 3, /expected ">"/],
    ['# terminal: 9F02:000000001000', 1, /TAG=HEX/],
    ['# terminal: 9F0=00', 1, /TAG=HEX/],
    ['# atr: 3BX', 1, /ATR: not hex/],
  ];
  for (const [text, line, why] of cases) {
    try {
      parseTrace(text);
      t.fail(`accepted: ${JSON.stringify(text)}`);
    } catch (err) {
      t.ok(isEmvError(err, 'EMV_TRACE_MALFORMED'), `EMV_TRACE_MALFORMED for ${JSON.stringify(text)}`);
      t.equal((err as { offset?: number }).offset, line, 'the line number');
      t.match((err as Error).message, new RegExp(`^trace line ${line}: `));
      t.match((err as Error).message, why);
    }
  }
});

const hexBytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

t.test('random text: a trace or EMV_TRACE_MALFORMED, never another exception', async () => {
  const line = fc.oneof(
    fc.string({ maxLength: 40 }),
    hexBytes(0, 20).map((b) => `> ${toHex(b)}`),
    hexBytes(0, 20).map((b) => `<${toHex(b).toLowerCase()}`),
    fc.string({ maxLength: 20 }).map((s) => `# ${s}`),
    fc.string({ maxLength: 20 }).map((s) => `# terminal: ${s}`),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
      try {
        parseTrace(lines.join('\n'));
      } catch (err) {
        if (!isEmvError(err, 'EMV_TRACE_MALFORMED')) throw err;
      }
    }),
    { numRuns: 2000 },
  );
});

t.test('write then read gives the same exchanges and header', async () => {
  const exchange = fc.record({ command: hexBytes(4, 40), response: hexBytes(2, 60), redacted: fc.constant([] as string[]) });
  fc.assert(
    fc.property(fc.array(exchange, { maxLength: 10 }), hexBytes(4, 6), (exchanges, un) => {
      const text = writeTrace(exchanges, { terminal: new Map([[0x9f37, un]]), interface: 'contact', comments: ['x'] });
      const back = parseTrace(text);
      if (back.exchanges.length !== exchanges.length || back.interface !== 'contact' || toHex(back.terminal.get(0x9f37)!) !== toHex(un)) return false;
      return back.exchanges.every((e, i) => toHex(e.command) === toHex(exchanges[i]!.command) && toHex(e.response!) === toHex(exchanges[i]!.response));
    }),
    { numRuns: 300 },
  );
});

t.test('redaction at capture', async (t) => {
  // Track 2 equivalent data (Book 3 Annex A): PAN D YYMM service code, then discretionary data.
  const rec = fromHex('701B' + '5713' + '4761739001010010D30122011234567890123F' + '5F2403301231' + '9000');
  const r = redactResponse(rec);
  t.equal(toHex(r.response), '701B' + '5713' + '4761739001010010D30122010000000000000F' + '5F2403301231' + '9000', 'discretionary digits zeroed, lengths and padding kept');
  t.same(r.redacted, ['57 (track 2 equivalent data: discretionary data zeroed)']);
  t.equal(toHex(rec), '701B5713' + '4761739001010010D30122011234567890123F' + '5F24033012319000', 'the card response given to the kernel is untouched');
  const nested = redactResponse(fromHex('770B' + '9F6B08' + '5413D25121010123' + '9000'));
  t.equal(toHex(nested.response), '770B9F6B085413D25121010000' + '9000', 'track 2 data (9F6B) inside a template (Mastercard mag-stripe mode)');
  const v = redactCommand(fromHex('0020008008241234FFFFFFFFFF'));
  t.equal(toHex(v.command), '00200080080000000000000000', 'VERIFY data zeroed (ISO 9564 format 2 PIN block)');
  t.same(v.redacted, ['VERIFY data (PIN block: zeroed)']);
  t.equal(toHex(redactCommand(fromHex('00B2010C00')).command), '00B2010C00');
  t.equal(toHex(redactResponse(fromHex('6F')).response), '6F', 'garbage is kept as is, no exception');
});
