/** A seeded permutation in constant memory, for placing things the way a real heap would. */
import type { Rng } from '../common/random.js';
import { hash32 } from '../common/random.js';

/**
 * A seeded permutation of 0..n−1: a 4-round Feistel network on the smallest even-width power of
 * two ≥ n, walking cycles back into range. Constant memory and time per call for any n, where a
 * shuffled table of a 1 GiB footprint's lines would take hundreds of megabytes.
 */
export function scatter(n: number, rng: Rng): (i: number) => number {
  let bits = 2;
  while (2 ** bits < n) bits += 2;
  const halfSize = 2 ** (bits / 2);
  const keys = [rng.next(), rng.next(), rng.next(), rng.next()];
  const permute = (x: number): number => {
    let left = Math.floor(x / halfSize);
    let right = x % halfSize;
    for (const k of keys) {
      // Both operands are below halfSize, a power of two, so the XOR is too.
      const next = left ^ (hash32(right ^ k) % halfSize);
      left = right;
      right = next;
    }
    return left * halfSize + right;
  };
  return (i) => {
    let x = permute(i);
    while (x >= n) x = permute(x);
    return x;
  };
}
