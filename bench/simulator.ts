/**
 * Simulator throughput: simulated requests per second on one core, median of several runs, for
 * the benchmark traces (1,000,000 requests on the ddr3-1600 setup with the default controller,
 * and with a deeper FR-FCFS controller), then every standard's preset with the FR-FCFS controller on
 * those traces and on ones with a request every 4 trace cycles (unsaturated), with each one's speed
 * per request relative to DDR3's. Run with `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../simulators/dram/simulate.js';
import { loadAddressMapping, loadMemSpec, loadMcConfig, MEMSPEC_PRESETS } from '../simulators/dram/presets.js';
import { DEFAULT_MCCONFIG, type McConfig } from '../simulators/dram/mcconfig.js';
import type { Trace, TraceSource } from '../simulators/trace.js';
import type { AddressMapping } from '../simulators/dram/address-mapping.js';
import type { MemSpec } from '../simulators/dram/memspec.js';
import { randomTrace, streamTrace } from '../traces/generators.js';
import { StlFileSource, writeStl } from '../traces/stl.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const spec = loadMemSpec('ddr3-1600');
const mapping = loadAddressMapping('ddr3-1600');
const frfcfs = loadMcConfig('fr-fcfs');
/** One preset per standard (its default address mapping). */
const STANDARD_PRESETS = ['ddr3-1600', 'ddr4-2400', 'ddr5-4800', 'lpddr4-3200', 'lpddr5-6400', 'hbm2', 'hbm2-stack', 'hbm3-6400'];

interface Device {
  spec: MemSpec;
  mapping: AddressMapping;
  /** The trace player's clock (the preset's). */
  clkMhz?: number;
}

/** Simulated requests per second (median); `baseline`, another such rate, adds this one's ratio to it. */
function bench(label: string, trace: Trace | TraceSource, cfg: McConfig, device: Device = { spec, mapping }, baseline?: number): number {
  const { spec, mapping } = device;
  const clk = { clkMhz: device.clkMhz ?? 800 };
  simulate(trace, spec, mapping, cfg, clk); // warm-up
  const rates: number[] = [];
  let heapMb = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    simulate(trace, spec, mapping, cfg, clk);
    const s = (performance.now() - t0) / 1000;
    rates.push(REQUESTS / s);
    heapMb = Math.max(heapMb, process.memoryUsage().heapUsed / 2 ** 20);
  }
  const med = median(rates);
  console.log(
    `${label.padEnd(52)} ${Math.round(med).toLocaleString('en-US').padStart(11)} req/s  ` +
      `(min ${Math.round(Math.min(...rates)).toLocaleString('en-US')}, max ${Math.round(Math.max(...rates)).toLocaleString('en-US')}, heap ${heapMb.toFixed(0)} MiB)` +
      (baseline === undefined ? '' : `  ${(med / baseline).toFixed(2)}x ddr3-1600`),
  );
  return med;
}

console.log(`marl-dse simulator benchmark: ${REQUESTS.toLocaleString('en-US')} requests, median of ${RUNS} runs, ${spec.memoryId}, node ${process.version}`);
const seq = streamTrace({ requests: REQUESTS }, 'stream');
const rnd = randomTrace({ requests: REQUESTS, readShare: 0.7, seed: 7 }, 'random-70r');
bench('sequential 64 B reads, default controller', seq, DEFAULT_MCCONFIG);
bench('random addresses, 70 % reads, default controller', rnd, DEFAULT_MCCONFIG);
bench('sequential 64 B reads, fr-fcfs (buffer 8, AllBank)', seq, frfcfs);
bench('random addresses, 70 % reads, fr-fcfs', rnd, frfcfs);
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-bench-'));
try {
  const path = join(dir, 'random.stl');
  writeStl(rnd, path);
  bench('random, streamed from a .stl file, default controller', new StlFileSource(path), DEFAULT_MCCONFIG);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log('\nevery standard, fr-fcfs, a request every trace cycle and every 4 (speed per request relative to ddr3-1600):');
const sparse = {
  seq: streamTrace({ requests: REQUESTS, gap: 4 }, 'stream-gap4'),
  rnd: randomTrace({ requests: REQUESTS, readShare: 0.7, seed: 7, gap: 4 }, 'random-70r-gap4'),
};
const workloads = [
  ['sequential', seq],
  ['random 70 % reads', rnd],
  ['sequential, every 4 cycles', sparse.seq],
  ['random 70 % reads, every 4 cycles', sparse.rnd],
] as const;
const base = new Map<string, number>();
for (const name of STANDARD_PRESETS) {
  const device = { spec: loadMemSpec(name), mapping: loadAddressMapping(name), clkMhz: MEMSPEC_PRESETS[name].clkMhz };
  for (const [traceName, trace] of workloads) {
    const rate = bench(`${name}: ${traceName}`, trace, frfcfs, device, base.get(traceName));
    if (!base.has(traceName)) base.set(traceName, rate);
  }
}
