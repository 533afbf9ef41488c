/**
 * Ground truth: evaluate every design of a space on one workload and write one CSV row per design,
 * in design order, so a search can be scored against the true optimum. Interrupted sweeps resume:
 * whole rows already on disk are kept and the sweep continues after the last one.
 */
import { dirname } from 'node:path';
import { ensureDir } from './files.js';
import { lockFile } from './locks.js';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { InputError } from '../common/errors.js';
import type { Evaluator } from './evaluator/evaluator.js';
import { SuiteEvaluator, type SuiteResult, suiteHash } from './evaluator/suite.js';
import { METRICS, type MetricName, SWEEP_METRICS } from './metrics.js';
import { designToConfig, type ParameterSpace, spaceToJson } from './space/space.js';
import { enumerableSize, validDesignAt } from './space/masks.js';

/** The metric columns of a sweep, in order (metrics.ts). */
export { SWEEP_METRICS };

export interface SweepProgress {
  done: number;
  total: number;
  simulations: number;
}

export interface SweepResult {
  designs: number;
  resumedFrom: number;
  simulations: number;
  cacheHits: number;
  wallSeconds: number;
  best: Record<'averagePowerMw' | 'totalTimeNs', { index: number; value: number }>;
}

/**
 * The CSV header: `index`, the parameters, the metrics; for a suite of n traces the metrics are
 * those of the traces back to back (evaluator/combine.ts), then each trace's as `t1.totalTimeNs`,
 * …, `tn.…` (the traces named, in order, in the sweep's meta file).
 */
export function sweepHeader(space: ParameterSpace, traces = 1): string {
  const perTrace = traces > 1 ? Array.from({ length: traces }, (_, k) => SWEEP_METRICS.map((m) => `t${k + 1}.${m}`)).flat() : [];
  return ['index', ...space.parameters.map((p) => p.name), ...SWEEP_METRICS, ...perTrace].join(',');
}

/** A row's metric cells: the figures, then each trace's for a suite. */
function metricCells(r: SuiteResult): string[] {
  const all = r.traces.length > 1 ? [r.stats, ...r.traces] : [r.stats];
  return all.flatMap((st) => SWEEP_METRICS.map((m) => String(st[m])));
}

function metaPath(out: string): string {
  return `${out}.meta.json`;
}

/** Number of complete rows already in `out` (dropping a torn last line), or 0 for a new sweep. */
function prepareOutput(out: string, header: string, meta: object): number {
  const metaText = JSON.stringify(meta, null, 2) + '\n';
  if (!existsSync(out)) {
    try {
      writeFileSync(out, header + '\n');
      writeFileSync(metaPath(out), metaText);
    } catch (e) {
      throw new InputError(`--out ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    return 0;
  }
  if (!existsSync(metaPath(out)) || readFileSync(metaPath(out), 'utf8') !== metaText) {
    throw new InputError(`${out}: holds a different sweep (trace, memory or space differ, or no ${metaPath(out)}); remove it or choose another --out`);
  }
  const size = statSync(out).size;
  const text = readFileSync(out, 'utf8');
  if (!text.startsWith(header + '\n')) throw new InputError(`${out}: header does not match this space; remove it or choose another --out`);
  const lastNewline = text.lastIndexOf('\n');
  if (lastNewline + 1 < size) truncateSync(out, Buffer.byteLength(text.slice(0, lastNewline + 1)));
  const rows = text.slice(header.length + 1, lastNewline + 1).split('\n').filter((l) => l.length > 0);
  rows.forEach((row, i) => {
    if (!row.startsWith(`${i},`)) throw new InputError(`${out}: row ${i + 2} is not design ${i}; the file is damaged`);
  });
  return rows.length;
}

type SweepMetric = MetricName;
type Best = { index: number; value: number };

/** The columns of `metrics` in a sweep's header line, or a one-line error naming the file. */
function sweepColumns(file: string, header: string, metrics: readonly SweepMetric[]): number[] {
  const names = header.split(',');
  return metrics.map((m) => {
    const col = names.indexOf(m);
    if (col < 0 || names[0] !== 'index') throw new InputError(`${file}: not a marl-dse sweep (no ${m} column in its header)`);
    return col;
  });
}

/** Checks that `csv` looks like a sweep with a `metric` column, reading only its header. */
export function checkSweepFile(csv: string, metric: SweepMetric): void {
  const fd = openSync(csv, 'r');
  try {
    const buf = Buffer.alloc(4096);
    sweepColumns(csv, buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8').split('\n')[0], [metric]);
  } finally {
    closeSync(fd);
  }
}

/** The best row (first of equals, in the metric's direction) of a finished or partial sweep for each of `metrics`, reading the file once. */
export function sweepBests<M extends SweepMetric>(out: string, metrics: readonly M[]): Record<M, Best | null> {
  const lines = readFileSync(out, 'utf8').split('\n');
  const cols = sweepColumns(out, lines[0], metrics);
  const best = metrics.map((): Best | null => null);
  for (const [i, line] of lines.slice(1).entries()) {
    if (!line) continue;
    const cells = line.split(',');
    cols.forEach((col, k) => {
      const v = Number(cells[col]);
      if (!Number.isFinite(v)) throw new InputError(`${out}:${i + 2}: ${metrics[k]}: not a number (${JSON.stringify(cells[col] ?? '')})`);
      if (best[k] === null || (METRICS[metrics[k]].direction === 'min' ? v < best[k].value : v > best[k].value)) best[k] = { index: Number(cells[0]), value: v };
    });
  }
  return Object.fromEntries(metrics.map((m, k) => [m, best[k]])) as Record<M, Best | null>;
}

/** Reads the best row of a finished (or partial) sweep for one metric column. */
export function sweepBest(out: string, metric: SweepMetric): Best | null {
  return sweepBests(out, [metric])[metric];
}

export async function sweep(opts: {
  space: ParameterSpace;
  /** One trace's evaluator, or a suite's (each design then evaluated on every trace). */
  evaluator: Evaluator | SuiteEvaluator;
  out: string;
  /** Designs per evaluation (default 8). */
  chunk?: number;
  /**
   * Evaluations in flight at once (default 1): more keep a pool's threads busy between chunks, and
   * want an evaluator with a shared memo, so equivalent designs in two chunks share a simulation.
   * A sweep killed outright loses at most these, `chunk × inFlight` designs.
   */
  inFlight?: number;
  onProgress?: (p: SweepProgress) => void;
  /** Aborted (Ctrl-C), the sweep stops at once, keeping every finished chunk: give the evaluator the same signal. */
  signal?: AbortSignal;
}): Promise<SweepResult> {
  const { space, out } = opts;
  const evaluator = SuiteEvaluator.of(opts.evaluator);
  const total = enumerableSize(space, 'sweep');
  const w = evaluator.workload;
  const header = sweepHeader(space, evaluator.size);
  const meta =
    evaluator.size === 1
      ? { trace: w.spec.trace, traceHash: w.traceHash, memspec: w.memspec.memoryId, workload: w.key, space: spaceToJson(space) }
      : {
          traces: evaluator.names,
          weights: evaluator.weights,
          traceHash: suiteHash(evaluator.members.map((m) => m.workload), evaluator.weights),
          memspec: w.memspec.memoryId,
          workloads: evaluator.members.map((m) => m.workload.key),
          space: spaceToJson(space),
        };
  ensureDir(dirname(out), `--out ${out}`);
  // Two sweeps appending to one file would each write every design.
  const lock = lockFile(`${out}.lock`, `--out ${out}`);
  try {
    const start = prepareOutput(out, header, meta);
    const chunk = opts.chunk ?? 8;
    const depth = opts.inFlight ?? 1;
    const t0 = performance.now();
    const before = evaluator.counters();
    const best = {
      averagePowerMw: { index: -1, value: Infinity },
      totalTimeNs: { index: -1, value: Infinity },
    };
    const inFlight: Array<Promise<{ from: number; designs: number[][]; results: SuiteResult[] }>> = [];
    let next = start;
    let done = start;
    while (done < total) {
      while (inFlight.length < depth && next < total && !opts.signal?.aborted) {
        const from = next;
        const designs = Array.from({ length: Math.min(chunk, total - from) }, (_, k) => validDesignAt(space, from + k));
        next += designs.length;
        const p = evaluator.evaluate(designs.map((d) => designToConfig(space, d))).then((results) => ({ from, designs, results }));
        p.catch(() => {}); // awaited in order below
        inFlight.push(p);
      }
      if (inFlight.length === 0) break;
      let result: Awaited<(typeof inFlight)[number]>;
      try {
        result = await inFlight.shift()!;
      } catch (e) {
        if (opts.signal?.aborted) break;
        // A workload that cannot be simulated at all (an address beyond the memory) leaves nothing
        // behind that would block the corrected sweep.
        if (done === 0) for (const f of [out, metaPath(out)]) rmSync(f, { force: true });
        throw e;
      }
      let text = '';
      result.results.forEach((r, k) => {
        const index = result.from + k;
        const values = result.designs[k].map((v, i) => String(space.parameters[i].values[v]));
        text += [index, ...values, ...metricCells(r)].join(',') + '\n';
        for (const m of ['averagePowerMw', 'totalTimeNs'] as const) if (r.stats[m] < best[m].value) best[m] = { index, value: r.stats[m] };
      });
      appendFileSync(out, text);
      done += result.designs.length;
      opts.onProgress?.({ done, total, simulations: evaluator.counters().simulations - before.simulations });
    }
    if (start > 0) {
      // Rows from before the resume count too.
      const earlier = sweepBests(out, ['averagePowerMw', 'totalTimeNs'] as const);
      for (const m of ['averagePowerMw', 'totalTimeNs'] as const) if (earlier[m]) best[m] = earlier[m];
    }
    const after = evaluator.counters();
    return {
      designs: done,
      resumedFrom: start,
      simulations: after.simulations - before.simulations,
      cacheHits: after.cacheHits - before.cacheHits,
      wallSeconds: (performance.now() - t0) / 1000,
      best,
    };
  } finally {
    lock.release();
  }
}
