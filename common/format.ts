/**
 * Numbers for people, one format for every command's output: thousands separators, whole numbers
 * as they are, 7 significant digits from 1,000 up (61,617.5), 4 below (0.4321), powers of ten
 * under 0.001 (2.2e-8). The dashboard's `formatValue` (web/data.js) follows the same rule, so a
 * value reads the same in a terminal and on the page.
 */

// Made once: toLocaleString builds a formatter on every call, which a long table feels.
const FORMATS = {
  integer: new Intl.NumberFormat('en-US'),
  large: new Intl.NumberFormat('en-US', { maximumSignificantDigits: 7 }),
  small: new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 }),
};

/** `n` formatted; `—` for a missing or non-finite value. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return FORMATS.integer.format(n);
  if (Math.abs(n) < 0.001) return n.toExponential(3).replace(/\.?0+e/, 'e');
  return (Math.abs(n) >= 1000 ? FORMATS.large : FORMATS.small).format(n);
}

/** A value with its unit (`61,617.5 ns`); a missing value is `—`, without a unit. */
export function withUnit(n: number | null | undefined, unit: string): string {
  const v = formatNumber(n);
  return unit && v !== '—' ? `${v} ${unit}` : v;
}

/** A p-value at three decimals, and one below 0.001 as `< 0.001` (not `0.000`); `—` when missing. */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
