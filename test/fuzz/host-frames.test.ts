// Fuzzing what arrives from the acquirer (issue 11): ISO 8583 messages in every built-in
// layout (jPOS-compatible binary and ASCII), and the TCP framing (2-byte binary and 4-digit
// ASCII length headers) fed in random chunks. Parsed, or refused with HostError.
import t from 'tap';
import fc from 'fast-check';
import { BUILTIN_LAYOUT_NAMES, loadLayout } from '../../src/host/iso8583/layout.js';
import { pack, unpack } from '../../src/host/iso8583/packager.js';
import { financialRequest, reconciliation } from '../../src/host/messages.js';
import { encodeHeader, FrameDecoder } from '../../src/host/channel.js';
import { HostError } from '../../src/host/errors.js';
import { fuzz, mutated } from './harness.js';

const isHostError = (err: unknown): boolean => err instanceof HostError;

for (const name of BUILTIN_LAYOUT_NAMES) {
  t.test(`ISO 8583 unpack, layout ${name}`, async (t) => {
    const layout = loadLayout(name);
    const sale = financialRequest(layout, {
      kind: 'sale',
      pan: '6231230000000014',
      expiry: '3012',
      amountMinor: 12345,
      currency: '156',
      entryMode: '071',
      merchantId: '123456789012345',
      iccData: Buffer.from('9F2608AABBCCDDEEFF00119F2701809F3602000A', 'hex'),
      localTime: new Date('2026-11-28T10:00:00Z'),
    })
      .set(11, '000123')
      .set(7, '1128100000')
      .set(41, 'TERM0001');
    const settle = reconciliation(
      { batchNumber: 7, currency: '156', creditCount: 1, creditAmountMinor: 500, creditReversalCount: 0, creditReversalAmountMinor: 0, debitCount: 3, debitAmountMinor: 30000, debitReversalCount: 1, debitReversalAmountMinor: 100 },
      '123456789012345',
    )
      .set(11, '000124')
      .set(41, 'TERM0001');
    const samples = [pack(layout, sale), pack(layout, settle)];
    for (const s of samples) t.ok(unpack(layout, s), 'the samples themselves unpack');
    fuzz(t, `ISO 8583 ${name}`, mutated(samples, 200), (b) => unpack(layout, b), isHostError);
  });
}

t.test('frame decoder, random chunks', async (t) => {
  for (const kind of ['binary2', 'ascii4'] as const) {
    const frame = Buffer.concat([encodeHeader(kind, 5), Buffer.from('0800x')]);
    const stream = fc.array(mutated([frame, Buffer.concat([frame, frame])], 12), { minLength: 1, maxLength: 8 });
    fuzz(
      t,
      `length header ${kind} (chunked stream)`,
      stream,
      (chunks) => {
        const d = new FrameDecoder(kind, 4096);
        for (const c of chunks) for (const f of d.push(c)) if (f.length === 0 || f.length > 4096) throw new Error(`frame of ${f.length} bytes delivered`);
      },
      isHostError,
    );
  }
});
