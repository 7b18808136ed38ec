// The message catalogs: same keys in English and Chinese (the type makes a missing key a
// compile error; this checks the objects too), English fits the 20-column LCD.
import t from 'tap';
import { CATALOGS, en, format, zh } from '../../src/app/messages/index.js';

t.test('English and Chinese have the same keys, none empty', async (t) => {
  t.same(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const [lang, catalog] of Object.entries(CATALOGS)) for (const [k, v] of Object.entries(catalog)) t.ok(v.length > 0, `${lang} ${k}`);
  for (const k of Object.keys(en) as (keyof typeof en)[]) {
    const params = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
    t.same(params(zh[k]), params(en[k]), `${k}: same parameters`);
  }
});

t.test('English texts fit a 20-column row; the LCD character set is ASCII', async (t) => {
  for (const [k, v] of Object.entries(en)) {
    // A parameter counted as 3 characters (a currency code, a short number).
    t.ok(v.replace(/\{\w+\}/g, 'XXX').length <= 20, `${k} "${v}" fits 20 columns`);
    t.match(v, /^[\x20-\x7e]*$/, `${k} is printable ASCII (the HD44780 ROM)`);
  }
});

t.test('format fills parameters and leaves unknown ones', async (t) => {
  t.equal(format(en, 'result.authCode', { code: 'A1B2C3' }), 'AUTH CODE A1B2C3');
  t.equal(format(zh, 'result.authCode', { code: 'A1B2C3' }), '授权码 A1B2C3');
  t.equal(format(en, 'signin.retryAfter'), 'TRY AGAIN IN {s} S');
});
