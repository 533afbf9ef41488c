/**
 * Store rows to protocol messages: small pure functions, so what the page receives is decided in
 * one place and tested without sockets.
 */
import { mcConfigToJson } from '../../simulators/dram/mcconfig.js';
import { EVENT_METRICS } from '../metrics.js';
import { objectiveDirection, objectiveUnit } from '../objectives.js';
import { runSpace } from '../space/builtin.js';
import { runScoring } from '../store/scoring.js';
import type { EvaluationRecord, RunRow } from '../store/store.js';
import type { AgentStatsEvent, EvaluationEvent, RunInfo, SpaceInfo } from './protocol.js';

/** Which way a run's objective improves (the page draws "best" accordingly). */
export { objectiveDirection };

export function toRunInfo(r: RunRow): RunInfo {
  return {
    id: r.id,
    status: r.status,
    agent: r.agent,
    trace: r.trace,
    objective: r.objective,
    direction: objectiveDirection(r.objective),
    unit: objectiveUnit(r.objective, runScoring(r).aggregate),
    target: r.target,
    seed: r.seed,
    budget: r.budget,
    evaluations: r.evaluations,
    bestValue: r.bestValue,
    bestIndex: r.bestIndex,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    wallSeconds: r.wallSeconds,
  };
}

/** JSON has no NaN or infinities. */
function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function finiteOr0(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

export function toEvaluationEvent(e: EvaluationRecord): EvaluationEvent {
  const event = {
    index: e.index,
    design: [...e.design],
    config: { ...e.config },
    value: finiteOrNull(e.value),
    reward: finiteOrNull(e.reward),
    best: finiteOrNull(e.best),
  } as EvaluationEvent;
  for (const [field, metric] of EVENT_METRICS) event[field] = finiteOr0(e.stats[metric]);
  event.simulated = e.simulated;
  if (e.feasible === false) event.feasible = false;
  if (e.traces) event.traces = e.traces.map((t) => ({ trace: t.trace, value: t.value === null ? null : finiteOrNull(t.value), normalised: t.normalised === null ? null : finiteOrNull(t.normalised), feasible: t.feasible }));
  return event;
}

function isDistributions(v: unknown): v is number[][] {
  return Array.isArray(v) && v.every((row) => Array.isArray(row) && row.every((p) => typeof p === 'number'));
}

/** An agent's report as stored (any JSON): its finite numbers and its action distributions. */
export function toAgentStatsEvent(evaluations: number, stats: unknown): AgentStatsEvent {
  const scalars: Record<string, number> = {};
  let distributions: number[][] | null = null;
  if (typeof stats === 'object' && stats !== null && !Array.isArray(stats)) {
    for (const [k, v] of Object.entries(stats)) {
      if (typeof v === 'number' && Number.isFinite(v)) scalars[k] = v;
      else if (k === 'distributions' && isDistributions(v)) distributions = v.map((row) => row.map((p) => (Number.isFinite(p) ? p : 0)));
    }
  }
  return { evaluations, scalars, distributions };
}

/**
 * The run's parameter space, from the `space` option it was started with; null when that can no
 * longer be loaded (a space file since moved). The page then falls back to the configs it sees.
 */
export function spaceInfoOf(run: Pick<RunRow, 'space' | 'options'>): SpaceInfo | null {
  const space = runSpace(run);
  if (space === null) return null;
  return {
    name: space.name,
    parameters: space.parameters.map((p) => ({ name: p.name, subsystem: p.subsystem, values: [...p.values] })),
    base: { ...mcConfigToJson(space.base).mcconfig, ...space.baseSystem },
  };
}

/** Whether two run lists would draw differently. */
export function sameRunList(a: readonly RunInfo[], b: readonly RunInfo[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i].id && r.updatedAt === b[i].updatedAt && r.status === b[i].status && r.evaluations === b[i].evaluations);
}
