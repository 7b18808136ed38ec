import type { DeviceBinding } from '../binding.js';

/** A magnetic stripe reader on a serial link: ASCII track output (MagTek, ID TECH) or the MSR605/MSR206 command protocol. */
export const magstripeBinding: DeviceBinding = {
  compatible: 'generic,magstripe-serial',
  bus: 'serial',
  roles: ['stripe'],
  description: 'magnetic stripe reader over serial (ASCII track output or MSR605 protocol)',
  props: {
    type: 'object',
    properties: {
      baudRate: { type: 'integer', minimum: 300, maximum: 115200, default: 9600, description: 'line speed (readers default to 9600 8N1)' },
      lineEnding: {
        type: 'string',
        enum: ['cr', 'crlf', 'lf'],
        default: 'cr',
        description: 'what the reader sends after a swipe (the driver accepts CR or LF either way; hardware.md risk 9)',
      },
      lrc: { type: 'boolean', default: false, description: 'the reader transmits the LRC character after each end sentinel' },
      stxEtx: { type: 'boolean', default: false, description: 'each swipe is wrapped in STX ... ETX (MagTek option)' },
      trackSeparator: {
        type: 'string',
        enum: ['none', 'line'],
        default: 'none',
        description: 'none: tracks back to back, one line per swipe (MagTek); line: each track ends with the line ending (ID TECH default)',
      },
      protocol: {
        type: 'string',
        enum: ['ascii', 'msr605'],
        default: 'ascii',
        description: 'ascii: the reader sends each swipe by itself; msr605: MSR605/MSR206 command protocol (the driver arms each read)',
      },
      idleTimeoutMs: { type: 'integer', minimum: 10, maximum: 10000, default: 500, description: 'a swipe with no byte for this long is a read error' },
    },
  },
};
