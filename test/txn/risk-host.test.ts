// Risk limits (issue 9: largest amount, per-card and per-terminal velocity, offline caps)
// enforced before the transaction goes online, each refusal an event, a result and a
// journal record; offline approval (ARC Y1, EMV Book 4 A6) with its 0220 advice; training
// against a second simulator, kept out of the totals; a host that does not answer gets one
// reversal (0400, ISO 8583:1987), also when it is sent only after a restart.
import t, { type Test } from 'tap';
import { testCard } from '../../emv/cards/catalogue.js';
import type { JournalRecord } from '../../src/journal/index.js';
import { NO_LIMITS, type RiskLimits } from '../../src/txn/risk.js';
import { makeRig, present, startHost, tempDir, type Rig, type RigOptions } from './fixtures/rig.js';

async function setup(t: Test, o: Partial<RigOptions> = {}): Promise<{ rig: Rig; host: Awaited<ReturnType<typeof startHost>> }> {
  const host = await startHost();
  const rig = await makeRig({ port: host.port, ...o });
  t.teardown(async () => {
    await rig.close();
    await host.close();
  });
  return { rig, host };
}

async function records(rig: Rig): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  for await (const { record } of rig.journal.records()) out.push(record);
  return out;
}

const limits = (over: Partial<RiskLimits>): RiskLimits => ({ ...NO_LIMITS, ...over });

t.test('largest amount: refused before a card is asked for, journalled', async (t) => {
  const { rig, host } = await setup(t, { risk: limits({ maxAmount: 5000 }) });
  const r = await rig.run({ type: 'sale', amount: 5001 }, present('visa-online', 'tap'));
  t.equal(r.result.status, 'refused');
  t.equal(r.result.refusal, 'amount-over-limit');
  t.same(r.events.map((e) => e.kind), ['refused', 'result'], 'no card asked for');
  const audit = (await records(rig)).filter((x) => x.type === 'audit');
  t.match(audit, [{ event: { kind: 'txn-refused', reason: 'amount-over-limit', amount: 5001 } }], 'the refusal is in the journal');
  t.equal(host.sim.ledger.transactions.length, 0, 'nothing went online');
  const ok = await rig.run({ type: 'sale', amount: 5000 }, present('visa-online', 'tap'));
  t.equal(ok.result.status, 'approved', 'at the limit is allowed');
});

t.test('per-card velocity by a keyed hash of the PAN; per-terminal velocity', async (t) => {
  const { rig } = await setup(t, { risk: limits({ card: { maxCount: 1, maxAmount: 0, periodMinutes: 60 }, terminal: { maxCount: 0, maxAmount: 2500, periodMinutes: 60 } }) });
  const a = await rig.run({ type: 'sale', amount: 1000 }, present('visa-online', 'tap'));
  t.equal(a.result.status, 'approved');
  const b = await rig.run({ type: 'sale', amount: 100 }, present('visa-online', 'tap'));
  t.equal(b.result.refusal, 'card-velocity', 'the same card twice within the period');
  t.ok(b.events.some((e) => e.kind === 'refused'));
  const c = await rig.run({ type: 'sale', amount: 1000 }, present('mastercard-online', 'insert'));
  t.equal(c.result.status, 'approved', 'another card is its own count');
  const d = await rig.run({ type: 'sale', amount: 600 }, present('unionpay-online', 'insert'));
  t.equal(d.result.refusal, 'terminal-velocity', '1000 + 1000 + 600 over the terminal amount of 2500');
  const all = await records(rig);
  const pan = testCard('visa-online').pan;
  const refusals = all.filter((x) => x.type === 'audit');
  t.equal(refusals.length, 2, 'both refusals journalled');
  t.notOk(JSON.stringify(refusals).includes(pan), 'no PAN in a refusal record');
  const refs = all.flatMap((x) => (x.type === 'txn-outcome' && x.cardRef ? [x.cardRef] : []));
  t.equal(new Set(refs).size, 2, 'one card reference per card');
  t.notOk(refs.some((r) => r.includes(pan.slice(6, 12))), 'the reference is not derived visibly from the PAN');
});

t.test('offline approval below the floor limit: Y1, advice sent; offline caps force online', async (t) => {
  const { rig, host } = await setup(t);
  // 10.00 is below the sample floor limit of 20.00 and the card's offline limit of 100.00.
  // The cardholder bypasses online PIN (TAC-online lists "online PIN entered"): signature, offline.
  const r = await rig.run({ type: 'sale', amount: 1000 }, present('visa-offline', 'insert'), { pin: 'bypassed' });
  t.equal(r.result.status, 'approved', r.result.reason ?? '');
  t.equal(r.result.responseCode, 'Y1', 'offline approval (EMV Book 4 A6)');
  t.equal(r.result.receipt?.cryptogramType, 'TC');
  t.equal(r.result.receipt?.offline, true);
  await rig.engine.settle();
  t.same(host.sim.ledger.transactions.map((x) => [x.mti, x.state]), [['0220', 'advised']], 'the advice reached the host once');
  t.same(rig.journal.queued('advice'), [], 'no advice owed any more');
  await rig.close();
  const capped = await makeRig({ port: host.port, risk: limits({ offline: { maxAmount: 500, maxCount: 0, maxAgeHours: 0 } }) });
  t.teardown(() => capped.close());
  const online = await capped.run({ type: 'sale', amount: 1000 }, present('visa-offline', 'insert'), { pin: 'bypassed' });
  t.equal(online.result.status, 'approved');
  t.equal(online.result.responseCode, '00', 'over the offline cap the card is sent online');
});

t.test('training: the training host only, marked, out of the totals', async (t) => {
  const host = await startHost();
  const training = await startHost();
  const rig = await makeRig({ port: host.port, trainingPort: training.port });
  t.teardown(async () => {
    await rig.close();
    await host.close();
    await training.close();
  });
  const r = await rig.run({ type: 'sale', amount: 4200, training: true }, present('visa-online', 'tap'));
  t.equal(r.result.status, 'approved', r.result.reason ?? '');
  t.equal(r.result.receipt?.training, true, 'the receipt says training');
  t.equal(training.sim.ledger.transactions.length, 1, 'the training simulator answered');
  t.equal(host.sim.ledger.transactions.length, 0, 'the acquirer never saw it');
  t.equal((await rig.journal.totals()).byCurrency.CNY, undefined, 'not in the batch totals');
  t.equal((await rig.engine.find(r.result.txnId!))?.training, true);
  const v = await rig.run({ type: 'void', originalTxnId: r.result.txnId! });
  t.equal(v.result.refusal, 'original-not-voidable', 'a live void of a training sale is refused');
  const tv = await rig.run({ type: 'void', originalTxnId: r.result.txnId!, training: true });
  t.equal(tv.result.status, 'approved', 'a training void of it is fine');
});

t.test('host timeout: exactly one reversal, journalled; also when sent after a restart', async (t) => {
  const host = await startHost();
  t.teardown(() => host.close());
  const dataDir = tempDir();
  let rig = await makeRig({ port: host.port, dataDir, hostTimeoutMs: 400 });
  host.sim.inject('drop', 1, { mti: '0200' });
  const r = await rig.run({ type: 'sale', amount: 1100 }, present('unionpay-online', 'insert'));
  t.equal(r.result.status, 'failed');
  t.ok(r.events.some((e) => e.kind === 'host-unavailable'));
  await rig.engine.settle();
  t.same(host.sim.ledger.transactions.map((x) => x.state), ['reversed'], 'the approved-but-unanswered sale is reversed at the host');
  t.equal(host.sim.card('unionpay-online')?.reversals, 1, 'once');
  let all = await records(rig);
  t.equal(all.filter((x) => x.type === 'reversal-owed').length, 1, 'one reversal owed');
  t.equal(all.filter((x) => x.type === 'reversal-done').length, 1, 'and done');
  t.match(all.filter((x) => x.type === 'txn-outcome'), [{ result: 'reversed' }]);
  // Now the host also ignores the reversal: it stays owed across a restart.
  host.sim.inject('drop', 1, { mti: '0200' });
  host.sim.inject('drop', 1, { mti: '0400' });
  await rig.run({ type: 'sale', amount: 1200 }, present('unionpay-online', 'insert'));
  await rig.engine.settle();
  t.equal(rig.journal.queued('reversal').length, 1, 'the reversal is still owed');
  await rig.close();
  rig = await makeRig({ port: host.port, dataDir, hostTimeoutMs: 400 });
  t.teardown(() => rig.close());
  const report = await rig.engine.recover();
  t.equal(report.stillOwed, 0, 'sent after the restart');
  t.equal(host.sim.card('unionpay-online')?.reversals, 2, 'each unanswered sale reversed exactly once');
  t.same(host.sim.ledger.transactions.map((x) => x.state), ['reversed', 'reversed']);
  all = await records(rig);
  t.equal(all.filter((x) => x.type === 'reversal-owed').length, 2, 'two reversals owed in all');
  t.equal(all.filter((x) => x.type === 'reversal-done').length, 2);
  t.equal((await rig.journal.totals()).byCurrency.CNY, undefined, 'nothing in the batch');
});

t.test('cancel: at the PIN pad, and while waiting for a card', async (t) => {
  const { rig, host } = await setup(t);
  const r = await rig.run({ type: 'sale', amount: 300 }, present('unionpay-online', 'insert'), { pin: 'cancelled' });
  t.equal(r.result.status, 'cancelled', 'CANCEL at the PIN pad ends the transaction');
  t.equal(host.sim.ledger.transactions.length, 0, 'nothing sent');
  const ctl = new AbortController();
  const events: string[] = [];
  const running = rig.engine.run(
    { type: 'sale', amount: 300, currency: 'CNY', operator: 'op1' },
    {
      event: (e) => {
        events.push(e.kind);
        if (e.kind === 'present-card') setTimeout(() => ctl.abort(), 50);
      },
      onlinePin: () => Promise.resolve('cancelled'),
      chooseApplication: () => Promise.resolve(undefined),
      signal: ctl.signal,
    },
  );
  const res = await running;
  t.equal(res.status, 'cancelled', 'CANCEL while waiting for a card');
  t.notOk(res.txnId, 'nothing journalled');
  t.same(events, ['present-card', 'result']);
});
