// The keypad application on the sim board, sign-in and management: keys pressed on the
// keypad model reach the app through the matrix-keypad driver; the LCD is read back from the
// HD44780 model's display memory. Sign-in with the sim folder's TEST credentials, lockout,
// TOTP, roles and their refusals, reports, settlement, training, amount entry per currency
// exponent, time-outs. The engine, settlement and printer are scripted doubles (helpers.ts).
import t from 'tap';
import { QUICK, openRig, type Rig } from './helpers.js';
import { TEST_CREDENTIALS, TEST_TOTP_SECRET } from '../../src/users/first-boot.js';
import { base32Decode, totp } from '../../src/users/totp.js';

// Each flow presses dozens of keys through the debouncing driver; on a loaded machine that takes a while.
t.setTimeout(900_000);

const cashier = TEST_CREDENTIALS.find((c) => c.role === 'cashier')!;
const admin = TEST_CREDENTIALS.find((c) => c.role === 'admin')!;

/** Every screen id shown in this file, checked at the end. */
const seen = new Set<string>();
const open = (t: Parameters<typeof openRig>[0], options: Parameters<typeof openRig>[2] = {}): Promise<Rig> => openRig(t, seen, options);

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
  await r.press('F1', '2');
  t.match((await r.screen('report', /Z REPORT/)).join('\n'), /BATCH 7/, 'the last closed batch');
  await r.press('ENTER');
  await r.screen('idle');
  t.same(r.settlement.calls, ['report:x', 'settle:fa:manual', 'report:z']);
  t.same(r.printer.printed.map((p) => p.copy), ['x', 'z', 'z'], 'X report, the Z report of the closed batch, its reprint');
  // A settlement the host refuses: the batch stays open, no Z report printed.
  r.settlement.status = 'host-unavailable';
  await r.press('F1', '3', 'ENTER');
  await r.screen('settle-result', /HOST UNAVAILABLE/);
  await r.press('ENTER');
  t.same(r.printer.printed.map((p) => p.copy), ['x', 'z', 'z']);
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

t.test('a prompt left alone goes back to the idle screen; an engine that throws is a failed transaction', async (t) => {
  const r = await open(t, { settings: { inputTimeoutMs: 200, noticeMs: 200 } });
  await r.signIn(QUICK.cashier.id, QUICK.cashier.pin);
  await r.screen('idle');
  // (The history of screens, not the LCD: a loaded machine may show the prompt only briefly.)
  for (const [key, prompt] of [['FUNC', 'menu'], ['4', 'amount']] as const) {
    const from = r.views.length;
    await r.press(key);
    await r.screen('idle');
    t.same(r.views.slice(from).map((v) => v.screen), [prompt, 'idle'], `${prompt}, then back to idle`);
  }
  t.equal(r.engine.requests.length, 0);
  r.engine.run = async () => {
    throw new Error('engine bug');
  };
  await r.press('5', 'ENTER');
  await r.screen('result', /TRANSACTION FAILED/);
  t.match(r.app.view().txn, { type: 'sale', amount: 5, status: 'failed' });
  await r.screen('idle');
});

t.test('every screen of these flows was reached', async (t) => {
  const screens = [
    'sign-in',
    'idle',
    'menu',
    'not-allowed',
    'amount',
    'present-card',
    'reading-card',
    'remove-card',
    'authorising',
    'result',
    'printing',
    'customer-copy',
    'report',
    'settle',
    'settling',
    'settle-result',
    'training',
    'signed-out'
  ];
  // With transactions.test.ts ('supervisor' ... 'reprint'), pin.test.ts ('pin') and test/board/boot.test.ts ('starting', 'out-of-service'): every screen id of terminal-app.ts.
  t.same(screens.filter((s) => !seen.has(s)), [], 'screens never shown');
});
