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

/** A number as `Number` reads it (1000, 1e6, 0x40, 0.7; `_` separators allowed). */
export function finiteNumber(raw: string, flag: string): number {
  const n = raw.trim() === '' ? NaN : Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(n)) throw new InputError(`${flag} ${raw}: expected a number`);
  return n;
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A size in bytes: a number, or one with a binary unit (8KiB, 64 MiB, 1G: K, M, G, T are all powers of 1024). */
export function byteSize(raw: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))?\s*$/i.exec(raw.replaceAll('_', ''));
  if (!m) return finiteNumber(raw, flag);
  return Number(m[1]) * BYTE_UNITS[(m[2] ?? m[3] ?? '').toLowerCase()];
}

/**
 * Names that JavaScript objects give a meaning of their own: as a key of a plain object, `__proto__`
 * sets its prototype (so the value silently vanishes) and `constructor` reads an inherited
 * function. Refused wherever a file or flag names a key.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

export const RESERVED_KEY_MESSAGE = 'a name JavaScript objects reserve (__proto__, constructor, prototype), not a key';

/**
 * The path (`base.__proto__`) of the first reserved key anywhere in a parsed document, or null.
 * Checked before a schema reads the document: schema libraries drop such keys without a word.
 */
export function reservedKeyPath(doc: unknown, path = ''): string | null {
  if (typeof doc !== 'object' || doc === null) return null;
  for (const [k, v] of Object.entries(doc)) {
    const at = Array.isArray(doc) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (!Array.isArray(doc) && isReservedKey(k)) return at;
    const inner = reservedKeyPath(v, at);
    if (inner !== null) return inner;
  }
  return null;
}
