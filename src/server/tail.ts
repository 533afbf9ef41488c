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
  /** This poll's news, in messages of bounded size; empty when nothing new. */
  batches: EvaluationBatch[];
  statsBatch: StatsBatch | null;
}

export interface Snapshot {
  /** The `snapshot` message, encoded. */
  readonly text: string;
  readonly status: RunInfo['status'];
  /** Evaluations it holds: [0, evaluations). */
  readonly evaluations: number;
  /** The evaluation count of the last agent report it holds (-1: none). */
  readonly statsUpTo: number;
}

/** Evaluations read from the store at a time; a message holds those of them that fit its size. */
export const EVALUATIONS_PER_READ = 1000;

/** Encoded items, as many as fit in `maxBytes` with `overhead` (at least one, so a large item still goes out). */
function fitting(items: readonly unknown[], maxBytes: number, overhead: number): string[] {
  const parts: string[] = [];
  let bytes = overhead;
  for (const item of items) {
    const text = JSON.stringify(item);
    if (parts.length > 0 && bytes + text.length + 1 > maxBytes) break;
    parts.push(text);
    bytes += text.length + 1;
  }
  return parts;
}

/**
 * An `evaluations` message holding the first of `events` that fit in `maxBytes` (the same text as
 * `encode` gives), and how many it holds.
 */
export function evaluationsMessage(runId: number, events: readonly EvaluationEvent[], maxBytes: number): { text: string; count: number } {
  const head = `{"type":"evaluations","version":${PROTOCOL_VERSION},"runId":${runId},"evaluations":[`;
  const parts = fitting(events, maxBytes, head.length + 2);
  return { text: `${head}${parts.join(',')}]}`, count: parts.length };
}

/** An `agent-stats` message holding the first of `reports` that fit in `maxBytes`, and how many it holds. */
export function agentStatsMessage(runId: number, reports: readonly AgentStatsEvent[], maxBytes: number): { text: string; count: number } {
  const head = `{"type":"agent-stats","version":${PROTOCOL_VERSION},"runId":${runId},"agentStats":[`;
  const parts = fitting(reports, maxBytes, head.length + 2);
  return { text: `${head}${parts.join(',')}]}`, count: parts.length };
}

export class StoreTail {
  private readonly heads = new Map<number, RunHead>();
  private readonly spaces = new Map<number, SpaceInfo | null>();

  /** `maxMessageBytes`: what one message may hold (a few evaluations more, when one alone is larger). */
  constructor(
    private readonly store: RunStore,
    readonly maxMessageBytes: number,
  ) {}

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
        this.heads.set(runId, { runId, evaluations: row.evaluations, statsUpTo: this.store.lastAgentStatsAt(runId), run, batches: [], statsBatch: null });
        continue;
      }
      head.run = run;
      head.batches = [];
      head.statsBatch = null;
      // Bounded by the counter read above: rows below it are committed (the counter is updated in the same transaction).
      if (row.evaluations > head.evaluations) {
        let events = this.evaluations(runId, head.evaluations, Math.min(row.evaluations, head.evaluations + EVALUATIONS_PER_READ));
        while (events.length > 0) {
          const { text, count } = evaluationsMessage(runId, events, this.maxMessageBytes);
          head.batches.push({ from: head.evaluations, to: head.evaluations + count, text });
          head.evaluations += count;
          events = events.slice(count);
        }
      }
      const stats = this.agentStats(runId, head.statsUpTo, Infinity);
      if (stats.length > 0) {
        const after = head.statsUpTo;
        const { text, count } = agentStatsMessage(runId, stats, this.maxMessageBytes);
        head.statsUpTo = stats[count - 1].evaluations;
        head.statsBatch = { after, upTo: head.statsUpTo, text };
      }
    }
  }

  /**
   * The run and as much of its start as fits in one message (half of it for evaluations, half for
   * agent reports); the client's cursor then catches up with the rest. Null: no such run.
   */
  snapshot(runId: number): Snapshot | null {
    const row = this.store.getRun(runId);
    if (!row) return null;
    if (!this.spaces.has(runId)) this.spaces.set(runId, spaceInfoOf(row));
    const run = toRunInfo(row);
    const message: ServerMessage = { type: 'snapshot', version: PROTOCOL_VERSION, run, space: this.spaces.get(runId) ?? null, evaluations: [], agentStats: [] };
    const empty = encode(message);
    const half = Math.max(0, (this.maxMessageBytes - empty.length) / 2);
    const evaluations = fitting(this.evaluations(runId, 0, Math.min(row.evaluations, EVALUATIONS_PER_READ)), half, 0);
    const reports = this.agentStats(runId, -1, Infinity);
    const stats = fitting(reports, half, 0);
    // A function, not a replacement string: the data may hold `$&` and the like.
    const text = empty.replace(/"evaluations":\[\],"agentStats":\[\]}$/, () => `"evaluations":[${evaluations.join(',')}],"agentStats":[${stats.join(',')}]}`);
    return { text, status: run.status, evaluations: evaluations.length, statsUpTo: stats.length ? reports[stats.length - 1].evaluations : -1 };
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
