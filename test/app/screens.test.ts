// Screen layouts are pure functions of the panel geometry: a 20x4 and a 16x2 panel both get
// rows that fit.
import t from 'tap';
import { listPage, signedInIdleScreen, titled } from '../../src/app/screens.js';

const now = new Date(2026, 10, 28, 9, 5, 0);

t.test('idle screen on 20x4, 16x2 and 20x1 panels', async (t) => {
  const s = { merchant: 'A VERY LONG MERCHANT NAME LTD', now, status: 'READY', operator: 'OP c1' };
  t.same(signedInIdleScreen({ cols: 20, rows: 4 }, s), ['A VERY LONG MERCHANT', '       READY', 'OP c1', '2026-11-28     09:05']);
  const small = signedInIdleScreen({ cols: 16, rows: 2 }, s);
  t.same(small, ['A VERY LONG MERC', 'READY      09:05']);
  t.same(signedInIdleScreen({ cols: 20, rows: 1 }, s), ['READY          09:05']);
});

t.test('lists: numbered throughout up to 9 items, per page beyond', async (t) => {
  const items = ['A', 'B', 'C', 'D', 'E'];
  t.same(listPage(items, 0, 3, true), ['1 A', '2 B', '3 C']);
  t.same(listPage(items, 1, 3, true), ['4 D', '5 E']);
  t.same(listPage(items, 1, 3, false), ['1 D', '2 E']);
  t.same(listPage(items, 5, 3, true), []);
  t.same(titled({ cols: 10, rows: 2 }, 'MENU', ['1 SALE AND MORE', '2 VOID']), ['   MENU', '1 SALE AND']);
});
