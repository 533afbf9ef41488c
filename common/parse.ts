/** Parsing of numbers given as text (flags, config values), with one-line errors naming the flag. */
import { InputError } from './errors.js';

/** An integer flag within [min, max]; undefined when not given. */
export function integer(raw: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(`${flag} ${raw}: expected an integer${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : ` ≥ ${min}`}`);
  }
  return n;
}
