/**
 * STREAM (McCalpin's memory-bandwidth benchmark): copy `c[i] = a[i]` and triad
 * `a[i] = b[i] + q·c[i]` over arrays of `elements` elements, placed one after another. With
 * `threads` threads each takes a contiguous part of the index range (OpenMP's static schedule), so
 * 2·threads or 3·threads sequential streams run at once. Per line of elements a thread reads its
 * source lines, then stores to its destination line: the store's miss reads the line
 * (write-allocate) and the line is written back when evicted. Copy: 2 reads per write; triad: 3.
 */
import { integerOption } from '../options.js';
import { LINE_BYTES, type WorkloadOptions } from '../workload.js';
import { type Access, elementBytes, kernel, layout, part, read, roundRobin, threads, write } from './kernel.js';

export interface StreamOptions {
  readonly elements: number;
  readonly elementBytes: number;
  readonly threads: number;
}

/**
 * STREAM's own default (STREAM_ARRAY_SIZE): 80 MB per array of doubles, far beyond the cache. Not
 * a power of two, so the arrays do not all start in the same bank and row offset.
 */
const DEFAULT_ELEMENTS = 10_000_000;

function resolve(o: WorkloadOptions): StreamOptions {
  const elements = integerOption(o.elements, DEFAULT_ELEMENTS, 'elements', 1);
  const e = elementBytes(o, 8);
  return { elements, elementBytes: e, threads: threads(o, lines({ elements, elementBytes: e }), 'line') };
}

/** Lines per array. */
function lines(r: Pick<StreamOptions, 'elements' | 'elementBytes'>): number {
  return Math.ceil((r.elements * r.elementBytes) / LINE_BYTES);
}

function arrays(r: StreamOptions, count: number) {
  return layout(new Array<number>(count).fill(r.elements * r.elementBytes));
}

/** Each thread walks its part of the arrays' lines, again and again: per line, `reads` then `writes` (first lines of the arrays). */
function sweep(r: StreamOptions, reads: readonly number[], writes: readonly number[]): Iterator<Access> {
  function* thread(t: number): Iterator<Access> {
    const [start, end] = part(lines(r), r.threads, t);
    for (;;) {
      for (let l = start; l < end; l++) {
        for (const base of reads) yield read(base + l);
        for (const base of writes) yield write(base + l);
      }
    }
  }
  return roundRobin(Array.from({ length: r.threads }, (_, t) => thread(t)));
}

export const streamCopy = kernel<StreamOptions>({
  kind: 'stream-copy',
  summary: 'STREAM copy c[i] = a[i]: per line, read a, store c',
  options: ['elements', 'elementBytes', 'threads'],
  sizeOption: 'elements',
  resolve,
  footprintBytes: (r) => arrays(r, 2).footprintBytes,
  accesses(r) {
    const [a, c] = arrays(r, 2).baseLines;
    return sweep(r, [a], [c]);
  },
});

export const streamTriad = kernel<StreamOptions>({
  kind: 'stream-triad',
  summary: 'STREAM triad a[i] = b[i] + q·c[i]: per line, read b and c, store a',
  options: ['elements', 'elementBytes', 'threads'],
  sizeOption: 'elements',
  resolve,
  footprintBytes: (r) => arrays(r, 3).footprintBytes,
  accesses(r) {
    const [a, b, c] = arrays(r, 3).baseLines;
    return sweep(r, [b, c], [a]);
  },
});
