import t from 'tap';
import fc from 'fast-check';
import { LineEditor, type LineEvent } from '../../src/console/line-editor.js';
import { parseOptions, tokenize } from '../../src/console/registry.js';

function editor(): { ed: LineEditor; echoed: () => string; feed: (s: string) => LineEvent[] } {
  let out = '';
  const ed = new LineEditor((s) => (out += s));
  const feed = (s: string): LineEvent[] => {
    const events: LineEvent[] = [];
    let rest: Uint8Array = Buffer.from(s, 'latin1');
    while (rest.length) {
      const r = ed.feed(rest);
      if (r.event) events.push(r.event);
      rest = r.rest;
    }
    return events;
  };
  return { ed, echoed: () => out, feed };
}

t.test('CR, LF and CRLF each end one line (screen, minicom, picocom)', async (t) => {
  const { ed, feed } = editor();
  ed.begin('> ');
  t.same(feed('a\rb\nc\r\nd\r'), [{ type: 'line', text: 'a' }, { type: 'line', text: 'b' }, { type: 'line', text: 'c' }, { type: 'line', text: 'd' }]);
  t.same(feed('\n'), [], 'the LF of a CRLF split across reads');
});

t.test('echo, backspace (BS and DEL), Ctrl-U, Ctrl-C, Ctrl-D', async (t) => {
  const { ed, feed, echoed } = editor();
  ed.begin('> ');
  t.same(feed('abc\x7f\x08x\r'), [{ type: 'line', text: 'ax' }]);
  t.equal(echoed(), '> abc\b \b\b \bx\r\n');
  ed.begin('> ');
  t.same(feed('junk\x15ok\r'), [{ type: 'line', text: 'ok' }]);
  ed.begin('> ');
  t.same(feed('half\x03'), [{ type: 'cancel' }]);
  ed.begin('> ');
  t.same(feed('x\x04\x7f\x04'), [{ type: 'eof' }], 'Ctrl-D only ends an empty line');
});

t.test('secret lines are not echoed and never enter the history', async (t) => {
  const { ed, feed, echoed } = editor();
  ed.begin('password: ', true);
  t.same(feed('S3cret!\r'), [{ type: 'line', text: 'S3cret!' }]);
  t.equal(echoed(), 'password: \r\n');
  t.same(ed.history, []);
});

t.test('arrows: history up/down, cursor left/right with insertion, Delete, ESC O form', async (t) => {
  const { ed, feed } = editor();
  for (const cmd of ['key list', 'config show', 'config show']) {
    ed.begin('> ');
    feed(cmd + '\r');
  }
  t.same(ed.history, ['key list', 'config show'], 'consecutive duplicates kept once');
  ed.begin('> ');
  t.same(feed('\x1b[A\x1b[A\r'), [{ type: 'line', text: 'key list' }]);
  ed.begin('> ');
  t.same(feed('draft\x1b[A\x1b[B\r'), [{ type: 'line', text: 'draft' }], 'down returns to the line being typed');
  ed.begin('> ');
  t.same(feed('helo\x1b[Dl\r'), [{ type: 'line', text: 'hello' }], 'insert at the cursor');
  ed.begin('> ');
  t.same(feed('abc\x1b[D\x1b[D\x1b[3~\x1b[C\x1b[C\x1b[C!\r'), [{ type: 'line', text: 'ac!' }], 'Delete under the cursor; right stops at the end');
  ed.begin('> ');
  t.same(feed('\x1bOA\r'), [{ type: 'line', text: 'ac!' }], 'SS3 arrows (application cursor mode)');
  ed.begin('> ');
  t.same(feed('a\x1b[5;2Xb\r'), [{ type: 'line', text: 'ab' }], 'unknown sequences are skipped whole');
});

t.test('random bytes never throw and lines stay printable', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const { ed, feed } = editor();
      ed.begin('> ');
      for (const e of feed(Buffer.from(bytes).toString('latin1'))) if (e.type === 'line') return /^[\x20-\x7e]*$/.test(e.text);
      return true;
    }),
  );
});

t.test('tokenize and options', async (t) => {
  t.same(tokenize('config set merchant.name "Corner Shop"'), ['config', 'set', 'merchant.name', 'Corner Shop']);
  t.same(tokenize(` a  'b c'd "" `), ['a', 'b cd', '']);
  t.throws(() => tokenize('say "hi'), { code: 'CONSOLE_USAGE', message: /unclosed double quote/ });
  t.same(parseOptions(['x', '--alg', 'aes', '--parts=3'], ['alg', 'parts']), { positionals: ['x'], options: { alg: 'aes', parts: '3' } });
  t.throws(() => parseOptions(['--nope', '1'], ['alg']), { message: /unknown option "--nope" \(options: --alg\)/ });
  t.throws(() => parseOptions(['--alg'], ['alg']), { message: /--alg needs a value/ });
});
