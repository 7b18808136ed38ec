// Every flow end to end on the sim board (issue 9 "Tests"): `pos run --board sim --control`
// in a child process; keypad presses and catalogue cards in through the control socket;
// the LCD text, the decoded receipts and the embedded simulator's ledger out. Signed in
// with the seeded TEST credentials of the sim data folder (src/users/first-boot.ts).
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsHook } from '../cli/fixtures/spawn-cli.js';
import { startTerminal, type RunningTerminal } from './fixtures/terminal.js';
import { testCard } from '../../emv/cards/catalogue.js';
import { maskPan } from '../../emv/track/pan.js';
import type { ControlVia } from '../../src/control/protocol.js';

t.setTimeout(900_000);

// The flows need the transaction engine and the receipt printer in the build (src/txn, src/receipt).
const wired = existsSync(new URL('../../src/txn/engine.ts', import.meta.url)) && existsSync(new URL('../../src/receipt/printer.ts', import.meta.url));
if (!tsHook || !wired) {
  t.pass(`skipped: ${tsHook ? 'no transaction engine or receipt printer in this tree' : 'needs the TypeScript import hook of tap'}`);
} else {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pos-e2e-'));
  let term: RunningTerminal;
  t.before(async () => {
    term = await startTerminal(dataDir);
  });
  t.teardown(async () => {
    await term?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A word printed double width on the receipt ("S A L E"). */
  const wide = (word: string): RegExp => new RegExp(word.replace(/ /g, '').split('').join('\\s*'));
  const BALANCE = 100_000; // the simulator's opening balance of every catalogue card (src/board/acquirer.ts)
  const card = (name: string): { approvals: number; reversals: number; declines: number; balanceMinor: number } => term.ledger().cards[name]!;

  /** Picks the list row matching `row` (paging with FUNC), by its number key. */
  async function pickRow(row: RegExp, since: number): Promise<void> {
    for (let page = 0; page < 6; page++) {
      const lcd = await term.lcd(/SELECT ORIGINAL/, since);
      const hit = lcd.find((l) => row.test(l));
      if (hit) return term.press(hit.trim()[0]!);
      since = term.mark();
      await term.press('FUNC');
    }
    throw new Error(`no list row ${row}`);
  }

  /** Keys an amount from idle (the first digit starts a sale), or into an amount screen. */
  const keyAmount = (digits: string): Promise<void> => term.press(...digits.split(''), 'ENTER');

  /** After a result: the merchant copy is printed, no customer copy, back to idle. */
  async function finish(since: number): Promise<string> {
    const receipt = await term.receipt(since);
    await term.screen('customer-copy', since);
    await term.press('CANCEL');
    await term.screen('idle', since);
    return receipt;
  }

  async function sale(t: Test, amount: string, name: string, via: ControlVia, extra: { pin?: boolean; chipFirst?: boolean } = {}): Promise<{ lcd: string[]; receipt: string; txn: { status?: string } }> {
    const m = term.mark();
    await keyAmount(amount);
    await term.screen('present-card', m);
    await term.present(name, via);
    if (extra.chipFirst) {
      await term.screen('insert-card', m);
      await term.present(name, 'insert');
    }
    // Contact chips of the catalogue ask for online PIN when the terminal supports it (CVM
    // list 42 03: enciphered PIN online, if supported; EMV Book 3 C3); some taps do too.
    const next = await term.firstScreen(['pin', 'result'], m);
    if (extra.pin) t.equal(next.screen, 'pin', 'the PIN pad was shown');
    if (next.screen === 'pin') await term.press('1', '2', '3', '4', 'ENTER');
    const state = await term.screen('result', m);
    const lcd = await term.lcd(/APPROVED|DECLINED/, m);
    const receipt = await finish(m);
    await term.remove();
    return { lcd, receipt, txn: state.txn as { status?: string } };
  }

  t.test('sign in as the TEST cashier (operator PIN)', async (t) => {
    const m = 0;
    await term.screen('sign-in', m);
    const since = term.mark();
    await term.type('cashier-test');
    await term.press('ENTER');
    await term.press('2', '5', '8', '0', 'ENTER');
    await term.screen('idle', since);
    t.match((await term.lcd(/OP cashier-test/, since)).join('\n'), /READY/);
  });

  t.test('sale, tap: approved online; LCD, receipt and ledger agree', async (t) => {
    const r = await sale(t, '1250', 'visa-online', 'tap');
    t.match(r.lcd.join('\n'), /APPROVED[\s\S]*CNY 12\.50[\s\S]*AUTH CODE \d{6}/);
    t.match(r.receipt, /MERCHANT COPY/);
    t.match(r.receipt, wide('SALE'));
    t.match(r.receipt, new RegExp(maskPan(testCard('visa-online').pan).replace(/\*/g, '\\*')), 'masked PAN: first 6, last 4');
    t.notMatch(r.receipt, new RegExp(testCard('visa-online').pan), 'never the full PAN');
    t.match(r.receipt, /CONTACTLESS/);
    t.match(r.receipt, /12\.50/);
    t.match(r.receipt, /AID +A0000000031010/);
    t.equal(card('visa-online').approvals, 1);
    t.equal(card('visa-online').balanceMinor, BALANCE - 1250);
  });

  t.test('sale, insert: Mastercard chip approved', async (t) => {
    const r = await sale(t, '2000', 'mastercard-online', 'insert');
    t.match(r.lcd.join('\n'), /APPROVED/);
    t.match(r.receipt, /CHIP/);
    t.equal(card('mastercard-online').balanceMinor, BALANCE - 2000);
  });

  t.test('sale, swipe of a chip card: sent to the chip reader (service code 2xx), approved as chip', async (t) => {
    const r = await sale(t, '300', 'unionpay-online', 'swipe', { chipFirst: true });
    t.match(r.lcd.join('\n'), /APPROVED/);
    t.match(r.receipt, /CHIP/);
    t.notMatch(r.receipt, /SWIPE/);
    t.equal(card('unionpay-online').balanceMinor, BALANCE - 300);
  });

  t.test('sale with online PIN (chip whose CVM list is enciphered PIN online, always): PIN entered on the keypad, verified by the host', async (t) => {
    const r = await sale(t, '450', 'online-pin', 'insert', { pin: true });
    t.match(r.lcd.join('\n'), /APPROVED/);
    t.match(r.receipt, /PIN VERIFIED/);
    t.equal(card('online-pin').balanceMinor, BALANCE - 450);
    t.equal(card('online-pin').approvals, 1);
  });

  t.test('sale with offline PIN (plaintext, checked by the card): a wrong PIN, the tries left on the LCD, then the right PIN', async (t) => {
    const m = term.mark();
    await keyAmount('640');
    await term.screen('present-card', m);
    await term.present('offline-pin', 'insert');
    await term.screen('pin', m);
    const wrong = term.mark();
    await term.press('9', '9', '9', '9', 'ENTER');
    // The card answered 63C2 (Book 3 6.5.12): asked again, with the tries left.
    t.match((await term.lcd(/WRONG PIN: 2 LEFT/, wrong)).join('\n'), /ENTER PIN/);
    await term.press('1', '2', '3', '4', 'ENTER');
    await term.screen('result', m);
    t.match((await term.lcd(/APPROVED|DECLINED/, m)).join('\n'), /APPROVED/);
    const receipt = await finish(m);
    await term.remove();
    t.match(receipt, /PIN VERIFIED/);
    t.notMatch(receipt, /1234|9999/, 'no PIN on the receipt');
  });

  t.test('decline: the card declines offline (AAC); a declined receipt; no money moves', async (t) => {
    const r = await sale(t, '700', 'decline-offline', 'tap');
    t.match(r.lcd.join('\n'), /DECLINED/);
    t.match(r.receipt, /DECLINED/);
    t.equal(card('decline-offline').balanceMinor, BALANCE);
    t.equal(card('decline-offline').approvals, 0);
  });

  async function supervisor(since: number): Promise<void> {
    await term.screen('supervisor', since);
    await term.type('super-test');
    await term.press('ENTER');
    await term.type('Test-only-Sup3r!');
    await term.press('ENTER');
  }

  t.test('void (supervisor password): the Mastercard sale is voided at the host', async (t) => {
    const m = term.mark();
    await term.press('FUNC');
    await term.screen('menu', m);
    await term.press('2');
    await supervisor(m);
    await term.screen('pick-original', m);
    await pickRow(/\*\d{4} CNY 20\.00/, m);
    await term.screen('confirm', m);
    await term.press('ENTER');
    await term.screen('result', m);
    t.match((await term.lcd(/APPROVED/, m)).join('\n'), /VOID/);
    t.match(await finish(m), wide('VOID'));
    t.equal(card('mastercard-online').balanceMinor, BALANCE, 'the money is back');
    t.ok(term.ledger().transactions.some((x) => x.card === 'mastercard-online' && x.state === 'voided'));
  });

  t.test('partial refund (supervisor): 5.00 of the 12.50 sale', async (t) => {
    const m = term.mark();
    await term.press('FUNC');
    await term.screen('menu', m);
    await term.press('3');
    await supervisor(m);
    await term.screen('pick-original', m);
    await pickRow(/CNY 12\.50/, m);
    await term.screen('amount', m);
    await term.press('CLEAR', 'CLEAR', 'CLEAR', 'CLEAR');
    await keyAmount('500');
    await term.screen('result', m);
    t.match((await term.lcd(/APPROVED/, m)).join('\n'), /REFUND/);
    t.match(await finish(m), wide('REFUND'));
    t.equal(card('visa-online').balanceMinor, BALANCE - 1250 + 500);
  });

  t.test('pre-authorisation, then completion of a smaller amount', async (t) => {
    let m = term.mark();
    await term.press('FUNC');
    await term.screen('menu', m);
    await term.press('4');
    await term.screen('amount', m);
    await keyAmount('8000');
    await term.screen('present-card', m);
    await term.present('visa-offline', 'tap');
    // Above the contactless CVM limit (50.00 in the sample configuration) the card may ask for online PIN.
    if ((await term.firstScreen(['pin', 'result'], m)).screen === 'pin') await term.press('1', '2', '3', '4', 'ENTER');
    await term.screen('result', m);
    t.match((await term.lcd(/APPROVED/, m)).join('\n'), /PRE-AUTH/);
    await finish(m);
    await term.remove();
    m = term.mark();
    await term.press('FUNC');
    await term.screen('menu', m);
    await term.press('5');
    await term.screen('pick-original', m);
    await pickRow(/CNY 80\.00/, m);
    await term.screen('amount', m);
    await term.press('CLEAR', 'CLEAR', 'CLEAR', 'CLEAR');
    await keyAmount('7500');
    await term.screen('result', m);
    t.match((await term.lcd(/APPROVED/, m)).join('\n'), /COMPLETION/);
    t.match(await finish(m), wide('COMPLETION'));
    t.equal(card('visa-offline').balanceMinor, BALANCE - 7500, 'the hold became a charge of the completed amount');
  });

  t.test('settlement by the TEST finance user: the host agrees with the batch', async (t) => {
    let m = term.mark();
    await term.press('F1');
    await term.screen('menu', m);
    await term.press('6'); // sign out
    await term.screen('sign-in', m);
    m = term.mark();
    // The operator ID field starts with the last operator's ID: clear it first.
    await term.press(...Array<string>('cashier-test'.length).fill('CLEAR'));
    await term.type('finance-test');
    await term.press('ENTER');
    await term.type('Test-only-F1nance!');
    await term.press('ENTER');
    await term.screen('idle', m);
    m = term.mark();
    await term.press('F1');
    await term.screen('menu', m);
    await term.press('3');
    await term.screen('settle', m);
    await term.press('ENTER');
    await term.screen('settle-result', m, 120_000);
    t.match((await term.lcd(/SETTLED/, m)).join('\n'), /SETTLED/);
    const z = await term.receipt(m);
    t.match(z, wide('Z REPORT'));
    t.match(z, wide('BATCH CLOSED'), 'the Z report says the settlement closed the batch');
    const recon = term.ledger().reconciliations;
    t.ok(recon.length >= 1 && recon.every((r) => r.balanced || recon.some((x) => x.batch === r.batch && x.balanced)), 'the 0500 balanced');
  });
}
