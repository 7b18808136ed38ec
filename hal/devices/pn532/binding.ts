/**
 * Binding of the PN532 driver. One compatible covers the chip's three host interfaces:
 * the profile entry names the bus it sits on (`bus` below lists the default, SPI), and
 * `props.interface` says which one is wired ("spi" on an spi bus, "i2c" on an i2c bus,
 * "hsu" on a serial link); the loader checks that the two agree.
 */
import type { DeviceBinding } from '../binding.js';

/** The profile bus kind each PN532 interface needs. */
export const PN532_INTERFACE_BUS = { spi: 'spi', i2c: 'i2c', hsu: 'serial' } as const;

export const pn532Binding: DeviceBinding = {
  compatible: 'nxp,pn532',
  bus: 'spi',
  alsoOn: ['i2c', 'serial'],
  roles: ['contactless'],
  validate(props, { busKind }) {
    const wanted = PN532_INTERFACE_BUS[props.interface as keyof typeof PN532_INTERFACE_BUS];
    return busKind !== undefined && wanted !== busKind ? [`interface: "${String(props.interface)}" needs ${wanted === 'i2c' ? 'an' : 'a'} ${wanted} bus; the device sits on ${busKind === 'i2c' ? 'an' : 'a'} ${busKind} bus`] : [];
  },
  i2cAddresses: { default: 0x24, allowed: [0x24] },
  description: 'NXP PN532 NFC controller (ISO/IEC 14443-A reader) on SPI, I2C or HSU',
  props: {
    type: 'object',
    properties: {
      interface: {
        type: 'string',
        enum: ['spi', 'i2c', 'hsu'],
        default: 'spi',
        description: 'host interface selected by the module switches (SPI preferred on a Pi: risk 6)',
      },
      chipSelect: { type: 'integer', minimum: 0, maximum: 7, default: 0, description: 'SPI chip select' },
      speedHz: { type: 'integer', minimum: 10_000, maximum: 5_000_000, default: 1_000_000, description: 'SPI clock (PN532 max 5 MHz)' },
      address: { type: 'integer', minimum: 0x24, maximum: 0x24, default: 0x24, description: 'I2C 7-bit address' },
      baudRate: { type: 'integer', minimum: 9600, maximum: 1_288_000, default: 115200, description: 'HSU baud rate (power-on 115200)' },
      pollIntervalMs: { type: 'integer', minimum: 1, maximum: 100, default: 2, description: 'ready-status poll interval (SPI, I2C)' },
      maxRetries: {
        type: 'integer',
        minimum: 0,
        maximum: 0xfe,
        default: 0x10,
        description: 'MxRtyPassiveActivation per poll (0xFF, wait forever, is not allowed)',
      },
      resetLine: { type: 'gpio', description: 'optional RSTPD_N line' },
      irqLine: { type: 'gpio', description: 'optional P70_IRQ line (low when a frame is ready)' },
    },
  },
};
