/**
 * Every driver binding the board loader knows. A part adds its binding here, one import
 * line and one entry each, so that merges stay trivial.
 */
import type { DeviceBinding } from './binding.js';
import hd44780 from './hd44780/binding.js';
import matrixKeypad from './matrix-keypad/binding.js';
import { pn532Binding } from './pn532/binding.js';
import { magstripeBinding } from './magstripe/binding.js';
import { codeScannerBinding } from './code-scanner/binding.js';
import { buzzerBinding } from './buzzer/binding.js';
import escpos from './escpos/binding.js';
import { pcscReaderBinding } from './pcsc/binding.js';

export const BINDINGS: readonly DeviceBinding[] = [
  hd44780,
  matrixKeypad,
  pn532Binding,
  magstripeBinding,
  codeScannerBinding,
  buzzerBinding,
  escpos,
  pcscReaderBinding,
];
