import type { DeviceBinding } from '../binding.js';

/** A barcode / QR scanner in serial (or USB-CDC) mode sending one line per code (hardware.md 11). */
export const codeScannerBinding: DeviceBinding = {
  compatible: 'generic,code-scanner-serial',
  bus: 'serial',
  roles: ['scanner'],
  description: 'barcode / QR code scanner, one line per code over serial',
  props: {
    type: 'object',
    properties: {
      baudRate: { type: 'integer', minimum: 300, maximum: 921600, default: 9600, description: 'line speed (scanners default to 9600 8N1)' },
      lineEnding: { type: 'string', enum: ['cr', 'crlf', 'lf'], default: 'cr', description: 'the suffix the scanner is set to send after each code' },
      aimPrefix: { type: 'boolean', default: false, description: 'the scanner sends an AIM symbology identifier (]Q1, ]E0, ...) before each code' },
      maxLength: { type: 'integer', minimum: 16, maximum: 65536, default: 4096, description: 'longest code accepted, in bytes' },
      idleTimeoutMs: { type: 'integer', minimum: 10, maximum: 10000, default: 300, description: 'a code with no byte for this long before its terminator is dropped as incomplete' },
    },
  },
};
