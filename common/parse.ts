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
