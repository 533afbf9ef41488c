/** Option checking shared by the generators, the cache model and capture: errors name the option's key. */
import { InputError } from '../common/errors.js';

/** A bad option; `option` is its key in the options object, so a CLI can name its flag. */
export class OptionError extends InputError {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}

/** `value` (or `fallback` when undefined) as an integer in [min, max]; an OptionError naming `option` otherwise. */
export function integerOption(value: number | undefined, fallback: number, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = value ?? fallback;
  if (!(Number.isSafeInteger(v) && v >= min && v <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min.toLocaleString('en-US')}` : `from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
    throw new OptionError(option, `expected an integer ${range}, got ${v}`);
  }
  return v;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Bytes as people write them: 2 MiB, 1.5 GiB, 96 B. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number(v.toFixed(2)).toLocaleString('en-US')} ${units[u]}`;
}
