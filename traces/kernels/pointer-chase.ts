/**
 * Pointer chasing (lat_mem_rd's dependent loads): nodes of `elementBytes` bytes fill the
 * footprint, linked in one random cycle through all of them (a seeded permutation); each load reads
 * the next node's address from the current one. `chains` independent chases start evenly spaced
 * around the cycle and take turns. A load cannot issue before the load it depends on has returned
 * its data: the dependence is modelled by issue time, each DRAM read of a chain at least
 * `latencyCycles` after the chain's previous one (default 80 cycles, 100 ns at 800 MHz, about a
 * DRAM load-to-use latency). Reads only.
 */
import { OptionError, integerOption } from '../options.js';
import { scatter } from '../permutation.js';
import { LINE_BYTES } from '../workload.js';
import { elementBytes, kernel, read } from './kernel.js';

export interface PointerChaseOptions {
  readonly footprintBytes: number;
  readonly elementBytes: number;
  readonly chains: number;
  readonly latencyCycles: number;
}

const DEFAULT_FOOTPRINT = 256 * 2 ** 20;
const DEFAULT_LATENCY = 80;

export const pointerChase = kernel<PointerChaseOptions>({
  kind: 'pointer-chase',
  summary: 'dependent loads around one random cycle through all nodes, in independent chains',
  options: ['footprintBytes', 'elementBytes', 'chains', 'latencyCycles'],
  sizeOption: 'footprintBytes',
  resolve(o) {
    const e = elementBytes(o, LINE_BYTES);
    const footprintBytes = o.footprintBytes ?? DEFAULT_FOOTPRINT;
    const unit = Math.max(e, LINE_BYTES);
    if (!(Number.isSafeInteger(footprintBytes) && footprintBytes >= unit && footprintBytes % unit === 0)) {
      throw new OptionError('footprintBytes', `expected a positive multiple of ${unit} bytes, got ${footprintBytes}`);
    }
    return {
      footprintBytes,
      elementBytes: e,
      chains: integerOption(o.chains, 1, 'chains', 1, 1024),
      latencyCycles: integerOption(o.latencyCycles, DEFAULT_LATENCY, 'latencyCycles', 0, 1_000_000),
    };
  },
  footprintBytes: (r) => r.footprintBytes,
  dependence: (r) => ({ chains: r.chains, latencyCycles: r.latencyCycles }),
  *accesses(r, rng) {
    const nodes = r.footprintBytes / r.elementBytes;
    const node = scatter(nodes, rng);
    const at = Array.from({ length: r.chains }, (_, c) => Math.floor((c * nodes) / r.chains));
    for (;;) {
      for (let c = 0; c < r.chains; c++) {
        yield read(Math.floor((node(at[c]) * r.elementBytes) / LINE_BYTES));
        at[c] = at[c] + 1 === nodes ? 0 : at[c] + 1;
      }
    }
  },
});
