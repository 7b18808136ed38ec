// STYLE.md layering inside emv/: ber -> dict -> dol -> apdu -> transport, with emv/strings
// (human decoding) on top. The kernel path must never import emv/strings.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../emv');
const ORDER = ['errors', 'bytes', 'ber', 'dict', 'dol', 'apdu', 'transport', 'track', 'strings'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = path.relative(root, file).split(path.sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
}

t.test('emv/ imports only downwards; nothing below strings imports it', async (t) => {
  let checked = 0;
  for (const file of files(root)) {
    const from = layerOf(file);
    if (!ORDER.includes(from)) continue;
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/from '(\.[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (!target.startsWith(root)) continue;
      const to = layerOf(target.replace(/\.js$/, '.ts'));
      if (!ORDER.includes(to)) continue;
      checked++;
      t.ok(ORDER.indexOf(to) <= ORDER.indexOf(from), `${path.relative(root, file)} -> ${m[1]} (${from} may use ${to})`);
      if (from !== 'strings') t.not(to, 'strings', `${path.relative(root, file)} must not import emv/strings`);
    }
  }
  t.ok(checked > 10, `${checked} imports checked`);
});
