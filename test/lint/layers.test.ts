// The layer rules of STYLE.md are mechanical: each forbidden import direction is a lint error.
import t from 'tap';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function violations(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/imports').map((m) => m.message);
}

const cases: Array<[string, string, boolean]> = [
  ['hal/devices/hd44780/hd44780.ts', "import { SimI2cBus } from '../../sim/i2c.js';", true],
  ['hal/devices/hd44780/hd44780.ts', "import { x } from '../../linux/i2c.js';", true],
  ['hal/devices/hd44780/hd44780.ts', "import { x } from '../../../src/config/store.js';", true],
  ['hal/devices/hd44780/hd44780.ts', "import { Gpio } from 'onoff';", true],
  ['hal/devices/hd44780/hd44780.ts', "import type { I2cDevice } from '../../i2c.js';", false],
  ['hal/devices/pn532/pn532.sim.ts', "import { x } from '../../../emv/cards/catalogue.js';", false],
  ['hal/devices/pn532/pn532.ts', "import { x } from '../../../emv/cards/catalogue.js';", true],
  ['emv/kernel/kernel.ts', "import { x } from '../../src/engine/engine.js';", true],
  ['emv/kernel/kernel.ts', "import { x } from '../../hal/sim/spi.js';", true],
  ['emv/kernel/kernel.ts', "import { x } from '../cards/visa.js';", true],
  ['emv/kernel/kernel.ts', "import { x } from '../ber/ber.js';", false],
  ['hal/sim/i2c.ts', "import { x } from '../../src/x.js';", true],
  ['src/engine/engine.ts', "import { x } from '../../hal/sim/i2c.js';", true],
  ['src/engine/engine.ts', "import { x } from '../../emv/cards/catalogue.js';", true],
  ['src/board/build.ts', "import { x } from '../../hal/sim/i2c.js';", false],
];

for (const [file, source, forbidden] of cases) {
  t.test(`${file}: ${source}`, async (t) => {
    const found = await violations(file, source);
    t.equal(found.length > 0, forbidden, forbidden ? 'is reported' : 'is allowed');
  });
}

t.test('dynamic imports are checked too', async (t) => {
  const found = await violations('emv/kernel/kernel.ts', "export const f = () => import('../../hal/linux/gpio.js');");
  t.equal(found.length, 1);
  t.match(found[0], /emv\/kernel\/kernel\.ts may not import hal\/linux\/gpio\.js/);
});
