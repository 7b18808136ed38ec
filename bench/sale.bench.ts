/**
 * The transaction engine (src/txn/): the terminal's CPU time per approved sale
 * (process.cpuUsage around Engine.run, a contactless tap on the sim board through the PN532
 * model, the acquirer simulator in another process over loopback TCP) next to the EMV
 * kernel alone on the same card in the same run; and the durable writes per approved sale
 * (journal appends with sync) with their time next to the floor of one raw 300-byte append
 * + fdatasync measured in the same run (issue 9 "make bench"; perf-baselines.md section 1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCard, simContactlessCard } from '../emv/cards/catalogue.js';
import { fromHex } from '../emv/bytes.js';
import { runTransaction } from '../emv/kernel/kernel.js';
import { SAMPLE_TERMINAL } from '../emv/kernel/sample-config.js';
import type { Pn532Model } from '../hal/devices/pn532/pn532.sim.js';
import { HalError } from '../hal/errors.js';
import type { ContactlessReader, SimContactlessCard } from '../hal/roles/contactless.js';
import { createSimulator } from '../src/board/acquirer.js';
import { buildTerminal } from '../src/board/build.js';
import { connectChannel } from '../src/host/channel.js';
import { HostClient } from '../src/host/client.js';
import { loadLayout } from '../src/host/iso8583/layout.js';
import { JournalHostStore, journalDir, openJournal, type Journal } from '../src/journal/index.js';
import { createEngine } from '../src/txn/engine.js';
import type { EngineUi } from '../src/txn/types.js';
import { median, type Benchmark, type BenchFigure } from './harness.js';
import { rawAppendOps } from './journal.bench.js';

const SALES = 300;
/**
 * Sales before the measured ones: V8 compiles the hot path on its worker threads for the
 * first few hundred sales (about 260 optimisations, 1.5 s of compile CPU in all), and
 * process.cpuUsage counts that against whichever sale it overlaps. A terminal pays it once
 * per start; the figure is the steady state.
 */
const WARMUP = 300;
const CARD = 'unionpay-online';
/** 1.00: under the sample contactless CVM-required limit, so no PIN; online (ARQC). */
const AMOUNT = 100;
const layout = loadLayout('binary');

/** The simulator in a child process (this file with --sim); resolves its port. */
function forkSimulator(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--sim'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.on('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
}

/** Counts the journal appends that sync (durable writes) and the time spent in them. */
function countSyncs(journal: Journal): { writes: number; ms: number } {
  const c = { writes: 0, ms: 0 };
  const append = journal.append.bind(journal);
  journal.append = async (records, options = {}) => {
    const t0 = performance.now();
    try {
      return await append(records, options);
    } finally {
      if (options.sync !== false) {
        c.writes++;
        c.ms += performance.now() - t0;
      }
    }
  };
  return c;
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

/**
 * The virtual card with its own CPU time metered: a real card computes its cryptogram and
 * signature on its own chip, so what the card model spends here is not the terminal's. The
 * card answers synchronously, so process.cpuUsage around its transceive is its time alone.
 */
function meteredCard(): Omit<SimContactlessCard, 'transceive'> & { cpuMs: number; transceive(c: Uint8Array): Uint8Array } {
  const card = simContactlessCard(createCard(CARD, 'contactless'));
  const metered = {
    uid: card.uid,
    atqa: card.atqa,
    sak: card.sak,
    ats: card.ats,
    cpuMs: 0,
    transceive(c: Uint8Array): Uint8Array {
      const c0 = process.cpuUsage();
      try {
        return card.transceive(c);
      } finally {
        metered.cpuMs += cpuMs(process.cpuUsage(c0));
      }
    },
  };
  return metered;
}

/** A reader whose card answers at once (no chip model, no sim bus): what is left is the terminal's own work. */
function directReader(): ContactlessReader & { card: SimContactlessCard | undefined } {
  const info = { uid: new Uint8Array(4), atqa: Uint8Array.of(0, 4), sak: 0x20, protocol: 'iso14443-4' as const };
  const r = {
    card: undefined as SimContactlessCard | undefined,
    waitForCard: () => (r.card ? Promise.resolve(info) : Promise.reject(new HalError('HAL_TIMEOUT', 'no card'))),
    transceive: async (c: Uint8Array) => Uint8Array.from(await r.card!.transceive(c)),
    waitForRemoval: () => Promise.resolve(),
    release: () => Promise.resolve(),
    fieldOff: () => Promise.resolve(),
    selfTest: () => Promise.resolve({ ic: 0x32, version: 1, revision: 6, support: 7 }),
    close: () => Promise.resolve(),
  };
  return r;
}

/** The kernel alone, the same card and amount, the card answering at once: CPU ms per run (median of the last SALES of `n`), the card's own time taken out. */
async function kernelOnlyMs(n: number): Promise<number> {
  const samples: number[] = [];
  // One card for every run (personalisation signs its certificates once; its ATC counts on).
  const card = meteredCard();
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const card0 = card.cpuMs;
    await runTransaction({
      interface: 'contactless',
      params: { amount: AMOUNT, currency: 156, type: 0, date: '261128', time: '120000', unpredictableNumber: fromHex('11223344'), sequenceCounter: i + 1 },
      config: SAMPLE_TERMINAL,
      deps: { transceive: (c) => Promise.resolve(Uint8Array.from(card.transceive(c))) },
    });
    // The same steady state as the sales: the last SALES runs.
    if (i >= n - SALES) samples.push(cpuMs(process.cpuUsage(c0)) - (card.cpuMs - card0));
  }
  return median(samples);
}

interface SaleRun {
  /** Process CPU per sale less the card model's own. */
  cpuMs: number;
  /** The card model's own CPU per sale (median). */
  cardMs: number;
  writesPerSale: number;
  writeMs: number;
}

/** WARMUP + SALES approved taps through `readers` (the sim board's PN532, or a direct reader); the simulator at `port`. */
async function sales(port: number, board: boolean): Promise<SaleRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-bench-sale-'));
  const terminal = board ? await buildTerminal('sim') : undefined;
  const direct = directReader();
  const { journal } = await openJournal({ dir: journalDir(dir), deviceKey: { description: 'TEST bench key', deviceKey: async () => new Uint8Array(32).fill(0x42) } });
  const host = new HostClient({ layout, connect: () => connectChannel({ host: '127.0.0.1', port }), store: new JournalHostStore(journal, { deferStan: true }), terminalId: 'TERM0001' });
  const engine = createEngine({
    journal,
    host,
    layout,
    readers: terminal ? terminal.roles : { contactless: direct },
    terminal: SAMPLE_TERMINAL,
    merchant: { id: 'MERCHANT0000001', name: 'BENCH', terminalId: 'TERM0001' },
    cardRefKey: new Uint8Array(32).fill(7),
  });
  const nfc = terminal?.models.nfc as Pn532Model | undefined;
  const ui: EngineUi = { event: () => undefined, onlinePin: () => Promise.resolve('bypassed'), chooseApplication: () => Promise.resolve(0) };
  const syncs = countSyncs(journal);
  try {
    const cpu: number[] = [];
    const cardCpu: number[] = [];
    let writes = 0;
    let writeMs = 0;
    // One card for every sale (personalisation signs its certificates once; its ATC counts on).
    const card = meteredCard();
    for (let i = 0; i < WARMUP + SALES; i++) {
      if (nfc) nfc.insertCard(card);
      else direct.card = card;
      const before = { ...syncs };
      const c0 = process.cpuUsage();
      const card0 = card.cpuMs;
      const r = await engine.run({ type: 'sale', amount: AMOUNT, currency: 'CNY', operator: 'bench' }, ui);
      const used = cpuMs(process.cpuUsage(c0));
      const cardUsed = card.cpuMs - card0;
      if (nfc) for (const c of [...nfc.cards]) nfc.removeCard(c);
      direct.card = undefined;
      if (r.status !== 'approved') throw new Error(`sale ${i}: ${r.status} ${r.reason ?? ''}`);
      if (i < WARMUP) continue;
      cpu.push(used - cardUsed);
      cardCpu.push(cardUsed);
      writes += syncs.writes - before.writes;
      writeMs += syncs.ms - before.ms;
    }
    return { cpuMs: median(cpu), cardMs: median(cardCpu), writesPerSale: writes / SALES, writeMs: writeMs / SALES };
  } finally {
    await engine.close();
    await host.close();
    await journal.close();
    await terminal?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Benchmark = {
  name: 'sale',
  async run() {
    // A simulator per run: each card's balance at the simulator covers 1,000 sales of 1.00.
    const sims: ChildProcess[] = [];
    const port = async (): Promise<number> => {
      const sim = await forkSimulator();
      sims.push(sim.child);
      return sim.port;
    };
    try {
      const kernel = await kernelOnlyMs(WARMUP + SALES);
      const direct = await sales(await port(), false);
      const board = await sales(await port(), true);
      const raw = 1000 / rawAppendOps(500);
      return [
        {
          name: `terminal CPU per approved sale, card answering at once (engine, kernel, journal, host link; simulator in another process; the card model's own CPU, ${direct.cardMs.toFixed(2)} ms, taken out), median of ${SALES}`,
          value: direct.cpuMs,
          unit: 'ms',
          baseline: { name: 'EMV kernel alone, same card, card CPU out', value: kernel },
          goal: '<= 2 ms',
          met: direct.cpuMs <= 2,
        },
        {
          name: `the same on the sim board (PN532 driver + PN532 chip model + sim SPI bus in this process; the card model's CPU out), median of ${SALES}`,
          value: board.cpuMs,
          unit: 'ms',
          baseline: { name: 'EMV kernel alone, same card, card CPU out', value: kernel },
        },
        { name: 'durable writes (journal appends with sync) per approved sale', value: board.writesPerSale, unit: 'writes', goal: '<= 2', met: board.writesPerSale <= 2 && direct.writesPerSale <= 2 },
        {
          name: 'time in durable journal writes per approved sale',
          value: board.writeMs,
          unit: 'ms',
          baseline: { name: `2 x raw 300 B append + fdatasync (${raw.toFixed(3)} ms each)`, value: 2 * raw },
        },
      ] satisfies BenchFigure[];
    } finally {
      for (const child of sims) child.kill();
    }
  },
};

export default bench;

if (process.argv[2] === '--sim') {
  const server = await createSimulator({ layout }).listen(0);
  process.stdout.write(`port ${server.port}\n`);
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
  process.stdin.resume();
}
