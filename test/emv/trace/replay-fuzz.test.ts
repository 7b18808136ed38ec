// replayTrace never throws (issue 10 "Never a crash"): random traces, and a hand-written
// trace with random bytes of its responses changed, always give a report whose outcome is
// one of the six the issue names.
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { SAMPLE_TERMINAL } from '../../../emv/kernel/sample-config.js';
import { parseTrace, type Trace } from '../../../emv/trace/format.js';
import { replayTrace } from '../../../emv/trace/replay.js';

const OUTCOMES = new Set(['approved', 'declined', 'online-request', 'try-another-interface', 'end-application', 'incomplete-trace']);
const base = parseTrace(readFileSync(new URL('./fixtures/contact-t0-padding.apdu', import.meta.url), 'utf8'));

t.test('random traces', async () => {
  const exchange = fc.record({ command: fc.uint8Array({ minLength: 4, maxLength: 30 }), response: fc.option(fc.uint8Array({ minLength: 2, maxLength: 60 }), { nil: undefined }) });
  await fc.assert(
    fc.asyncProperty(fc.array(exchange, { maxLength: 12 }), fc.boolean(), async (xs, cl) => {
      const trace: Trace = { exchanges: xs.map((x, i) => ({ ...x, line: i + 1, responseLine: undefined, redacted: [] })), terminal: new Map(), atr: undefined, interface: cl ? 'contactless' : 'contact', comments: [] };
      const r = await replayTrace(trace, { config: SAMPLE_TERMINAL, date: '261128' });
      return OUTCOMES.has(r.outcome);
    }),
    { numRuns: 300 },
  );
});

t.test('a good trace with responses damaged', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(base.exchanges.length - 1), fc.nat(300), fc.integer({ min: 0, max: 255 }), async (which, at, byte) => {
      const exchanges = base.exchanges.map((e, i) => {
        if (i !== which || e.response === undefined) return e;
        const response = Uint8Array.from(e.response);
        response[at % response.length] = byte;
        return { ...e, response };
      });
      const r = await replayTrace({ ...base, exchanges }, { config: SAMPLE_TERMINAL });
      return OUTCOMES.has(r.outcome);
    }),
    { numRuns: 400 },
  );
});
