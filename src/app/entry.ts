/**
 * Keypad entry models, free of I/O: an amount keyed in minor units (digits shift in from
 * the right, as on every card terminal), and a text field for operator IDs and passwords
 * on a keypad that only has digits (letters through an ALPHA key, ITU-T E.161 groups).
 */

/** ISO 8583 field 4 is n12: an amount has at most 12 digits. */
export const AMOUNT_MAX_DIGITS = 12;

/**
 * The amount as the cashier keys it: each digit enters at the right (minor units), CLEAR
 * removes the last one, "00" enters two. Integer minor units only; never floating point.
 */
export class AmountEntry {
  private digits = '';

  constructor(
    readonly maxDigits = AMOUNT_MAX_DIGITS,
    initial = 0,
  ) {
    if (!Number.isSafeInteger(maxDigits) || maxDigits < 1 || maxDigits > 15) throw new RangeError('maxDigits: 1 to 15');
    if (initial > 0) this.digits = String(initial).slice(0, maxDigits);
  }

  /** Adds a digit key ("0".."9" or "00"); false when it is not a digit key or the amount is full. */
  key(key: string): boolean {
    if (!/^(?:[0-9]|00)$/.test(key)) return false;
    const next = (this.digits + key).replace(/^0+/, '');
    if (next.length > this.maxDigits) return false;
    this.digits = next;
    return true;
  }

  /** Removes the last digit; false when there is none. */
  clear(): boolean {
    if (!this.digits) return false;
    this.digits = this.digits.slice(0, -1);
    return true;
  }

  /** Minor units. */
  get value(): number {
    return this.digits ? Number(this.digits) : 0;
  }
}

/**
 * An amount in minor units as the LCD and the cashier read it: "CNY 12.34", "JPY 1234",
 * "BHD 1.234" (ISO 4217 minor-unit exponent). No grouping: the panel is narrow.
 */
export function formatAmount(minor: number, currency: string, exponent: number): string {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(minor)));
  if (exponent <= 0) return `${currency} ${sign}${digits}`;
  const padded = digits.padStart(exponent + 1, '0');
  return `${currency} ${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * What the ALPHA key cycles through after a digit key: ITU-T E.161 letter groups (2 ABC ...
 * 9 WXYZ), lower then upper case, and back to the digit; 1 and 0 carry the punctuation a
 * password policy asks for.
 */
export const ALPHA_GROUPS: Readonly<Record<string, string>> = {
  '1': '1-._!@#$%&*?+=/',
  '2': '2abcABC',
  '3': '3defDEF',
  '4': '4ghiGHI',
  '5': '5jklJKL',
  '6': '6mnoMNO',
  '7': '7pqrsPQRS',
  '8': '8tuvTUV',
  '9': '9wxyzWXYZ',
  '0': '0 ',
};

/** Which digit key carries `ch`, and how many ALPHA presses reach it (for people's help texts and tests). */
export function alphaKeysFor(ch: string): { digit: string; presses: number } | undefined {
  for (const [digit, group] of Object.entries(ALPHA_GROUPS)) {
    const i = group.indexOf(ch);
    if (i >= 0) return { digit, presses: i };
  }
  return undefined;
}

/**
 * The key presses that type `text` into a text field (for a PC keyboard front end or a demo
 * script): per character its digit key, then the ALPHA key as often as needed. Undefined
 * when a character is on no key.
 */
export function keysToType(text: string, alphaKey: string): string[] | undefined {
  const keys: string[] = [];
  for (const ch of text) {
    const k = alphaKeysFor(ch);
    if (!k) return undefined;
    keys.push(k.digit, ...Array<string>(k.presses).fill(alphaKey));
  }
  return keys;
}

/**
 * A text field on a digit keypad: a digit key adds that digit; the ALPHA key turns the
 * last character into the next one of its key's group; CLEAR deletes the last character.
 * `masked`: everything shows as '*' except a character the ALPHA key is turning, so a
 * person can see which letter they reached (digits never show).
 */
export class TextEntry {
  private chars: string[] = [];
  /** The last character may still be cycled (a digit key was pressed last, or ALPHA). */
  private cycling = false;
  /** ALPHA was pressed on the last character (a masked field shows it, to see the letter reached). */
  private cycled = false;

  constructor(
    readonly maxLength: number,
    readonly options: { alpha: boolean; masked: boolean },
    initial = '',
  ) {
    // An offered value (the last operator's ID): kept as typed, not cycled further.
    this.chars = [...initial].slice(0, maxLength);
  }

  key(key: string, alphaKey: string | undefined): boolean {
    if (this.options.alpha && key === alphaKey) return this.cycle();
    if (!/^(?:[0-9]|00)$/.test(key)) return false;
    const add = [...key];
    if (this.chars.length + add.length > this.maxLength) return false;
    this.chars.push(...add);
    this.cycling = true;
    this.cycled = false;
    return true;
  }

  private cycle(): boolean {
    const last = this.chars.at(-1);
    if (last === undefined || !this.cycling) return false;
    const entry = Object.entries(ALPHA_GROUPS).find(([, g]) => g.includes(last));
    if (!entry) return false;
    const group = entry[1];
    this.chars[this.chars.length - 1] = group[(group.indexOf(last) + 1) % group.length]!;
    this.cycled = true;
    return true;
  }

  clear(): boolean {
    if (!this.chars.length) return false;
    this.chars.pop();
    this.cycling = false;
    this.cycled = false;
    return true;
  }

  get length(): number {
    return this.chars.length;
  }

  /** The text (the caller hands it to the user store and drops it). */
  get value(): string {
    return this.chars.join('');
  }

  /** What the display shows. */
  get shown(): string {
    if (!this.options.masked) return this.value;
    if (!this.chars.length) return '';
    const lastShown = this.cycled ? this.chars.at(-1)! : '*';
    return '*'.repeat(this.chars.length - 1) + lastShown;
  }

  wipe(): void {
    this.chars.fill('\0');
    this.chars = [];
    this.cycling = false;
    this.cycled = false;
  }
}
