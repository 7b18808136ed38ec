// A settlement interrupted after the host balanced the batch (the terminal died before it
// journalled the close) is resumed: the host, which has already settled those transactions,
// answers the repeated 0500 with 95 (ISO 8583 reconcile error), the terminal uploads the batch
// (0320, one per approved transaction, with its original STAN and RRN) and the second 0500
// balances against the upload. Offline approvals (sent as 0220 advices) have no RRN of their
// own in the journal, so several of them share the all-zero RRN in their 0320s: the host must
// still count each one. Found by the soak (issue 11).
import t, { type Test } from 'tap';
import { JournalSettlement, type SettlementHost } from '../../src/settle/index.js';
import { layout, makeRig, MERCHANT, present, startHost } from '../txn/fixtures/rig.js';

async function setup(t: Test): Promise<{ host: Awaited<ReturnType<typeof startHost>>; rig: Awaited<ReturnType<typeof makeRig>> }> {
  const host = await startHost();
  const rig = await makeRig({ port: host.port });
  t.teardown(async () => {
    await rig.close();
    await host.close();
  });
  return { host, rig };
}

t.test('a settlement killed after the host balanced it is resumed: upload, then balanced, offline approvals counted once each', async (t) => {
  const { host, rig } = await setup(t);
  // Below the sample floor limit, online PIN bypassed: approved offline (EMV Book 4 A6, as in test/txn/risk-host.test.ts).
  const offline1 = await rig.run({ type: 'sale', amount: 1100 }, present('visa-offline', 'insert'), { pin: 'bypassed' });
  const offline2 = await rig.run({ type: 'sale', amount: 1200 }, present('visa-offline', 'insert'), { pin: 'bypassed' });
  const online = await rig.run({ type: 'sale', amount: 1300 }, present('visa-online', 'tap'));
  t.same([offline1.result.status, offline2.result.status, online.result.status], ['approved', 'approved', 'approved']);
  await rig.engine.settle();
  // An advice queued while a background flush was running waits for the next flush.
  await rig.host.flush();
  t.equal(host.sim.ledger.transactions.filter((x) => x.mti.startsWith('022')).length, 2, 'two offline approvals advised');

  // The first attempt dies right after the host answered the first 0500 (a SIGKILL there in the soak).
  const dying: SettlementHost = {
    flush: () => rig.host.flush(),
    request: async (msg, o) => {
      await rig.host.request(msg, o);
      throw new Error('killed after the 0510');
    },
  };
  await t.rejects(new JournalSettlement({ journal: rig.journal, host: dying, layout, merchantId: MERCHANT.id, currency: 'CNY' }).settle({ operator: 'op1', trigger: 'manual' }), { message: 'killed after the 0510' });
  t.equal(rig.journal.openBatch, 1, 'the batch is still open in the journal');
  t.ok(host.sim.ledger.reconciliations[0]?.balanced, 'the host balanced and settled it');

  const resumed = await new JournalSettlement({ journal: rig.journal, host: rig.host, layout, merchantId: MERCHANT.id, currency: 'CNY' }).settle({ operator: 'op1', trigger: 'manual' });
  t.equal(resumed.status, 'balanced-after-upload');
  t.equal(resumed.uploaded, 3);
  t.equal(rig.journal.lastClosedBatch, 1);
  t.match(host.sim.ledger.reconciliations.slice(1), [{ balanced: false }, { balanced: true, uploaded: 3, unknownUploads: 0 }]);
});

t.test('a resumed settlement killed again in its batch upload is resumed once more: the next 0500 balances after a full upload', async (t) => {
  const { host, rig } = await setup(t);
  for (const amount of [1100, 1200, 1300]) t.equal((await rig.run({ type: 'sale', amount }, present('visa-online', 'tap'))).result.status, 'approved');
  // Dies once `n` requests of the settlement were answered.
  const dyingAfter = (n: number): SettlementHost => {
    let answered = 0;
    return {
      flush: () => rig.host.flush(),
      request: async (msg, o) => {
        const res = await rig.host.request(msg, o);
        if (++answered === n) throw new Error('killed');
        return res;
      },
    };
  };
  const settlement = (h: SettlementHost): JournalSettlement => new JournalSettlement({ journal: rig.journal, host: h, layout, merchantId: MERCHANT.id, currency: 'CNY' });
  // Killed after the host balanced the first 0500; then, resuming, after the 95 and the first 0320 of the upload.
  await t.rejects(settlement(dyingAfter(1)).settle({ operator: 'op1', trigger: 'manual' }), { message: 'killed' });
  await t.rejects(settlement(dyingAfter(2)).settle({ operator: 'op1', trigger: 'manual' }), { message: 'killed' });
  const resumed = await settlement(rig.host).settle({ operator: 'op1', trigger: 'manual' });
  t.equal(resumed.status, 'balanced-after-upload', 'the 0500 after the interrupted upload is out of balance, the full upload balances');
  t.equal(resumed.uploaded, 3);
  t.equal(rig.journal.lastClosedBatch, 1);
  t.ok(host.sim.ledger.transactions.every((x) => x.settledInBatch === '1'));
});
