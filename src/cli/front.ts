/** A run's power–latency front as a table: what `search --objective pareto` and `runs show` print. */
import Table from 'cli-table3';
import { formatNumber } from '../../common/format.js';
import { METRICS } from '../metrics.js';
import type { FrontPoint } from '../store/front.js';

/**
 * One row per design, by increasing power. The design column names the parameters where it differs
 * from `base` (the space's base design, which every search evaluates first); without a base, every
 * parameter.
 */
export function frontTable(front: readonly FrontPoint[], base: Readonly<Record<string, unknown>> | null): string {
  const t = new Table({
    head: ['evaluation', `power (${METRICS.averagePowerMw.unit})`, `latency (${METRICS.totalTimeNs.unit})`, base ? 'design (changes from the base design)' : 'design'],
    style: { head: [], border: [], compact: true },
  });
  for (const f of front) {
    const changed = Object.entries(f.config).filter(([k, v]) => base === null || String(base[k]) !== String(v));
    const design = changed.length === 0 ? 'the base design' : changed.map(([k, v]) => `${k}=${v}`).join(' ');
    t.push([String(f.index), formatNumber(f.averagePowerMw), formatNumber(f.totalTimeNs), design]);
  }
  const n = front.length;
  return `Pareto front (power, latency): ${formatNumber(n)} design${n === 1 ? '' : 's'}, none better in both\n${t.toString()}`;
}
