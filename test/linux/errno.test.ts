// The errno -> HAL code table. Meanings per the Linux errno list (errno(3)) and, for I2C,
// Documentation/i2c/fault-codes.rst (ENXIO/EREMOTEIO: no ACK; ETIMEDOUT: clock stretched too long).
import { open } from 'node:fs/promises';
import { constants } from 'node:os';
import t from 'tap';
import { HalError } from '../../hal/errors.js';
import { ERRNO_TO_HAL, LINUX_ONLY_ERRNO, errnoName, toHalError } from '../../hal/linux/errno.js';

const nodeError = (code: string, message = code): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

t.test('every errno name in the table is a real Linux errno', async (t) => {
  for (const name of Object.keys(ERRNO_TO_HAL)) t.ok(name in constants.errno || name in LINUX_ONLY_ERRNO, name);
});

t.test('the mapping the HAL contracts rely on', async (t) => {
  const expected: Record<string, string> = {
    EREMOTEIO: 'HAL_NACK',
    ENXIO: 'HAL_NACK',
    ETIMEDOUT: 'HAL_TIMEOUT',
    ENOENT: 'HAL_NOT_FOUND',
    ENODEV: 'HAL_NOT_FOUND',
    EACCES: 'HAL_PERMISSION',
    EPERM: 'HAL_PERMISSION',
    EBUSY: 'HAL_BUSY',
    EINVAL: 'HAL_INVALID_ARGUMENT',
    EIO: 'HAL_IO',
    ENOTTY: 'HAL_UNSUPPORTED',
  };
  for (const [errno, code] of Object.entries(expected)) {
    t.equal(toHalError(nodeError(errno), '/dev/i2c-1', 'write').code, code, errno);
  }
  t.equal(toHalError(nodeError('EWHATEVER'), '/dev/x', 'read').code, 'HAL_IO', 'an unknown errno is HAL_IO');
  t.equal(toHalError(new Error('Invalid I2C address 200'), '/dev/x', 'read', 'HAL_INVALID_ARGUMENT').code, 'HAL_INVALID_ARGUMENT', 'the fallback applies to errors without errno');
});

t.test('errno found from code, from libuv negative or native positive numbers, and from strerror text', async (t) => {
  t.equal(errnoName(nodeError('EREMOTEIO')), 'EREMOTEIO');
  t.equal(errnoName({ errno: -121 }), 'EREMOTEIO', "libuv: -EREMOTEIO (121 on Linux)");
  t.equal(errnoName({ errno: constants.errno.EACCES }), 'EACCES');
  // serialport's bindings-cpp reports only text (verified here with serialport 13).
  t.equal(errnoName(new Error('Error: No such file or directory, cannot open /dev/ttyUSB9')), 'ENOENT');
  t.equal(errnoName(new Error('Error Resource temporarily unavailable Cannot lock port')), 'EAGAIN');
  t.equal(errnoName(new Error('Inappropriate ioctl for device, cannot set')), 'ENOTTY');
  t.equal(errnoName(new Error('remote I/O error')), 'EREMOTEIO');
  t.equal(errnoName(new Error('EIO: i/o error, write')), 'EIO');
  t.equal(errnoName(new Error('something else')), undefined);
  t.equal(errnoName(null), undefined);
  t.equal(errnoName('ENOENT'), undefined, 'a bare string is not an error');
});

t.test('a real ENOENT from the file system', async (t) => {
  const err = await open('/dev/i2c-does-not-exist').then(
    () => undefined,
    (e: unknown) => e,
  );
  const hal = toHalError(err, '/dev/i2c-9', 'open');
  t.equal(hal.code, 'HAL_NOT_FOUND');
  t.match(hal.message, /\/dev\/i2c-9: open failed \(ENOENT\): enable the bus \(dtparam=i2c_arm=on/);
  t.equal(hal.cause, err, 'the original error is kept as cause');
});

t.test('permission errors say which group to join', async (t) => {
  const cases: [string, string][] = [
    ['/dev/i2c-1', 'i2c'],
    ['/dev/spidev0.0', 'spi'],
    ['/sys/class/gpio/export', 'gpio'],
    ['/dev/ttyAMA0', 'dialout'],
    ['/dev/serial0', 'dialout'],
  ];
  for (const [device, group] of cases) {
    const msg = toHalError(nodeError('EACCES'), device, 'open').message;
    t.match(msg, new RegExp(`^${device}: open failed \\(EACCES\\): add the user to group ${group} `), device);
  }
  t.match(toHalError(nodeError('EPERM'), '/dev/foo', 'open').message, /check the owner and mode/);
});

t.test('a HalError passes through unchanged', async (t) => {
  const err = new HalError('HAL_TIMEOUT', 'x');
  t.equal(toHalError(err, '/dev/i2c-1', 'read'), err);
});
