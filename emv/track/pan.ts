/**
 * PAN helpers used everywhere in the project: the Luhn check digit (ISO/IEC 7812-1 Annex
 * B) and masking for anything a person sees or a log line carries (PCI DSS 3.3: at most
 * the first six and last four digits).
 */

/** True when `digits` (decimal only) passes the Luhn mod-10 check. Non-digits or empty: false. */
export function luhnValid(digits: string): boolean {
  if (digits.length === 0 || !/^[0-9]+$/.test(digits)) return false;
  return luhnSum(digits, false) % 10 === 0;
}

/** The check digit that makes `partial` + digit pass Luhn. */
export function luhnCheckDigit(partial: string): number {
  if (!/^[0-9]*$/.test(partial)) throw new TypeError('luhnCheckDigit: decimal digits only');
  return (10 - (luhnSum(partial, true) % 10)) % 10;
}

// Doubles every second digit from the right; `appending` when the check digit is still to come.
function luhnSum(digits: string, appending: boolean): number {
  let sum = 0;
  let double = appending;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}

/**
 * Masks a PAN for display: first 6 and last 4 digits, `*` in between, for PANs of 13 or
 * more digits (at least 3 hidden). Shorter PANs show a quarter at each end (rounded down),
 * so at least half is always hidden: 12 digits -> 3 + 3, 8 -> 2 + 2, under 4 -> all `*`.
 */
export function maskPan(pan: string): string {
  const n = pan.length;
  const [lead, tail] = n >= 13 ? [6, 4] : [n >> 2, n >> 2];
  return pan.slice(0, lead) + '*'.repeat(n - lead - tail) + pan.slice(n - tail);
}
