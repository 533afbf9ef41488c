/** Small helpers for reading user JSON with one-line errors that name the file and key. */
import { readFileSync } from 'node:fs';
import { InputError } from '../../common/errors.js';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and parses a JSON file; a missing file or bad JSON is an InputError naming the file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read file (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: invalid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Unwraps `{ key: {...} }` (DRAMSys's file layout) or accepts the bare object. */
export function unwrap(doc: unknown, key: string, where: string): JsonObject {
  if (!isObject(doc)) throw new InputError(`${where}: expected a JSON object with a "${key}" key`);
  const inner = key in doc ? doc[key] : doc;
  if (!isObject(inner)) throw new InputError(`${where}: ${key}: expected an object`);
  return inner;
}

export function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/** Reads a number field: `kind` 'int' (≥ 0 integer), 'pos' (> 0 integer) or 'real' (≥ 0). */
export function numberField(
  obj: JsonObject,
  key: string,
  where: string,
  kind: 'int' | 'pos' | 'real',
  fallback?: number,
): number {
  const v = obj[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InputError(`${where}.${key}: missing`);
  }
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (kind === 'real' ? v >= 0 : Number.isInteger(v) && (kind === 'pos' ? v > 0 : v >= 0));
  if (!ok) {
    const want = kind === 'real' ? 'a non-negative number' : kind === 'pos' ? 'a positive integer' : 'a non-negative integer';
    throw new InputError(`${where}.${key}: expected ${want}, got ${describe(v)}`);
  }
  return v as number;
}

/** Reads a current in mA from a power spec given in A (`scale` 1000) or mA (`scale` 1). */
export function current(p: JsonObject, key: string, where: string, scale: number, fallback?: number): number {
  return numberField(p, key, where, 'real', fallback === undefined ? undefined : fallback / scale) * scale;
}

/** Reads a timing parameter in cycles. */
export function cycles(t: JsonObject, key: string, where: string, fallback?: number): number {
  return numberField(t, key, where, 'int', fallback);
}
