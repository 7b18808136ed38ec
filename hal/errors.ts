/**
 * The one error type of the hardware layer. Every backend (Linux, sim) and every driver
 * maps its failures onto this closed set of codes, so callers branch on `code`, never on
 * a backend's message text or errno.
 */

/** Every code the HAL can raise, with its meaning. This table is the authority. */
export const HAL_ERROR_CODES = {
  HAL_TIMEOUT: 'the operation did not complete within its time limit',
  HAL_CLOSED: 'the handle (or its bus) was closed before or during the operation',
  HAL_ABORTED: 'the caller cancelled the operation (AbortSignal)',
  HAL_NACK: 'no device acknowledged the address or the data (I2C NACK, EREMOTEIO)',
  HAL_NOT_FOUND: 'the bus, device node, GPIO chip or line does not exist',
  HAL_PERMISSION: 'the process may not open the device (EACCES/EPERM: check groups and udev rules)',
  HAL_BUSY: 'the resource is already in use (EBUSY), or one operation is already in flight',
  HAL_INVALID_ARGUMENT: 'an argument is out of range (address, chip select, length, speed, line)',
  HAL_UNSUPPORTED: 'the backend cannot do what was asked (see the handle\'s capabilities)',
  HAL_IO: 'the transfer failed at the bus level (EIO and other errno values)',
  HAL_PROTOCOL: 'the device answered but broke its protocol (bad checksum, bad frame, bad state)',
  HAL_DISCONNECTED: 'the far end went away (serial peer closed, USB device unplugged)',
  HAL_DEVICE: 'the device reported a fault of its own (paper out, card removed, self-test failed)',
} as const;

export type HalErrorCode = keyof typeof HAL_ERROR_CODES;

export class HalError extends Error {
  override readonly name = 'HalError';
  readonly code: HalErrorCode;

  constructor(code: HalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isHalError(err: unknown, code?: HalErrorCode): err is HalError {
  return err instanceof HalError && (code === undefined || err.code === code);
}
