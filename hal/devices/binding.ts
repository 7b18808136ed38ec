/**
 * What a driver publishes so that a board profile can name it (Zephyr's bindings): the
 * `compatible` string, the bus it sits on, the roles it can fill and a schema for its
 * `props`. The board loader validates profiles against these; the composition root
 * (src/board/) uses `bus` and `roles` to wire it.
 */

/** Where a device sits: the kind of bus its profile entry must name (or none). */
export type BindingBus = 'i2c' | 'spi' | 'serial' | 'gpio' | 'pcsc' | 'none';

/** Roles a device can fill in a terminal (profile `roles` keys). */
export type RoleName =
  | 'display'
  | 'keypad'
  | 'contactless'
  | 'contact'
  | 'printer'
  | 'stripe'
  | 'scanner'
  | 'indicator';

export const ROLE_NAMES: readonly RoleName[] = ['display', 'keypad', 'contactless', 'contact', 'printer', 'stripe', 'scanner', 'indicator'];

/**
 * A JSON-schema-like description of a device's props (the subset the loader checks).
 * Kept as plain data so that a binding file imports nothing.
 */
export type PropSchema =
  | { type: 'integer'; minimum?: number; maximum?: number; default?: number; description?: string }
  | { type: 'number'; minimum?: number; maximum?: number; default?: number; description?: string }
  | { type: 'boolean'; default?: boolean; description?: string }
  | { type: 'string'; enum?: readonly string[]; pattern?: string; default?: string; description?: string }
  /** A GPIO line: "GPIO17" or {chip, line}; each used once per board. */
  | { type: 'gpio'; description?: string }
  | { type: 'array'; items: PropSchema; minItems?: number; maxItems?: number; description?: string }
  | {
      type: 'object';
      properties: Readonly<Record<string, PropSchema>>;
      required?: readonly string[];
      description?: string;
    };

export interface DeviceBinding {
  /** "vendor,part", e.g. "hitachi,hd44780-pcf8574". */
  readonly compatible: string;
  readonly bus: BindingBus;
  readonly roles: readonly RoleName[];
  /** Schema of the profile's `props` object (unknown keys are errors). */
  readonly props: Extract<PropSchema, { type: 'object' }>;
  /** Default and allowed 7-bit addresses for I2C devices. */
  readonly i2cAddresses?: { default: number; allowed: readonly number[] };
  /** One line describing the part, for `pos diag` and docs. */
  readonly description: string;
}
