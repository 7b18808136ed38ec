// The `make run` screen as a client of the control channel: typed keys become requests,
// the card menu presents a catalogue card, and the screen shows the LCD, receipt and beep
// events it received.
import t from 'tap';
import { TtyUiModel, keyFor } from '../../src/board/tty-ui.js';
import { catalogue } from '../../src/board/cards.js';

const cards = catalogue();
const ui = (): TtyUiModel => new TtyUiModel({ cards, cols: 20, rows: 4, status: 'pos: ready' });

t.test('keyboard keys: keypad presses', async (t) => {
  const m = ui();
  t.same(m.type('5'), { press: '5' });
  t.same(m.type('\r'), { press: 'ENTER' });
  t.same(m.type('\x7f'), { press: 'CLEAR' });
  t.same(m.type('\x1b'), { press: 'CANCEL' });
  t.same(m.type('f'), { press: 'FUNC' });
  t.same(m.type('.'), { press: '00' });
  t.equal(m.type('z'), undefined, 'an unmapped key does nothing');
  t.equal(m.type('\x03'), 'quit');
  t.equal(keyFor('7'), '7');
});

t.test('card menu: choose a card, then tap, insert or swipe; r removes; p toggles paper', async (t) => {
  const m = ui();
  t.equal(m.type('c'), undefined);
  t.match(m.frame().join('\n'), /choose a card[\s\S]*a {2}visa-online/);
  t.equal(m.type('a'), undefined, 'first card chosen');
  t.match(m.frame().join('\n'), /visa-online: Visa credit/);
  t.same(m.type('t'), { present: { card: 'visa-online', via: 'tap' } });
  t.equal(m.mode.kind, 'keys', 'back to the keypad');
  m.type('c');
  m.type('b');
  t.same(m.type('s'), { present: { card: cards[1]!.name, via: 'swipe' } });
  m.type('c');
  m.type('a');
  t.equal(m.type('x'), undefined, 'any other key goes back');
  t.equal(m.mode.kind, 'keys');
  t.same(m.type('r'), { remove: true });
  t.same(m.type('p'), { paper: 'out' });
  t.same(m.type('p'), { paper: 'in' });
});

t.test('the screen: LCD box from lcd events, the last receipt beside it, the last beep and error', async (t) => {
  const m = ui();
  m.receive({ lcd: ['   TEST MERCHANT    ', '       READY        ', '', ''] });
  m.receive({ receipt: { text: 'SALE\nTOTAL CNY 12.50', png: null } });
  m.receive({ beep: 'success' });
  m.receive({ error: { code: 'CONTROL_UNSUPPORTED_VIA', message: 'card "offline-pin" cannot be tapped' } });
  const frame = m.frame();
  t.match(frame[0], /^┌─ LCD ─+┐ +┌─ last receipt ─+┐$/);
  t.match(frame[1], /^│   TEST MERCHANT    │ +│SALE +│$/);
  t.match(frame[2], /^│       READY        │ +│TOTAL CNY 12\.50 +│$/);
  t.match(frame.join('\n'), /buzzer: success at \d\d:\d\d:\d\d/);
  t.match(frame.join('\n'), /! card "offline-pin" cannot be tapped/);
  t.equal(frame.at(-1), 'pos: ready');
});

t.test('text mode: letters and symbols typed as digit + ALPHA presses the keypad application reads back', async (t) => {
  const { TextEntry } = await import('../../src/app/entry.js');
  const m = ui();
  t.same(m.type('\t'), { press: 'F1' }, 'Tab is the ALPHA key');
  t.equal(m.type('/'), undefined, '/ starts text mode');
  const entry = new TextEntry(32, { alpha: true, masked: false });
  for (const ch of 'cashier-Test1') {
    const presses = m.type(ch);
    t.ok(Array.isArray(presses), `${ch}: presses`);
    for (const p of presses as { press: string }[]) entry.key(p.press, 'F1');
  }
  t.equal(entry.value, 'cashier-Test1', 'the application reads the typed text back');
  t.same(m.type('\x7f'), { press: 'CLEAR' });
  t.equal(m.type('~'), undefined, 'a character on no key is refused');
  t.match(m.message, /cannot be typed/);
  t.same(m.type('\r'), { press: 'ENTER' }, 'Enter presses ENTER and ends text mode');
  t.same(m.type('c'), undefined, 'back in keys mode: c opens the card menu');
});
