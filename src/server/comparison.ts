/**
 * A comparison beside the served store. `marl-dse compare` keeps its runs, `compare.json` and, once
 * it has written its report, `summary.json` and `report.html` in one folder; served from there, the
 * dashboard shows the verdicts, draws each cell's true optimum and target on the best-so-far chart,
 * and links the report. Read again whenever `summary.json` changes (a resumed or re-scored
 * comparison), and tolerant of a half-written or foreign file: it is then simply not shown.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { objectiveUnit } from '../objectives.js';
import type { ComparisonInfo } from './protocol.js';

const SummarySchema = z.object({
  wallSeconds: z.number(),
  simulations: z.number(),
  runs: z.array(z.unknown()),
  cells: z.array(
    z.object({
      trace: z.string(),
      objective: z.string(),
      /** Written since suites: older summaries have none (the objective's own unit). */
      unit: z.string().optional(),
      optimum: z.number().nullable(),
      target: z.number().nullable(),
      verdict: z.string(),
      agents: z.array(
        z.object({
          agent: z.string(),
          runs: z.number(),
          median: z.number().nullable(),
          successRate: z.number().nullable(),
          medianEvaluationsToTarget: z.number().nullable(),
        }),
      ),
    }),
  ),
});

export class ComparisonWatch {
  private readonly dir: string;
  private stamp = '';
  private current: ComparisonInfo | null = null;

  /** Watches the folder of the run store `db`. */
  constructor(db: string) {
    this.dir = dirname(resolve(db));
  }

  /** The comparison's report, when there is one to serve. */
  get reportPath(): string | null {
    return this.current?.report ? join(this.dir, 'report.html') : null;
  }

  /** The comparison as it is on disk now, and whether that differs from the previous read. */
  read(): { comparison: ComparisonInfo | null; changed: boolean } {
    const summary = join(this.dir, 'summary.json');
    let stamp = 'none';
    try {
      if (existsSync(join(this.dir, 'compare.json'))) {
        const s = statSync(summary);
        // The report is written after the summary: its arrival is a change too.
        stamp = `${s.mtimeMs}:${s.size}:${existsSync(join(this.dir, 'report.html'))}`;
      }
    } catch {
      // No summary yet: a comparison still running its first pass.
    }
    if (stamp === this.stamp) return { comparison: this.current, changed: false };
    this.stamp = stamp;
    const before = this.current;
    this.current = stamp === 'none' ? null : this.parse(summary);
    return { comparison: this.current, changed: JSON.stringify(before) !== JSON.stringify(this.current) };
  }

  private parse(summary: string): ComparisonInfo | null {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(summary, 'utf8'));
    } catch {
      return null;
    }
    const parsed = SummarySchema.safeParse(doc);
    if (!parsed.success) return null;
    const s = parsed.data;
    return {
      name: basename(this.dir),
      runs: s.runs.length,
      wallSeconds: s.wallSeconds,
      simulations: s.simulations,
      report: existsSync(join(this.dir, 'report.html')),
      // zod keeps only the keys the schema names: the cells are in the protocol's shape, with their unit.
      cells: s.cells.map((c) => ({ ...c, unit: c.unit ?? objectiveUnit(c.objective) })),
    };
  }
}
