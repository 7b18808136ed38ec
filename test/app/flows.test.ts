// The keypad application on the sim board: keys pressed on the keypad model, the LCD read
// back from the HD44780 model. Sign-in with the sim folder's TEST credentials, a sale from
// the idle screen to the customer copy, and CANCEL while the card is awaited.
import t from 'tap';
import { rig } from './helpers.js';
import { TEST_CREDENTIALS } from '../../src/users/first-boot.js';

const cashier = TEST_CREDENTIALS.find((c) => c.role === 'cashier')!;

t.test('sign in with the seeded TEST cashier, then a sale to the customer copy', async (t) => {
  const r = await rig(t);
  t.teardown(() => r.close());
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
  await r.press('ENTER');
  await r.screen('idle');
  t.same(r.printer.printed.map((p) => p.copy), ['merchant', 'customer']);
  t.same(r.engine.requests, [{ type: 'sale', amount: 1234, currency: 'CNY', operator: cashier.id }]);
  t.same(r.engine.events, ['present-card', 'reading-card', 'remove-card', 'authorising', 'result']);
  for (const s of ['present-card', 'reading-card', 'remove-card', 'authorising', 'result', 'printing', 'customer-copy']) t.ok(r.screens.includes(s), `screen ${s} shown`);
});
