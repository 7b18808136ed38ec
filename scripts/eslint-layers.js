// A lint rule that makes the layer directions of STYLE.md mechanical. Relative imports are
// resolved against the importing file, so "../../sim/i2c.js" is seen as hal/sim/i2c.js.
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const NATIVE = ['onoff', 'i2c-bus', 'spi-device', 'serialport', '@serialport/', 'smartcard', 'epoll'];
const BACKENDS = ['hal/sim/', 'hal/linux/'];
const SIM_ONLY = ['emv/cards/', /\.sim\.(js|ts)$/];

/** [files the rule applies to, files exempt, forbidden targets, why]; first match wins. */
export const LAYERS = [
  [/^hal\/devices\/.*\.sim\.ts$/, null, [...BACKENDS, 'src/', ...NATIVE], 'chip models use the hal contracts and emv/ only'],
  [/^hal\/devices\//, null, [...BACKENDS, 'src/', ...SIM_ONLY, ...NATIVE], 'drivers use only the hal contracts'],
  [/^hal\/linux\//, null, ['hal/sim/', 'src/'], 'hal/ never imports src/'],
  [/^hal\//, null, ['hal/linux/', 'src/', ...NATIVE], 'hal/ never imports src/; only hal/linux loads native modules'],
  [/^emv\/cards\//, null, ['hal/', 'src/', ...NATIVE], 'virtual cards are card logic: no I/O, no src/'],
  [/^emv\//, null, ['hal/', 'src/', 'emv/cards/', ...NATIVE], 'emv/ does no I/O and never imports src/, a backend or a virtual card'],
  [/^boards\//, null, [...BACKENDS, 'src/', ...NATIVE], 'the board loader reads data and driver bindings only'],
  [/^src\/board\//, null, [], ''],
  [/^src\//, null, [...BACKENDS, ...SIM_ONLY, ...NATIVE], 'only src/board/ wires backends, chip models and virtual cards'],
];

function matches(target, pattern) {
  if (pattern instanceof RegExp) return pattern.test(target);
  return pattern.endsWith('/') ? target.startsWith(pattern) : target === pattern || target.startsWith(pattern + '/');
}

export const layersRule = {
  meta: { type: 'problem', schema: [], messages: { layer: '{{file}} may not import {{target}}: {{why}} (STYLE.md layers)' } },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const layer = LAYERS.find(([re]) => re.test(file));
    if (!layer || layer[2].length === 0) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      const target = spec.startsWith('.')
        ? path.relative(root, path.resolve(path.dirname(path.join(root, file)), spec)).split(path.sep).join('/')
        : spec;
      const hit = layer[2].find((p) => matches(target, p));
      if (hit !== undefined) context.report({ node, messageId: 'layer', data: { file, target, why: layer[3] } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { imports: layersRule } };
