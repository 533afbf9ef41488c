/**
 * When requests are issued: a fixed rate, or gaps drawn from a distribution. Arrival times come from
 * their own random stream, so changing only the arrival options keeps a trace's addresses.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { Rng } from '../common/random.js';
import { OptionError } from './options.js';

export const GAP_DISTRIBUTIONS = ['constant', 'uniform', 'exponential'] as const;
export type GapDistribution = (typeof GAP_DISTRIBUTIONS)[number];

/** How requests are spaced in time, after validation. */
export type Arrival =
  | { readonly rate: number }
  | { readonly gapDistribution: GapDistribution; readonly gapMeanCycles: number };

/** The arrival options as a generator takes them (at most one of the three forms). */
export interface ArrivalOptions {
  /** Requests per trace-clock cycle: request i is issued at cycle floor(i / rate). */
  rate?: number;
  /**
   * Gaps between arrival times drawn from this distribution (constant; uniform on [0, 2·mean];
   * exponential, i.e. Poisson arrivals) with mean `gapMeanCycles`; each request is issued at the
   * whole cycle its arrival time falls in. Default `constant` when only `gapMeanCycles` is given.
   */
  gapDistribution?: GapDistribution;
  gapMeanCycles?: number;
  /** Whole trace-clock cycles between consecutive requests: shorthand for a constant gap. */
  gap?: number;
}

/** The longest mean gap between requests: keeps every cycle of a long trace an exact integer. */
export const MAX_GAP_CYCLES = 1_000_000;

/** The last cycle a trace may use: cycles are exact integers up to 2^53. */
export const MAX_CYCLE = Number.MAX_SAFE_INTEGER;

export function resolveArrival(o: ArrivalOptions): Arrival {
  const given = [o.rate !== undefined, o.gapDistribution !== undefined || o.gapMeanCycles !== undefined, o.gap !== undefined];
  if (given.filter(Boolean).length > 1) {
    const option = o.rate !== undefined ? 'rate' : 'gap';
    throw new OptionError(option, 'give only one of rate, a gap distribution and gap');
  }
  if (o.rate !== undefined) {
    if (!(Number.isFinite(o.rate) && o.rate > 0)) throw new OptionError('rate', `expected requests per cycle > 0, got ${o.rate}`);
    if (o.rate < 1 / MAX_GAP_CYCLES) throw new OptionError('rate', `at most one request per ${MAX_GAP_CYCLES.toLocaleString('en-US')} cycles (rate >= 1e-6), got ${o.rate}`);
    return { rate: o.rate };
  }
  if (o.gap !== undefined) {
    if (!(Number.isSafeInteger(o.gap) && o.gap >= 0 && o.gap <= MAX_GAP_CYCLES)) throw new OptionError('gap', `expected an integer from 0 to ${MAX_GAP_CYCLES.toLocaleString('en-US')}, got ${o.gap}`);
    return { gapDistribution: 'constant', gapMeanCycles: o.gap };
  }
  if (o.gapDistribution !== undefined || o.gapMeanCycles !== undefined) {
    const d = o.gapDistribution ?? 'constant';
    if (!(GAP_DISTRIBUTIONS as readonly string[]).includes(d)) {
      throw new OptionError('gapDistribution', `expected one of ${GAP_DISTRIBUTIONS.join(', ')}, got ${d}`);
    }
    const m = o.gapMeanCycles;
    if (m === undefined) throw new OptionError('gapMeanCycles', 'required with a gap distribution');
    if (!(Number.isFinite(m) && m >= 0 && m <= MAX_GAP_CYCLES)) throw new OptionError('gapMeanCycles', `expected a number of cycles from 0 to ${MAX_GAP_CYCLES.toLocaleString('en-US')}, got ${m}`);
    return { gapDistribution: d, gapMeanCycles: m };
  }
  return { rate: 1 };
}

/** The same process with `share` of its rate (a mix gives each kernel its share of the mix's rate). */
export function shareOf(a: Arrival, share: number): Arrival {
  return 'rate' in a ? { rate: a.rate * share } : { gapDistribution: a.gapDistribution, gapMeanCycles: a.gapMeanCycles / share };
}

/**
 * The most requests the arrival process can issue before its cycles leave the exact integers:
 * n requests reach about n · (mean gap) cycles, twice that for uniform gaps at worst; exponential
 * gaps get the same margin (their sum exceeds twice its mean with vanishing probability).
 */
export function maxRequests(a: Arrival): number {
  const widestGap = 'rate' in a ? 1 / a.rate : a.gapDistribution === 'constant' ? a.gapMeanCycles : 2 * a.gapMeanCycles;
  return widestGap <= 1 ? MAX_CYCLE : Math.floor(MAX_CYCLE / widestGap);
}

/**
 * floor(x), except that a value within rounding error of an integer counts as that integer:
 * 33 / 1.1 is 29.999999999999996 in floating point, and request 33 at rate 1.1 belongs to cycle 30.
 */
function wholeCycle(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, r) ? r : Math.floor(x);
}

/** Returns the issue cycle of each successive request. */
export function arrivalClock(a: Arrival, rng: Rng): () => number {
  let i = 0;
  if ('rate' in a) return () => wholeCycle(i++ / a.rate);
  const mean = a.gapMeanCycles;
  if (a.gapDistribution === 'constant') return () => wholeCycle(i++ * mean);
  const drawGap =
    a.gapDistribution === 'uniform'
      ? () => 2 * mean * uniformFloat64(rng)
      : () => -mean * Math.log1p(-uniformFloat64(rng)); // 1 − u is in (0, 1]: the log is finite
  let t = 0;
  return () => {
    if (i++ > 0) t += drawGap();
    return Math.floor(t);
  };
}
