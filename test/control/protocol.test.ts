// The control channel's request language, as issue 9 lists it: {"press": "5"},
// {"present": {"card", "via": tap|insert|swipe}}, {"remove": true}, {"scan": CODE},
// {"paper": out|in}, {"state": true}; anything else is an error for that client, never a crash.
import t from 'tap';
import fc from 'fast-check';
import { CONTROL_ERRORS, LineSplitter, parseRequest } from '../../src/control/protocol.js';

t.test('every request of the issue parses', async (t) => {
  t.same(parseRequest('{"press": "5"}'), { request: { kind: 'press', key: '5' } });
  t.same(parseRequest('{"press": "ENTER"}'), { request: { kind: 'press', key: 'ENTER' } });
  t.same(parseRequest('{"present": {"card": "visa-online", "via": "tap"}}'), { request: { kind: 'present', card: 'visa-online', via: 'tap' } });
  t.same(parseRequest('{"present": {"via": "swipe", "card": "x"}}'), { request: { kind: 'present', card: 'x', via: 'swipe' } });
  t.same(parseRequest('{"remove": true}'), { request: { kind: 'remove' } });
  t.same(parseRequest('{"scan": "286843562145321589"}'), { request: { kind: 'scan', code: '286843562145321589' } });
  t.same(parseRequest('{"paper": "out"}'), { request: { kind: 'paper', paper: 'out' } });
  t.same(parseRequest('{"paper": "in"}'), { request: { kind: 'paper', paper: 'in' } });
  t.same(parseRequest('{"state": true}'), { request: { kind: 'state' } });
});

t.test('an id is echoed, also with an error', async (t) => {
  t.same(parseRequest('{"press": "5", "id": 7}'), { request: { kind: 'press', key: '5' }, id: 7 });
  const bad = parseRequest('{"press": 5, "id": "a"}');
  t.equal('error' in bad && bad.error.code, 'CONTROL_BAD_REQUEST');
  t.equal(bad.id, 'a');
  const badId = parseRequest('{"press": "5", "id": {"x": 1}}');
  t.equal('error' in badId && badId.error.code, 'CONTROL_BAD_REQUEST', 'an id must be a scalar');
});

t.test('malformed requests: a coded error, never a throw', async (t) => {
  const cases: [string, string][] = [
    ['{bad', 'CONTROL_BAD_JSON'],
    ['', 'CONTROL_BAD_JSON'],
    ['{"press": "5"} trailing', 'CONTROL_BAD_JSON'],
    ['[1,2]', 'CONTROL_BAD_REQUEST'],
    ['"press"', 'CONTROL_BAD_REQUEST'],
    ['null', 'CONTROL_BAD_REQUEST'],
    ['{}', 'CONTROL_BAD_REQUEST'],
    ['{"press": "5", "remove": true}', 'CONTROL_BAD_REQUEST'],
    ['{"push": "5"}', 'CONTROL_BAD_REQUEST'],
    ['{"press": ""}', 'CONTROL_BAD_REQUEST'],
    ['{"press": 5}', 'CONTROL_BAD_REQUEST'],
    ['{"present": "visa-online"}', 'CONTROL_BAD_REQUEST'],
    ['{"present": {"card": "visa-online"}}', 'CONTROL_BAD_REQUEST'],
    ['{"present": {"card": "visa-online", "via": "wave"}}', 'CONTROL_BAD_REQUEST'],
    ['{"present": {"card": "visa-online", "via": "tap", "pin": "1234"}}', 'CONTROL_BAD_REQUEST'],
    ['{"remove": false}', 'CONTROL_BAD_REQUEST'],
    ['{"paper": "jam"}', 'CONTROL_BAD_REQUEST'],
    ['{"state": 1}', 'CONTROL_BAD_REQUEST'],
    ['{"scan": 12}', 'CONTROL_BAD_REQUEST'],
  ];
  for (const [line, code] of cases) {
    const r = parseRequest(line);
    t.equal('error' in r ? r.error.code : 'parsed', code, line);
  }
});

t.test('random text and random JSON: never a throw, always a request or a listed error code', async (t) => {
  const check = (line: string): boolean => {
    const r = parseRequest(line);
    return 'request' in r || r.error.code in CONTROL_ERRORS;
  };
  fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 2000 });
  fc.assert(fc.property(fc.json(), check), { numRuns: 2000 });
  const keys = fc.constantFrom('press', 'present', 'remove', 'scan', 'paper', 'state', 'id', 'card', 'via');
  fc.assert(fc.property(fc.dictionary(keys, fc.jsonValue()), (o) => check(JSON.stringify(o))), { numRuns: 2000 });
  t.pass('2000 runs each');
});

t.test('lines: split across chunks, CRLF accepted, blank lines ignored, an overlong line refused once and skipped', async (t) => {
  const lines: string[] = [];
  let tooLong = 0;
  const s = new LineSplitter((l) => lines.push(l), () => tooLong++, 16);
  s.push('{"a"');
  s.push(':1}\r\n\n  \n{"b":2}\n{"c"');
  t.same(lines, ['{"a":1}', '{"b":2}']);
  s.push(`${'x'.repeat(40)}`);
  s.push(`${'x'.repeat(40)}\n{"d":4}\n`);
  t.same(lines, ['{"a":1}', '{"b":2}', '{"d":4}'], 'the overlong line is dropped, the next one kept');
  t.equal(tooLong, 1, 'reported once');
  s.push(`${'y'.repeat(20)}\n`);
  t.equal(tooLong, 2, 'a complete overlong line is reported too');
});
