// pos tools iso8583: decode masks cardholder data, decode --json --reveal | encode is the identity,
// malformed frames exit non-zero with the field and offset.
import t from 'tap';
import { runCli } from '../../src/cli/main.js';
import { capture } from './fixtures/io.js';

// 0200 on the binary layout, built by hand from jPOS iso87binary.xml: fields 2, 4, 35, 49, 52.
const HEX =
  '0200' + '5000000020009000' + '16' + '4761739001010119' + '000000001000' + '34' + '4761739001010119D25122011143857589' + '313536' + '0123456789ABCDEF';

t.test('decode masks PAN and track 2 and hides the PIN block', async (t) => {
  const io = capture();
  t.equal(await runCli(['tools', 'iso8583', 'decode', HEX, '--layout', 'binary', '--json'], io), 0, io.stderr);
  const out = JSON.parse(io.stdout) as { mti: string; fields: Record<string, string> };
  t.equal(out.mti, '0200');
  t.equal(out.fields['2'], '476173******0119');
  t.equal(out.fields['35'], '476173******0119=*****************');
  t.equal(out.fields['52'], '[PIN block hidden]');
  t.equal(out.fields['49'], '156');
  t.notMatch(io.stdout, /4761739001010119/);
});

t.test('decode --json --reveal piped into encode gives the same bytes', async (t) => {
  const dec = capture();
  t.equal(await runCli(['tools', 'iso8583', 'decode', '--layout', 'iso87binary', HEX, '--json', '--reveal'], dec), 0);
  const enc = capture(dec.stdout);
  t.equal(await runCli(['tools', 'iso8583', 'encode', '--layout', 'binary'], enc), 0, enc.stderr);
  t.equal(enc.stdout.trim(), HEX);
});

t.test('malformed input: non-zero exit, field and offset named, no stack', async (t) => {
  const io = capture();
  t.equal(await runCli(['tools', 'iso8583', 'decode', HEX.slice(0, -4), '--layout', 'binary'], io), 1);
  t.match(io.stderr, /HOST_UNPACK: field 52 .* at offset 46: truncated/);
  const io2 = capture();
  t.equal(await runCli(['tools', 'iso8583', 'decode', HEX, '--layout', 'nope'], io2), 1);
  t.match(io2.stderr, /unknown layout/);
  const io3 = capture();
  t.equal(await runCli(['tools', 'iso8583', 'decode', HEX], io3), 2);
  t.match(io3.stderr, /missing --layout/);
});
