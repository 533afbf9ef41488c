/**
 * Generator throughput: requests generated per second on one core (median of several runs) for
 * every kind at its default options, and the read share each produces. Run with
 * `npm run build && node dist/bench/generators.js`.
 */
import { performance } from 'node:perf_hooks';
import { GENERATORS, type WorkloadOptions, generateSource } from '../traces/generators.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** A mix needs its entries; every other kind runs at its defaults. */
const EXTRA: Readonly<Record<string, Partial<WorkloadOptions>>> = {
  mix: { kernels: [{ kind: 'stream-triad', weight: 2 }, { kind: 'gups' }, { kind: 'pointer-chase', options: { chains: 8 } }] },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

console.log(`marl-dse generator benchmark: ${REQUESTS.toLocaleString('en-US')} requests per kind, median of ${RUNS} runs, node ${process.version}`);
for (const g of GENERATORS) {
  const source = generateSource(g.kind, { requests: REQUESTS, ...EXTRA[g.kind] });
  const rates: number[] = [];
  let reads = 0;
  for (let run = 0; run < RUNS; run++) {
    reads = 0;
    const t0 = performance.now();
    for (const c of source.chunks()) for (let i = 0; i < c.length; i++) reads += 1 - c.isWrite[i];
    rates.push(REQUESTS / ((performance.now() - t0) / 1000));
  }
  console.log(`${g.kind.padEnd(14)} ${Math.round(median(rates)).toLocaleString('en-US').padStart(11)} req/s   read share ${((100 * reads) / REQUESTS).toFixed(1).padStart(5)} %`);
}
