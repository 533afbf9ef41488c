/**
 * What rounding HBM3's half-cycle commands to whole clock cycles would cost. marl-dse simulates
 * HBM3 in half-cycle ticks (`hbm3Standard(2)`: command lengths and rules exact, as Ramulator 2
 * models HBM3); this runs the same standard in whole clock cycles (`hbm3Standard(1)`: ACT 2
 * cycles, PRE and REF 1, rules rounded up) on the hbm3-6400 preset and compares total time: on
 * the stack, which takes a request per player cycle, and with every request on one channel.
 *
 *   node dist/bench/hbm3-half-cycle.js        (BENCH_REQUESTS, default 200,000)
 */
import { loadAddressMapping, loadMcConfig, loadMemSpec } from '../simulators/dram/presets.js';
import type { MemSpec } from '../simulators/dram/memspec.js';
import { simulate } from '../simulators/dram/simulate.js';
import { withOverrides } from '../simulators/dram/mcconfig.js';
import { hbm3Standard } from '../simulators/dram/standards/hbm3.js';
import type { JsonObject } from '../simulators/dram/json.js';
import { makeTrace, type Trace } from '../simulators/trace.js';
import { randomTrace, streamTrace } from '../traces/generators.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200_000);

const half = loadMemSpec('hbm3-6400');
const mapping = loadAddressMapping('hbm3-6400');

/** The preset in whole clock cycles: the clock half as fast, every timing in cycles. */
function wholeCycleSpec(spec: MemSpec): MemSpec {
  const standard = hbm3Standard(1);
  const doc = spec.json.memspec as JsonObject;
  const arch = doc.memarchitecturespec as JsonObject;
  const timing = standard.readTiming(doc.memtimingspec as JsonObject, 'memtimingspec', { burstLength: spec.burstLength, dataRate: spec.dataRate, tCkNs: spec.tCkNs * 2, json: arch, where: 'memarchitecturespec' });
  return {
    ...spec,
    standard,
    timing,
    data: standard.dataTiming(timing),
    energyTiming: standard.energyTiming(timing),
    tCkNs: spec.tCkNs * 2,
    clockMhz: spec.clockMhz / 2,
  };
}
const whole = wholeCycleSpec(half);

const frfcfs = loadMcConfig('fr-fcfs');
const configs: Array<[string, Record<string, unknown>]> = [
  ['fr-fcfs, AllBank', {}],
  ['fr-fcfs, PerBank', { RefreshPolicy: 'PerBank' }],
  ['fr-fcfs, Closed pages', { PagePolicy: 'Closed' }],
];
/** The trace with every request on channel 0: line n goes to channel 0's n-th line (the channel bits, 6-9, left 0). */
function toChannel0(address: number): number {
  return (Math.floor(address / 64) % 2 ** 24) * 1024;
}
const oneChannel = (t: Trace): Trace =>
  makeTrace(`${t.name}, one channel`, Array.from({ length: t.length }, (_, i) => ({ cycle: t.cycle[i], address: toChannel0(t.address[i]), write: t.isWrite[i] === 1 })));
// A paced trace: a request every 4 player cycles (the memory keeps up, arrival times matter).
const paced = (t: Trace): Trace => makeTrace(`${t.name}, 1 per 4 cycles`, Array.from({ length: t.length }, (_, i) => ({ cycle: 4 * i, address: t.address[i], write: t.isWrite[i] === 1 })));
const seq = streamTrace({ requests: REQUESTS }, 'sequential reads');
const rnd = randomTrace({ requests: REQUESTS, readShare: 0.7, seed: 7 }, 'random, 70 % reads');
// The stack takes a request per player cycle from any of these; one channel falls behind.
const traces: Trace[] = [seq, rnd, oneChannel(seq), oneChannel(rnd), paced(oneChannel(rnd))];

console.log(`HBM3-6400 (hbm3-6400 preset), ${REQUESTS.toLocaleString('en-US')} requests: whole clock cycles (rounded) vs half-cycle ticks (exact)`);
console.log(`${'trace'.padEnd(46)} ${'controller'.padEnd(24)} ${'whole ns'.padStart(12)} ${'half ns'.padStart(12)}  difference`);
for (const trace of traces) {
  for (const [label, overrides] of configs) {
    const mc = withOverrides(frfcfs, { ...overrides, MaxActiveTransactions: 128 }, 'bench');
    const a = simulate(trace, whole, mapping, mc, { clkMhz: 1600 });
    const b = simulate(trace, half, mapping, mc, { clkMhz: 1600 });
    const diff = ((a.totalTimeNs - b.totalTimeNs) / b.totalTimeNs) * 100;
    console.log(`${trace.name.padEnd(46)} ${label.padEnd(24)} ${a.totalTimeNs.toFixed(1).padStart(12)} ${b.totalTimeNs.toFixed(1).padStart(12)}  ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} %`);
  }
}
