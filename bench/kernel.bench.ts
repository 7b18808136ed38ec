/**
 * EMV kernel software time per contactless transaction (issue 6): one qVSDC tap of the
 * `visa-offline` test card (PPSE, SELECT, GPO with fDDA, READ RECORD x3; one RSA recovery
 * per tap once the card's issuer and ICC keys are cached, three on its first tap) with the
 * card's answers replayed at once, so the figure is the kernel's own
 * time; baseline: the same exchanges replayed without the kernel (the floor any kernel pays
 * for the APDU plumbing). Goal: p99 <= 1 ms (well under 1% of the 500 ms contactless budget
 * even on a Pi-class CPU). Then the same tap through the PN532 driver and chip model on a
 * sim SPI bus (bus and driver polling included), against the direct kernel run.
 */
import { loadavg } from 'node:os';
import { median, percentile, type Benchmark, type BenchFigure } from './harness.js';
import { runTransaction } from '../emv/kernel/kernel.js';
import type { TerminalConfig, TransactionParams } from '../emv/kernel/types.js';
import { createCard, simContactlessCard, testCard } from '../emv/cards/catalogue.js';
import { luhnCheckDigit } from '../emv/track/pan.js';
import { SAMPLE_TERMINAL } from '../emv/kernel/sample-config.js';
import { fromHex, toHex } from '../emv/bytes.js';
import { SimSpiBus } from '../hal/sim/spi.js';
import { Pn532Model } from '../hal/devices/pn532/pn532.sim.js';
import { Pn532Reader } from '../hal/devices/pn532/pn532.js';
import { SpiPn532Transport } from '../hal/devices/pn532/pn532-transport.js';

const CONFIG: TerminalConfig = SAMPLE_TERMINAL;

const PARAMS: TransactionParams = { amount: 1000, currency: 978, type: 0, date: '261128', time: '120000', unpredictableNumber: fromHex('11223344'), sequenceCounter: 1 };

const CARD = 'visa-offline';

async function recordTap(card = createCard(CARD, 'contactless'), config: TerminalConfig = CONFIG): Promise<Map<string, Uint8Array>> {
  const answers = new Map<string, Uint8Array>();
  const r = await runTransaction({
    interface: 'contactless',
    params: PARAMS,
    config,
    deps: {
      transceive: async (c) => {
        const a = Uint8Array.from(card.transceive(c));
        answers.set(toHex(c), a);
        return a;
      },
    },
  });
  if (r.outcome !== 'approved') throw new Error(`bench card ${CARD} gave ${r.outcome} (${r.reason})`);
  return answers;
}

/**
 * Wall time of each run in ms, and whether the OS scheduler preempted the process during it
 * (its involuntary context switch count rose: another process took the CPU). On a shared
 * machine the preempted runs carry other processes' time; the kernel's own tail (garbage
 * collection included) is the p99 of the runs that were not preempted.
 */
async function samples(n: number, once: () => Promise<void>, warmup = 300): Promise<{ all: number[]; own: number[] }> {
  for (let i = 0; i < warmup; i++) await once();
  const all: number[] = [];
  const own: number[] = [];
  for (let i = 0; i < n; i++) {
    const s0 = process.resourceUsage().involuntaryContextSwitches;
    const t0 = performance.now();
    await once();
    const dt = performance.now() - t0;
    all.push(dt);
    if (process.resourceUsage().involuntaryContextSwitches === s0) own.push(dt);
  }
  return { all, own };
}

const bench: Benchmark = {
  name: 'EMV kernel, one contactless transaction (qVSDC with fDDA, visa-offline test card)',
  async run(): Promise<BenchFigure[]> {
    const answers = await recordTap();
    const replay = async (c: Uint8Array): Promise<Uint8Array> => answers.get(toHex(c))!;
    const commands = [...answers.keys()].map((h) => fromHex(h));
    const kernel = await samples(2000, async () => {
      await runTransaction({ interface: 'contactless', params: PARAMS, config: CONFIG, deps: { transceive: replay } });
    });
    const plumbing = await samples(2000, async () => {
      for (const c of commands) await replay(c);
    });
    // A different card on every tap, as at a shop: the same TEST issuer, so the issuer key
    // comes from the cache after the first card, and each card's ICC key is recovered. The
    // answers are recorded with copies of the CA keys, whose recovered keys the timed runs do not reuse.
    const profile = testCard(CARD).profile;
    const coldConfig: TerminalConfig = { ...CONFIG, caKeys: CONFIG.caKeys.map((k) => ({ ...k })) };
    const cards: Array<(c: Uint8Array) => Promise<Uint8Array>> = [];
    for (let i = 0; i < 400; i++) {
      const partial = '4761739002' + String(i).padStart(5, '0');
      const pan = partial + String(luhnCheckDigit(partial));
      const app = { ...profile.applications[0]!, pan };
      const recorded = await recordTap(createCard({ ...profile, applications: [app] }, 'contactless'), coldConfig);
      cards.push(async (c) => recorded.get(toHex(c))!);
    }
    let next = 0;
    const perCard = await samples(
      cards.length - 50,
      async () => {
        const transceive = cards[next++]!;
        await runTransaction({ interface: 'contactless', params: PARAMS, config: CONFIG, deps: { transceive } });
      },
      50,
    );

    const p50 = median(kernel.own);
    const p99 = percentile(kernel.own, 99);
    const base = { name: 'same APDUs replayed without the kernel (p50)', value: median(plumbing.own) };

    // Through the PN532 driver and its model on a sim SPI bus.
    const model = new Pn532Model();
    const bus = new SimSpiBus({ name: 'spi0' });
    bus.attach(0, model.spiTarget());
    const dev = await bus.open(0, { mode: 0, speedHz: 1_000_000 });
    const reader = await Pn532Reader.open({ transport: new SpiPn532Transport(dev, { pollIntervalMs: 1 }), pollIntervalMs: 1, maxRetries: 2 });
    const pn532: number[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        const card = createCard(CARD, 'contactless');
        model.insertCard(simContactlessCard(card));
        await reader.waitForCard({ timeoutMs: 1000 });
        const t0 = performance.now();
        const r = await runTransaction({ interface: 'contactless', params: PARAMS, config: CONFIG, deps: { transceive: (c) => reader.transceive(c) } });
        if (i >= 10) pn532.push(performance.now() - t0);
        if (r.outcome !== 'approved') throw new Error(`PN532 tap gave ${r.outcome}`);
        model.removeCard();
        await reader.release();
      }
    } finally {
      await reader.close();
      await bus.close();
    }
    const direct = { name: 'kernel with the card answering at once (p50)', value: p50 };
    const preempted = kernel.all.length - kernel.own.length;
    return [
      { name: 'machine load average (1 min) during the run', value: loadavg()[0]!, unit: 'runnable tasks' },
      { name: `runs preempted by other processes (of ${kernel.all.length}; left out of the kernel's own p50/p99)`, value: preempted, unit: 'runs' },
      { name: 'kernel time per tap, p50 (runs not preempted)', value: p50, unit: 'ms', baseline: base, goal: 'p99 <= 1 ms', met: p99 <= 1 },
      { name: 'kernel time per tap, p99 (runs not preempted; GC pauses included)', value: p99, unit: 'ms', baseline: base, goal: 'p99 <= 1 ms', met: p99 <= 1, samples: kernel.own },
      { name: 'kernel wall time per tap, p99 of every run (preemption included)', value: percentile(kernel.all, 99), unit: 'ms', baseline: base },
      { name: `a different card each tap (ICC key recovered, issuer key cached), p50 (${perCard.own.length} runs not preempted)`, value: median(perCard.own), unit: 'ms', baseline: base, goal: 'p99 <= 1 ms', met: percentile(perCard.own, 99) <= 1 },
      { name: 'a different card each tap, p99 (runs not preempted)', value: percentile(perCard.own, 99), unit: 'ms', baseline: base, goal: 'p99 <= 1 ms', met: percentile(perCard.own, 99) <= 1 },
      { name: 'tap through PN532 driver + model (sim SPI, 1 ms polling), p50', value: median(pn532), unit: 'ms', baseline: direct, goal: 'under the 500 ms contactless budget', met: percentile(pn532, 99) < 500 },
      { name: 'tap through PN532 driver + model (sim SPI, 1 ms polling), p99', value: percentile(pn532, 99), unit: 'ms', baseline: direct, goal: 'under the 500 ms contactless budget', met: percentile(pn532, 99) < 500 },
    ];
  },
};

export default bench;
