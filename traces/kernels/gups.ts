/**
 * GUPS (HPC Challenge RandomAccess): `table[i] ^= value` at uniformly random indices of a table
 * filling the footprint. Each update is one read-modify-write of a line: its miss reads the line,
 * and the dirty line is written back when a later miss evicts it, so once the cache is full the
 * trace alternates reads and write-backs of random lines, half and half.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { OptionError } from '../options.js';
import { LINE_BYTES } from '../workload.js';
import { elementBytes, kernel, write } from './kernel.js';

export interface GupsOptions {
  readonly footprintBytes: number;
  readonly elementBytes: number;
}

const DEFAULT_TABLE = 256 * 2 ** 20;

export const gups = kernel<GupsOptions>({
  kind: 'gups',
  summary: 'GUPS: read-modify-write of random elements of a table',
  options: ['footprintBytes', 'elementBytes'],
  sizeOption: 'footprintBytes',
  resolve(o) {
    const e = elementBytes(o, 8);
    const footprintBytes = o.footprintBytes ?? DEFAULT_TABLE;
    const unit = Math.max(e, LINE_BYTES);
    if (!(Number.isSafeInteger(footprintBytes) && footprintBytes >= unit && footprintBytes % unit === 0)) {
      throw new OptionError('footprintBytes', `expected a positive multiple of ${unit} bytes, got ${footprintBytes}`);
    }
    return { footprintBytes, elementBytes: e };
  },
  footprintBytes: (r) => r.footprintBytes,
  *accesses(r, rng) {
    const elements = r.footprintBytes / r.elementBytes;
    for (;;) yield write(Math.floor((uniformInt(rng, 0, elements - 1) * r.elementBytes) / LINE_BYTES));
  },
});
