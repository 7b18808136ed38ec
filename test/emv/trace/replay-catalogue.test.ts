// Issue 10: traces recorded from the virtual cards replay to the same outcome as the live
// run. Every card of the emv/cards catalogue, on each interface it has, runs live through
// the kernel twice recorded: as captured (every byte) and as the field recorder keeps it
// (track data and PIN data redacted). Both traces are written, parsed and replayed through
// the kernel; the replay must reach the live outcome, TVR, TSI and AID. The full trace
// replays with no divergence; the redacted one reports ODA "unverifiable" exactly where the
// live ODA covered records holding track 2 equivalent data (EMV Book 3 10.3: the ODA
// records are hashed into the ICC certificate or SSAD).
import t from 'tap';
import { TEST_CARDS, createCard } from '../../../emv/cards/catalogue.js';
import { toHex } from '../../../emv/bytes.js';
import { runTransaction } from '../../../emv/kernel/kernel.js';
import type { KernelOutcome } from '../../../emv/kernel/types.js';
import { parseTrace, writeTrace } from '../../../emv/trace/format.js';
import { TraceRecorder, sessionComments, terminalHeader, type RecordedExchange } from '../../../emv/trace/recorder.js';
import { replayTrace } from '../../../emv/trace/replay.js';
import { CASES, TERMINAL, params, pinPad } from '../kernel/catalogue.js';

const PINS: Record<string, string[]> = { 'offline-pin': ['1234'], 'offline-enciphered-pin': ['1234'] };

for (const card of TEST_CARDS) {
  for (const iface of card.interfaces.filter((i): i is 'contact' | 'contactless' => i !== 'magstripe')) {
    t.test(`${card.name} over ${iface}`, async (t) => {
      const virtual = createCard(card.name, iface);
      const raw: RecordedExchange[] = [];
      const field = new TraceRecorder();
      const p = params(1000);
      const transceive = field.wrap(async (c) => {
        try {
          const r = virtual.transceive(c);
          raw.push({ command: Uint8Array.from(c), response: Uint8Array.from(r), redacted: [] });
          return r;
        } catch (err) {
          raw.push({ command: Uint8Array.from(c), response: undefined, redacted: [] });
          throw err;
        }
      });
      let live: KernelOutcome | undefined;
      let odaLive: string | undefined;
      try {
        const r = await runTransaction({
          interface: iface,
          params: p,
          config: TERMINAL,
          deps: { transceive, pin: pinPad(PINS[card.name] ?? []), chooseApplication: async (l) => l[l.length - 1] },
        });
        live = r.complete ? await r.complete({ kind: 'response', arc: '00' }) : r;
        odaLive = toHex(live.tvr).slice(0, 2);
      } catch {
        live = undefined; // the card left the field: a transport fault
      }
      const header = { terminal: terminalHeader(p, TERMINAL), interface: iface } as const;
      const full = await replayTrace(parseTrace(writeTrace(raw, header)), { config: TERMINAL });
      const redacted = await replayTrace(parseTrace(field.text(header)), { config: TERMINAL });
      if (live === undefined) {
        t.equal(full.outcome, 'incomplete-trace', 'a card that left mid-transaction: the trace is incomplete');
        t.equal(redacted.outcome, 'incomplete-trace');
        t.ok(full.divergences.some((d) => d.kind === 'unanswered'), 'the unanswered command is listed');
        return;
      }
      for (const [what, rep] of [['full', full], ['redacted', redacted]] as const) {
        t.equal(rep.outcome, live.outcome, `${what}: outcome`);
        t.equal(rep.tvr, toHex(live.tvr), `${what}: TVR`);
        t.equal(rep.tsi, toHex(live.tsi), `${what}: TSI`);
        t.equal(rep.aid, live.aid === undefined ? null : toHex(live.aid), `${what}: AID`);
        t.equal(rep.stoppedAt, live.stoppedAt ?? null, `${what}: stopping step`);
      }
      t.same(full.divergences, [], 'the full trace replays with no divergence');
      t.same(redacted.divergences, [], 'the redacted trace too (VERIFY is matched by header)');
      t.not(full.oda.result, 'unverifiable', 'nothing redacted: ODA is verifiable');
      // These cards' discretionary data is all zeros (emv/cards/personalise.ts): redaction changes no signed byte.
      t.equal(redacted.oda.result, full.oda.result, 'redaction that changed no byte leaves ODA verifiable');
      t.equal(odaLive !== undefined, true);
      t.notMatch(field.text(header), /4761739001010010D/, 'no track 2 equivalent data with its discretionary data in the field trace');
    });
  }
}

// The kernel test cards (test/emv/kernel/catalogue.ts) carry discretionary data "1000000000"
// in 57: redaction changes signed record bytes, so ODA that passed live is unverifiable on
// replay, and the replay still reaches the live outcome.
for (const c of CASES.filter((x) => x.removeAt === undefined)) {
  t.test(`kernel case ${c.name} (${c.iface}), recorded with redaction`, async (t) => {
    const card = c.card();
    const field = new TraceRecorder();
    const r = await runTransaction({ interface: c.iface, params: c.params, config: TERMINAL, deps: { transceive: field.wrap(async (x) => card.transceive(x)), ...(c.pin ? { pin: field.wrapPin(c.pin) } : {}), ...(c.choose ? { chooseApplication: c.choose } : {}) } });
    const header = { terminal: terminalHeader(c.params, TERMINAL), interface: c.iface, comments: sessionComments(c.params) } as const;
    const rep = await replayTrace(parseTrace(field.text(header)), { config: TERMINAL, ...(c.choose ? {} : {}) });
    t.equal(rep.outcome, r.outcome, 'outcome');
    t.equal(rep.stoppedAt, r.stoppedAt ?? null, 'stopping step');
    const changed = field.exchanges.some((e) => e.redacted.some((n) => n.startsWith('57')));
    const odaPassedLive = (r.tsi[0]! & 0x80) !== 0 && (r.tvr[0]! & 0x4c) === 0;
    if (changed && odaPassedLive && rep.oda.result !== 'not-performed') t.equal(rep.oda.result, 'unverifiable', 'ODA over redacted track 2 data: unverifiable');
    else t.not(rep.oda.result, 'unverifiable', 'nothing signed was redacted');
    if (rep.oda.result === 'unverifiable') t.equal(rep.tvr, toHex(r.tvr), 'the replay goes on as the live run did (TVR)');
  });
}
