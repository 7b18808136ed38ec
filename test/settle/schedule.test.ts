// The settlement schedule on a fake clock and timer, with a real journal and the acquirer
// simulator on loopback: daily and monthly due times (a day past the month's end is its last
// day, Gregorian calendar), catch-up once after downtime, never twice for one due time,
// host-unavailable retried, and the weekly automatic backup when the backup folder exists.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { lastDueTime, nextDueTime, SettlementScheduler, type SchedulerConfig, type SchedulerTimer } from '../../src/settle/schedule.js';
import { rig, tempDir, type Rig } from './fixtures/rig.js';

const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date => new Date(y, mo - 1, d, h, mi, s);

class FakeClock {
  private seq = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];
  constructor(public t: number) {}
  now = (): Date => new Date(this.t);
  timer: SchedulerTimer = {
    setTimeout: (fn, ms) => {
      const id = ++this.seq;
      this.timers.push({ id, at: this.t + ms, fn });
      return id;
    },
    clearTimeout: (h) => {
      this.timers = this.timers.filter((x) => x.id !== h);
    },
  };
  /** Runs every timer due up to `to`, in time order, waiting for the scheduler after each. */
  async advanceTo(to: Date, scheduler: SettlementScheduler): Promise<void> {
    for (;;) {
      const next = this.timers.filter((x) => x.at <= to.getTime()).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await scheduler.idle();
    }
    this.t = to.getTime();
  }
}

t.test('due times: daily at HH:MM local time; monthly with the day clamped to the month', async (t) => {
  const daily = { schedule: 'daily' as const, time: '23:00', dayOfMonth: 1 };
  t.same(lastDueTime(daily, local(2026, 11, 28, 22, 59)), local(2026, 11, 27, 23, 0));
  t.same(lastDueTime(daily, local(2026, 11, 28, 23, 0)), local(2026, 11, 28, 23, 0));
  t.same(nextDueTime(daily, local(2026, 11, 28, 23, 0)), local(2026, 11, 29, 23, 0));
  t.same(nextDueTime(daily, local(2026, 12, 31, 23, 30)), local(2027, 1, 1, 23, 0), 'across the year end');
  const monthly = { schedule: 'monthly' as const, time: '02:30', dayOfMonth: 31 };
  // April, June, September, November have 30 days; February 28, or 29 in a leap year (2028).
  t.same(nextDueTime(monthly, local(2027, 4, 1)), local(2027, 4, 30, 2, 30), '31 in April is the 30th');
  t.same(nextDueTime(monthly, local(2027, 2, 1)), local(2027, 2, 28, 2, 30));
  t.same(nextDueTime(monthly, local(2028, 2, 1)), local(2028, 2, 29, 2, 30), 'leap year');
  t.same(nextDueTime(monthly, local(2027, 4, 30, 2, 30)), local(2027, 5, 31, 2, 30));
  t.same(lastDueTime(monthly, local(2027, 5, 30)), local(2027, 4, 30, 2, 30));
  t.same(lastDueTime({ ...monthly, dayOfMonth: 15 }, local(2027, 1, 10)), local(2026, 12, 15, 2, 30), 'the previous year');
  t.equal(lastDueTime({ ...daily, schedule: 'manual' }, local(2027, 1, 10)), undefined);
  t.equal(nextDueTime({ ...daily, schedule: 'manual' }, local(2027, 1, 10)), undefined);
});

async function scheduled(t: Test, start: Date, cfg: Partial<SchedulerConfig>, data?: string): Promise<{ r: Rig; clock: FakeClock; make: () => SettlementScheduler }> {
  const clock = new FakeClock(start.getTime());
  const r = await rig({ now: clock.now, ...(data ? { data } : {}) });
  t.teardown(() => r.close());
  const config: SchedulerConfig = { schedule: 'daily', time: '23:00', dayOfMonth: 1, backupIntervalDays: 7, ...cfg };
  const made: SettlementScheduler[] = [];
  t.teardown(async () => {
    for (const s of made) await s.stop();
  });
  const make = (): SettlementScheduler => {
    const s = new SettlementScheduler({ settlement: r.settlement, journal: r.journal, config: () => config, now: clock.now, timer: clock.timer, retryMs: 60_000 });
    made.push(s);
    return s;
  };
  return { r, clock, make };
}

t.test('daily: fires at the due time, once; the next day again', async (t) => {
  const { r, clock, make } = await scheduled(t, local(2026, 11, 28, 20, 0), {});
  const s = make();
  await s.start();
  t.equal(r.sim.ledger.reconciliations.length, 0, 'nothing owed at start: the batch opened after the last due time');
  await r.txn('sale', 1_200);
  await clock.advanceTo(local(2026, 11, 28, 22, 59, 59), s);
  t.equal(r.sim.ledger.reconciliations.length, 0, 'not before 23:00');
  await clock.advanceTo(local(2026, 11, 28, 23, 30), s);
  t.equal(r.sim.ledger.reconciliations.length, 1, 'settled at 23:00');
  t.equal(r.journal.lastClosedBatch, 1);
  t.equal((await r.settlement.report('z'))?.byCurrency.CNY?.net, 1200);
  await clock.advanceTo(local(2026, 11, 29, 22, 0), s);
  t.equal(r.sim.ledger.reconciliations.length, 1, 'never twice for one due time');
  await clock.advanceTo(local(2026, 11, 29, 23, 5), s);
  t.equal(r.sim.ledger.reconciliations.length, 2, 'the next day');
  t.equal(r.journal.lastClosedBatch, 2);
});

t.test('catch-up: off at the due times -> settles once at the next start, and not again after a restart', async (t) => {
  const data = tempDir();
  const { r, clock, make } = await scheduled(t, local(2026, 11, 25, 10, 0), {}, data);
  await r.txn('sale', 900);
  // Off from the 25th to the 28th: three due times missed.
  clock.t = local(2026, 11, 28, 9, 0).getTime();
  await make().start();
  t.equal(r.sim.ledger.reconciliations.length, 1, 'one settlement for the missed due times');
  t.equal(r.journal.lastClosedBatch, 1);
  clock.t = local(2026, 11, 28, 9, 5).getTime();
  await make().start();
  t.equal(r.sim.ledger.reconciliations.length, 1, 'a restart does not settle again');
});

t.test('monthly on the 31st: in a 30-day month on its last day', async (t) => {
  const { r, clock, make } = await scheduled(t, local(2027, 4, 1, 8, 0), { schedule: 'monthly', dayOfMonth: 31, time: '23:00' });
  const s = make();
  await s.start();
  await r.txn('sale', 5_000);
  await clock.advanceTo(local(2027, 4, 30, 22, 0), s);
  t.equal(r.sim.ledger.reconciliations.length, 0);
  await clock.advanceTo(local(2027, 4, 30, 23, 1), s);
  t.equal(r.sim.ledger.reconciliations.length, 1, 'settled on 30 April');
  t.equal(r.journal.openBatchStart?.at, local(2027, 4, 30, 23, 0).toISOString(), 'at 23:00');
  await clock.advanceTo(local(2027, 5, 30, 23, 30), s);
  t.equal(r.sim.ledger.reconciliations.length, 1);
  await clock.advanceTo(local(2027, 5, 31, 23, 1), s);
  t.equal(r.sim.ledger.reconciliations.length, 2, 'then on 31 May');
});

t.test('host down at the due time: the batch stays open and the scheduler tries again', async (t) => {
  const { r, clock, make } = await scheduled(t, local(2026, 11, 28, 20, 0), {});
  const s = make();
  await s.start();
  await r.txn('sale', 700);
  await r.stopHost();
  await clock.advanceTo(local(2026, 11, 28, 23, 0, 30), s);
  t.equal(r.journal.openBatch, 1, 'host-unavailable: still open');
  t.equal(r.journal.lastClosedBatch, undefined);
  const server = await r.sim.listen(r.port);
  t.teardown(() => server.close());
  await clock.advanceTo(local(2026, 11, 28, 23, 2), s);
  t.equal(r.journal.lastClosedBatch, 1, 'settled on the retry');
  t.equal(r.sim.ledger.reconciliations.length, 1);
});

t.test('weekly automatic backup when the backup folder is present', async (t) => {
  const usb = path.join(tempDir(), 'usb');
  const { clock, make } = await scheduled(t, local(2026, 11, 28, 10, 0), { schedule: 'manual', backupPath: usb });
  const s = make();
  await s.start();
  t.same(readdirSync(path.dirname(usb)), [], 'not mounted: no backup, no folder made');
  mkdirSync(usb);
  await clock.advanceTo(local(2026, 11, 28, 10, 5), s);
  t.equal(readdirSync(usb).length, 1, 'first backup');
  await clock.advanceTo(local(2026, 12, 5, 9, 0), s);
  t.equal(readdirSync(usb).length, 1, 'not again within 7 days');
  await clock.advanceTo(local(2026, 12, 5, 10, 6), s);
  t.equal(readdirSync(usb).length, 2, 'a week later');
});

t.test('a transaction in flight at the due time postpones the settlement, which follows once it is finished', async (t) => {
  const { r, clock, make } = await scheduled(t, local(2026, 11, 28, 20, 0), {});
  const s = make();
  await s.start();
  await r.journal.append([{ type: 'txn-pending', at: clock.now().toISOString(), txnId: 'inflight', txnType: 'sale', batch: 1, amount: 100, currency: 'CNY', scheme: 'visa' }]);
  await clock.advanceTo(local(2026, 11, 28, 23, 0, 30), s);
  t.equal(r.journal.openBatch, 1, 'not while pending');
  t.equal(r.sim.ledger.reconciliations.length, 0);
  await r.journal.append([{ type: 'txn-outcome', at: clock.now().toISOString(), txnId: 'inflight', txnType: 'sale', batch: 1, amount: 100, currency: 'CNY', scheme: 'visa', result: 'declined', responseCode: '05' }]);
  await clock.advanceTo(local(2026, 11, 28, 23, 2), s);
  t.equal(r.journal.lastClosedBatch, 1, 'settled on the retry');
});
