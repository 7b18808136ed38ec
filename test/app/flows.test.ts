// The keypad application on the sim board: keys pressed on the keypad model reach the app
// through the matrix-keypad driver; the LCD is read back from the HD44780 model's display
// memory. Sign-in with the sim folder's TEST credentials, every menu item, role refusals,
// the supervisor password, CANCEL at every prompt, paper-out retry, and a screen for every
// engine event. The engine, settlement and printer are scripted doubles (see helpers.ts).
import t, { type Test } from 'tap';
import { QUICK, rig, type Rig } from './helpers.js';
import { TEST_CREDENTIALS, TEST_TOTP_SECRET } from '../../src/users/first-boot.js';
import { base32Decode, totp } from '../../src/users/totp.js';

// Each flow presses dozens of keys through the debouncing driver; on a loaded machine that takes a while.
t.setTimeout(900_000);

const cashier = TEST_CREDENTIALS.find((c) => c.role === 'cashier')!;
const admin = TEST_CREDENTIALS.find((c) => c.role === 'admin')!;

/** Every screen id shown in this file, checked against the catalogue of screens at the end. */
const seen = new Set<string>();

async function open(t: Test, options: Parameters<typeof rig>[1] = {}): Promise<Rig> {
  const r = await rig(t, options);
  t.teardown(async () => {
    for (const s of r.screens) seen.add(s);
    await r.close();
  });
  return r;
}

/** A cashier sale of `amount` keyed on the idle screen, approved with a tap, no customer copy. */
async function sale(r: Rig, digits: string[]): Promise<void> {
  await r.screen('idle');
  await r.press(...digits, 'ENTER');
  await r.screen('present-card');
  r.engine.present('tap');
  await r.screen('customer-copy');
  await r.press('CANCEL');
  await r.screen('idle');
}

t.test('sign in with the seeded TEST cashier, then a sale to the customer copy', async (t) => {
  const r = await open(t);
  const first = await r.screen('sign-in');
  t.equal(first[0]!.trim(), 'SIGN IN');
  t.equal(first[1], 'OPERATOR ID:');
  await r.signIn(cashier.id, cashier.pin!);
  const idle = await r.screen('idle');
  t.same(idle, ['   TEST MERCHANT', '       READY', `OP ${cashier.id}`, '2026-11-28     09:05'], 'merchant, ready, operator, date and time');

  // Typing digits on the idle screen starts a sale; they shift in from the right in cents.
  await r.press('1', '2', '3', '4');
  const amount = await r.screen('amount', /CNY 12\.34/);
  t.equal(amount[0]!.trim(), 'SALE');
  t.match(r.app.view().txn, { type: 'sale', amount: 1234, currency: 'CNY' });
  await r.press('ENTER');
  const present = await r.screen('present-card');
  t.same(present.slice(1, 4).map((l) => l.trim()), ['CNY 12.34', 'PRESENT CARD', 'TAP/INSERT/SWIPE']);
  r.engine.present('tap');
  await r.screen('customer-copy', /CUSTOMER COPY\?/);
  t.same(r.printer.printed, [{ copy: 'merchant', txnId: 'T1', reprint: false }], 'the merchant copy printed first');
  t.match(r.app.view().txn, { type: 'sale', amount: 1234, status: 'approved', txnId: 'T1' });
  t.match(r.app.view().lines.join('\n'), /APPROVED/);
  await r.press('ENTER');
  await r.screen('idle');
  t.same(r.printer.printed.map((p) => p.copy), ['merchant', 'customer']);
  t.same(r.engine.requests, [{ type: 'sale', amount: 1234, currency: 'CNY', operator: cashier.id }]);
  t.same(r.engine.events, ['present-card', 'reading-card', 'remove-card', 'authorising', 'result']);
  for (const s of ['present-card', 'reading-card', 'remove-card', 'authorising', 'result', 'printing', 'customer-copy']) t.ok(r.screens.includes(s), `screen ${s} shown`);
});

t.test('sign-in refusals: wrong PIN, lockout; the admin signs in with password and TOTP, switches training mode', async (t) => {
  const clock = { ms: Date.UTC(2026, 10, 28, 9, 0, 0) };
  const r = await open(t, { now: () => clock.ms });
  await r.signIn(QUICK.cashier.id, '1397');
  t.match((await r.screen('sign-in', /SIGN-IN FAILED/)).join('\n'), /SIGN-IN FAILED/);
  await r.press('ENTER');
  await r.signIn(QUICK.cashier.id, '1397');
  await r.screen('sign-in', /SIGN-IN FAILED/);
  await r.press('ENTER');
  await r.signIn(QUICK.cashier.id, '1397');
  await r.screen('sign-in', /ACCOUNT LOCKED/);
  await r.press('ENTER');
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  const locked = await r.screen('sign-in', /TRY AGAIN IN 30 S/);
  t.match(locked.join('\n'), /ACCOUNT LOCKED/, 'even the right PIN is refused while locked');
  await r.press('ENTER');

  // An unknown ID is asked for a one-time code too (the prompt does not tell which IDs exist).
  await r.signIn('zz', 'whatever', '123456');
  await r.screen('sign-in', /SIGN-IN FAILED/);
  await r.press('ENTER');

  const code = totp(base32Decode(TEST_TOTP_SECRET)!, clock.ms);
  await r.signIn(admin.id, admin.password!, code);
  await r.screen('idle', /OP admin-test/);
  // The admin may not sell.
  await r.press('5');
  t.match((await r.screen('not-allowed')).join('\n'), /NOT ALLOWED[\s\S]*FOR ROLE admin/);
  await r.press('ENTER');
  // F1: the management menu; training mode on, shown on the idle screen, then off.
  await r.press('F1');
  t.match((await r.screen('menu')).join('\n'), /1 X REPORT[\s\S]*2 Z REPORT \(LAST\)[\s\S]*3 SETTLE \(Z\)/);
  await r.press('4');
  t.match((await r.screen('training')).join('\n'), /TRAINING MODE ON/);
  t.same(r.training.changes, ['true:admin-test']);
  await r.press('ENTER');
  t.match((await r.screen('idle')).join('\n'), /\*\* TRAINING \*\*/);
  await r.press('F1', 'ENTER');
  t.match((await r.screen('menu', /TRAINING OFF/)).join('\n'), /4 TRAINING OFF/, 'the second page lists training off');
  await r.press('4');
  await r.screen('training', /TRAINING MODE OFF/);
  await r.press('ENTER');
  await r.screen('idle', /READY/);
  // Sign out from the menu.
  await r.press('F1', '6');
  await r.screen('signed-out', /SIGNED OUT/);
  await r.press('ENTER');
  const back = await r.screen('sign-in');
  t.equal(back[2], admin.id, 'the ID field offers the last operator');
  t.same(
    r.audit.records.map((a) => [a.type, a.actor, a.outcome, a.channel]),
    [
      ['login-failure', 'c1', 'failed', 'keypad'],
      ['login-failure', 'c1', 'failed', 'keypad'],
      ['login-failure', 'c1', 'failed', 'keypad'],
      ['lockout', 'c1', 'denied', 'keypad'],
      ['login-failure', 'c1', 'failed', 'keypad'],
      ['login-failure', 'unknown', 'failed', 'keypad'],
      ['login', 'admin-test', 'ok', 'keypad'],
      ['permission-denied', 'admin-test', 'denied', 'keypad'],
      ['logout', 'admin-test', 'ok', 'keypad'],
    ],
    'the security events of the keypad',
  );
  t.same(r.audit.records[4]!.detail, { reason: 'locked' });
});

t.test('roles: a cashier cannot run reports or settle; finance can, and cannot sell', async (t) => {
  const r = await open(t);
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await r.screen('idle');
  await r.press('FUNC');
  t.match((await r.screen('menu')).join('\n'), /MENU 1\/3[\s\S]*1 SALE[\s\S]*2 VOID[\s\S]*3 REFUND/);
  await r.press('9');
  await r.screen('menu', /X REPORT/);
  await r.press('1');
  t.match((await r.screen('not-allowed')).join('\n'), /FOR ROLE cashier/);
  await r.press('ENTER');
  await r.press('F1', '3');
  await r.screen('not-allowed');
  await r.press('ENTER');
  await r.press('F1', '6');
  await r.screen('signed-out');
  await r.press('ENTER');
  t.same(r.settlement.calls, [], 'no report, no settlement for a cashier');

  await r.signIn(QUICK.finance.id, QUICK.finance.password);
  await r.screen('idle', /OP fa/);
  await r.press('1');
  await r.screen('not-allowed', /FOR ROLE finance/);
  await r.press('ENTER');
  await r.press('F1', '1');
  const x = await r.screen('report', /X REPORT/);
  t.match(x.join('\n'), /BATCH 7[\s\S]*CNY 2 TXN[\s\S]*NET CNY 150\.00/);
  await r.press('ENTER');
  await r.screen('idle');
  await r.press('F1', '3');
  await r.screen('settle', /SETTLE BATCH\?/);
  await r.press('ENTER');
  const z = await r.screen('settle-result');
  t.match(z.join('\n'), /Z REPORT[\s\S]*SETTLED[\s\S]*BATCH 7/);
  await r.press('ENTER');
  await r.screen('idle');
  t.same(r.settlement.calls, ['report:x', 'settle:fa:manual']);
  t.same(r.printer.printed.map((p) => p.copy), ['x', 'z'], 'X report, then the Z report of the closed batch');
  // A settlement the host refuses: the batch stays open, no Z report printed.
  r.settlement.status = 'host-unavailable';
  await r.press('F1', '3', 'ENTER');
  await r.screen('settle-result', /HOST UNAVAILABLE/);
  await r.press('ENTER');
  t.same(r.printer.printed.map((p) => p.copy), ['x', 'z']);
});

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

t.test('amount entry: per currency exponent, zero refused, maximum digits, CLEAR and CANCEL', async (t) => {
  const r = await open(t, { settings: { currency: 'BHD', currencies: { BHD: { exponent: 3 } }, maxAmountDigits: 6 } });
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await r.screen('idle');
  await r.press('1', '2', '3', '4');
  await r.screen('amount', /BHD 1\.234/);
  await r.press('5', '6', '7');
  await r.screen('amount', /BHD 123\.456/);
  t.equal(r.app.view().txn?.amount, 123456, 'a seventh digit is refused (6 at most)');
  await r.press('CLEAR', 'CLEAR', 'CLEAR', 'CLEAR', 'CLEAR', 'CLEAR');
  await r.screen('amount', /BHD 0\.000/);
  await r.press('ENTER');
  await r.screen('amount', /ENTER AN AMOUNT/);
  t.equal(r.engine.requests.length, 0, 'zero is refused');
  await r.press('CANCEL');
  await r.screen('idle');
  t.equal(r.engine.requests.length, 0);
});

t.test('amount entry in a currency without minor units', async (t) => {
  const r = await open(t, { settings: { currency: 'JPY', currencies: { JPY: { exponent: 0 } } } });
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await r.screen('idle');
  await r.press('1', '2', '3', '4', 'ENTER');
  await r.screen('present-card', /JPY 1234/);
  await r.press('CANCEL');
  await r.screen('result', /CANCELLED/);
  t.same(r.engine.requests[0], { type: 'sale', amount: 1234, currency: 'JPY', operator: 'c1' });
  t.equal(r.engine.events.at(-1), 'result');
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

t.test('every screen of the application was reached', async (t) => {
  const all = [
    'sign-in', 'idle', 'menu', 'not-allowed', 'amount', 'present-card', 'insert-card', 'try-another', 'fallback-swipe',
    'reading-card', 'remove-card', 'authorising', 'refused', 'card-error', 'host-unavailable', 'result', 'choose-app',
    'printing', 'customer-copy', 'paper-out', 'printer-error', 'supervisor', 'pick-original', 'confirm', 'reprint',
    'report', 'settle', 'settling', 'settle-result', 'training', 'signed-out',
  ];
  // 'pin' is reached in pin.test.ts; 'starting' and 'out-of-service' in test/board/boot.test.ts.
  t.same(all.filter((s) => !seen.has(s)), [], 'screens never shown');
});
