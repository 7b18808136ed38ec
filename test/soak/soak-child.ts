// The terminal process of the soak (test/soak/soak-run.ts spawns it, SIGKILLs it at random
// moments and spawns it again): opens the data folder (journal, keys), runs recovery, then
// runs transactions FROM..FROM+COUNT-1 of the seeded stream against the acquirer simulator
// of the parent on loopback. One line on stdout per step: "ready <recovery json>",
// "start <i> <type> <card> <via>", "done <i> <status>", "print-fault <i> <what>", "end".
// Usage: soak-child.ts DATA_DIR PORT SEED FROM COUNT SPAWN
import { CRASH_STEPS, type CrashStep } from '../../src/txn/index.js';
import type { CardVia, EngineEvent, EngineUi, TxnRequest, TxnResult, TxnType } from '../../src/txn/types.js';
import { ReceiptPrinter } from '../../src/receipt/index.js';
import { EscPosPrinterModel } from '../../hal/devices/escpos/escpos.sim.js';
import { isPrintError } from '../../hal/roles/printer.js';
import { makeRig, testPinPad, type Rig } from '../txn/fixtures/rig.js';
import { rng, STREAM, type Rng } from './prng.js';

const [dataDir, portText, seedText, fromText, countText, spawnText] = process.argv.slice(2);
const port = Number(portText);
const seed = Number(seedText);
const from = Number(fromText);
const count = Number(countText);
/** This start's number; '-': no crash at a journal step (the parent's kill budget is spent). */
const spawnNo = spawnText === '-' ? undefined : Number(spawnText);
/** The client's response time limit; the parent's delay fault waits longer than this. */
export const CHILD_HOST_TIMEOUT_MS = 400;

const say = (line: string): void => void process.stdout.write(line + '\n');

/** Cards of the catalogue the stream uses, with the interfaces each is presented by. */
const CARDS: readonly { name: string; via: readonly CardVia[]; weight: number }[] = [
  { name: 'visa-online', via: ['tap', 'insert', 'swipe'], weight: 6 },
  { name: 'mastercard-online', via: ['tap', 'insert'], weight: 5 },
  { name: 'unionpay-online', via: ['tap', 'insert'], weight: 5 },
  { name: 'visa-offline', via: ['insert', 'tap'], weight: 3 },
  { name: 'online-pin', via: ['insert', 'tap'], weight: 2 },
  { name: 'mastercard-magstripe', via: ['tap'], weight: 1 },
  { name: 'decline-offline', via: ['tap', 'insert'], weight: 1 },
  // Pulled from the field at the second READ RECORD (mid-APDU exchange).
  { name: 'card-removed', via: ['tap', 'insert'], weight: 2 },
  { name: 'malformed-bad-tlv', via: ['tap', 'insert'], weight: 1 },
  { name: 'malformed-wrong-sw', via: ['insert', 'tap'], weight: 1 },
  { name: 'malformed-missing-data', via: ['insert'], weight: 1 },
  { name: 'malformed-duplicate-tags', via: ['insert'], weight: 1 },
];
const TYPES: readonly [TxnType, number][] = [
  ['sale', 40],
  ['void', 10],
  ['refund', 10],
  ['preauth', 10],
  ['completion', 8],
  ['preauth-cancel', 7],
  ['balance', 5],
];

function weighted<T>(r: Rng, items: readonly (readonly [T, number])[]): T {
  let x = r.next() * items.reduce((s, [, w]) => s + w, 0);
  for (const [item, w] of items) if ((x -= w) < 0) return item;
  return items[items.length - 1]![0];
}

let crashStep: CrashStep | undefined;
const rig: Rig = await makeRig({
  port,
  dataDir,
  hostTimeoutMs: CHILD_HOST_TIMEOUT_MS,
  crashAt: (step) => {
    if (step === crashStep) process.kill(process.pid, 'SIGKILL');
  },
});
const recovery = await rig.engine.recover();
say(`ready ${JSON.stringify(recovery)}`);

const printerModel = Object.values(rig.terminal.models).find((m): m is EscPosPrinterModel => m instanceof EscPosPrinterModel);
const printer = rig.terminal.roles.printer ? new ReceiptPrinter({ printer: rig.terminal.roles.printer }) : undefined;
const pinPad = testPinPad();

/** The original a by-reference transaction refers to: a seeded pick among the open batch's candidates. */
async function originalFor(r: Rng, type: TxnType): Promise<{ txnId: string; amount: number } | undefined> {
  const batch = await rig.engine.openBatch();
  const want = type === 'void' || type === 'refund' ? ['sale', 'completion'] : ['preauth'];
  const candidates = batch.filter((s) => s.result === 'approved' && !s.training && want.includes(s.type));
  if (candidates.length === 0) return undefined;
  const o = r.pick(candidates.slice(0, 8));
  return { txnId: o.txnId, amount: o.amount };
}

async function runOne(i: number): Promise<TxnResult> {
  const r = rng(seed, STREAM.txn, i);
  let type = weighted(r, TYPES);
  const card = weighted(r, CARDS.map((c) => [c, c.weight] as const));
  const via = r.pick(card.via);
  let request: TxnRequest = { type, amount: r.int(100, 2000), currency: 'CNY', operator: 'op1' };
  if (type !== 'sale' && type !== 'preauth' && type !== 'balance') {
    const o = await originalFor(r, type);
    if (o === undefined) type = 'sale';
    const amount = o === undefined ? request.amount : type === 'refund' ? Math.max(1, Math.floor(o.amount * r.next())) : type === 'completion' ? r.int(1, o.amount) : o.amount;
    request = { ...request, type, amount, ...(o ? { originalTxnId: o.txnId } : {}) };
  }
  // This spawn's own draw: a restarted terminal does not crash at the same step again.
  const s = spawnNo === undefined ? undefined : rng(seed, STREAM.step, i, spawnNo);
  crashStep = s?.chance(0.04) ? s.pick(CRASH_STEPS) : undefined;
  say(`start ${i} ${type} ${card.name} ${via}`);
  const abort = new AbortController();
  const watchdog = setTimeout(() => abort.abort(), 15_000);
  let asked = 0;
  const ui: EngineUi = {
    event: (e: EngineEvent) => {
      if (e.kind !== 'present-card' && e.kind !== 'insert-card' && e.kind !== 'fallback-swipe' && e.kind !== 'try-another-interface') return;
      asked++;
      const next: CardVia | undefined = asked === 1 ? via : asked === 2 ? (e.kind === 'fallback-swipe' ? 'swipe' : e.kind === 'insert-card' ? 'insert' : via === 'tap' ? 'insert' : 'swipe') : undefined;
      if (next === undefined) {
        abort.abort();
        return;
      }
      void (async () => {
        if (asked > 1) await rig.removeCards();
        await rig.present(card.name, next);
      })().catch((err: unknown) => say(`note ${i} present failed: ${(err as Error).message}`));
    },
    onlinePin: pinPad,
    chooseApplication: async () => 0,
    signal: abort.signal,
  };
  try {
    return await rig.engine.run(request, ui);
  } finally {
    clearTimeout(watchdog);
    await rig.removeCards();
  }
}

/** Merchant copy of some approved receipts; some with the paper running out mid-receipt, then refilled. */
async function maybePrint(i: number, result: TxnResult): Promise<void> {
  const r = rng(seed, STREAM.print, i);
  if (!printer || !printerModel || result.status !== 'approved' || !result.receipt || !r.chance(0.08)) return;
  const paperOut = r.chance(0.4);
  if (paperOut) printerModel.runOutAfter(r.int(0, 8));
  try {
    await printer.print(result.receipt, 'merchant');
    if (paperOut) say(`print-fault ${i} printed-despite-paper-out`);
  } catch (err) {
    if (!paperOut || !isPrintError(err) || err.reason !== 'paper-out') say(`print-fault ${i} ${(err as Error).message}`);
    printerModel.loadPaper();
    const again = await printer.print(result.receipt, 'merchant');
    if (again.outcome === 'already-printed') say(`print-fault ${i} not-printed-after-refill`);
  }
}

for (let i = from; i < from + count; i++) {
  const result = await runOne(i);
  say(`done ${i} ${result.status}${result.reason ? ` ${result.reason.replace(/\s+/g, '_').slice(0, 60)}` : ''}`);
  await maybePrint(i, result);
}
await rig.engine.settle();
await rig.close();
say('end');
