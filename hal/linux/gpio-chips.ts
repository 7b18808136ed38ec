// Resolves a line reference to a sysfs GPIO number from /sys/class/gpio/gpiochip*/{label,
// base,ngpio}. Bases are dynamic since Linux 6.2 (GPIO_DYNAMIC_BASE 512): 512 on a Pi 4 with
// kernel 6.6+, 571 on a Pi 5, 0 on older Pi 4 kernels (raspberrypi/linux#6084, fivdi/onoff#199),
// so a number is never hard-coded; pelwell's advice in #6084: find the chip that has GPIO2.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HalError } from '../errors.js';
import { gpioRefName, type GpioLineRef } from '../gpio.js';
import { errnoName, toHalError } from './errno.js';

/** Labels of the chips that carry the 40-pin header's GPIO0..27, by preference. */
export const HEADER_CHIP_LABELS = ['pinctrl-bcm2711', 'pinctrl-rp1', 'pinctrl-bcm2835'] as const;

export interface GpioChipInfo {
  /** Directory name, e.g. "gpiochip512". */
  readonly dir: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export interface ResolvedGpioLine {
  /** The number sysfs (and onoff) takes: base + offset. */
  readonly number: number;
  readonly chip: GpioChipInfo;
  readonly offset: number;
}

async function readInt(file: string): Promise<number> {
  const text = (await readFile(file, 'utf8')).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new HalError('HAL_IO', `${file}: not a number: "${text}"`);
  return n;
}

/** Lists the GPIO chips under `<sysfsRoot>/class/gpio`, sorted by base. */
export async function readGpioChips(sysfsRoot = '/sys'): Promise<GpioChipInfo[]> {
  const classDir = path.join(sysfsRoot, 'class', 'gpio');
  let entries: string[];
  try {
    entries = await readdir(classDir);
  } catch (err) {
    if (errnoName(err) === 'ENOENT') {
      throw new HalError('HAL_NOT_FOUND', `${classDir} does not exist: this kernel has no sysfs GPIO (CONFIG_GPIO_SYSFS) or this is not a GPIO board`, { cause: err });
    }
    throw toHalError(err, classDir, 'listing GPIO chips');
  }
  const chips: GpioChipInfo[] = [];
  for (const dir of entries.filter((e) => /^gpiochip\d+$/.test(e))) {
    const chipDir = path.join(classDir, dir);
    try {
      const label = (await readFile(path.join(chipDir, 'label'), 'utf8')).trim();
      chips.push({ dir, label, base: await readInt(path.join(chipDir, 'base')), ngpio: await readInt(path.join(chipDir, 'ngpio')) });
    } catch (err) {
      throw toHalError(err, chipDir, 'reading the GPIO chip');
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

function describe(chips: readonly GpioChipInfo[]): string {
  if (chips.length === 0) return 'no GPIO chips were found';
  return `chips found: ${chips.map((c) => `${c.label} (${c.dir}, ${c.ngpio} lines)`).join(', ')}`;
}

/** The chip that carries the header's GPIOn lines (the first of HEADER_CHIP_LABELS present). */
export function headerChip(chips: readonly GpioChipInfo[]): GpioChipInfo {
  for (const label of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  throw new HalError('HAL_NOT_FOUND', `gpio: no header GPIO chip (${HEADER_CHIP_LABELS.join(', ')}); ${describe(chips)}`);
}

/**
 * Resolves "GPIOn" (offset n on the header chip) or `{chip: label, line: offset}`.
 * HAL_NOT_FOUND names the reference and lists the chips that exist.
 */
export function resolveGpioLine(chips: readonly GpioChipInfo[], ref: GpioLineRef): ResolvedGpioLine {
  let chip: GpioChipInfo;
  let offset: number;
  if (typeof ref === 'string') {
    const m = /^GPIO(\d+)$/.exec(ref);
    if (!m) {
      throw new HalError('HAL_NOT_FOUND', `gpio: line "${ref}": the sysfs backend knows lines as "GPIOn" or {chip, line}`);
    }
    chip = headerChip(chips);
    offset = Number(m[1]);
  } else {
    const found = chips.find((c) => c.label === ref.chip);
    if (!found) throw new HalError('HAL_NOT_FOUND', `gpio: no chip labelled "${ref.chip}"; ${describe(chips)}`);
    chip = found;
    offset = ref.line;
  }
  if (!Number.isInteger(offset) || offset < 0 || offset >= chip.ngpio) {
    throw new HalError('HAL_NOT_FOUND', `gpio: line ${gpioRefName(ref)}: ${chip.label} has lines 0..${chip.ngpio - 1}`);
  }
  return { number: chip.base + offset, chip, offset };
}
