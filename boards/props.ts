/**
 * Checks a value against a driver's props schema (the PropSchema subset of
 * hal/devices/binding.ts), collecting every problem with its JSON path, and returns the
 * value normalised: hex strings as numbers, defaults applied. Also the value helpers the
 * loader shares: numbers, GPIO line references, messages.
 */
import type { JsonValue, PropSchema } from '../hal/devices/binding.js';
import type { GpioLineRef } from '../hal/gpio.js';
import type { BoardProblem } from './errors.js';

/** A GPIO line a profile uses, where, for the "used twice" check. */
export interface GpioUse {
  readonly path: string;
  readonly ref: GpioLineRef;
}

export interface CheckContext {
  readonly problems: BoardProblem[];
  readonly gpio: GpioUse[];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `a.b`, `a["*"]`, `a[2]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A value as a message quotes it: JSON, cut to a readable length. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Closest name within two edits, for "did you mean". */
export function closest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of names) {
    const d = editDistance(word.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** "unknown key; expected one of: a, b (did you mean "b"?)". */
export function unknownKey(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  const list = known.length ? `expected one of: ${known.join(', ')}` : 'no keys are allowed here';
  return `unknown key; ${list}${guess !== undefined ? ` (did you mean "${guess}"?)` : ''}`;
}

const HEX = /^0x[0-9a-f]+$/i;

/**
 * An integer as profiles write it: a JSON number or a "0x27"-style string. Returns the
 * number, or undefined when the value is neither (the caller reports it).
 */
export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && HEX.test(value) && value.length <= 15) return Number.parseInt(value.slice(2), 16);
  return undefined;
}

// Chips whose lines are the SoC's GPIOs, so "GPIO17" and {chip, line: 17} are one line.
const SOC_CHIPS = new Set(['pinctrl-bcm2711', 'pinctrl-bcm2835', 'pinctrl-rp1']);
const SOC_NAME = /^GPIO(\d{1,3})$/;
const LINE_NAME = /^[A-Z][A-Z0-9_]{0,31}$/;
const MAX_LINE = 1023;

/** Two references with the same key are the same line. */
export function gpioKey(ref: GpioLineRef): string {
  if (typeof ref === 'string') {
    const m = SOC_NAME.exec(ref);
    return m ? `soc:${Number(m[1])}` : `name:${ref}`;
  }
  return SOC_CHIPS.has(ref.chip) ? `soc:${ref.line}` : `${ref.chip}:${ref.line}`;
}

const GPIO_EXPECTED = 'a line name like "GPIO17" or {"chip": "pinctrl-bcm2711", "line": 17}';

// hardware.md 0 risk 1: sysfs numbers are chip base + offset (512 on a Pi 4, 571 on a Pi 5).
function bareNumber(n: number): string {
  const base = n >= 571 && n < 571 + 54 ? { chip: 'pinctrl-rp1', base: 571, board: 'Pi 5' } : n >= 512 && n < 512 + 58 ? { chip: 'pinctrl-bcm2711', base: 512, board: 'Pi 4' } : undefined;
  if (base) {
    const line = n - base.base;
    return `${n} is a bare number (a sysfs number? ${base.base} + ${line} on a ${base.board}); name the line "GPIO${line}" or {"chip": "${base.chip}", "line": ${line}}`;
  }
  return `${n} is a bare number; name the line "GPIO${n}" or {"chip": "pinctrl-bcm2711", "line": ${n}} (sysfs numbers change with the kernel: base 512 on a Pi 4, 571 on a Pi 5)`;
}

/** A GPIO line reference, checked; problems go to `problems`. */
export function parseGpio(value: unknown, path: string, problems: BoardProblem[]): GpioLineRef | undefined {
  const fail = (message: string): undefined => {
    problems.push({ path, message });
    return undefined;
  };
  if (typeof value === 'number') return fail(bareNumber(value));
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return fail(bareNumber(Number(value)));
    if (/^gpio\d+$/i.test(value) && !SOC_NAME.test(value)) return fail(`line names are case-sensitive; expected "GPIO${value.slice(4)}", got ${show(value)}`);
    if (!LINE_NAME.test(value)) return fail(`expected ${GPIO_EXPECTED}, got ${show(value)}`);
    return value;
  }
  if (!isPlainObject(value)) return fail(`expected ${GPIO_EXPECTED}, got ${show(value)}`);
  let ok = true;
  for (const key of Object.keys(value)) {
    if (key !== 'chip' && key !== 'line') {
      problems.push({ path: joinPath(path, key), message: unknownKey(key, ['chip', 'line']) });
      ok = false;
    }
  }
  const { chip, line } = value;
  if (typeof chip !== 'string' || chip === '') {
    problems.push({ path: joinPath(path, 'chip'), message: `expected the chip's label, e.g. "pinctrl-bcm2711", got ${show(chip)}` });
    ok = false;
  }
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 0 || line > MAX_LINE) {
    problems.push({ path: joinPath(path, 'line'), message: `expected the line's offset on its chip, an integer from 0 to ${MAX_LINE}, got ${show(line)}` });
    ok = false;
  }
  return ok ? { chip: chip as string, line: line as number } : undefined;
}

/** "1 to 8", "at least 1", "at most 8", "any number of": for counts of items and characters. */
function count(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return min === max ? `${min}` : `${min} to ${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return 'any number of';
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/** What a schema expects, in words, for messages. */
export function describe(schema: PropSchema): string {
  switch (schema.type) {
    case 'integer':
      return `an integer${range(schema.minimum, schema.maximum)}`;
    case 'number':
      return `a number${range(schema.minimum, schema.maximum)}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      if (schema.enum) return `one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
      if (schema.patternHint) return schema.patternHint;
      if (schema.pattern) return `a string matching /${schema.pattern}/`;
      return `a string${schema.minLength !== undefined || schema.maxLength !== undefined ? ` of ${count(schema.minLength, schema.maxLength)} characters` : ''}`;
    case 'gpio':
      return GPIO_EXPECTED;
    case 'array':
      return `an array of ${count(schema.minItems, schema.maxItems)} items`;
    case 'object':
      return 'an object';
    case 'oneOf':
      return schema.oneOf.map(describe).join(' or ');
  }
}

/** The JSON kind a schema takes, to pick the oneOf variant whose problems to report. */
function kindOf(schema: PropSchema): string {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'gpio':
      return 'gpio';
    default:
      return schema.type;
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/** A deep copy of a default, so that a caller changing its props cannot change the binding's. */
function clone(value: JsonValue): unknown {
  if (Array.isArray(value)) return value.map((v: JsonValue) => clone(v));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, JsonValue>)[key]!);
  return out;
}

/** The value to use when a key is absent: its default, an object built from defaults, or undefined. */
function absentValue(schema: PropSchema, path: string, ctx: CheckContext): unknown {
  if ('default' in schema && schema.default !== undefined) return clone(schema.default as JsonValue);
  if (schema.type === 'object' && !(schema.required?.length)) return checkProps(schema, {}, path, ctx);
  return undefined;
}

/**
 * Checks `value` against `schema` at `path`. Problems and GPIO uses go to `ctx`; the
 * result is the normalised value (undefined where the value was wrong).
 */
export function checkProps(schema: PropSchema, value: unknown, path: string, ctx: CheckContext): unknown {
  const fail = (message: string): undefined => {
    ctx.problems.push({ path, message });
    return undefined;
  };
  const expected = (): undefined => fail(`expected ${describe(schema)}, got ${show(value)}`);
  switch (schema.type) {
    case 'integer': {
      const n = toInteger(value);
      if (n === undefined) {
        const hint = typeof value === 'string' ? ' (write a number, or hex as "0x27")' : '';
        return fail(`expected ${describe(schema)}${hint}, got ${show(value)}`);
      }
      if ((schema.minimum !== undefined && n < schema.minimum) || (schema.maximum !== undefined && n > schema.maximum)) {
        return fail(`expected ${describe(schema)}, got ${n}`);
      }
      return n;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return expected();
      if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum)) return expected();
      return value;
    case 'boolean':
      return typeof value === 'boolean' ? value : expected();
    case 'string': {
      if (typeof value !== 'string') return expected();
      if (schema.enum && !schema.enum.includes(value)) return expected();
      const length = [...value].length;
      if ((schema.minLength !== undefined && length < schema.minLength) || (schema.maxLength !== undefined && length > schema.maxLength)) {
        return fail(`expected a string of ${count(schema.minLength, schema.maxLength)} characters, got ${show(value)}`);
      }
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return expected();
      return value;
    }
    case 'gpio': {
      const ref = parseGpio(value, path, ctx.problems);
      if (ref !== undefined) ctx.gpio.push({ path, ref });
      return ref;
    }
    case 'array': {
      if (!Array.isArray(value)) return expected();
      if ((schema.minItems !== undefined && value.length < schema.minItems) || (schema.maxItems !== undefined && value.length > schema.maxItems)) {
        return fail(`expected ${count(schema.minItems, schema.maxItems)} items, got ${value.length}`);
      }
      return value.map((item, i) => checkProps(schema.items, item, joinPath(path, i), ctx));
    }
    case 'object':
      return checkObject(schema, value, path, ctx);
    case 'oneOf':
      return checkOneOf(schema.oneOf, value, path, ctx);
  }
}

function checkObject(schema: Extract<PropSchema, { type: 'object' }>, value: unknown, path: string, ctx: CheckContext): unknown {
  if (!isPlainObject(value)) {
    ctx.problems.push({ path, message: `expected ${describe(schema)}, got ${show(value)}` });
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const known = Object.keys(schema.properties);
  const keyPattern = schema.keyPattern !== undefined ? new RegExp(schema.keyPattern, 'u') : undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = joinPath(path, key);
    const sub = Object.hasOwn(schema.properties, key) ? schema.properties[key] : schema.additionalProperties;
    if (sub === undefined) {
      ctx.problems.push({ path: at, message: unknownKey(key, known) });
      continue;
    }
    if (!Object.hasOwn(schema.properties, key) && keyPattern && !keyPattern.test(key)) {
      ctx.problems.push({ path: at, message: `expected the key to be ${schema.keyPatternHint ?? `a name matching /${schema.keyPattern}/`}` });
      continue;
    }
    const v = checkProps(sub, item, at, ctx);
    if (v !== undefined) out[key] = v;
  }
  for (const key of known) {
    if (Object.hasOwn(value, key)) continue;
    const sub = schema.properties[key]!;
    const at = joinPath(path, key);
    if (schema.required?.includes(key)) {
      ctx.problems.push({ path: at, message: `missing; expected ${describe(sub)}` });
      continue;
    }
    const v = absentValue(sub, at, ctx);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function checkOneOf(variants: readonly PropSchema[], value: unknown, path: string, ctx: CheckContext): unknown {
  const attempts = variants.map((variant) => {
    const scratch: CheckContext = { problems: [], gpio: [] };
    return { variant, scratch, result: checkProps(variant, value, path, scratch) };
  });
  const good = attempts.find((a) => a.scratch.problems.length === 0);
  const kind = jsonKind(value);
  const sameKind = attempts.filter((a) => kindOf(a.variant) === kind || (kindOf(a.variant) === 'gpio' && kind !== 'array'));
  const chosen = good ?? (sameKind.length === 1 ? sameKind[0] : undefined);
  if (chosen === undefined) {
    ctx.problems.push({ path, message: `expected ${variants.map(describe).join(' or ')}, got ${show(value)}` });
    return undefined;
  }
  ctx.problems.push(...chosen.scratch.problems);
  ctx.gpio.push(...chosen.scratch.gpio);
  return chosen.result;
}
