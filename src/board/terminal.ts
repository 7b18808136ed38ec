/**
 * What the composition root hands the application: the roles of one terminal, whatever
 * board it runs on, plus (on the sim board) the chip models a person or a test drives.
 */
import type { Display } from '../../hal/roles/display.js';
import type { Keypad } from '../../hal/roles/keypad.js';
import type { ContactlessReader } from '../../hal/roles/contactless.js';
import type { ContactReader } from '../../hal/roles/contact.js';
import type { StripeReader } from '../../hal/roles/stripe.js';
import type { CodeScanner } from '../../hal/roles/scanner.js';
import type { Indicator } from '../../hal/roles/indicator.js';
import type { Printer } from '../../hal/roles/printer.js';
import type { RoleName } from '../../hal/devices/binding.js';

/** The roles the application may use; each is present when the profile assigns it. */
export interface TerminalRoles {
  display?: Display;
  keypad?: Keypad;
  contactless?: ContactlessReader;
  contact?: ContactReader;
  stripe?: StripeReader;
  scanner?: CodeScanner;
  indicator?: Indicator;
  printer?: Printer;
}

/** A driver instance as the root sees it: something that can test itself and close. */
export interface OpenedDevice {
  readonly name: string;
  readonly compatible: string;
  readonly driver: { selfTest?(): Promise<unknown>; close(): Promise<void> };
}

export interface SelfTestResult {
  device: string;
  compatible: string;
  roles: RoleName[];
  ok: boolean;
  /** What failed, for the screen and the log. */
  error?: string;
  ms: number;
}

export interface Terminal {
  readonly board: string;
  /** Every bus is simulated (the far ends are chip models). */
  readonly isSim: boolean;
  readonly roles: TerminalRoles;
  readonly devices: readonly OpenedDevice[];
  /** Devices the profile names that could not be opened (the terminal is then out of service). */
  readonly failed: readonly SelfTestResult[];
  /** Sim board only: the chip models by device name (the far ends of the wires). */
  readonly models: Readonly<Record<string, unknown>>;
  /** Power-on self test: each role present and answering. */
  selfTest(): Promise<SelfTestResult[]>;
  close(): Promise<void>;
}
