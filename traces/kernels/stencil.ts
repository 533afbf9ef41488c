/**
 * A 2-D 5-point Jacobi stencil: out[i][j] from in[i][j] and its four neighbours, over the interior
 * of a `rows` × `cols` grid, row by row; then the grids swap roles, sweep after sweep. Each point
 * reads the lines of rows i − 1, i and i + 1 (three streams over the input grid) and stores to row
 * i of the output. While the cache holds three rows, rows i and i + 1 were brought in by earlier
 * points, so DRAM sees about one read of the input, one write-allocate read and one write-back of
 * the output per line: 2 reads per write. `threads` split the rows in contiguous bands.
 */
import { integerOption } from '../options.js';
import type { WorkloadOptions } from '../workload.js';
import { type Access, ArrayWalk, elementBytes, kernel, layout, part, read, roundRobin, threads, write } from './kernel.js';

export interface GridOptions {
  readonly rows: number;
  readonly cols: number;
  readonly elementBytes: number;
  readonly threads: number;
}

const DEFAULT_SIDE = 4096;

/** A grid or matrix; `halo` rows at each edge are read but not computed (the threads split the others). */
export function resolveGrid(o: WorkloadOptions, halo: number): GridOptions {
  const rows = integerOption(o.rows, DEFAULT_SIDE, 'rows', 1 + 2 * halo, 2 ** 26);
  return {
    rows,
    cols: integerOption(o.cols, DEFAULT_SIDE, 'cols', 1 + 2 * halo, 2 ** 26),
    elementBytes: elementBytes(o, 8),
    threads: threads(o, rows - 2 * halo, 'row'),
  };
}

function grids(r: GridOptions) {
  const bytes = r.rows * r.cols * r.elementBytes;
  return layout([bytes, bytes]);
}

export const stencil = kernel<GridOptions>({
  kind: 'stencil',
  summary: '2-D 5-point Jacobi stencil over a grid, rows i − 1, i, i + 1 in, row i out; grids swap each sweep',
  options: ['rows', 'cols', 'elementBytes', 'threads'],
  sizeOption: 'rows',
  resolve: (o) => resolveGrid(o, 1),
  footprintBytes: (r) => grids(r).footprintBytes,
  accesses(r) {
    const [a, b] = grids(r).baseLines;
    const { rows, cols, elementBytes: e } = r;
    function* thread(t: number): Iterator<Access> {
      const [first, end] = part(rows - 2, r.threads, t).map((i) => i + 1);
      for (;;) {
        for (const [src, dst] of [[a, b], [b, a]]) {
          const north = new ArrayWalk(src, e);
          const here = new ArrayWalk(src, e);
          const south = new ArrayWalk(src, e);
          const out = new ArrayWalk(dst, e);
          for (let i = first; i < end; i++) {
            // West and centre of each later point were the east of the points before it.
            let l = here.line(i * cols);
            if (l >= 0) yield read(l);
            if ((l = here.line(i * cols + 1)) >= 0) yield read(l);
            for (let j = 1; j < cols - 1; j++) {
              const point = i * cols + j;
              if ((l = north.line(point - cols)) >= 0) yield read(l);
              if ((l = here.line(point + 1)) >= 0) yield read(l);
              if ((l = south.line(point + cols)) >= 0) yield read(l);
              if ((l = out.line(point)) >= 0) yield write(l);
            }
          }
        }
      }
    }
    return roundRobin(Array.from({ length: r.threads }, (_, t) => thread(t)));
  },
});
