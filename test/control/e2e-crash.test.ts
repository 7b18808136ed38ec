// The crash test through the whole terminal: `pos run --board sim` is SIGKILLed mid-sale,
// after the host approved and before the outcome was journalled (POS_CRASH_AT, the
// engine's test hook); the next start reverses that authorisation with the host exactly
// once, and a further restart does not reverse it again. The proof is the embedded
// simulator's ledger file, which outlives the process.
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsHook } from '../cli/fixtures/spawn-cli.js';
import { startTerminal } from './fixtures/terminal.js';

t.setTimeout(900_000);

// The flows need the transaction engine and the receipt printer in the build (src/txn, src/receipt).
const wired = existsSync(new URL('../../src/txn/engine.ts', import.meta.url)) && existsSync(new URL('../../src/receipt/printer.ts', import.meta.url));
if (!tsHook || !wired) {
  t.pass(`skipped: ${tsHook ? 'no transaction engine or receipt printer in this tree' : 'needs the TypeScript import hook of tap'}`);
} else {
  t.test('SIGKILL between the host answer and its journal record: reversed once at restart', async (t) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pos-e2e-crash-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTerminal(dataDir, { POS_CRASH_AT: 'after-response' });
    await first.screen('sign-in', 0);
    let m = first.mark();
    await first.type('cashier-test');
    await first.press('ENTER', '2', '5', '8', '0', 'ENTER');
    await first.screen('idle', m);
    m = first.mark();
    const died = new Promise<NodeJS.Signals | null>((r) => first.child.on('exit', (_code, signal) => r(signal)));
    await first.press('1', '2', '5', '0', 'ENTER');
    await first.screen('present-card', m);
    await first.present('visa-online', 'tap');
    t.equal(await died, 'SIGKILL', 'the terminal died mid-sale');
    const approvedThen = first.ledger();
    t.equal(approvedThen.cards['visa-online']!.approvals, 1, 'the host had approved it');
    t.equal(approvedThen.cards['visa-online']!.balanceMinor, 100_000 - 1250);

    const second = await startTerminal(dataDir);
    t.equal(second.ledger().cards['visa-online']!.reversals, 1, 'reversed at the restart');
    t.equal(second.ledger().cards['visa-online']!.balanceMinor, 100_000, 'the money is back');
    t.equal(await second.stop(), 0);

    const third = await startTerminal(dataDir);
    t.equal(third.ledger().cards['visa-online']!.reversals, 1, 'exactly once: not reversed again');
    t.equal(third.ledger().transactions.filter((x) => x.card === 'visa-online' && x.state === 'reversed').length, 1);
    t.equal(await third.stop(), 0);
  });
}
