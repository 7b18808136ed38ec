/** Keys of the technician's serial console. */
import type { ConfigKeyDef } from '../schema.js';

declare module '../schema.js' {
  interface ConfigValues {
    'console.device': string;
    'console.baudRate': number;
    'console.idleTimeoutSec': number;
  }
}

export const consoleKeys: readonly ConfigKeyDef[] = [
  {
    key: 'console.device',
    type: 'string',
    pattern: /^\/dev\/\S+$/,
    expected: 'a serial device node like "/dev/serial0" or "/dev/ttyUSB0"',
    // The primary UART (hardware.md 10.2); on a Pi 5 that is the debug header.
    default: '/dev/serial0',
    description: 'serial port of the technician console',
  },
  {
    key: 'console.baudRate',
    type: 'integer',
    allowed: [9600, 19200, 38400, 57600, 115200],
    // DESIGN "Serial consoles": any terminal program at 115200 8N1.
    default: 115200,
    description: 'console speed (8N1)',
  },
  {
    key: 'console.idleTimeoutSec',
    type: 'integer',
    min: 30,
    max: 3600,
    default: 300,
    description: 'a console session with no input for this long is logged out',
  },
];
