/**
 * Multi-core mixes: several generators run side by side, as programs on separate cores would,
 * interleaved into one time-ordered trace. Each entry has its own address region (the regions
 * follow one another, each starting on a 1 MiB boundary), its own seed, and its weight's share of
 * the mix's arrival rate; a kernel keeps its own last-level cache (a way-partitioned LLC), so the
 * entries meet only at the memory. Requests of the same cycle are taken in entry order.
 *
 * On the command line a mix is `KIND[:WEIGHT][:OPTION=VALUE...]` entries separated by commas:
 * `stream-triad:2:elements=1e6,gups:footprint=64MiB` runs STREAM triad at twice the rate of GUPS.
 */
import { finiteNumber } from '../common/parse.js';
import { type Arrival, shareOf } from './arrival.js';
import { OptionError, formatBytes } from './options.js';
import { type WorkloadGenerator, type MixEntry, type TimedRequest, WORKLOAD_OPTIONS, type WorkloadOptions, optionName, readOptionValue } from './workload.js';

/** Regions start on this boundary: whole rows of every bank under the usual mappings. */
export const MIX_REGION_ALIGN = 2 ** 20;

/** Options an entry may not set: the mix's own. */
const MIX_LEVEL = new Set(['requests', 'rate', 'gapDistribution', 'gapMeanCycles', 'gap', 'kernels']);

export interface ResolvedEntry {
  readonly kind: string;
  readonly weight: number;
  /** Its seed when given; otherwise the mix's seed + its index. */
  readonly seed?: number;
  readonly baseAddress: number;
  readonly footprintBytes: number;
  readonly options: object;
}

export interface MixOptions {
  readonly kernels: readonly ResolvedEntry[];
}

/** Parses `KIND[:WEIGHT][:OPTION=VALUE...],...`; errors name the entry. */
export function parseMix(text: string): MixEntry[] {
  if (text.trim() === '') throw new OptionError('kernels', 'expected KIND[:WEIGHT][:OPTION=VALUE...], separated by commas');
  return text.split(',').map((raw) => {
    const [kind, ...parts] = raw.trim().split(':');
    const where = `"${raw.trim()}"`;
    let weight: number | undefined;
    const options: Record<string, unknown> = {};
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq < 0) {
        if (weight !== undefined) throw new OptionError('kernels', `${where}: two weights`);
        weight = finiteNumber(part, `kernels ${where}: weight`);
        continue;
      }
      const name = part.slice(0, eq).trim();
      const spec = WORKLOAD_OPTIONS.find((o) => o.name === name);
      if (!spec) throw new OptionError('kernels', `${where}: unknown option ${name}`);
      options[spec.key] = readOptionValue(spec, part.slice(eq + 1), `kernels ${where}: ${name}`);
    }
    return { kind: kind.trim(), ...(weight !== undefined ? { weight } : {}), options };
  });
}

/** The mix generator over `generators` (which it may interleave). */
export function mixOf(generators: readonly WorkloadGenerator[]): WorkloadGenerator<MixOptions> {
  const find = (kind: string): WorkloadGenerator | undefined => generators.find((g) => g.kind === kind);
  const seedOf = (mixSeed: number, e: ResolvedEntry, i: number): number => e.seed ?? (mixSeed + i) % 2 ** 32;
  return {
    kind: 'mix',
    summary: 'several generators interleaved by rate, each in its own address region',
    options: ['kernels'],
    sizeOption: 'kernels',
    resolve(o: WorkloadOptions): MixOptions {
      const entries = o.kernels ?? [];
      if (entries.length === 0) throw new OptionError('kernels', 'a mix needs at least one entry (KIND[:WEIGHT][:OPTION=VALUE...],...)');
      let at = 0;
      const kernels = entries.map((entry, i): ResolvedEntry => {
        const where = `entry ${i + 1} (${entry.kind})`;
        const g = find(entry.kind);
        if (!g) throw new OptionError('kernels', `${where}: unknown kind (known: ${generators.map((k) => k.kind).join(', ')})`);
        const weight = entry.weight ?? 1;
        if (!(Number.isFinite(weight) && weight > 0)) throw new OptionError('kernels', `${where}: the weight must be a number > 0, got ${weight}`);
        const given = entry.options ?? {};
        for (const [key, value] of Object.entries(given)) {
          if (value === undefined) continue;
          if (MIX_LEVEL.has(key)) throw new OptionError('kernels', `${where}: ${optionName(key)} is the mix's, not an entry's (the weight sets an entry's share of the rate)`);
          if (key !== 'seed' && !(g.options as readonly string[]).includes(key)) throw new OptionError('kernels', `${where}: ${optionName(key)} does not apply to ${g.kind}`);
        }
        const seed = given.seed;
        if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new OptionError('kernels', `${where}: seed: expected an integer 0..4294967295, got ${seed}`);
        let options: object;
        try {
          options = g.resolve({ ...given, requests: 0 });
        } catch (e) {
          if (e instanceof OptionError) throw new OptionError('kernels', `${where}: ${optionName(e.option)}: ${e.problem}`);
          throw e;
        }
        const footprintBytes = g.footprintBytes(options);
        const baseAddress = at;
        at += Math.ceil(footprintBytes / MIX_REGION_ALIGN) * MIX_REGION_ALIGN;
        return { kind: g.kind, weight, ...(seed !== undefined ? { seed } : {}), baseAddress, footprintBytes, options };
      });
      return { kernels };
    },
    footprintBytes: (r) => {
      const last = r.kernels[r.kernels.length - 1];
      return last.baseAddress + last.footprintBytes;
    },
    footprintParts: (r) => r.kernels.map((e) => `${e.kind} ${formatBytes(e.footprintBytes)}`).join(', '),
    timed(r, seed, arrival: Arrival) {
      const total = r.kernels.reduce((s, e) => s + e.weight, 0);
      const streams = r.kernels.map((e, i) => find(e.kind)!.timed(e.options, seedOf(seed, e, i), shareOf(arrival, e.weight / total)));
      const heads = streams.map((next): TimedRequest => {
        const h = { cycle: 0, address: 0, write: false };
        next(h);
        return h;
      });
      return (out) => {
        let k = 0;
        for (let i = 1; i < heads.length; i++) if (heads[i].cycle < heads[k].cycle) k = i;
        const h = heads[k];
        out.cycle = h.cycle;
        out.address = r.kernels[k].baseAddress + h.address;
        out.write = h.write;
        streams[k](h);
      };
    },
  };
}
