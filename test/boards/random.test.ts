// Random input never crashes the loader: any JSON value, and the shipped profiles with
// random values put at random places, either load or fail with a BoardError.
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { validateProfile, defaultBoardsDir } from '../../boards/loader.js';
import { BoardError } from '../../boards/errors.js';
import { duplicateKeys, parseJsonText } from '../../boards/json-text.js';

function loadsOrBoardError(json: unknown): boolean {
  try {
    validateProfile(json, 'random.json');
    return true;
  } catch (err) {
    if (err instanceof BoardError && err.code === 'BOARD_INVALID' && err.problems.length > 0) return true;
    throw err;
  }
}

const sim = JSON.parse(readFileSync(`${defaultBoardsDir()}/sim.json`, 'utf8')) as unknown;

/** Every path to a value inside `value`. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

function replaceAt(value: unknown, at: (string | number)[], replacement: unknown): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at.at(-1)!] = replacement;
  return copy;
}

const simPaths = paths(sim);

t.test('any JSON value: loads or BoardError', async (t) => {
  fc.assert(fc.property(fc.jsonValue(), loadsOrBoardError), { numRuns: 2000 });
  t.pass('no crash');
});

t.test('the sim profile with a random value anywhere: loads or BoardError', async (t) => {
  const special = fc.constantFrom<unknown>(null, 0, -1, 517, '0x27', '0xzz', 'GPIO5', 'gpio5', {}, [], { chip: 'x', line: 1e9 }, '__proto__', 'constructor');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: simPaths.length - 1 }), fc.oneof(fc.jsonValue(), special), (i, replacement) =>
      loadsOrBoardError(replaceAt(sim, simPaths[i]!, replacement)),
    ),
    { numRuns: 3000 },
  );
  t.pass('no crash');
});

t.test('keys that are Object.prototype names are unknown keys, not crashes', async (t) => {
  for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const json = JSON.parse(JSON.stringify(sim).replace('"cols":20', `"cols":20,"${key}":1`)) as unknown;
    t.throws(() => validateProfile(json, 'p.json'), { code: 'BOARD_INVALID' }, key);
    const roles = JSON.parse(`{"model":"m","buses":{},"devices":[],"roles":{"${key}":"x"}}`) as unknown;
    t.throws(() => validateProfile(roles, 'p.json'), { code: 'BOARD_INVALID' }, `role ${key}`);
  }
});

t.test('random text: parseJsonText reports a position inside the text', async (t) => {
  fc.assert(
    fc.property(fc.string(), (text) => {
      const r = parseJsonText(text);
      if (r.ok) return true;
      return r.line >= 1 && r.column >= 1 && r.line <= text.split('\n').length;
    }),
    { numRuns: 2000 },
  );
  t.pass('no crash');
});

t.test('duplicate keys: none in JSON.stringify output; found wherever one is repeated', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => duplicateKeys(JSON.stringify(value, null, 1)).length === 0),
    { numRuns: 1000 },
  );
  t.strictSame(duplicateKeys('{"a": [{"b": 1, "c\\"": 2, "b": 3}], "x\\"y": {"a": 1, "a": 2}}'), [
    { path: 'a[0].b', line: 1 },
    { path: '["x\\"y"].a', line: 1 },
  ]);
});
