// The kernel path never imports emv/strings (human decoding), emv/cards (virtual cards),
// hal/ or src/ (STYLE.md layers; emv/README.md).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';

const dir = new URL('../../../emv/kernel/', import.meta.url);

t.test('emv/kernel imports', async (t) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.ok(files.length >= 8, `${files.length} kernel files`);
  for (const f of files) {
    const src = readFileSync(new URL(f, dir), 'utf8');
    for (const m of src.matchAll(/from '([^']+)'/g)) t.notMatch(m[1]!, /(\/strings\/|\/cards\/|\.\.\/\.\.\/hal\/|\.\.\/\.\.\/src\/)/, `${f} imports ${m[1]}`);
  }
});
