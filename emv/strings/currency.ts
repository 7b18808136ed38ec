/**
 * ISO 4217 currencies (numeric code, alphabetic code, minor-unit exponent) and amount
 * formatting for people. Amounts are integer minor units; no floating point anywhere.
 */

export interface Currency {
  readonly numeric: number;
  readonly alpha: string;
  /** Digits after the decimal point (ISO 4217 "minor unit"). */
  readonly exponent: number;
  readonly name: string;
}

const c = (numeric: number, alpha: string, exponent: number, name: string): Currency => ({ numeric, alpha, exponent, name });

/** ISO 4217 entries for the currencies a terminal is most likely to meet. */
export const CURRENCIES: readonly Currency[] = [
  c(36, 'AUD', 2, 'Australian Dollar'),
  c(48, 'BHD', 3, 'Bahraini Dinar'),
  c(124, 'CAD', 2, 'Canadian Dollar'),
  c(156, 'CNY', 2, 'Yuan Renminbi'),
  c(203, 'CZK', 2, 'Czech Koruna'),
  c(208, 'DKK', 2, 'Danish Krone'),
  c(344, 'HKD', 2, 'Hong Kong Dollar'),
  c(348, 'HUF', 2, 'Forint'),
  c(352, 'ISK', 0, 'Iceland Krona'),
  c(356, 'INR', 2, 'Indian Rupee'),
  c(360, 'IDR', 2, 'Rupiah'),
  c(376, 'ILS', 2, 'New Israeli Sheqel'),
  c(392, 'JPY', 0, 'Yen'),
  c(398, 'KZT', 2, 'Tenge'),
  c(410, 'KRW', 0, 'Won'),
  c(414, 'KWD', 3, 'Kuwaiti Dinar'),
  c(446, 'MOP', 2, 'Pataca'),
  c(458, 'MYR', 2, 'Malaysian Ringgit'),
  c(484, 'MXN', 2, 'Mexican Peso'),
  c(512, 'OMR', 3, 'Rial Omani'),
  c(554, 'NZD', 2, 'New Zealand Dollar'),
  c(578, 'NOK', 2, 'Norwegian Krone'),
  c(608, 'PHP', 2, 'Philippine Peso'),
  c(634, 'QAR', 2, 'Qatari Rial'),
  c(643, 'RUB', 2, 'Russian Ruble'),
  c(682, 'SAR', 2, 'Saudi Riyal'),
  c(702, 'SGD', 2, 'Singapore Dollar'),
  c(704, 'VND', 0, 'Dong'),
  c(710, 'ZAR', 2, 'Rand'),
  c(752, 'SEK', 2, 'Swedish Krona'),
  c(756, 'CHF', 2, 'Swiss Franc'),
  c(764, 'THB', 2, 'Baht'),
  c(784, 'AED', 2, 'UAE Dirham'),
  c(788, 'TND', 3, 'Tunisian Dinar'),
  c(818, 'EGP', 2, 'Egyptian Pound'),
  c(826, 'GBP', 2, 'Pound Sterling'),
  c(840, 'USD', 2, 'US Dollar'),
  c(901, 'TWD', 2, 'New Taiwan Dollar'),
  c(949, 'TRY', 2, 'Turkish Lira'),
  c(978, 'EUR', 2, 'Euro'),
  c(985, 'PLN', 2, 'Zloty'),
  c(986, 'BRL', 2, 'Brazilian Real'),
];

const BY_NUMERIC: ReadonlyMap<number, Currency> = new Map(CURRENCIES.map((x) => [x.numeric, x]));
const BY_ALPHA: ReadonlyMap<string, Currency> = new Map(CURRENCIES.map((x) => [x.alpha, x]));

/** Looks a currency up by numeric code (156) or alphabetic code ("CNY"). */
export function currency(code: number | string): Currency | undefined {
  return typeof code === 'number' ? BY_NUMERIC.get(code) : BY_ALPHA.get(code.toUpperCase());
}

/** Minor units with the decimal point placed `exponent` digits from the right: (12345, 2) -> "123.45". */
export function formatMinorUnits(minor: number | bigint, exponent: number): string {
  const neg = minor < 0;
  const digits = String(neg ? -BigInt(minor) : BigInt(minor)).padStart(exponent + 1, '0');
  const s = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return neg ? `-${s}` : s;
}

/**
 * An amount for people: "CNY 123.45", "JPY 1234". An unknown currency prints its numeric
 * code and the amount in minor units with exponent 2 marked as assumed.
 */
export function formatAmount(minor: number | bigint, currencyCode: number | string): string {
  const cur = currency(currencyCode);
  if (cur === undefined) return `${formatMinorUnits(minor, 2)} (currency ${String(currencyCode)}, exponent assumed 2)`;
  return `${cur.alpha} ${formatMinorUnits(minor, cur.exponent)}`;
}
