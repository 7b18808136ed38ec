// The printer model's tokenizer and printing: Epson reference byte sequences in, printed
// items out; unknown, truncated and out-of-range commands recorded as errors; any byte
// stream, in any chunking, never crashes it.
import t from 'tap';
import fc from 'fast-check';
import { EscPosPrinterModel, EscPosTokenizer, decodeCode128, tokenize, type Token } from '../../../hal/devices/escpos/escpos.sim.js';
import { createSimSerialPair, type SimSerialEnd } from '../../../hal/sim/serial.js';
import { until } from '../../until.js';

const bytes = (hexText: string): Uint8Array => Buffer.from(hexText.replace(/ /g, ''), 'hex');

/** A model plus the link end the bytes come from (the cable's driver side). */
async function printerWith(options: Parameters<typeof EscPosPrinterModel.attach>[1] = {}): Promise<{ model: EscPosPrinterModel; host: SimSerialEnd; send(b: Uint8Array): Promise<void> }> {
  const { driver, device } = createSimSerialPair({ name: 'lp' });
  const model = await EscPosPrinterModel.attach(device, options);
  return {
    model,
    host: driver,
    async send(b) {
      await driver.write(b);
      await driver.drain();
    },
  };
}

t.test('tokens of reference sequences', async (t) => {
  const { tokens, errors } = tokenize(
    bytes('1B40 1B6101 1B4501 1D2111 1B2D02 414243 0A 1B6403 1D5642 00 1C26 1C2E 1B7400 1D286B0400314132 00 1D286B03003143 06 1D286B0600315030414243 1D286B0300315130 10 04 02'),
  );
  t.same(errors, []);
  t.same(tokens.map((x) => x.kind), [
    'init', 'justify', 'emphasized', 'size', 'underline', 'text', 'lf', 'feed', 'cut', 'kanji', 'kanji', 'codeTable',
    'qrModel', 'qrModuleSize', 'qrStore', 'qrPrint', 'realtimeStatus',
  ]);
  t.match(tokens[3], { kind: 'size', width: 2, height: 2 });
  t.match(tokens[8], { kind: 'cut', partial: true, feed: 0 });
});

t.test('CODE128 data (gs_lk): the reference example "No.123456"', async (t) => {
  // GS k 73 10 {B N o . {C 12 34 56
  const { tokens, errors } = tokenize(Uint8Array.of(0x1d, 0x6b, 73, 10, 123, 66, 78, 111, 46, 123, 67, 12, 34, 56));
  t.same(errors, []);
  t.equal(tokens.length, 1);
  const tok = tokens[0]!;
  t.equal(tok.kind, 'code128');
  if (tok.kind === 'code128') t.same(decodeCode128(tok.data), { data: 'No.123456', codeSet: 'B' });
  t.match(decodeCode128(Uint8Array.of(0x41, 0x42)), { error: /must start with/ }, 'no code set: the printer would print it as text');
  t.match(decodeCode128(Uint8Array.of(123, 67, 100)), { error: /above 99/ });
  t.match(decodeCode128(Uint8Array.of(123, 65, 0x61)), { error: /outside the set/ }, 'code set A has no lowercase');
  t.match(decodeCode128(Uint8Array.of(123, 66, 123, 0x5a)), { error: /no special character/ });
  t.same(decodeCode128(Uint8Array.of(123, 66, 0x61, 123, 123)), { data: 'a{', codeSet: 'B' });
});

t.test('unknown commands are errors, and the stream goes on', async (t) => {
  const cases: [string, RegExp][] = [
    ['1B 5A 41', /ESC 5A: unknown/],
    ['1D 99 41', /GS 99: unknown/],
    ['1C 43 41', /FS 43: unknown/],
    ['10 05 41', /DLE 05: unknown/],
    ['07 41', /control byte 07/],
    ['1D 28 41 41', /GS \( 41: unknown/],
  ];
  for (const [seq, msg] of cases) {
    const { tokens, errors } = tokenize(bytes(seq));
    t.match(errors, [{ kind: 'unknown', message: msg, offset: 0 }], seq);
    t.same(tokens.map((x) => x.kind), ['text'], `${seq}: the text after it still parses`);
  }
});

t.test('parameters out of range are errors', async (t) => {
  for (const seq of ['1B 61 07', '1B 2D 05', '1D 21 08', '1D 21 80', '1D 68 00', '1D 77 09', '1D 48 04', '1D 66 05', '1D 72 07', '10 04 05', '1D 56 07', '1D 6B 20',
    '1D 28 6B 03 00 31 43 11', '1D 28 6B 03 00 31 45 34', '1D 28 6B 04 00 31 43 06 06', '1D 28 6B 03 00 31 51 31', '1D 28 6B 01 00 31', '1D 28 6B 03 00 31 20 30']) {
    const { errors } = tokenize(bytes(seq));
    t.match(errors, [{ kind: 'invalid' }], seq);
  }
  for (const seq of ['1D 28 6B 03 00 30 41 00', '1D 6B 04 41 42 00', '1D 6B 43 02 41 42', '1D 28 6B 03 00 31 52 30']) {
    t.match(tokenize(bytes(seq)).errors, [{ kind: 'unsupported' }], `${seq}: known but not modelled`);
  }
});

t.test('truncated commands are errors when the stream ends', async (t) => {
  for (const seq of ['1B', '1B 61', '1D 28 6B 06 00 31 50 30 41', '1D 6B 49 05 7B 42', '1D 56 41', '10 04', '1C', '1D 6B 04 41 42']) {
    const { tokens, errors } = tokenize(bytes(seq));
    t.same(tokens, [], `${seq}: nothing executed`);
    t.match(errors, [{ kind: 'truncated', offset: 0 }], seq);
  }
  const m = await printerWith();
  await m.send(bytes('41 0A 1D 28 6B 06 00 31 50'));
  t.equal(m.model.items().length, 1);
  t.same(m.model.errors, [], 'an incomplete command may still be completed');
  m.model.end();
  t.match(m.model.errors, [{ kind: 'truncated', offset: 2 }]);
  await m.model.detach();
});

t.test('chunking never changes the result (property)', async (t) => {
  const stream = bytes('1B40 1B6101 1D2111 48656C6C6F 0A 1D286B0600315030414243 1D286B0300315130 1D6B49057B424E6F2E 1B6402 1D5641 00 10 04 01');
  const whole = tokenize(stream);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 12 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const tk = new EscPosTokenizer();
      const tokens: Token[] = [];
      let from = 0;
      for (const p of [...points, stream.length]) {
        tokens.push(...tk.push(stream.subarray(from, p)));
        from = p;
      }
      tk.end();
      // Text runs may split at chunk edges; compare with text merged.
      const merge = (ts: typeof tokens): string =>
        JSON.stringify(ts.map((x) => (x.kind === 'text' ? { kind: 'text' } : x)).filter((x, i, a) => !(x.kind === 'text' && a[i - 1]?.kind === 'text')));
      return merge(tokens) === merge(whole.tokens) && JSON.stringify(tk.errors) === JSON.stringify(whole.errors);
    }),
    { numRuns: 300 },
  );
  t.pass('same tokens for 300 chunkings');
});

t.test('random bytes never crash the tokenizer or the printer (property)', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      const tk = new EscPosTokenizer();
      for (const c of chunks) tk.push(c);
      tk.end();
      return tk.errors.every((e) => e.offset >= 0);
    }),
    { numRuns: 3000 },
  );
  const m = await printerWith({ startInHanziMode: true });
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (b) => {
      await m.send(b);
      return true;
    }),
    { numRuns: 200 },
  );
  m.model.end();
  t.ok(m.model.errors.length > 0, 'garbage is flagged');
  await m.model.detach();
});

t.test('printing: styles, QR, bar code, feed and cut become printed items', async (t) => {
  const m = await printerWith({ columns: 32 });
  await m.send(
    bytes(
      '1B40 1B6101 1B4501 1D2111 53484F50 0A' + // centre, bold, double: "SHOP"
        '1B6100 1B4500 1D2100 1B2D01 4974656D 1B2D00 20 31 0A' + // "Item" underlined, then " 1" plain
        '1B6101 1D286B0400314132 00 1D286B03003143 05 1D286B03003145 32 1D286B0600315030414243 1D286B0300315130' +
        '1D4802 1D6850 1D7702 1D6B49057B43 0C2238' +
        '1B6403 1D564200',
    ),
  );
  t.same(m.model.errors, []);
  t.same(m.model.items(), [
    { kind: 'text', text: 'SHOP', align: 'center', spans: [{ text: 'SHOP', bold: true, underline: 0, width: 2, height: 2 }] },
    {
      kind: 'text',
      text: 'Item 1',
      align: 'left',
      spans: [
        { text: 'Item', bold: false, underline: 1, width: 1, height: 1 },
        { text: ' 1', bold: false, underline: 0, width: 1, height: 1 },
      ],
    },
    { kind: 'qr', data: 'ABC', model: 2, moduleSize: 5, errorCorrection: 'Q', align: 'center' },
    { kind: 'barcode', symbology: 'CODE128', data: '123456', codeSet: 'C', height: 80, moduleWidth: 2, hri: 'below', align: 'center' },
    { kind: 'feed', lines: 3 },
    { kind: 'cut', partial: true },
  ]);
  t.equal(
    m.model.text(),
    ['            S H O P', 'Item 1', '[QR Q x5: ABC]'.padStart(23), '     ||| CODE128 123456 |||', '             123456', '', '', '', '--------- partial cut ----------'].join('\n'),
  );
  await m.model.detach();
});

t.test('ESC a only takes effect at the beginning of a line (esc_la)', async (t) => {
  const m = await printerWith();
  await m.send(bytes('41 1B6102 42 0A 43 0A 1B6102 44 0A'));
  t.same(m.model.items().map((i) => (i.kind === 'text' ? [i.text, i.align] : i.kind)), [['AB', 'left'], ['C', 'left'], ['D', 'right']]);
  await m.model.detach();
});

t.test('Hanzi mode: the same bytes print differently (fs_ampersand, fs_period; risk 12)', async (t) => {
  const m = await printerWith({ startInHanziMode: true });
  await m.send(bytes('D6D0CEC4 0A 1C2E 82 0A 1C26 A2E3 0A 1B40 D6D0 0A'));
  t.same(m.model.errors, []);
  t.same(m.model.items().map((i) => (i.kind === 'text' ? i.text : i.kind)), ['中文', 'é', '€', '中'], 'after ESC @ the printer is back in its power-on (Hanzi) mode');
  await m.model.detach();
});

t.test('GS r is answered in order, after the data before it; DLE EOT at once, even with no paper', async (t) => {
  const m = await printerWith({ paperRows: 1 });
  const got: number[] = [];
  m.host.onData((c) => got.push(...c));
  await m.send(bytes('10 04 04 41 0A 1D7201 42 0A 1D7201'));
  // The model answered as the bytes came in; its answers are on their way back.
  await until(() => got.length >= 2, 'two answers');
  t.same(got, [0x12, 0x00], 'DLE EOT 4 answered on receipt (paper present then), line A confirmed; B waits for paper');
  got.length = 0;
  await m.send(bytes('10 04 04'));
  await until(() => got.length >= 1, 'the DLE EOT answer');
  t.same(got, [0x7e], 'DLE EOT 4 now says paper end');
  t.equal(m.model.waiting, 2, 'B and its GS r wait in the buffer');
  m.model.loadPaper();
  await until(() => got.length >= 2, 'the GS r answer for B');
  t.same(got, [0x7e, 0x00], 'after refill B prints and is confirmed');
  t.same(m.model.items().map((i) => (i.kind === 'text' ? i.text : i.kind)), ['A', 'B']);
  await m.model.detach();
});

t.test('a switched-off printer answers nothing and loses what it is sent', async (t) => {
  const m = await printerWith();
  const got: number[] = [];
  m.host.onData((c) => got.push(...c));
  m.model.setPower(false);
  await m.send(bytes('41 0A 10 04 01'));
  m.model.setPower(true);
  await m.send(bytes('42 0A 10 04 01'));
  // One link, in order: an answer to the first DLE EOT would have come before this one.
  await until(() => got.length >= 1, 'the answer to the second DLE EOT');
  t.same(got, [0x12], 'only the request sent while on was answered');
  t.same(m.model.items().map((i) => (i.kind === 'text' ? i.text : i.kind)), ['B']);
  await m.model.detach();
});

t.test('execution faults are flagged', async (t) => {
  const m = await printerWith({ cutter: false });
  await m.send(bytes('1D286B0300315130 1D5600 41 1D5601 0A 1B7405 1D6B4902 4142'));
  t.match(m.model.errors, [
    { kind: 'invalid', message: /no symbol data/ },
    { kind: 'unsupported', message: /no autocutter/ },
    { kind: 'invalid', message: /middle of a line/ },
    { kind: 'unsupported', message: /no autocutter/ },
    { kind: 'unsupported', message: /code table 0/ },
    { kind: 'invalid', message: /must start with/ },
  ]);
  await m.model.detach();
});

t.test('text(): a line longer than the paper continues on the next row', async (t) => {
  const m = await printerWith({ startInHanziMode: true });
  const long = Buffer.from('0123456789'.repeat(4)); // 40 characters on 32 columns
  // 17 Hanzi (GB2312 D6D0 = 中) take 34 cells: 16 on the first row, 1 on the next.
  const hanzi = Buffer.from('D6D0'.repeat(17), 'hex');
  await m.send(Uint8Array.from([...long, 0x0a, ...hanzi, 0x0a, 0x1d, 0x21, 0x10, ...Buffer.from('ABCDEFGHIJKLMNOPQ'), 0x0a]));
  t.same(m.model.errors, []);
  t.same(m.model.text().split('\n'), [
    '01234567890123456789012345678901',
    '23456789',
    '中'.repeat(16),
    '中',
    'A B C D E F G H I J K L M N O P',
    'Q',
  ]);
  await m.model.detach();
});
