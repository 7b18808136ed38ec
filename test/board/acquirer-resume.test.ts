// The sim board's embedded acquirer simulator restarts with the terminal: it takes up the
// books of the previous run from its ledger file, so a reversal sent after a crash finds
// its original and moves the money back exactly once.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSimulator } from '../../src/board/acquirer.js';
import { loopbackChannels } from '../../src/host/channel.js';
import { HostClient } from '../../src/host/client.js';
import { loadLayout } from '../../src/host/iso8583/layout.js';
import { financialRequest } from '../../src/host/messages.js';
import { MemoryHostStore } from '../../src/host/store.js';
import type { LedgerJson } from '../../src/host/simulator/ledger.js';
import type { AcquirerSimulator } from '../../src/host/simulator/simulator.js';
import { testCard } from '../../emv/cards/catalogue.js';

const layout = loadLayout('binary');
const dir = mkdtempSync(path.join(os.tmpdir(), 'pos-acquirer-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ledgerFile = path.join(dir, 'host-sim-ledger.json');
const card = testCard('visa-online');

const clientOf = (sim: AcquirerSimulator, store: MemoryHostStore): HostClient =>
  new HostClient({
    layout,
    store,
    terminalId: 'TERM0001',
    timeouts: { '02': 2000, '04': 2000 },
    connect: async () => {
      const [a, b] = loopbackChannels();
      sim.attach(b);
      return a;
    },
  });

const readLedger = async (): Promise<LedgerJson> => {
  // The simulator rewrites the file after each change, asynchronously.
  await new Promise((r) => setTimeout(r, 200));
  return JSON.parse(readFileSync(ledgerFile, 'utf8')) as LedgerJson;
};

t.test('a sale approved before the restart is reversed once after it', async (t) => {
  const store = new MemoryHostStore();
  const first = createSimulator({ layout, ledgerFile, resume: true });
  const before = clientOf(first, store);
  // A swiped sale (entry mode 901: magnetic stripe, PIN capable): no field 55 to verify.
  const sale = financialRequest(layout, { kind: 'sale', pan: card.pan, expiry: card.expiry, amountMinor: 1250, currency: '156', entryMode: '901', merchantId: 'MERCHANT0000001' });
  sale.set(11, String(await store.nextStan()).padStart(6, '0'));
  const res = await before.request(sale);
  t.equal(res.text(39), '00', 'approved');
  await before.close();
  const saved = await readLedger();
  t.equal(saved.cards['visa-online']!.balanceMinor, 100_000 - 1250);

  // The process dies; a new simulator starts on the same ledger file.
  const second = createSimulator({ layout, ledgerFile, resume: true });
  t.equal(second.card('visa-online')!.balanceMinor, 100_000 - 1250, 'the balance carried over');
  t.equal(second.ledger.transactions.length, 1, 'the approved sale carried over');
  const after = clientOf(second, store);
  await after.queueReversal(sale);
  t.same(await store.queued('reversal'), [], 'the reversal was acknowledged');
  const ledger = await readLedger();
  t.equal(ledger.cards['visa-online']!.balanceMinor, 100_000, 'money back');
  t.equal(ledger.cards['visa-online']!.reversals, 1, 'reversed once');
  t.equal(ledger.transactions.filter((x) => x.state === 'reversed').length, 1);
  await after.close();
});

t.test('without resume, or with no file, the books start fresh; a damaged file is an error, left alone', async (t) => {
  const fresh = createSimulator({ layout, ledgerFile });
  t.equal(fresh.card('visa-online')!.balanceMinor, 100_000);
  const missing = createSimulator({ layout, ledgerFile: path.join(dir, 'none.json'), resume: true });
  t.equal(missing.ledger.transactions.length, 0);
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '{"cards": ');
  t.throws(() => createSimulator({ layout, ledgerFile: bad, resume: true }), /not JSON/);
  t.equal(readFileSync(bad, 'utf8'), '{"cards": ');
});
