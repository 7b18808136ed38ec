// The short soak of `make test` (issue 11; `make soak` is the long one): a seeded stream of
// every transaction type on the sim board, some in training mode, in a terminal child
// process, against the acquirer simulator in this process, with host, card and printer
// faults, SIGKILLs of the terminal in transactions and in a settlement, a settlement every
// 10 transactions, then the invariants across the batches checked from the journal and the
// simulators' ledgers. POS_SOAK_SEED replays a seed.
import { randomInt } from 'node:crypto';
import t from 'tap';
import { printReport, runSoak } from './fixtures/soak-run.js';

t.setTimeout(170_000);

t.test('short soak: faults and kills, then every invariant holds', async (t) => {
  const seed = process.env.POS_SOAK_SEED ? Number(process.env.POS_SOAK_SEED) : randomInt(0, 2 ** 31);
  t.comment(`soak seed ${seed} (replay: POS_SOAK_SEED=${seed})`);
  const report = await runSoak({ seed, txns: Number(process.env.POS_SOAK_TXNS ?? 60), killRate: 0.1, maxKills: 4, faultRate: 0.3, settleEvery: 10, trainingRate: 0.15 });
  printReport(report, (l) => t.comment(l));
  t.ok(report.kills.parent + report.kills.atStep >= 1, 'the terminal was killed in a transaction and restarted');
  t.ok(report.kills.inSettle >= 1 && report.settles.some((x) => x.resumed), 'a settlement was killed, then resumed');
  // Six settlement points; a fault still pending from a transaction can leave one host-unavailable.
  t.ok(report.settles.filter((x) => x.status === 'in-balance' || x.status === 'balanced-after-upload').length >= 2, 'several batches settled');
  t.ok((report.started.training ?? 0) >= 1, 'training transactions were mixed in');
  t.ok(Object.keys(report.faults).length >= 2, 'host faults of several kinds were injected');
  for (const i of report.invariants) t.ok(i.ok, `${i.name}: ${i.detail}`);
});
