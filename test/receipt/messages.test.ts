// The receipt word catalogs: English and Chinese have the same keys at every level, every
// field 39 code the host link knows has Chinese words, and every Chinese word encodes in
// GB18030 (the printer's charset) and decodes back unchanged.
import t from 'tap';
import { en } from '../../src/receipt/messages/en.js';
import { zh } from '../../src/receipt/messages/zh.js';
import { responseLine } from '../../src/receipt/messages/index.js';
import { RESPONSE_CODES } from '../../src/host/response-codes.js';
import { loadTextCodec } from '../../hal/devices/escpos/text-encoding.js';

type Tree = { [key: string]: string | Tree };
const keys = (o: Tree, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`))).filter((k) => !k.startsWith('responseText.'));
const words = (o: Tree): string[] => Object.values(o).flatMap((v) => (typeof v === 'string' ? [v] : words(v)));

t.test('same keys', async (t) => {
  t.same(keys(zh as unknown as Tree).sort(), keys(en as unknown as Tree).sort());
});

t.test('field 39 texts in both languages', async (t) => {
  for (const code of [...Object.keys(RESPONSE_CODES), 'Y1', 'Z1', 'Y3', 'Z3']) {
    t.ok(zh.responseText[code], `zh ${code}`);
    t.match(responseLine(code, 'en'), new RegExp(`^${code} [A-Z]`), `en ${code}`);
  }
});

t.test('Chinese words round-trip GB18030', async (t) => {
  const gb = await loadTextCodec('gb18030');
  for (const w of words(zh as unknown as Tree)) t.equal(gb.decode(gb.encode(w)), w, w);
});
