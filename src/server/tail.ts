/**
 * Follows runs in the store through a read-only connection. Each poll reads what was committed
 * since the last one (new evaluations, agent statistics, a status change) for the runs someone
 * follows, once, and encodes it once for every client that is up to date. A client that is behind
 * (it subscribed later, or was too slow to keep up) reads from its own cursor instead: the store,
 * not the server's memory, holds the history.
 *
 * Works the same whether the search runs in this process or another: WAL lets the read-only
 * connection see every commit as soon as it is made.
 */
import type { RunStore } from '../store/store.js';
import { type AgentStatsEvent, encode, type EvaluationEvent, PROTOCOL_VERSION, type RunInfo, type ServerMessage, type SpaceInfo } from './protocol.js';
import { spaceInfoOf, toAgentStatsEvent, toEvaluationEvent, toRunInfo } from './shape.js';

/** New evaluations found by one poll, encoded once: `evaluations` message for [from, to). */
export interface EvaluationBatch {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

/** New agent statistics found by one poll: reports after `after` evaluations, up to `upTo`. */
export interface StatsBatch {
  readonly after: number;
  readonly upTo: number;
  readonly text: string;
}

/** What the server has read of one run so far. */
export interface RunHead {
  readonly runId: number;
  /** Evaluations read: [0, evaluations). */
  evaluations: number;
  /** The evaluation count of the last agent report read (-1: none yet). */
  statsUpTo: number;
  run: RunInfo;
  /** This poll's news; null when nothing new. */
  batch: EvaluationBatch | null;
  statsBatch: StatsBatch | null;
}

export interface Snapshot {
  readonly message: ServerMessage & { type: 'snapshot' };
  readonly evaluations: number;
  readonly statsUpTo: number;
}

/** Evaluations per snapshot or catch-up message: bounds one message at a few MB. */
export const EVALUATIONS_PER_MESSAGE = 5000;

export class StoreTail {
  private readonly heads = new Map<number, RunHead>();
  private readonly spaces = new Map<number, SpaceInfo | null>();

  constructor(private readonly store: RunStore) {}

  head(runId: number): RunHead | undefined {
    return this.heads.get(runId);
  }

  runInfo(runId: number): RunInfo | null {
    const row = this.store.getRun(runId);
    return row ? toRunInfo(row) : null;
  }

  listRuns(limit: number): RunInfo[] {
    return this.store.listRuns({ limit }).map(toRunInfo);
  }

  /**
   * Reads what is new for each of `runIds` and forgets the runs no one follows any more. A run
   * seen for the first time starts at its current end: clients read its past from their cursors.
   */
  poll(runIds: ReadonlySet<number>): void {
    for (const id of this.heads.keys()) {
      if (!runIds.has(id)) {
        this.heads.delete(id);
        this.spaces.delete(id);
      }
    }
    for (const runId of runIds) {
      const row = this.store.getRun(runId);
      if (!row) {
        this.heads.delete(runId);
        continue;
      }
      const run = toRunInfo(row);
      const head = this.heads.get(runId);
      if (!head) {
        this.heads.set(runId, { runId, evaluations: row.evaluations, statsUpTo: this.store.lastAgentStatsAt(runId), run, batch: null, statsBatch: null });
        continue;
      }
      head.run = run;
      head.batch = null;
      head.statsBatch = null;
      // Bounded by the counter read above: rows below it are committed (the counter is updated in the same transaction).
      if (row.evaluations > head.evaluations) {
        const from = head.evaluations;
        const to = Math.min(row.evaluations, from + EVALUATIONS_PER_MESSAGE);
        const evaluations = this.evaluations(runId, from, to);
        head.evaluations = from + evaluations.length;
        head.batch = { from, to: head.evaluations, text: encode({ type: 'evaluations', version: PROTOCOL_VERSION, runId, evaluations }) };
      }
      const stats = this.agentStats(runId, head.statsUpTo, Infinity);
      if (stats.length > 0) {
        const after = head.statsUpTo;
        head.statsUpTo = stats[stats.length - 1].evaluations;
        head.statsBatch = { after, upTo: head.statsUpTo, text: encode({ type: 'agent-stats', version: PROTOCOL_VERSION, runId, agentStats: stats }) };
      }
    }
  }

  /** Everything stored for the run so far (the first EVALUATIONS_PER_MESSAGE evaluations of a larger one); null: no such run. */
  snapshot(runId: number): Snapshot | null {
    const row = this.store.getRun(runId);
    if (!row) return null;
    if (!this.spaces.has(runId)) this.spaces.set(runId, spaceInfoOf(row));
    const evaluations = this.evaluations(runId, 0, Math.min(row.evaluations, EVALUATIONS_PER_MESSAGE));
    const agentStats = this.agentStats(runId, -1, Infinity);
    return {
      message: { type: 'snapshot', version: PROTOCOL_VERSION, run: toRunInfo(row), space: this.spaces.get(runId) ?? null, evaluations, agentStats },
      evaluations: evaluations.length,
      statsUpTo: agentStats.length ? agentStats[agentStats.length - 1].evaluations : -1,
    };
  }

  /** Evaluations with from <= index < to. */
  evaluations(runId: number, from: number, to: number): EvaluationEvent[] {
    return this.store.evaluations(runId, from, to).map(toEvaluationEvent);
  }

  /** Agent reports with after < evaluations <= upTo. */
  agentStats(runId: number, after: number, upTo: number): AgentStatsEvent[] {
    return this.store
      .agentStats(runId, after + 1)
      .filter((s) => s.evaluations <= upTo)
      .map((s) => toAgentStatsEvent(s.evaluations, s.stats));
  }
}
