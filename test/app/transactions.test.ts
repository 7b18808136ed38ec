// The keypad application on the sim board, transactions: void and refund behind the
// supervisor password, pre-auth family, balance, CANCEL at every prompt, a screen for every
// engine event, paper-out retry and reprint. Keys go through the sim keypad and its driver;
// the LCD is read from the HD44780 model. The engine and printer are scripted doubles.
import t from 'tap';
import { QUICK, openRig, sale, type Rig } from './helpers.js';

// Each flow presses dozens of keys through the debouncing driver; on a loaded machine that takes a while.
t.setTimeout(900_000);

/** Every screen id shown in this file, checked at the end. */
const seen = new Set<string>();
const open = (t: Parameters<typeof openRig>[0], options: Parameters<typeof openRig>[2] = {}): Promise<Rig> => openRig(t, seen, options);

t.test('void needs a supervisor password: wrong, not a supervisor, then right', async (t) => {
  const r = await open(t);
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await sale(r, ['2', '0', '0', '0']);
  // Wrong password.
  await r.press('FUNC', '2');
  t.match((await r.screen('supervisor', /SUPERVISOR ID:/)).join('\n'), /SUPERVISOR/);
  await r.type(QUICK.supervisor.id);
  await r.screen('supervisor', /PASSWORD:/);
  await r.type('9a-0000000');
  await r.screen('supervisor', /WRONG PASSWORD/);
  await r.press('ENTER');
  await r.screen('idle');
  // A finance user's right password: not a supervisor.
  await r.press('FUNC', '2');
  await r.screen('supervisor', /SUPERVISOR ID:/);
  await r.type(QUICK.finance.id);
  await r.screen('supervisor', /PASSWORD:/);
  await r.type(QUICK.finance.password);
  await r.screen('supervisor', /NOT A SUPERVISOR/);
  await r.press('ENTER');
  await r.screen('idle');
  t.equal(r.engine.requests.length, 1, 'nothing ran');
  // Right. The password shows as stars, and key listeners (the control channel) get stars.
  await r.press('FUNC', '2');
  await r.screen('supervisor', /SUPERVISOR ID:/);
  await r.type(QUICK.supervisor.id);
  await r.screen('supervisor', /PASSWORD:/);
  const before = r.keyEvents.length;
  await r.type(QUICK.supervisor.password, false);
  t.match(r.app.view().lines[2], /^\*{10}$/, 'stars only');
  t.same(new Set(r.keyEvents.slice(before)), new Set(['*']), 'no password key reaches a listener');
  await r.press('ENTER');
  const pick = await r.screen('pick-original');
  t.match(pick.join('\n'), /SELECT ORIGINAL[\s\S]*1 \*0010 CNY 20\.00/);
  await r.press('1');
  t.match((await r.screen('confirm')).join('\n'), /VOID[\s\S]*CNY 20\.00[\s\S]*ENTER=OK/);
  await r.press('ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  await r.screen('idle');
  t.same(r.engine.requests[1], { type: 'void', amount: 2000, currency: 'CNY', operator: 'c1', originalTxnId: 'T1' });
  t.same(r.printer.printed.map((p) => p.copy), ['merchant', 'merchant'], 'no customer copy after CANCEL');
});

t.test('refund (partial), pre-auth, completion, pre-auth cancel, balance', async (t) => {
  const r = await open(t);
  await r.signIn(QUICK.supervisor.id, QUICK.supervisor.password);
  await sale(r, ['1', '2', '3', '4']);
  // Refund: the supervisor signed in is offered as the approver.
  await r.press('FUNC', '3');
  const sup = await r.screen('supervisor', /SUPERVISOR ID:/);
  t.equal(sup[2], QUICK.supervisor.id);
  await r.press('ENTER');
  await r.screen('supervisor', /PASSWORD:/);
  await r.type(QUICK.supervisor.password);
  await r.screen('pick-original');
  await r.press('1');
  await r.screen('amount', /CNY 12\.34/);
  await r.press('CLEAR', 'CLEAR', 'CLEAR', 'CLEAR', '5', '0', '0', 'ENTER');
  await r.screen('present-card', /CNY 5\.00/);
  r.engine.present('swipe');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  t.same(r.engine.requests[1], { type: 'refund', amount: 500, currency: 'CNY', operator: 'sa', originalTxnId: 'T1' });
  // Pre-auth, then its completion for less.
  await r.press('FUNC', '4');
  await r.screen('amount', /PRE-AUTH/);
  await r.press('3', '00', '00', 'ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  await r.press('FUNC', '5');
  const pick = await r.screen('pick-original');
  t.match(pick.join('\n'), /1 \*0010 CNY 300\.00/, 'only the pre-auth is offered');
  t.notMatch(pick.join('\n'), /12\.34/);
  await r.press('1');
  await r.screen('amount', /CNY 300\.00/);
  await r.press('CLEAR', 'CLEAR', 'CLEAR', '9', '9', 'ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  t.match(r.engine.requests[3], { type: 'completion', amount: 3099, originalTxnId: 'T3' });
  // Pre-auth cancel: supervisor, pick, confirm.
  await r.press('FUNC', '6');
  await r.screen('supervisor', /SUPERVISOR ID:/);
  await r.press('ENTER');
  await r.screen('supervisor', /PASSWORD:/);
  await r.type(QUICK.supervisor.password);
  await r.screen('pick-original');
  await r.press('1');
  await r.screen('confirm', /PRE-AUTH CANCEL/);
  await r.press('ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  t.match(r.engine.requests[4], { type: 'preauth-cancel', amount: 30000, originalTxnId: 'T3' });
  // Balance: no amount entry; the balance the host returned.
  r.engine.next = { balance: 100_000 };
  await r.press('FUNC', '7');
  await r.screen('present-card');
  r.engine.present('tap');
  const balance = await r.screen('customer-copy');
  t.match(r.views.filter((v) => v.screen === 'result').at(-1)!.lines.join('\n'), /BALANCE[\s\S]*CNY 1000\.00/);
  t.ok(balance);
  await r.press('CANCEL');
  t.match(r.engine.requests[5], { type: 'balance', amount: 0 });
});

t.test('CANCEL at every prompt goes back without running anything', async (t) => {
  const r = await open(t);
  await r.screen('sign-in');
  await r.press('2', 'CANCEL');
  await r.screen('sign-in');
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await sale(r, ['1', '0', '0']);
  const cases: [string[], string][] = [
    [['FUNC'], 'menu'],
    [['5'], 'amount'],
    [['FUNC', '2'], 'supervisor'],
    [['FUNC', '5'], 'pick-original'],
    [['FUNC', '8'], 'reprint'],
  ];
  for (const [keys, screen] of cases) {
    await r.press(...keys);
    await r.screen(screen);
    await r.press('CANCEL');
    await r.screen('idle');
  }
  // Supervisor password prompt, then the original pick and the void confirmation.
  await r.press('FUNC', '2');
  await r.screen('supervisor');
  await r.type(QUICK.supervisor.id);
  await r.screen('supervisor', /PASSWORD/);
  await r.press('CANCEL');
  await r.screen('idle');
  await r.press('FUNC', '2');
  await r.screen('supervisor');
  await r.type(QUICK.supervisor.id);
  await r.type(QUICK.supervisor.password);
  await r.screen('pick-original');
  await r.press('1');
  await r.screen('confirm');
  await r.press('CANCEL');
  await r.screen('idle');
  t.equal(r.engine.requests.length, 1, 'only the first sale ran');
  // CANCEL while the card is awaited aborts the engine through EngineUi.signal.
  await r.press('7', 'ENTER');
  await r.screen('present-card');
  await r.press('CANCEL');
  t.match((await r.screen('result')).join('\n'), /CANCELLED/);
  t.match(r.app.view().txn, { type: 'sale', amount: 7, status: 'cancelled' });
  await r.press('ENTER');
  await r.screen('idle');
  t.equal(r.printer.printed.length, 1, 'nothing printed for the cancelled sale');
  // Choosing an application: CANCEL ends the transaction.
  r.engine.next = { applications: ['VISA CREDIT', 'VISA DEBIT'] };
  await r.press('8', 'ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  await r.screen('choose-app');
  await r.press('CANCEL');
  await r.screen('result', /CANCELLED/);
  t.same(r.engine.chosen, [undefined]);
});

t.test('a screen for every engine event', async (t) => {
  const r = await open(t);
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await r.screen('idle');
  // A chip card swiped: insert it; then the chip fails: swipe (fallback); the result is a decline with its reason.
  r.engine.next = {
    outcome: 'declined',
    afterRead: async (ui) => {
      ui.event({ kind: 'insert-card' });
      await r.screen('insert-card', /PLEASE INSERT CARD/);
      ui.event({ kind: 'try-another-interface', via: ['insert', 'swipe'] });
      await r.screen('try-another', /INSERT\/SWIPE/);
      ui.event({ kind: 'fallback-swipe' });
      await r.screen('fallback-swipe', /CHIP READ FAILED[\s\S]*PLEASE SWIPE CARD/);
    },
  };
  await r.press('1', 'ENTER');
  await r.screen('present-card');
  r.engine.present('swipe');
  await r.screen('customer-copy');
  const declined = r.views.filter((v) => v.screen === 'result').at(-1)!;
  t.match(declined.lines.join('\n'), /DECLINED[\s\S]*INSUFFICIENT FUNDS[\s\S]*CODE 51/, 'the decline with its reason in words and the code');
  t.match(declined.txn, { status: 'declined' });
  await r.press('CANCEL');
  await r.screen('idle');
  // Refused by a risk limit before any card.
  r.engine.next = { refuse: 'amount-over-limit' };
  await r.press('9', 'ENTER');
  await r.screen('result', /AMOUNT OVER LIMIT/);
  t.ok(r.screens.includes('refused'));
  await r.press('ENTER');
  // Card error, host unavailable: their screen, then the failed result.
  for (const [outcome, digit, via] of [['card-error', '2', 'insert'], ['host-unavailable', '3', 'tap']] as const) {
    r.engine.next = { outcome };
    await r.press(digit, 'ENTER');
    await r.screen('present-card');
    r.engine.present(via);
    await r.screen('result', /TRANSACTION FAILED/);
    t.ok(r.screens.includes(outcome), `screen ${outcome}`);
    await r.press('ENTER');
  }
  // Application choice: the second of two.
  r.engine.next = { applications: ['UNIONPAY DEBIT', 'UNIONPAY CREDIT'] };
  await r.press('4', 'ENTER');
  await r.screen('present-card');
  r.engine.present('insert');
  t.match((await r.screen('choose-app')).join('\n'), /SELECT APPLICATION[\s\S]*1 UNIONPAY DEBIT[\s\S]*2 UNIONPAY CREDIT/);
  await r.press('2');
  await r.screen('customer-copy');
  t.same(r.engine.chosen, [1]);
  await r.press('CANCEL');
});

t.test('paper out: load paper and retry; cover open; reprint last and by number', async (t) => {
  const r = await open(t);
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await r.screen('idle');
  r.printer.failures = ['paper-out'];
  await r.press('6', 'ENTER');
  await r.screen('present-card');
  r.engine.present('tap');
  const out = await r.screen('paper-out');
  t.match(out.join('\n'), /PAPER OUT[\s\S]*LOAD PAPER[\s\S]*ENTER=RETRY/);
  t.same(r.printer.printed, [], 'nothing printed yet');
  await r.press('ENTER');
  await r.screen('customer-copy');
  t.same(r.printer.printed.map((p) => p.copy), ['merchant'], 'the retry printed the merchant copy');
  r.printer.failures = ['cover-open'];
  await r.press('ENTER');
  await r.screen('printer-error', /PRINTER COVER OPEN/);
  await r.press('CANCEL');
  await r.screen('idle');
  t.same(r.printer.printed.map((p) => p.copy), ['merchant'], 'CANCEL skipped the customer copy');
  // Reprint the last receipt, then one by its trace number.
  await sale(r, ['7', '7']);
  await r.press('FUNC', '8');
  await r.screen('reprint', /1 LAST RECEIPT/);
  await r.press('1');
  await r.screen('idle');
  t.same(r.printer.printed.at(-1), { copy: 'merchant', txnId: 'T2', reprint: true });
  await r.press('FUNC', '8');
  await r.screen('reprint');
  await r.press('2');
  await r.screen('reprint', /TRACE NUMBER/);
  await r.press('1', 'ENTER');
  await r.screen('idle');
  t.same(r.printer.printed.at(-1), { copy: 'merchant', txnId: 'T1', reprint: true });
  await r.press('FUNC', '8', '2');
  await r.screen('reprint', /TRACE NUMBER/);
  await r.press('9', '9', 'ENTER');
  await r.screen('reprint', /NOT FOUND/);
  await r.press('ENTER');
  await r.screen('idle');
});

t.test('every screen of these flows was reached', async (t) => {
  const screens = ['idle', 'menu', 'amount', 'present-card', 'insert-card', 'try-another', 'fallback-swipe', 'reading-card', 'remove-card', 'authorising', 'refused', 'card-error', 'host-unavailable', 'result', 'choose-app', 'printing', 'customer-copy', 'paper-out', 'printer-error', 'supervisor', 'pick-original', 'confirm', 'reprint'];
  // With sign-in.test.ts ('sign-in', 'not-allowed', reports, settlement, training, sign-out) and pin.test.ts ('pin'): every screen id of terminal-app.ts.
  t.same(screens.filter((s) => !seen.has(s)), [], 'screens never shown');
});

t.test('refund of a sale from a batch already settled: by the trace number on its receipt', async (t) => {
  const r = await open(t);
  await r.signIn(QUICK.supervisor.id, QUICK.supervisor.password);
  await sale(r, ['1', '2', '3', '4']);
  const original = r.engine.batch[0]!;
  r.engine.openBatchNumber = 2; // settled: the open batch is empty
  const refundMenu = async (): Promise<void> => {
    await r.press('FUNC', '3');
    await r.screen('supervisor', /SUPERVISOR ID:/);
    await r.press('ENTER');
    await r.screen('supervisor', /PASSWORD:/);
    await r.type(QUICK.supervisor.password);
  };
  // An unknown trace number: NOT FOUND, nothing runs.
  await refundMenu();
  await r.screen('pick-original', /TRACE NUMBER:/);
  await r.type('99');
  await r.screen('pick-original', /NOT FOUND/);
  await r.press('ENTER');
  await r.screen('idle');
  t.equal(r.engine.requests.length, 1, 'no refund was started');
  // The receipt's trace number finds the settled sale; the cashier confirms card and amount.
  await refundMenu();
  await r.screen('pick-original', /TRACE NUMBER:/);
  await r.type(String(original.receipt.stan));
  const confirm = await r.screen('pick-original', /\*0010 CNY 12\.34/);
  t.match(confirm.join('\n'), new RegExp(original.at.slice(0, 10)), 'the date of the sale is shown');
  await r.press('ENTER');
  await r.screen('amount', /CNY 12\.34/);
  await r.press('ENTER');
  await r.screen('present-card');
  r.engine.present('tap');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  t.same(r.engine.requests[1], { type: 'refund', amount: 1234, currency: 'CNY', operator: 'sa', originalTxnId: original.txnId });
});

t.test('refund with sales in the open batch: EARLIER BATCH is the last row of the pick list', async (t) => {
  const r = await open(t);
  await r.signIn(QUICK.supervisor.id, QUICK.supervisor.password);
  await sale(r, ['5', '0', '0']);
  await r.press('FUNC', '3');
  await r.screen('supervisor', /SUPERVISOR ID:/);
  await r.press('ENTER');
  await r.screen('supervisor', /PASSWORD:/);
  await r.type(QUICK.supervisor.password);
  const pick = await r.screen('pick-original', /EARLIER BATCH/);
  t.match(pick.join('\n'), /1 \*0010 CNY 5\.00/);
  t.match(pick.join('\n'), /2 EARLIER BATCH/);
  await r.press('2');
  await r.screen('pick-original', /TRACE NUMBER:/);
  await r.press('CANCEL');
  await r.screen('idle');
  t.equal(r.engine.requests.length, 1, 'cancelled: no refund');
});
