// The one errno -> HalErrorCode table of the Linux backends, and the wrapper that turns a
// Node/native error into a HalError naming the device (the original error kept as cause).
import { constants } from 'node:os';
import { HalError, isHalError, type HalErrorCode } from '../errors.js';

/**
 * errno name -> HAL code. I2C meanings after the kernel's Documentation/i2c/fault-codes.rst
 * (ENXIO / EREMOTEIO: address or data not acknowledged; ETIMEDOUT: a slave stretched the
 * clock too long; EAGAIN: arbitration lost).
 */
export const ERRNO_TO_HAL: Readonly<Record<string, HalErrorCode>> = {
  EREMOTEIO: 'HAL_NACK',
  ENXIO: 'HAL_NACK',
  ETIMEDOUT: 'HAL_TIMEOUT',
  ENOENT: 'HAL_NOT_FOUND',
  ENODEV: 'HAL_NOT_FOUND',
  EACCES: 'HAL_PERMISSION',
  EPERM: 'HAL_PERMISSION',
  EBUSY: 'HAL_BUSY',
  EAGAIN: 'HAL_BUSY',
  EINVAL: 'HAL_INVALID_ARGUMENT',
  EMSGSIZE: 'HAL_INVALID_ARGUMENT',
  ERANGE: 'HAL_INVALID_ARGUMENT',
  EOPNOTSUPP: 'HAL_UNSUPPORTED',
  ENOTSUP: 'HAL_UNSUPPORTED',
  ENOTTY: 'HAL_UNSUPPORTED',
  ENOSYS: 'HAL_UNSUPPORTED',
  EPROTO: 'HAL_PROTOCOL',
  EBADMSG: 'HAL_PROTOCOL',
  EBADF: 'HAL_CLOSED',
  ECANCELED: 'HAL_ABORTED',
  ESHUTDOWN: 'HAL_DISCONNECTED',
  EPIPE: 'HAL_DISCONNECTED',
  EIO: 'HAL_IO',
};

/**
 * Native addons that report only strerror() text (serialport's bindings-cpp: "Error: No such
 * file or directory, cannot open /dev/ttyX") are matched by that text (glibc strerror).
 */
const STRERROR_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/no such file or directory/i, 'ENOENT'],
  [/no such device(?! or address)/i, 'ENODEV'],
  [/no such device or address/i, 'ENXIO'],
  [/permission denied/i, 'EACCES'],
  [/operation not permitted/i, 'EPERM'],
  [/device or resource busy/i, 'EBUSY'],
  [/resource temporarily unavailable/i, 'EAGAIN'],
  [/invalid argument/i, 'EINVAL'],
  [/inappropriate ioctl for device/i, 'ENOTTY'],
  [/bad file descriptor/i, 'EBADF'],
  [/remote i\/o error/i, 'EREMOTEIO'],
  [/input\/output error|\bi\/o error/i, 'EIO'],
  [/connection timed out/i, 'ETIMEDOUT'],
];

/** Linux errno numbers that Node's os.constants.errno leaves out (asm-generic/errno.h). */
export const LINUX_ONLY_ERRNO: Readonly<Record<string, number>> = { EREMOTEIO: 121, ESHUTDOWN: 108 };

const ERRNO_NAMES = new Map<number, string>(
  Object.entries({ ...constants.errno, ...LINUX_ONLY_ERRNO }).map(([name, n]) => [n, name]),
);

/** The errno name of a Node error (`code` such as "EREMOTEIO", or a numeric `errno`), if any. */
export function errnoName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  // libuv reports negative errno values, native addons positive ones.
  if (typeof errno === 'number' && errno !== 0) return ERRNO_NAMES.get(Math.abs(errno));
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string') return STRERROR_NAMES.find(([re]) => re.test(message))?.[1];
  return undefined;
}

/** The udev group that owns a device node on Raspberry Pi OS (raspberrypi-sys-mods 99-com.rules). */
function groupOf(device: string): string | undefined {
  if (device.startsWith('/dev/i2c-')) return 'i2c';
  if (device.startsWith('/dev/spidev')) return 'spi';
  if (device.includes('/gpio')) return 'gpio';
  if (device.startsWith('/dev/tty') || device.startsWith('/dev/serial')) return 'dialout';
  return undefined;
}

function hintFor(code: HalErrorCode, device: string): string {
  switch (code) {
    case 'HAL_PERMISSION': {
      const group = groupOf(device);
      return group
        ? `: add the user to group ${group} (sudo usermod -aG ${group} $USER, then log in again)`
        : ': check the owner and mode of the device node';
    }
    case 'HAL_NOT_FOUND':
      if (device.startsWith('/dev/i2c-')) return ': enable the bus (dtparam=i2c_arm=on in config.txt) and load i2c-dev';
      if (device.startsWith('/dev/spidev')) return ': enable the bus (dtparam=spi=on in config.txt)';
      return '';
    case 'HAL_BUSY':
      return ': another driver or process holds it';
    default:
      return '';
  }
}

/**
 * Wraps a failure of `what` on `device` into a HalError. A HalError passes through
 * unchanged; an error without an errno becomes HAL_IO unless `fallback` says otherwise.
 */
export function toHalError(err: unknown, device: string, what: string, fallback: HalErrorCode = 'HAL_IO'): HalError {
  if (isHalError(err)) return err;
  const name = errnoName(err);
  const code = (name !== undefined ? ERRNO_TO_HAL[name] : undefined) ?? fallback;
  const detail = err instanceof Error ? err.message : String(err);
  return new HalError(code, `${device}: ${what} failed (${name ?? detail})${hintFor(code, device)}`, { cause: err });
}
