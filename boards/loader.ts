/**
 * The board-profile loader: reads `boards/<name>.json` (or a file), checks everything a
 * profile can get wrong against the schema below and the drivers' bindings
 * (hal/devices/bindings.ts), and returns the profile typed and normalised, or throws one
 * BoardError listing every problem with its JSON path. Runs at boot: plain code, no
 * dependency, synchronous (well under a millisecond for a shipped profile).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINDINGS } from '../hal/devices/bindings.js';
import { ROLE_NAMES, type DeviceBinding, type RoleName } from '../hal/devices/binding.js';
import { gpioRefName, type GpioLineRef } from '../hal/gpio.js';
import { BoardError, type BoardProblem } from './errors.js';
import { duplicateKeys, parseJsonText } from './json-text.js';
import { checkProps, gpioKey, hex, isPlainObject, joinPath, parseGpio, show, toInteger, unknownKey, type CheckContext } from './props.js';

export type BusKind = 'i2c' | 'spi' | 'serial' | 'gpio';
export type BusBackend = 'sim' | 'linux';

export interface BoardBus {
  readonly name: string;
  readonly kind: BusKind;
  /** Which HAL backend opens the bus; 'sim' when the profile does not say. */
  readonly backend: BusBackend;
  /** Device node of a Linux bus: /dev/i2c-N, /dev/spidevN (chip select from the device), /dev/tty... */
  readonly device?: string;
  /** Serial buses only. */
  readonly baudRate?: number;
  readonly description?: string;
}

export interface BoardDevice {
  readonly name: string;
  readonly compatible: string;
  /** The bus it sits on; for a GPIO-only device, the board's gpio bus. */
  readonly bus?: string;
  /** 7-bit I2C address (I2C devices only). */
  readonly address?: number;
  /** Checked against the binding's schema, with defaults applied (see the binding's Props type). */
  readonly props: Readonly<Record<string, unknown>>;
}

export interface BoardTestFixtures {
  /** An address on `bus` where a device answers, and one where none does (negative test). */
  readonly i2c?: { readonly bus: string; readonly presentAddress?: number; readonly absentAddress?: number };
  /** A line that does not exist (the "line not found" test); optionally a free line to drive and two lines jumpered together [driven, sensed]. */
  readonly gpio?: { readonly invalidLine: GpioLineRef; readonly output?: GpioLineRef; readonly loopback?: readonly [GpioLineRef, GpioLineRef] };
  /** An SPI bus: an enabled chip select, one without a device node, optionally one with MISO jumpered to MOSI. */
  readonly spi?: { readonly bus: string; readonly chipSelect: number; readonly absentChipSelect: number; readonly loopbackChipSelect?: number };
  /** A serial bus whose TX is wired to its RX (a jumper on a real board). */
  readonly serialLoopback?: { readonly bus: string };
}

export interface BoardProfile {
  /** The file's base name without .json ("sim", "rpi4-pos"). */
  readonly name: string;
  /** The file as messages name it. */
  readonly file: string;
  readonly model: string;
  readonly description?: string;
  readonly buses: Readonly<Record<string, BoardBus>>;
  readonly devices: readonly BoardDevice[];
  readonly roles: Readonly<Partial<Record<RoleName, string>>>;
  readonly testFixtures: BoardTestFixtures;
}

export interface LoadBoardOptions {
  /** Where names are looked up; default: the boards/ folder of this checkout or build. */
  boardsDir?: string;
}

const BUS_KINDS: readonly BusKind[] = ['i2c', 'spi', 'serial', 'gpio'];
const BACKENDS: readonly BusBackend[] = ['sim', 'linux'];
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const NAME_HINT = 'a name of letters, digits, - and _ starting with a letter (at most 32)';
// i2cdetect's default scan range; 0x00-0x02 and 0x78-0x7f are reserved (I2C-bus spec UM10204 3.1.12).
const I2C_MIN = 0x03;
const I2C_MAX = 0x77;
const DEVICE_NODE: Record<BusKind, RegExp | undefined> = {
  i2c: /^\/dev\/i2c-\d+$/,
  spi: /^\/dev\/spidev\d+$/,
  serial: /^\/dev\/\S+$/,
  gpio: undefined,
};
const DEVICE_NODE_HINT: Record<BusKind, string> = {
  i2c: 'an I2C adapter node like "/dev/i2c-1"',
  spi: 'an SPI bus like "/dev/spidev0" (the chip select comes from the device)',
  serial: 'a serial device node like "/dev/ttyS0" or "/dev/serial0"',
  gpio: '',
};

export function findBinding(compatible: string): DeviceBinding | undefined {
  return BINDINGS.find((b) => b.compatible === compatible);
}

/** "0x20-0x27 or 0x38-0x3f". */
function addressRanges(addresses: readonly number[]): string {
  const sorted = [...addresses].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? hex(sorted[i]!) : `${hex(sorted[i]!)}-${hex(sorted[j]!)}`);
    i = j + 1;
  }
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}` : (parts[0] ?? 'none');
}

/** Checks every key of `obj` is in `allowed`. */
function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], at: string, problems: BoardProblem[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push({ path: joinPath(at, key), message: unknownKey(key, allowed) });
  }
}

class Validator {
  readonly problems: BoardProblem[] = [];
  readonly ctx: CheckContext = { problems: this.problems, gpio: [] };
  readonly buses: Record<string, BoardBus> = {};
  /** Devices by their index in the JSON array (a hole where an entry was not an object). */
  readonly devices: (BoardDevice | undefined)[] = [];
  /** Device index by name, and the index of each device entry in the JSON array. */
  readonly deviceIndex = new Map<string, number>();
  /** "bus/address" -> JSON index of the device that has it. */
  readonly addresses = new Map<string, number>();
  readonly gpioOwners: { device: number; path: string; ref: GpioLineRef }[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  busList(): string {
    const names = Object.keys(this.buses);
    return names.length ? names.join(', ') : 'none';
  }

  bus(name: string, raw: unknown): void {
    const at = joinPath('buses', name);
    if (!NAME.test(name)) this.add(at, `expected the bus name to be ${NAME_HINT}`);
    if (!isPlainObject(raw)) return this.add(at, `expected an object like {"kind": "i2c", "backend": "sim"}, got ${show(raw)}`);
    const kind = raw.kind as BusKind;
    if (!BUS_KINDS.includes(kind)) {
      this.add(joinPath(at, 'kind'), `expected one of ${BUS_KINDS.map((k) => `"${k}"`).join(', ')}, got ${show(raw.kind)}`);
      checkKeys(raw, ['kind', 'backend', 'device', 'baudRate', 'description'], at, this.problems);
      return;
    }
    const allowed = ['kind', 'backend', 'description', ...(kind === 'gpio' ? [] : ['device']), ...(kind === 'serial' ? ['baudRate'] : [])];
    for (const key of Object.keys(raw)) {
      if (allowed.includes(key)) continue;
      if (key === 'device') this.add(joinPath(at, key), 'a gpio bus has no device node (each line names its chip); remove it');
      else if (key === 'baudRate') this.add(joinPath(at, key), `only serial buses have a baud rate; this is ${kind === 'i2c' ? 'an' : 'a'} ${kind} bus`);
      else this.add(joinPath(at, key), unknownKey(key, allowed));
    }
    let backend: BusBackend = 'sim';
    if (raw.backend !== undefined) {
      if (BACKENDS.includes(raw.backend as BusBackend)) backend = raw.backend as BusBackend;
      else this.add(joinPath(at, 'backend'), `expected "sim" or "linux", got ${show(raw.backend)}`);
    }
    const bus: { -readonly [K in keyof BoardBus]: BoardBus[K] } = { name, kind, backend };
    const node = DEVICE_NODE[kind];
    if (node !== undefined) {
      if (raw.device === undefined) {
        if (backend === 'linux') this.add(joinPath(at, 'device'), `missing; a linux bus needs ${DEVICE_NODE_HINT[kind]}`);
      } else if (backend === 'sim') {
        this.add(joinPath(at, 'device'), 'a sim bus has no device node; remove it or set "backend": "linux"');
      } else if (typeof raw.device !== 'string' || !node.test(raw.device)) {
        this.add(joinPath(at, 'device'), `expected ${DEVICE_NODE_HINT[kind]}, got ${show(raw.device)}`);
      } else {
        bus.device = raw.device;
      }
    }
    if (kind === 'serial') {
      const baud = toInteger(raw.baudRate);
      if (raw.baudRate === undefined) this.add(joinPath(at, 'baudRate'), 'missing; expected the baud rate, e.g. 9600 or 115200');
      else if (baud === undefined || baud < 50 || baud > 4_000_000) this.add(joinPath(at, 'baudRate'), `expected an integer from 50 to 4000000, got ${show(raw.baudRate)}`);
      else bus.baudRate = baud;
    }
    if (raw.description !== undefined) {
      if (typeof raw.description === 'string') bus.description = raw.description;
      else this.add(joinPath(at, 'description'), `expected a string, got ${show(raw.description)}`);
    }
    if (kind === 'gpio') {
      const other = Object.values(this.buses).find((b) => b.kind === 'gpio');
      if (other) this.add(at, `only one bus of kind "gpio" per board ("${other.name}" is one already); each line names its chip`);
    }
    this.buses[name] = bus;
  }

  device(index: number, raw: unknown): void {
    const at = `devices[${index}]`;
    if (!isPlainObject(raw)) return this.add(at, `expected an object like {"name": "lcd", "compatible": "hitachi,hd44780-pcf8574", ...}, got ${show(raw)}`);
    checkKeys(raw, ['name', 'compatible', 'bus', 'address', 'props'], at, this.problems);

    let name = '';
    if (typeof raw.name !== 'string' || !NAME.test(raw.name)) {
      this.add(joinPath(at, 'name'), raw.name === undefined ? `missing; expected ${NAME_HINT}` : `expected ${NAME_HINT}, got ${show(raw.name)}`);
    } else {
      name = raw.name;
      const first = this.deviceIndex.get(name);
      if (first !== undefined) this.add(joinPath(at, 'name'), `"${name}" is already the name of devices[${first}]`);
      else this.deviceIndex.set(name, index);
    }

    let binding: DeviceBinding | undefined;
    if (typeof raw.compatible !== 'string') {
      this.add(joinPath(at, 'compatible'), `${raw.compatible === undefined ? 'missing' : `expected a string, got ${show(raw.compatible)}`}; known: ${BINDINGS.map((b) => b.compatible).join(', ')}`);
    } else {
      binding = findBinding(raw.compatible);
      if (!binding) this.add(joinPath(at, 'compatible'), `unknown "${raw.compatible}"; expected one of: ${BINDINGS.map((b) => b.compatible).join(', ')}`);
    }

    const bus = this.deviceBus(at, raw, binding);
    const address = this.deviceAddress(at, index, raw, binding, bus);

    let props: Record<string, unknown> = {};
    if (binding) {
      const before = this.problems.length;
      const gpio: CheckContext['gpio'] = [];
      const checked = checkProps(binding.props, raw.props ?? {}, joinPath(at, 'props'), { problems: this.problems, gpio });
      if (checked !== undefined) props = checked as Record<string, unknown>;
      if (this.problems.length === before && binding.validate) {
        for (const line of binding.validate(props, { ...(bus !== undefined && this.buses[bus] ? { busKind: this.buses[bus].kind } : {}) })) {
          const colon = line.indexOf(': ');
          const sub = colon > 0 ? line.slice(0, colon) : '';
          this.add(`${at}.props${sub === '' ? '' : sub.startsWith('[') ? sub : `.${sub}`}`, colon > 0 ? line.slice(colon + 2) : line);
        }
      }
      for (const use of gpio) this.gpioOwners.push({ device: index, path: use.path, ref: use.ref });
    } else if (raw.props !== undefined && !isPlainObject(raw.props)) {
      this.add(joinPath(at, 'props'), `expected an object, got ${show(raw.props)}`);
    }
    this.devices[index] = {
      name,
      compatible: typeof raw.compatible === 'string' ? raw.compatible : '',
      ...(bus !== undefined ? { bus } : {}),
      ...(address !== undefined ? { address } : {}),
      props,
    };
  }

  private deviceBus(at: string, raw: Record<string, unknown>, binding: DeviceBinding | undefined): string | undefined {
    const where = joinPath(at, 'bus');
    const needs = binding?.bus;
    if (needs === 'none' || needs === 'pcsc') {
      if (raw.bus !== undefined) this.add(where, `${binding!.compatible} sits on no bus; remove "bus"`);
      return undefined;
    }
    if (raw.bus === undefined) {
      if (needs === 'gpio') return Object.values(this.buses).find((b) => b.kind === 'gpio')?.name;
      if (needs !== undefined) this.add(where, `missing; ${binding!.compatible} needs ${needs === 'i2c' ? 'an' : 'a'} ${needs} bus (buses: ${this.busList()})`);
      return undefined;
    }
    if (typeof raw.bus !== 'string') {
      this.add(where, `expected the name of a bus (buses: ${this.busList()}), got ${show(raw.bus)}`);
      return undefined;
    }
    const bus = this.buses[raw.bus];
    if (!bus) {
      this.add(where, `no bus "${raw.bus}" in buses (buses: ${this.busList()})`);
      return undefined;
    }
    if (needs !== undefined && bus.kind !== needs && !binding?.alsoOn?.includes(bus.kind)) {
      this.add(where, `"${raw.bus}" is ${bus.kind === 'i2c' ? 'an' : 'a'} ${bus.kind} bus; ${binding!.compatible} needs ${needs === 'i2c' ? 'an' : 'a'} ${needs} bus`);
      return undefined;
    }
    return raw.bus;
  }

  private deviceAddress(at: string, index: number, raw: Record<string, unknown>, binding: DeviceBinding | undefined, bus: string | undefined): number | undefined {
    const where = joinPath(at, 'address');
    const onI2cBus = bus !== undefined && this.buses[bus]?.kind === 'i2c';
    const isI2c = binding ? binding.bus === 'i2c' || (onI2cBus && binding.alsoOn?.includes('i2c') === true) : onI2cBus;
    if (!isI2c) {
      if (raw.address !== undefined) this.add(where, `only I2C devices have an address${binding ? `; ${binding.compatible} is on ${binding.bus === 'none' ? 'no bus' : `a ${binding.bus} bus`}` : ''}`);
      return undefined;
    }
    const parts = binding?.i2cAddresses;
    if (raw.address === undefined) {
      const usual = parts ? ` (usually ${hex(parts.default)}; allowed ${addressRanges(parts.allowed)})` : '';
      this.add(where, `missing; expected the device's 7-bit I2C address${usual}`);
      return undefined;
    }
    const address = toInteger(raw.address);
    if (address === undefined) {
      this.add(where, `expected a 7-bit I2C address as a number or a "0x27"-style string, got ${show(raw.address)}`);
      return undefined;
    }
    if (address < I2C_MIN || address > I2C_MAX) {
      this.add(where, `${hex(address)} is out of range; expected a 7-bit address from ${hex(I2C_MIN)} to ${hex(I2C_MAX)}`);
      return undefined;
    }
    if (parts && !parts.allowed.includes(address)) {
      this.add(where, `${hex(address)} is not an address ${binding!.compatible} can have; expected ${addressRanges(parts.allowed)}`);
      return undefined;
    }
    if (bus !== undefined) {
      const key = `${bus}/${address}`;
      const first = this.addresses.get(key);
      if (first !== undefined) {
        const other = this.devices[first]?.name ?? '';
        this.add(where, `${hex(address)} is already used by devices[${first}]${other ? ` ("${other}")` : ''} on bus "${bus}"`);
      } else {
        this.addresses.set(key, index);
      }
    }
    return address;
  }

  gpioLines(): void {
    const seen = new Map<string, { device: number; path: string; ref: GpioLineRef }>();
    for (const use of this.gpioOwners) {
      const key = gpioKey(use.ref);
      const first = seen.get(key);
      if (!first) {
        seen.set(key, use);
        continue;
      }
      const owner = this.devices[first.device]?.name;
      const same = gpioRefName(first.ref) === gpioRefName(use.ref) ? '' : ` (as ${gpioRefName(first.ref)})`;
      this.add(use.path, `${gpioRefName(use.ref)} is already used${same} by devices[${first.device}]${owner ? ` ("${owner}")` : ''} at ${first.path}`);
    }
    if (this.gpioOwners.length > 0 && !Object.values(this.buses).some((b) => b.kind === 'gpio')) {
      const first = this.gpioOwners[0]!;
      const backend = Object.values(this.buses).find((b) => b.backend === 'linux') ? 'linux' : 'sim';
      const owner = this.devices[first.device]?.name;
      this.add('buses', `devices[${first.device}]${owner ? ` ("${owner}")` : ''} uses GPIO lines but no bus has kind "gpio"; add e.g. "gpio": {"kind": "gpio", "backend": "${backend}"}`);
    }
  }

  roles(raw: unknown): Partial<Record<RoleName, string>> {
    const roles: Partial<Record<RoleName, string>> = {};
    if (raw === undefined) return roles;
    if (!isPlainObject(raw)) {
      this.add('roles', `expected an object of role -> device name, e.g. {"display": "lcd"}, got ${show(raw)}`);
      return roles;
    }
    for (const [role, value] of Object.entries(raw)) {
      const at = joinPath('roles', role);
      if (!ROLE_NAMES.includes(role as RoleName)) {
        this.add(at, unknownKey(role, ROLE_NAMES).replace('unknown key', 'unknown role'));
        continue;
      }
      if (typeof value !== 'string') {
        this.add(at, `expected the name of a device, got ${show(value)}`);
        continue;
      }
      const index = this.deviceIndex.get(value);
      if (index === undefined) {
        this.add(at, `no device named "${value}" (devices: ${[...this.deviceIndex.keys()].join(', ') || 'none'})`);
        continue;
      }
      const binding = findBinding(this.devices[index]?.compatible ?? '');
      if (binding && !binding.roles.includes(role as RoleName)) {
        this.add(at, `"${value}" (${binding.compatible}) cannot be the ${role}; it can be: ${binding.roles.join(', ') || 'nothing'}`);
        continue;
      }
      roles[role as RoleName] = value;
    }
    return roles;
  }

  fixtures(raw: unknown): BoardTestFixtures {
    if (raw === undefined) return {};
    if (!isPlainObject(raw)) {
      this.add('testFixtures', `expected an object with i2c, spi, gpio or serialLoopback, got ${show(raw)}`);
      return {};
    }
    checkKeys(raw, ['i2c', 'spi', 'gpio', 'serialLoopback'], 'testFixtures', this.problems);
    const out: { -readonly [K in keyof BoardTestFixtures]: BoardTestFixtures[K] } = {};
    if (raw.i2c !== undefined) out.i2c = this.i2cFixture(raw.i2c);
    if (raw.gpio !== undefined) {
      const at = 'testFixtures.gpio';
      if (!isPlainObject(raw.gpio)) {
        this.add(at, `expected {"invalidLine": ...}, got ${show(raw.gpio)}`);
      } else {
        checkKeys(raw.gpio, ['invalidLine', 'output', 'loopback'], at, this.problems);
        if (raw.gpio.invalidLine === undefined) this.add(`${at}.invalidLine`, 'missing; expected a line that does not exist, e.g. {"chip": "pinctrl-bcm2711", "line": 99}');
        const free = (value: unknown, where: string, what: string): GpioLineRef | undefined => {
          const line = parseGpio(value, where, this.problems);
          if (line === undefined) return undefined;
          const used = this.gpioOwners.find((u) => gpioKey(u.ref) === gpioKey(line));
          if (used) {
            this.add(where, `${gpioRefName(line)} is used by devices[${used.device}] at ${used.path}; expected ${what}`);
            return undefined;
          }
          return line;
        };
        const line = raw.gpio.invalidLine === undefined ? undefined : free(raw.gpio.invalidLine, `${at}.invalidLine`, 'a line that does not exist');
        const output = raw.gpio.output === undefined ? undefined : free(raw.gpio.output, `${at}.output`, 'a free line');
        let loopback: [GpioLineRef, GpioLineRef] | undefined;
        if (raw.gpio.loopback !== undefined) {
          if (!Array.isArray(raw.gpio.loopback) || raw.gpio.loopback.length !== 2) this.add(`${at}.loopback`, `expected [driven line, sensed line], got ${show(raw.gpio.loopback)}`);
          else {
            const a = free(raw.gpio.loopback[0], `${at}.loopback[0]`, 'a free line');
            const b = free(raw.gpio.loopback[1], `${at}.loopback[1]`, 'a free line');
            if (a !== undefined && b !== undefined) loopback = [a, b];
          }
        }
        if (line !== undefined) out.gpio = { invalidLine: line, ...(output ? { output } : {}), ...(loopback ? { loopback } : {}) };
      }
    }
    if (raw.spi !== undefined) out.spi = this.spiFixture(raw.spi);
    if (raw.serialLoopback !== undefined) {
      const at = 'testFixtures.serialLoopback';
      if (!isPlainObject(raw.serialLoopback)) {
        this.add(at, `expected {"bus": "<a serial bus>"}, got ${show(raw.serialLoopback)}`);
      } else {
        checkKeys(raw.serialLoopback, ['bus'], at, this.problems);
        const bus = this.fixtureBus(`${at}.bus`, raw.serialLoopback.bus, 'serial');
        if (bus !== undefined) out.serialLoopback = { bus };
      }
    }
    return out;
  }

  private fixtureBus(at: string, value: unknown, kind: BusKind): string | undefined {
    if (typeof value !== 'string') {
      this.add(at, `${value === undefined ? 'missing' : `got ${show(value)}`}; expected the name of ${kind === 'i2c' ? 'an' : 'a'} ${kind} bus (buses: ${this.busList()})`);
      return undefined;
    }
    const bus = this.buses[value];
    if (!bus) this.add(at, `no bus "${value}" in buses (buses: ${this.busList()})`);
    else if (bus.kind !== kind) this.add(at, `"${value}" is ${bus.kind === 'i2c' ? 'an' : 'a'} ${bus.kind} bus; expected ${kind === 'i2c' ? 'an' : 'a'} ${kind} bus`);
    else return value;
    return undefined;
  }

  private spiFixture(raw: unknown): BoardTestFixtures['spi'] {
    const at = 'testFixtures.spi';
    if (!isPlainObject(raw)) {
      this.add(at, `expected {"bus": ..., "chipSelect": ..., "absentChipSelect": ...}, got ${show(raw)}`);
      return undefined;
    }
    checkKeys(raw, ['bus', 'chipSelect', 'absentChipSelect', 'loopbackChipSelect'], at, this.problems);
    const bus = this.fixtureBus(`${at}.bus`, raw.bus, 'spi');
    const cs = (key: 'chipSelect' | 'absentChipSelect' | 'loopbackChipSelect'): number | undefined => {
      if (raw[key] === undefined) {
        if (key !== 'loopbackChipSelect') this.add(`${at}.${key}`, 'missing; expected a chip select number 0..7');
        return undefined;
      }
      const n = toInteger(raw[key]);
      if (n === undefined || n < 0 || n > 7) this.add(`${at}.${key}`, `expected a chip select number 0..7, got ${show(raw[key])}`);
      return n;
    };
    const chipSelect = cs('chipSelect');
    const absentChipSelect = cs('absentChipSelect');
    const loopbackChipSelect = cs('loopbackChipSelect');
    if (bus === undefined || chipSelect === undefined || absentChipSelect === undefined) return undefined;
    return { bus, chipSelect, absentChipSelect, ...(loopbackChipSelect !== undefined ? { loopbackChipSelect } : {}) };
  }

  private i2cFixture(raw: unknown): BoardTestFixtures['i2c'] {
    const at = 'testFixtures.i2c';
    if (!isPlainObject(raw)) {
      this.add(at, `expected {"bus": ..., "presentAddress": ..., "absentAddress": ...}, got ${show(raw)}`);
      return undefined;
    }
    checkKeys(raw, ['bus', 'presentAddress', 'absentAddress'], at, this.problems);
    const bus = this.fixtureBus(`${at}.bus`, raw.bus, 'i2c');
    const address = (key: 'presentAddress' | 'absentAddress'): number | undefined => {
      if (raw[key] === undefined) return undefined;
      const n = toInteger(raw[key]);
      if (n === undefined || n < I2C_MIN || n > I2C_MAX) {
        this.add(`${at}.${key}`, `expected a 7-bit address from ${hex(I2C_MIN)} to ${hex(I2C_MAX)}, got ${show(raw[key])}`);
        return undefined;
      }
      return n;
    };
    const present = address('presentAddress');
    const absent = address('absentAddress');
    if (raw.presentAddress === undefined && raw.absentAddress === undefined) this.add(at, 'expected presentAddress, absentAddress or both');
    if (bus === undefined) return undefined;
    if (present !== undefined && !this.addresses.has(`${bus}/${present}`)) {
      this.add(`${at}.presentAddress`, `${hex(present)} is not the address of any device on bus "${bus}"`);
    }
    if (absent !== undefined) {
      const user = this.addresses.get(`${bus}/${absent}`);
      if (user !== undefined) this.add(`${at}.absentAddress`, `${hex(absent)} is used by devices[${user}] ("${this.devices[user]?.name ?? ''}") on bus "${bus}"; expected an address with no device`);
    }
    return { bus, ...(present !== undefined ? { presentAddress: present } : {}), ...(absent !== undefined ? { absentAddress: absent } : {}) };
  }
}

/**
 * Checks a parsed profile and returns it normalised. `file` names it in messages and
 * gives the profile's name. Throws BoardError BOARD_INVALID listing every problem.
 */
export function validateProfile(json: unknown, file: string): BoardProfile {
  const v = new Validator();
  const name = path.basename(file).replace(/\.json$/, '');
  if (!isPlainObject(json)) {
    throw new BoardError('BOARD_INVALID', file, [{ path: '', message: `expected a JSON object with model, buses, devices and roles, got ${show(json)}` }]);
  }
  checkKeys(json, ['model', 'description', 'buses', 'devices', 'roles', 'testFixtures'], '', v.problems);
  if (typeof json.model !== 'string' || json.model === '') {
    v.add('model', `${json.model === undefined ? 'missing' : `got ${show(json.model)}`}; expected the board's model, e.g. "Raspberry Pi 4 Model B"`);
  }
  if (json.description !== undefined && typeof json.description !== 'string') v.add('description', `expected a string, got ${show(json.description)}`);
  if (json.buses === undefined) v.add('buses', 'missing; expected an object of bus name -> {"kind": ..., "backend": ...}');
  else if (!isPlainObject(json.buses)) v.add('buses', `expected an object of bus name -> {"kind": ..., "backend": ...}, got ${show(json.buses)}`);
  else for (const [busName, bus] of Object.entries(json.buses)) v.bus(busName, bus);
  if (json.devices === undefined) v.add('devices', 'missing; expected an array of {"name", "compatible", "bus", "address", "props"}');
  else if (!Array.isArray(json.devices)) v.add('devices', `expected an array of devices, got ${show(json.devices)}`);
  else json.devices.forEach((device: unknown, i: number) => v.device(i, device));
  v.gpioLines();
  const roles = v.roles(json.roles);
  const testFixtures = v.fixtures(json.testFixtures);
  if (v.problems.length > 0) throw new BoardError('BOARD_INVALID', file, v.problems);
  return {
    name,
    file,
    model: json.model as string,
    ...(typeof json.description === 'string' ? { description: json.description } : {}),
    buses: v.buses,
    devices: v.devices.filter((d): d is BoardDevice => d !== undefined),
    roles,
    testFixtures,
  };
}

/** boards/ beside this module (source checkout) or two levels up from dist/boards/ (a build). */
export function defaultBoardsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, path.resolve(here, '../../boards')]) {
    if (existsSync(path.join(dir, 'sim.json'))) return dir;
  }
  return here;
}

/** The profile names in a folder (its *.json files). */
export function listBoards(boardsDir = defaultBoardsDir()): string[] {
  try {
    return readdirSync(boardsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/**
 * Loads a profile by name (`boards/<name>.json`) or by file path (anything with a "/"
 * or ending in .json). Throws BoardError: BOARD_NOT_FOUND, BOARD_UNREADABLE,
 * BOARD_SYNTAX (with line and column) or BOARD_INVALID (every problem).
 */
export function loadBoard(nameOrPath: string, options: LoadBoardOptions = {}): BoardProfile {
  const boardsDir = options.boardsDir ?? defaultBoardsDir();
  const isPath = nameOrPath.includes('/') || nameOrPath.includes(path.sep) || nameOrPath.endsWith('.json');
  const abs = isPath ? path.resolve(nameOrPath) : path.join(boardsDir, `${nameOrPath}.json`);
  const file = displayPath(abs);
  if (!isPath && !NAME.test(nameOrPath)) {
    throw new BoardError('BOARD_NOT_FOUND', nameOrPath, [{ path: '', message: `not a board name; expected one of: ${listBoards(boardsDir).join(', ')}, or a path to a .json file` }]);
  }
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const known = isPath ? '' : `; known boards: ${listBoards(boardsDir).join(', ') || 'none'}`;
      throw new BoardError('BOARD_NOT_FOUND', file, [{ path: '', message: `no such file${known}` }], { cause: err });
    }
    throw new BoardError('BOARD_UNREADABLE', file, [{ path: '', message: `cannot read the file (${code ?? (err as Error).message})` }], { cause: err });
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new BoardError('BOARD_SYNTAX', file, [{ path: '', message: `invalid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.message}` }]);
  }
  const duplicates: BoardProblem[] = duplicateKeys(text).map((d) => ({
    path: d.path,
    message: `appears twice in its object (again at line ${d.line}); JSON keeps only the last, so write it once`,
  }));
  let profile: BoardProfile;
  try {
    profile = validateProfile(parsed.value, file);
  } catch (err) {
    if (duplicates.length > 0 && err instanceof BoardError && err.code === 'BOARD_INVALID') {
      throw new BoardError('BOARD_INVALID', file, [...duplicates, ...err.problems]);
    }
    throw err;
  }
  if (duplicates.length > 0) throw new BoardError('BOARD_INVALID', file, duplicates);
  return profile;
}
