/** Masks over a parameter's values (true: allowed). */

/** The allowed index closest to `v` (the lower one on a tie), or -1 when none is allowed. */
export function nearestAllowed(mask: readonly boolean[], v: number): number {
  let best = -1;
  for (let k = 0; k < mask.length; k++) if (mask[k] && (best < 0 || Math.abs(k - v) < Math.abs(best - v))) best = k;
  return best;
}

/** The indexes a mask allows, in order. */
export function allowedIndexes(mask: readonly boolean[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < mask.length; k++) if (mask[k]) out.push(k);
  return out;
}

/**
 * An allowed index drawn by the uniform `u` ∈ [0, 1) with probability proportional to `weight(k)`
 * among the allowed indexes (the distribution restricted to the mask and renormalised); uniformly
 * among them when their weights sum to zero.
 */
export function drawAllowed(mask: readonly boolean[], weight: (k: number) => number, u: number): number {
  let total = 0;
  for (let k = 0; k < mask.length; k++) if (mask[k]) total += weight(k);
  if (!(total > 0)) {
    const ok = allowedIndexes(mask);
    if (ok.length === 0) throw new Error('the mask allows no value');
    return ok[Math.min(ok.length - 1, Math.floor(u * ok.length))];
  }
  let x = u * total;
  let last = -1;
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k]) continue;
    const w = weight(k);
    if (w > 0) last = k;
    x -= w;
    if (x < 0) return k;
  }
  // Rounding left a sliver: the last allowed index with any weight.
  return last;
}
