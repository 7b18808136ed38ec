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

/** A JSON value, as a schema default is written. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A JSON-schema-like description of a device's props (the subset the loader checks).
 * Kept as plain data so that a binding file imports nothing.
 *
 * Rules the loader applies (boards/README.md "Props schema"):
 * - `integer` accepts a JSON number or a `"0x27"`-style hex string; the loaded value is a number.
 * - `default` fills a missing value; an `object` that is absent is built from its
 *   properties' defaults (unless it has a `default` of its own).
 * - `object` rejects keys it does not list, unless `additionalProperties` gives the schema
 *   of the other keys' values (a map), whose names must then match `keyPattern` if given.
 * - `oneOf` takes the first variant the value matches.
 */
export type PropSchema =
  | { type: 'integer'; minimum?: number; maximum?: number; default?: number; description?: string }
  | { type: 'number'; minimum?: number; maximum?: number; default?: number; description?: string }
  | { type: 'boolean'; default?: boolean; description?: string }
  | {
      type: 'string';
      enum?: readonly string[];
      pattern?: string;
      /** What `pattern` means, for messages ("a single character"). */
      patternHint?: string;
      minLength?: number;
      maxLength?: number;
      default?: string;
      description?: string;
    }
  /** A GPIO line: "GPIO17" or {chip, line}; each used once per board. */
  | { type: 'gpio'; description?: string }
  | { type: 'array'; items: PropSchema; minItems?: number; maxItems?: number; default?: readonly JsonValue[]; description?: string }
  | {
      type: 'object';
      properties: Readonly<Record<string, PropSchema>>;
      required?: readonly string[];
      /** Schema of the values of keys not in `properties` (a map); without it such keys are errors. */
      additionalProperties?: PropSchema;
      /** Regular expression (unicode) the names of additional keys must match. */
      keyPattern?: string;
      /** What `keyPattern` means, for messages. */
      keyPatternHint?: string;
      default?: { readonly [key: string]: JsonValue };
      description?: string;
    }
  /** The value matches one of these (e.g. a keypad row as "123A" or ["1", "2", "3", "ENTER"]). */
  | { type: 'oneOf'; oneOf: readonly PropSchema[]; description?: string };

export interface DeviceBinding {
  /** "vendor,part", e.g. "hitachi,hd44780-pcf8574". */
  readonly compatible: string;
  readonly bus: BindingBus;
  /** Other bus kinds the part can also sit on (a PN532 on SPI, I2C or HSU). */
  readonly alsoOn?: readonly BindingBus[];
  readonly roles: readonly RoleName[];
  /** Schema of the profile's `props` object (unknown keys are errors). */
  readonly props: Extract<PropSchema, { type: 'object' }>;
  /** Default and allowed 7-bit addresses for I2C devices. */
  readonly i2cAddresses?: { default: number; allowed: readonly number[] };
  /** One line describing the part, for `pos diag` and docs. */
  readonly description: string;
  /**
   * Checks across props that the schema cannot say (a layout that matches the lines, pins
   * all distinct). Runs on props that passed the schema, with defaults applied. Each
   * problem is `"<path inside props>: <what was expected>"`, e.g. `"layout[2]: 3 keys but
   * cols has 4 lines"`.
   */
  validate?(props: Readonly<Record<string, unknown>>, context: { busKind?: string }): string[];
}
