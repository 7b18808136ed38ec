// Traces written by hand from the EMV books (fixtures/*.apdu, each explaining its
// expectation), replayed through the kernel: T=0 61xx/6Cxx exchanges, 00/FF padding inside
// records, a card with several applications, a GPO refused with 6986; and the qVSDC tap of
// test/emv/fixtures (also written from the specifications). Expectations come from the
// rules named in each fixture's header, not from a run.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fromHex } from '../../../emv/bytes.js';
import { SAMPLE_TERMINAL } from '../../../emv/kernel/sample-config.js';
import { parseTrace } from '../../../emv/trace/format.js';
import { replayTrace } from '../../../emv/trace/replay.js';

const load = (name: string, dir = './fixtures/'): ReturnType<typeof parseTrace> => parseTrace(readFileSync(new URL(dir + name, import.meta.url), 'utf8'));

t.test('contact on T=0 with 6Cxx, 61xx and padded records', async (t) => {
  const r = await replayTrace(load('contact-t0-padding.apdu'), { config: SAMPLE_TERMINAL });
  t.equal(r.interface, 'contact', 'no 2PAY.SYS.DDF01 in the trace: contact');
  t.equal(r.outcome, 'online-request');
  t.equal(r.stoppedAt, 'first-generate-ac');
  t.equal(r.aid, 'A0000000031010');
  t.equal(r.tvr, '8000000000', 'Book 3 Annex C5: only "offline data authentication was not performed"');
  t.equal(r.tsi, '6800', 'Annex C6: CVM, card risk management and terminal risk management performed');
  t.same(r.cvm, { method: 'no-cvm', results: '1F0302' }, 'CVM list 1F03: no CVM required, successful (Book 3 10.5, Annex A4)');
  t.same(r.oda, { method: 'none', result: 'not-performed' }, 'AIP 1C00 offers no ODA method');
  t.same(r.divergences, [], 'every recorded exchange, including each T=0 round, was used as recorded');
  t.same(
    r.steps.map((s) => s.step),
    ['application-selection', 'initiate-application-processing', 'read-application-data', 'processing-restrictions', 'cardholder-verification', 'terminal-risk-management', 'terminal-action-analysis', 'first-generate-ac'],
  );
  const sel = r.steps[0]!.commands;
  t.ok(sel.includes('READ RECORD SFI 1 record 1 -> 6C1D') && sel.includes('READ RECORD SFI 1 record 1 -> 9000'), 'the 6C round and the repeated READ RECORD are both in the step');
});

t.test('several applications: the recorded choice is replayed, the unsupported AID ignored', async (t) => {
  const r = await replayTrace(load('several-applications.apdu'), { config: SAMPLE_TERMINAL });
  t.equal(r.aid, 'A0000000032010');
  t.equal(r.outcome, 'online-request');
  t.equal(r.tvr, '8000000000');
  t.same(r.divergences, []);
  t.equal(r.steps[0]!.commands.filter((c) => c.startsWith('READ RECORD')).length, 4, 'all directory records read until 6A83 (Book 1 12.3.2)');
});

t.test('contactless GPO refused with 6986: try another interface', async (t) => {
  const r = await replayTrace(load('contactless-gpo-6986.apdu'), { config: SAMPLE_TERMINAL });
  t.equal(r.interface, 'contactless', '2PAY.SYS.DDF01 selected: contactless');
  t.equal(r.outcome, 'try-another-interface');
  t.equal(r.stoppedAt, 'initiate-application-processing');
  t.same(r.oda, { method: 'none', result: 'not-performed' });
  t.same(r.divergences, []);
});

t.test('the data-layer qVSDC tap (test/emv/fixtures), with terminal data given as options', async (t) => {
  const trace = load('visa-qvsdc-tap.apdu', '../fixtures/');
  t.equal(trace.terminal.size, 0, 'no # terminal: header in that trace');
  const r = await replayTrace(trace, { config: SAMPLE_TERMINAL, amount: 1000, currency: 156, unpredictableNumber: fromHex('12345678'), date: '251128' });
  t.equal(r.interface, 'contactless');
  t.equal(r.aid, 'A0000000031010');
  t.equal(r.outcome, 'online-request', 'qVSDC: CID 80 (ARQC) in the GPO response (Book C-3 5.4)');
  t.equal(r.terminal['9F02'], '000000001000');
  const gpo = r.divergences.find((d) => d.kind === 'data-differs');
  t.ok(gpo === undefined || gpo.command.startsWith('80A8'), 'only the GPO data may differ (TTQ bits the kernel sets per transaction)');
  t.notOk(r.divergences.some((d) => d.kind !== 'data-differs'), 'every exchange answered, none skipped');
});

t.test('divergences: a skipped exchange and a command the card never answered', async (t) => {
  const text = readFileSync(new URL('./fixtures/several-applications.apdu', import.meta.url), 'utf8');
  // An extra recorded GET DATA the kernel never sends: skipped, outcome unchanged.
  const extra = await replayTrace(parseTrace(text.replace('> 80AE', '> 80CA9F1700\n< 9F17010390 00\n> 80AE')), { config: SAMPLE_TERMINAL });
  t.equal(extra.outcome, 'online-request');
  t.match(extra.divergences, [{ kind: 'skipped', command: '80CA9F1700', line: 22 }]);
  // The trace cut before GENERATE AC: the kernel's command has no answer -> incomplete trace.
  const cut = await replayTrace(parseTrace(text.slice(0, text.indexOf('> 80AE'))), { config: SAMPLE_TERMINAL });
  t.equal(cut.outcome, 'incomplete-trace');
  t.match(cut.divergences, [{ kind: 'unanswered', command: /^80AE80001D/ }]);
  t.equal(cut.steps.at(-1)!.step, 'read-application-data', 'steps up to where the trace ends');
  // A last command with no response: the same.
  const dangling = await replayTrace(parseTrace(text.slice(0, text.lastIndexOf('<'))), { config: SAMPLE_TERMINAL });
  t.equal(dangling.outcome, 'incomplete-trace');
  t.match(dangling.divergences, [{ kind: 'unanswered', exchange: 8 }]);
  // Another amount: GENERATE AC matched by class, instruction and parameters; the data difference reported.
  const other = await replayTrace(parseTrace(text), { config: SAMPLE_TERMINAL, amount: 1500 });
  t.equal(other.outcome, 'online-request');
  t.match(other.divergences, [{ kind: 'data-differs', command: /^80AE80001D000000001500/, recorded: /^80AE80001D000000001000/ }]);
});
