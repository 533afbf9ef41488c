/** Masks over a parameter's values (true: allowed). */

/** The allowed index closest to `v` (the lower one on a tie), or -1 when none is allowed. */
export function nearestAllowed(mask: readonly boolean[], v: number): number {
  let best = -1;
  for (let k = 0; k < mask.length; k++) if (mask[k] && (best < 0 || Math.abs(k - v) < Math.abs(best - v))) best = k;
  return best;
}
