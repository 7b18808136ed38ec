/**
 * Binding of the PC/SC reader driver: a USB CCID reader (contact: ACS ACR38/ACR39,
 * Identiv; contactless: ACR122U; dual interface: ACR1252U, one PC/SC reader name per
 * interface) behind pcscd. It sits on no bus: the reader is chosen by its PC/SC name.
 */
import type { DeviceBinding } from '../binding.js';

export interface PcscReaderProps {
  /** Case-insensitive regular expression matched against PC/SC reader names (a plain name matches as a substring). */
  readerPattern: string;
  interface: 'contact' | 'contactless';
  /** `linux`: pcscd through libpcsclite; `sim`: readers and virtual cards in-process. */
  backend: 'linux' | 'sim';
  pollIntervalMs: number;
  share: 'shared' | 'exclusive';
}

export const pcscReaderBinding: DeviceBinding = {
  compatible: 'pcsc,reader',
  bus: 'pcsc',
  roles: ['contact', 'contactless'],
  description: 'a PC/SC smart card reader (USB CCID behind pcscd), chosen by reader name',
  validate(props) {
    try {
      new RegExp(String(props.readerPattern), 'iu');
      return [];
    } catch (err) {
      return [`readerPattern: not a valid regular expression (${(err as Error).message})`];
    }
  },
  props: {
    type: 'object',
    required: ['readerPattern'],
    properties: {
      readerPattern: { type: 'string', minLength: 1, maxLength: 200, description: 'regular expression (case-insensitive) or plain substring of the PC/SC reader name, e.g. "ACS ACR39"' },
      interface: { type: 'string', enum: ['contact', 'contactless'], default: 'contact', description: 'contact fills the contact role, contactless the contactless role' },
      backend: { type: 'string', enum: ['linux', 'sim'], default: 'linux', description: 'linux: pcscd; sim: in-process readers serving virtual cards' },
      pollIntervalMs: { type: 'integer', minimum: 20, maximum: 2000, default: 100, description: 'how often reader and card state is polled' },
      share: { type: 'string', enum: ['shared', 'exclusive'], default: 'exclusive', description: 'PC/SC share mode while a card is powered (exclusive keeps other applications off the card mid-transaction)' },
    },
  },
};
