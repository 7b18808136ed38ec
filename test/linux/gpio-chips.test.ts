// GPIO line resolution against fake sysfs trees laid out as on real boards. Expected numbers
// come from published listings: Pi 4 on kernel 6.6+ "GPIOs 512-569 ... pinctrl-bcm2711" with
// "gpio-529 (GPIO17)" (talkkonnect/talkkonnect#129, lexus2k/lcdgfx#134); Pi 5 pinctrl-rp1 at
// base 571 (fivdi/onoff#199); kernels before 6.2 gave the SoC chip base 0 (raspberrypi/linux#6084).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { readGpioChips, resolveGpioLine, headerChip } from '../../hal/linux/gpio-chips.js';
import { LinuxGpioController } from '../../hal/linux/gpio.js';

type Chip = [base: number, label: string, ngpio: number];

async function fakeSysfs(t: Test, chips: Chip[]): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'pos-sysfs-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const gpio = path.join(root, 'class', 'gpio');
  await mkdir(gpio, { recursive: true });
  // What the kernel also puts there: the export files (not chips).
  await writeFile(path.join(gpio, 'export'), '');
  await writeFile(path.join(gpio, 'unexport'), '');
  for (const [base, label, ngpio] of chips) {
    const dir = path.join(gpio, `gpiochip${base}`);
    await mkdir(dir);
    await writeFile(path.join(dir, 'base'), `${base}\n`);
    await writeFile(path.join(dir, 'label'), `${label}\n`);
    await writeFile(path.join(dir, 'ngpio'), `${ngpio}\n`);
  }
  return root;
}

const PI4: Chip[] = [
  [512, 'pinctrl-bcm2711', 58],
  [570, 'raspberrypi-exp-gpio', 8],
];
const PI5: Chip[] = [
  [512, 'gpio-brcmstb@107d508500', 32],
  [544, 'gpio-brcmstb@107d508500', 4],
  [548, 'gpio-brcmstb@107d517c00', 17],
  [565, 'gpio-brcmstb@107d517c00', 6],
  [571, 'pinctrl-rp1', 54],
];
const PI3: Chip[] = [
  [512, 'pinctrl-bcm2835', 54],
  [566, 'raspberrypi-exp-gpio', 8],
];
const PI4_OLD_KERNEL: Chip[] = [
  [0, 'pinctrl-bcm2711', 58],
  [504, 'raspberrypi-exp-gpio', 8],
];

t.test('Pi 4, kernel 6.6+: GPIO17 is 529, the expander is its own chip', async (t) => {
  const chips = await readGpioChips(await fakeSysfs(t, PI4));
  t.equal(headerChip(chips).label, 'pinctrl-bcm2711');
  t.equal(resolveGpioLine(chips, 'GPIO17').number, 529);
  t.equal(resolveGpioLine(chips, 'GPIO0').number, 512);
  t.equal(resolveGpioLine(chips, { chip: 'pinctrl-bcm2711', line: 17 }).number, 529);
  t.equal(resolveGpioLine(chips, { chip: 'raspberrypi-exp-gpio', line: 2 }).number, 572);
  t.throws(() => resolveGpioLine(chips, 'GPIO58'), { code: 'HAL_NOT_FOUND', message: /lines 0\.\.57/ });
});

t.test('Pi 5: the header is pinctrl-rp1 at 571, not the first chip', async (t) => {
  const chips = await readGpioChips(await fakeSysfs(t, PI5));
  t.equal(resolveGpioLine(chips, 'GPIO17').number, 588);
  t.equal(resolveGpioLine(chips, 'GPIO2').number, 573);
  t.equal(resolveGpioLine(chips, { chip: 'pinctrl-rp1', line: 27 }).number, 598);
  t.throws(() => resolveGpioLine(chips, 'GPIO54'), { code: 'HAL_NOT_FOUND' });
});

t.test('Pi 3 (pinctrl-bcm2835) and a Pi 4 on a kernel before dynamic bases', async (t) => {
  const pi3 = await readGpioChips(await fakeSysfs(t, PI3));
  t.equal(resolveGpioLine(pi3, 'GPIO17').number, 529);
  t.equal(resolveGpioLine(pi3, 'GPIO53').number, 565);
  const old = await readGpioChips(await fakeSysfs(t, PI4_OLD_KERNEL));
  t.equal(resolveGpioLine(old, 'GPIO17').number, 17);
  t.equal(resolveGpioLine(old, { chip: 'raspberrypi-exp-gpio', line: 0 }).number, 504);
});

t.test('a board without the header chip: the error names the chips that exist', async (t) => {
  const chips = await readGpioChips(await fakeSysfs(t, [[512, 'INT34C6:00', 64]]));
  t.throws(() => resolveGpioLine(chips, 'GPIO17'), {
    code: 'HAL_NOT_FOUND',
    message: /no header GPIO chip \(pinctrl-bcm2711, pinctrl-rp1, pinctrl-bcm2835\); chips found: INT34C6:00 \(gpiochip512, 64 lines\)/,
  });
  t.throws(() => resolveGpioLine(chips, { chip: 'pinctrl-bcm2711', line: 4 }), {
    code: 'HAL_NOT_FOUND',
    message: /no chip labelled "pinctrl-bcm2711"; chips found: INT34C6:00/,
  });
  const none = await readGpioChips(await fakeSysfs(t, []));
  t.throws(() => resolveGpioLine(none, 'GPIO4'), { message: /no GPIO chips were found/ });
});

t.test('no /sys/class/gpio at all (no CONFIG_GPIO_SYSFS, a container)', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'pos-sysfs-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await t.rejects(readGpioChips(root), { code: 'HAL_NOT_FOUND', message: /class\/gpio does not exist/ });
});

t.test('malformed references and chip files are clear errors', async (t) => {
  const chips = await readGpioChips(await fakeSysfs(t, PI4));
  for (const bad of ['GPIO', 'gpio17', 'GPIO-1', 'PIN17', 'GPIO17 ', '']) {
    t.throws(() => resolveGpioLine(chips, bad), { code: 'HAL_NOT_FOUND' }, JSON.stringify(bad));
  }
  for (const line of [-1, 1.5, Number.NaN, 58]) {
    t.throws(() => resolveGpioLine(chips, { chip: 'pinctrl-bcm2711', line }), { code: 'HAL_NOT_FOUND' }, String(line));
  }
  const root = await fakeSysfs(t, PI4);
  await writeFile(path.join(root, 'class', 'gpio', 'gpiochip512', 'base'), 'five hundred\n');
  await t.rejects(readGpioChips(root), { code: 'HAL_IO', message: /not a number/ });
});

t.test('LinuxGpioController: bias is refused with a hint; unknown chips are HAL_NOT_FOUND', async (t) => {
  const gpio = new LinuxGpioController({ sysfsRoot: await fakeSysfs(t, PI4) });
  t.same(gpio.capabilities, { bias: false, edgeEvents: true });
  await t.rejects(gpio.open('GPIO5', { direction: 'in', bias: 'pull-up' }), { code: 'HAL_UNSUPPORTED', message: /config\.txt.*gpio=17=ip,pu/ });
  await t.rejects(gpio.open({ chip: 'pinctrl-rp1', line: 5 }, { direction: 'in' }), { code: 'HAL_NOT_FOUND', message: /chips found: pinctrl-bcm2711/ });
  await gpio.close();
  await t.rejects(gpio.open('GPIO5', { direction: 'in' }), { code: 'HAL_CLOSED' });
});
