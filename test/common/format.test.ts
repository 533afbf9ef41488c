/** The one number format of the commands' output, and its agreement with the dashboard's. */
import { describe, expect, it } from 'vitest';
import { formatNumber, formatPValue, withUnit } from '../../common/format.js';
import { formatValue } from '../../web/data.js';

const SAMPLES = [61617.5, 55046.25, 1234567.891, 2930.694, 999.98765, 0.5383, 0.012345, 2.202e-8, -0.0001, -3100.25, 128, 0, null, undefined, NaN, Infinity];

describe('formatNumber', () => {
  it('writes thousands separators, 7 significant digits from 1,000, 4 below, powers of ten under 0.001', () => {
    expect(SAMPLES.map(formatNumber)).toEqual([
      '61,617.5',
      '55,046.25',
      '1,234,568',
      '2,930.694',
      '1,000',
      '0.5383',
      '0.01235',
      '2.202e-8',
      '-1e-4',
      '-3,100.25',
      '128',
      '0',
      '—',
      '—',
      '—',
      '—',
    ]);
  });

  it('reads the same as the dashboard', () => {
    for (const n of SAMPLES) expect(formatNumber(n)).toBe(formatValue(n));
  });
});

describe('withUnit', () => {
  it('puts the unit after the number, and none after a missing value', () => {
    expect(withUnit(61617.5, 'ns')).toBe('61,617.5 ns');
    expect(withUnit(3086.2234, 'mW')).toBe('3,086.223 mW');
    expect(withUnit(0.42, '')).toBe('0.42');
    expect(withUnit(null, 'ns')).toBe('—');
  });
});

describe('formatPValue', () => {
  it('gives three decimals, and a p-value below 0.001 as < 0.001 rather than 0.000', () => {
    expect(formatPValue(0.0234)).toBe('0.023');
    expect(formatPValue(0.001)).toBe('0.001');
    expect(formatPValue(0.00099)).toBe('< 0.001');
    expect(formatPValue(2.2e-8)).toBe('< 0.001');
    expect(formatPValue(1)).toBe('1.000');
    expect(formatPValue(NaN)).toBe('—');
    expect(formatPValue(null)).toBe('—');
  });
});
