/** Gymnasium's spaces: Discrete, MultiDiscrete and Box, with seeded sampling. */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { type Rng, uniform01 } from '../../common/random.js';

export class Discrete {
  readonly type = 'Discrete';
  constructor(readonly n: number) {}
  contains(x: unknown): x is number {
    return Number.isInteger(x) && (x as number) >= 0 && (x as number) < this.n;
  }
  sample(rng: Rng): number {
    return uniformInt(rng, 0, this.n - 1);
  }
}

export class MultiDiscrete {
  readonly type = 'MultiDiscrete';
  constructor(readonly nvec: readonly number[]) {}
  get shape(): [number] {
    return [this.nvec.length];
  }
  contains(x: unknown): x is number[] {
    return (
      Array.isArray(x) &&
      x.length === this.nvec.length &&
      x.every((v, i) => Number.isInteger(v) && v >= 0 && v < this.nvec[i])
    );
  }
  sample(rng: Rng): number[] {
    return this.nvec.map((n) => uniformInt(rng, 0, n - 1));
  }
}

export class Box {
  readonly type = 'Box';
  constructor(readonly low: Float64Array, readonly high: Float64Array) {}
  get shape(): [number] {
    return [this.low.length];
  }
  contains(x: unknown): x is Float64Array {
    if (!(x instanceof Float64Array) || x.length !== this.low.length) return false;
    for (let i = 0; i < x.length; i++) if (!(x[i] >= this.low[i] && x[i] <= this.high[i])) return false;
    return true;
  }
  sample(rng: Rng): Float64Array {
    return this.low.map((lo, i) => lo + uniform01(rng) * (this.high[i] - lo));
  }
}
