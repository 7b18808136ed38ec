/** ISO 3166-1 numeric country codes (as in tags 5F28, 9F1A) for the countries a terminal most often meets. */

export interface Country {
  readonly numeric: number;
  readonly alpha2: string;
  readonly name: string;
}

const c = (numeric: number, alpha2: string, name: string): Country => ({ numeric, alpha2, name });

export const COUNTRIES: readonly Country[] = [
  c(36, 'AU', 'Australia'),
  c(40, 'AT', 'Austria'),
  c(56, 'BE', 'Belgium'),
  c(76, 'BR', 'Brazil'),
  c(124, 'CA', 'Canada'),
  c(156, 'CN', 'China'),
  c(203, 'CZ', 'Czechia'),
  c(208, 'DK', 'Denmark'),
  c(246, 'FI', 'Finland'),
  c(250, 'FR', 'France'),
  c(276, 'DE', 'Germany'),
  c(300, 'GR', 'Greece'),
  c(344, 'HK', 'Hong Kong'),
  c(348, 'HU', 'Hungary'),
  c(356, 'IN', 'India'),
  c(360, 'ID', 'Indonesia'),
  c(372, 'IE', 'Ireland'),
  c(376, 'IL', 'Israel'),
  c(380, 'IT', 'Italy'),
  c(392, 'JP', 'Japan'),
  c(410, 'KR', 'Korea, Republic of'),
  c(446, 'MO', 'Macao'),
  c(458, 'MY', 'Malaysia'),
  c(484, 'MX', 'Mexico'),
  c(528, 'NL', 'Netherlands'),
  c(554, 'NZ', 'New Zealand'),
  c(578, 'NO', 'Norway'),
  c(608, 'PH', 'Philippines'),
  c(616, 'PL', 'Poland'),
  c(620, 'PT', 'Portugal'),
  c(643, 'RU', 'Russian Federation'),
  c(682, 'SA', 'Saudi Arabia'),
  c(702, 'SG', 'Singapore'),
  c(704, 'VN', 'Viet Nam'),
  c(710, 'ZA', 'South Africa'),
  c(724, 'ES', 'Spain'),
  c(752, 'SE', 'Sweden'),
  c(756, 'CH', 'Switzerland'),
  c(158, 'TW', 'Taiwan'),
  c(764, 'TH', 'Thailand'),
  c(784, 'AE', 'United Arab Emirates'),
  c(792, 'TR', 'Türkiye'),
  c(818, 'EG', 'Egypt'),
  c(826, 'GB', 'United Kingdom'),
  c(840, 'US', 'United States of America'),
];

const BY_NUMERIC: ReadonlyMap<number, Country> = new Map(COUNTRIES.map((x) => [x.numeric, x]));

export function country(numeric: number): Country | undefined {
  return BY_NUMERIC.get(numeric);
}
