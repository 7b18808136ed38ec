// Fuzzing the technician console's input (issue 11): the line editor fed random bytes
// (escape sequences, control keys, UTF-8 fragments) and the command-line tokenizer and option
// parser. The editor never throws; the tokenizer and options parser refuse with a console
// usage error. The whole console over a link with random bytes is in
// test/console/console-sim.test.ts ("random bytes at every prompt").
import t from 'tap';
import fc from 'fast-check';
import { LineEditor } from '../../src/console/line-editor.js';
import { ConsoleUsageError, parseOptions, tokenize } from '../../src/console/registry.js';
import { fuzz, mutated, mutatedText } from './harness.js';

const keys = [Buffer.from('user list\r'), Buffer.from('\x1b[A\x1b[B\x1b[C\x1b[D\x1bOH\x7f\x08\x15\x03\x04'), Buffer.from('config set merchant.name "caf\xc3\xa9 \xe4\xb8\xad"\r\n', 'latin1')];

t.test('line editor', async (t) => {
  fuzz(
    t,
    'line editor bytes',
    fc.array(mutated(keys, 64), { minLength: 1, maxLength: 6 }),
    (chunks) => {
      const editor = new LineEditor(() => {});
      editor.begin('pos> ');
      for (let c of chunks) {
        for (let guard = 0; c.length > 0 && guard < 10_000; guard++) {
          const { event, rest } = editor.feed(c);
          if (event) editor.begin('pos> ', guard % 2 === 1);
          c = rest;
        }
      }
    },
    () => false,
  );
});

t.test('command lines', async (t) => {
  const lines = ['config set merchant.name "Corner Cafe"', "user add alice --role cashier", 'journal verify --from 10', 'key load --slot pin "a b"'];
  fuzz(
    t,
    'tokenize + options',
    mutatedText(lines),
    (line) => parseOptions(tokenize(line), ['role', 'from', 'slot', 'json']),
    (err) => err instanceof ConsoleUsageError,
  );
});
