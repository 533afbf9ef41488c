/**
 * Seeded randomness for everything in marl-dse that draws random numbers (workload generators,
 * environments, agents): a xoroshiro128+ generator from pure-rand, seeded through a 32-bit mixing
 * function and warmed up, because pure-rand's xoroshiro128+ gives correlated first outputs for
 * small, nearby seeds (seeds 1 and 2 both started a random trace near the top of memory).
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

export type Rng = ReturnType<typeof xoroshiro128plus>;

/** A 32-bit integer hash (murmur3's finaliser): nearby seeds map far apart. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The same hash as an unsigned 32-bit integer: for hashing counters into seeded, repeatable choices. */
export function hash32(x: number): number {
  return mix32(x) >>> 0;
}

const WARM_UP = 16;

export function seededRng(seed: number): Rng {
  const rng = xoroshiro128plus(mix32(seed));
  for (let i = 0; i < WARM_UP; i++) rng.next();
  return rng;
}

/** The generator's state, for checkpoints (numbers, JSON-safe). */
export function rngState(rng: Rng): number[] {
  return [...rng.getState()];
}

export function rngFromState(state: readonly number[]): Rng {
  return xoroshiro128plusFromState(state);
}

/** The same as `seededRng`: the name the environments and agents use. */
export const makeRng = seededRng;

/** A uniform float in [0, 1) with 53 random bits. */
export function uniform01(rng: Rng): number {
  const hi = uniformInt(rng, 0, (1 << 26) - 1);
  const lo = uniformInt(rng, 0, (1 << 27) - 1);
  return (hi * 2 ** 27 + lo) / 2 ** 53;
}
