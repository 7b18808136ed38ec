// CODE128 symbol encoding for drawing what the printer printed (ISO/IEC 15417): values
// 0..106, each drawn as bar/space widths in modules; checksum (start + sum of position x
// value) mod 103; stop pattern with its termination bar. Used by the PNG renderer only:
// the printer itself encodes GS k data (gs_lk).

/** Bar/space widths (bar first) of the symbol values 0..106 (106 = stop with its 2-module termination bar). */
export const CODE128_PATTERNS: readonly string[] = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];

const START: Readonly<Record<'A' | 'B' | 'C', number>> = { A: 103, B: 104, C: 105 };
const STOP = 106;

/**
 * Symbol values for data in one code set: start, data, checksum, stop. Undefined when
 * the data does not fit the set (set A: 0x00-0x5F, B: 0x20-0x7F, C: digit pairs).
 */
export function code128Values(data: string, codeSet: 'A' | 'B' | 'C'): number[] | undefined {
  const values: number[] = [START[codeSet]];
  if (codeSet === 'C') {
    if (!/^(\d\d)*$/.test(data)) return undefined;
    for (let i = 0; i < data.length; i += 2) values.push(Number(data.slice(i, i + 2)));
  } else {
    for (const ch of data) {
      const c = ch.charCodeAt(0);
      if (codeSet === 'A' && c <= 0x5f) values.push(c < 0x20 ? c + 64 : c - 32);
      else if (codeSet === 'B' && c >= 0x20 && c <= 0x7f) values.push(c - 32);
      else return undefined;
    }
  }
  let sum = values[0]!;
  for (let i = 1; i < values.length; i++) sum += i * values[i]!;
  values.push(sum % 103, STOP);
  return values;
}

/** Module widths, alternating bar and space starting with a bar, for the symbol values. */
export function code128Widths(values: readonly number[]): number[] {
  return values.flatMap((v) => [...CODE128_PATTERNS[v]!].map(Number));
}
