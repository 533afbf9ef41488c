/**
 * A naive out-of-place transpose B = Aᵀ of a `rows` × `cols` row-major matrix: A is read along its
 * rows (one sequential stream), B written down its columns (one store per element, `rows`
 * elements apart). A line of B receives its elements from consecutive rows of A, so whether it
 * stays cached until it is full depends on the cache: with power-of-two sizes the column's lines
 * fall into few cache sets (4096 × 4096 doubles: 4 of 2,048 sets), every store misses, and each
 * line is written back with one element changed. `threads` split A's rows in contiguous bands.
 */
import { type Access, ArrayWalk, kernel, layout, part, read, roundRobin, write } from './kernel.js';
import { type GridOptions, resolveGrid } from './stencil.js';

function matrices(r: GridOptions) {
  const bytes = r.rows * r.cols * r.elementBytes;
  return layout([bytes, bytes]);
}

export const transpose = kernel<GridOptions>({
  kind: 'transpose',
  summary: 'B = Aᵀ: A read row by row, B written column by column',
  options: ['rows', 'cols', 'elementBytes', 'threads'],
  sizeOption: 'rows',
  resolve: (o) => resolveGrid(o, 0),
  footprintBytes: (r) => matrices(r).footprintBytes,
  accesses(r) {
    const [a, b] = matrices(r).baseLines;
    const { rows, cols, elementBytes: e } = r;
    function* thread(t: number): Iterator<Access> {
      const [first, end] = part(rows, r.threads, t);
      for (;;) {
        const from = new ArrayWalk(a, e);
        const to = new ArrayWalk(b, e);
        for (let i = first; i < end; i++) {
          for (let j = 0; j < cols; j++) {
            let l = from.line(i * cols + j);
            if (l >= 0) yield read(l);
            if ((l = to.line(j * rows + i)) >= 0) yield write(l);
          }
        }
      }
    }
    return roundRobin(Array.from({ length: r.threads }, (_, t) => thread(t)));
  },
});
