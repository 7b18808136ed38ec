// Code scanner framing: suffixes (hardware.md risk 9 and section 11), AIM identifiers
// (ISO/IEC 15424), GS1 FNC1 as GS, length limit, chunking, random input.
import t from 'tap';
import fc from 'fast-check';
import { createSimSerialPair } from '../../../hal/sim/serial.js';
import { SerialCodeScanner, type CodeScannerProps } from '../../../hal/devices/code-scanner/code-scanner.js';
import { encodeScan, SAMPLE_PAYMENT_CODES } from '../../../hal/devices/code-scanner/code-scanner.sim.js';
import { codeScannerBinding } from '../../../hal/devices/code-scanner/binding.js';
import type { CodeScan, CodeScanError } from '../../../hal/roles/scanner.js';
import { HANG_MS } from '../../until.js';

type Event = CodeScan | CodeScanError;
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

async function feed(chunks: readonly Uint8Array[], props: CodeScannerProps = {}, until = 0): Promise<Event[]> {
  const { driver, device } = createSimSerialPair({ name: 'ttyScanner' });
  const scanner = await SerialCodeScanner.open({ link: driver, idleTimeoutMs: 5000, ...props });
  const out: Event[] = [];
  scanner.onScan((s) => out.push(s));
  scanner.onError((e) => out.push(e));
  for (const c of chunks) await device.write(c);
  await device.drain();
  // Events that come from a timer (idle time): wait for them, however loaded the machine.
  for (const deadline = Date.now() + HANG_MS; out.length < until && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
  await scanner.close();
  return out;
}

const codes = (events: Event[]): string[] => events.map((e) => ('code' in e ? e.code : `!${e.reason}`));

t.test('suffixes: CR (the common default), CR LF, LF', async (t) => {
  const w = SAMPLE_PAYMENT_CODES.wechat;
  const a = SAMPLE_PAYMENT_CODES.alipay;
  t.same(codes(await feed([bytes(`${w}\r${a}\r`)])), [w, a], 'CR');
  t.same(codes(await feed([bytes(`${w}\r\n${a}\r\n`)], { lineEnding: 'crlf' })), [w, a], 'CR LF');
  t.same(codes(await feed([bytes(`${w}\n${a}\n`)], { lineEnding: 'lf' })), [w, a], 'LF');
  t.same(codes(await feed([bytes(`${w}\r\n${a}\r\n`)], { lineEnding: 'cr' })), [w, a], 'a CR LF scanner set to "cr": the LF is not data');
  t.same(codes(await feed([bytes(`${w}\r\n`)], { lineEnding: 'lf' })), [w], 'a CR LF scanner set to "lf": the CR is not data');
  t.same(codes(await feed([bytes('line one\nline two\r\n')], { lineEnding: 'crlf' })), ['line one\nline two'], 'CR LF: a lone LF inside a QR text is data');
  t.same(codes(await feed([bytes('\r\r\n\r')])), [], 'empty lines carry no code');
});

t.test('AIM symbology identifiers', async (t) => {
  const wire = bytes(']Q1https://example.com/pay?id=1\r]E05901234123457\r]C10109501101530003\x1d10ABC123\r');
  t.same(await feed([wire], { aimPrefix: true }), [
    { code: 'https://example.com/pay?id=1', symbology: ']Q1' },
    { code: '5901234123457', symbology: ']E0' },
    { code: '0109501101530003\x1d10ABC123', symbology: ']C1' },
  ]);
  t.same(codes(await feed([bytes(']Q1abc\r')])), [']Q1abc'], 'without aimPrefix the bytes are data');
  t.same(await feed([bytes('plain\r')], { aimPrefix: true }), [{ code: 'plain' }], 'aimPrefix set but none sent: no symbology');
  t.equal(Buffer.from(encodeScan('5901234123457', { aimPrefix: true, lineEnding: 'crlf' }, ']E0')).toString(), ']E05901234123457\r\n', 'the model sends the identifier first');
});

t.test('length limit: maxLength bytes pass, one more is a too-long error without the code', async (t) => {
  const max = 32;
  t.same(codes(await feed([bytes(`${'7'.repeat(max)}\r`)], { maxLength: max })), ['7'.repeat(max)]);
  t.same(codes(await feed([bytes(`${'7'.repeat(max)}\r\n`)], { maxLength: max, lineEnding: 'crlf' })), ['7'.repeat(max)], 'CR LF at the limit');
  const over = await feed([bytes(`${'7'.repeat(max + 1)}\r1234\r`)], { maxLength: max });
  t.same(codes(over), ['!too-long', '1234'], 'the next code reads');
  t.notMatch(JSON.stringify(over[0]), /7777/);
  t.same(codes(await feed([bytes('9'.repeat(100_000) + '\r')], { maxLength: max })), ['!too-long'], 'a flood is one error');
});

t.test('a code without its terminator is dropped as incomplete after the idle time', async (t) => {
  t.same(codes(await feed([bytes('12345')], { idleTimeoutMs: 20 }, 1)), ['!incomplete']);
});

t.test('chunked delivery: split at every position and byte by byte', async (t) => {
  const wire = bytes(`]Q1付款码\r]C101095\x1d10A\r\n`);
  const want = [
    { code: '付款码', symbology: ']Q1' },
    { code: '01095\x1d10A', symbology: ']C1' },
  ];
  const wrong: number[] = [];
  for (let cut = 1; cut < wire.length; cut++) {
    const got = await feed([wire.subarray(0, cut), wire.subarray(cut)], { aimPrefix: true });
    if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(cut);
  }
  t.same(wrong, [], `all ${wire.length - 1} split positions (including inside a UTF-8 sequence)`);
  t.same(await feed([...wire].map((b) => Uint8Array.of(b)), { aimPrefix: true }), want, 'one byte per chunk');
});

t.test('random bytes never crash; no code holds the terminator or exceeds the limit', async (t) => {
  let scans = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(bytes('\r'), bytes('\n'), bytes(']Q1'), bytes('123456\r'))), { maxLength: 30 }),
      fc.constantFrom('cr' as const, 'crlf' as const, 'lf' as const),
      fc.boolean(),
      async (chunks, lineEnding, aimPrefix) => {
        for (const e of await feed(chunks, { lineEnding, aimPrefix, maxLength: 64 })) {
          if (!('code' in e)) continue;
          scans++;
          const terminator = lineEnding === 'cr' ? '\r' : lineEnding === 'lf' ? '\n' : '\r\n';
          if (e.code.includes(terminator)) throw new Error(`code holds its terminator: ${JSON.stringify(e.code)}`);
          if (Buffer.byteLength(e.code) > 64 * 3) throw new Error('code longer than the limit');
          if (e.code.length === 0) throw new Error('empty code delivered');
        }
      },
    ),
    { numRuns: 300 },
  );
  t.ok(scans > 0, `300 random streams gave ${scans} codes (the check is not vacuous)`);
});

t.test('the far end going away is a "disconnected" error', async (t) => {
  const { driver, device } = createSimSerialPair({ name: 'ttyScanner' });
  const scanner = await SerialCodeScanner.open({ link: driver });
  const got = new Promise<CodeScanError>((resolve) => scanner.onError(resolve));
  await device.close();
  t.equal((await got).reason, 'disconnected');
  await t.rejects(scanner.selfTest(), { code: 'HAL_DISCONNECTED' });
  await scanner.close();
});

t.test('binding: compatible, bus, role and defaults', async (t) => {
  t.equal(codeScannerBinding.compatible, 'generic,code-scanner-serial');
  t.equal(codeScannerBinding.bus, 'serial');
  t.same(codeScannerBinding.roles, ['scanner']);
  const p = codeScannerBinding.props.properties;
  t.equal((p.baudRate as { default?: number }).default, 9600);
  t.same(Object.keys(p).sort(), ['aimPrefix', 'baudRate', 'idleTimeoutMs', 'lineEnding', 'maxLength']);
});
