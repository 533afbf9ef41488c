/**
 * Sparse matrix-vector product y = A·x, A in CSR (compressed sparse row) form with `nnzPerRow`
 * nonzeros per row. For row i the loop reads rowPtr[i + 1], then for each nonzero k of the row
 * colIdx[k] and val[k] (two sequential streams) and x[colIdx[k]] (a gather), and stores y[i].
 * Column indices are 4 bytes, values `elementBytes`. A row's columns are drawn uniformly (within
 * ± `band` of the diagonal when band > 0) from a hash of the seed, the row and the nonzero's rank,
 * then sorted: the same matrix on every repetition, without storing it. Whether a gather hits
 * depends on how much of x the cache holds; the streams miss on every line, so reads dominate
 * (one write per line of y).
 */
import { hash32 } from '../../common/random.js';
import { integerOption } from '../options.js';
import type { WorkloadOptions } from '../workload.js';
import { type Access, ArrayWalk, elementBytes, kernel, layout, part, read, roundRobin, threads, write } from './kernel.js';

export interface SpmvOptions {
  readonly rows: number;
  readonly cols: number;
  readonly nnzPerRow: number;
  readonly band: number;
  readonly elementBytes: number;
  readonly threads: number;
}

const INDEX_BYTES = 4;
const DEFAULT_ROWS = 2 ** 20;
const DEFAULT_NNZ_PER_ROW = 16;

function resolve(o: WorkloadOptions): SpmvOptions {
  const rows = integerOption(o.rows, DEFAULT_ROWS, 'rows', 1, 2 ** 32);
  return {
    rows,
    cols: integerOption(o.cols, rows, 'cols', 1, 2 ** 32),
    nnzPerRow: integerOption(o.nnzPerRow, DEFAULT_NNZ_PER_ROW, 'nnzPerRow', 1, 4096),
    band: integerOption(o.band, 0, 'band', 0),
    elementBytes: elementBytes(o, 8),
    threads: threads(o, rows, 'row'),
  };
}

/** rowPtr, colIdx, val, x, y. */
function arrays(r: SpmvOptions) {
  const nnz = r.rows * r.nnzPerRow;
  return layout([(r.rows + 1) * INDEX_BYTES, nnz * INDEX_BYTES, nnz * r.elementBytes, r.cols * r.elementBytes, r.rows * r.elementBytes]);
}

export const spmv = kernel<SpmvOptions>({
  kind: 'spmv',
  summary: 'CSR sparse matrix-vector product: row-pointer, column-index and value streams, gathers of x, stores of y',
  options: ['rows', 'cols', 'nnzPerRow', 'band', 'elementBytes', 'threads'],
  sizeOption: 'rows',
  resolve,
  footprintBytes: (r) => arrays(r).footprintBytes,
  accesses(r, rng) {
    const [rowPtrBase, colIdxBase, valBase, xBase, yBase] = arrays(r).baseLines;
    const key = hash32(rng.next());
    const { rows, cols, nnzPerRow: k, band, elementBytes: e } = r;
    function* thread(t: number): Iterator<Access> {
      const [first, end] = part(rows, r.threads, t);
      const columns = new Float64Array(k);
      for (;;) {
        const rowPtr = new ArrayWalk(rowPtrBase, INDEX_BYTES);
        const colIdx = new ArrayWalk(colIdxBase, INDEX_BYTES);
        const val = new ArrayWalk(valBase, e);
        const y = new ArrayWalk(yBase, e);
        const x = new ArrayWalk(xBase, e);
        yield read(rowPtr.line(first));
        for (let i = first; i < end; i++) {
          const l = rowPtr.line(i + 1);
          if (l >= 0) yield read(l);
          const diagonal = Math.floor((i * cols) / rows);
          const lo = band > 0 ? Math.max(0, diagonal - band) : 0;
          const span = (band > 0 ? Math.min(cols - 1, diagonal + band) : cols - 1) - lo + 1;
          const rowKey = hash32(key ^ hash32(i));
          for (let n = 0; n < k; n++) columns[n] = lo + Math.floor((hash32(rowKey ^ hash32(n + 0x9e3779b9)) / 2 ** 32) * span);
          columns.sort();
          for (let n = 0; n < k; n++) {
            const nz = i * k + n;
            const c = colIdx.line(nz);
            if (c >= 0) yield read(c);
            const v = val.line(nz);
            if (v >= 0) yield read(v);
            const g = x.line(columns[n]);
            if (g >= 0) yield read(g);
          }
          const w = y.line(i);
          if (w >= 0) yield write(w);
        }
      }
    }
    return roundRobin(Array.from({ length: r.threads }, (_, t) => thread(t)));
  },
});
