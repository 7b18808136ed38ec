// The epson,escpos binding: the schema's defaults are the driver's defaults, and the props
// the schema cannot check (paper width 58 or 80, columns from the paper) are resolved here.
import t from 'tap';
import binding, { DEFAULT_ESCPOS_PROPS, resolveEscPosProps } from '../../../hal/devices/escpos/binding.js';

t.test('binding', async (t) => {
  t.equal(binding.compatible, 'epson,escpos');
  t.equal(binding.bus, 'serial');
  t.same(binding.roles, ['printer']);
  const props = binding.props.properties;
  for (const [key, value] of Object.entries(DEFAULT_ESCPOS_PROPS)) {
    t.equal((props[key] as { default?: unknown }).default, value, `schema default of ${key}`);
  }
  t.equal((props.baudRate as { default?: number }).default, 19200, 'ESC/POS serial printers ship at 19200 8N1 (the issue asks for it)');
  t.same((props.charset as { enum?: readonly string[] }).enum, ['ascii', 'cp437', 'gb18030']);
  t.notOk('default' in props.columns!, 'columns have no fixed default: they follow the paper');
});

t.test('resolveEscPosProps', async (t) => {
  t.equal(resolveEscPosProps({}).props.columns, 32, '58 mm: 32 columns of font A');
  t.equal(resolveEscPosProps({ paperWidthMm: 80 }).props.columns, 48, '80 mm: 48 columns');
  t.equal(resolveEscPosProps({ paperWidthMm: 80, columns: 42 }).props.columns, 42, 'given columns win (font B or other heads)');
  t.match(resolveEscPosProps({ paperWidthMm: 76 as 80 }).problems, [/paperWidthMm/]);
  t.match(resolveEscPosProps({ charset: 'latin1' as 'ascii' }).problems, [/charset/]);
  t.same(resolveEscPosProps({ charset: 'gb18030' }).problems, []);
});
