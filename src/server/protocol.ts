/**
 * The dashboard's WebSocket protocol: JSON text messages, each with a `type` and the protocol
 * `version`. The page (web/) depends on this file's shapes only.
 *
 * Client → server: `list-runs`, `subscribe {runs}`, `unsubscribe {runs}`.
 * Server → client: `hello` on connect; `runs` (the run list, again whenever it changes);
 * per subscribed run a `snapshot` (everything so far), then live `evaluations`, `agent-stats` and
 * `run-status`; `resync` when a client that fell behind starts catching up; `unsubscribed`;
 * `comparison` when the store belongs to a `marl-dse compare` folder (on connect and on change);
 * `error {reason}` for a message the server could not act on (the connection stays open).
 */
import { z } from 'zod';
import type { Direction, EventField, MetricName } from '../metrics.js';

export const PROTOCOL_VERSION = 1;

/** A client message longer than this is answered with an error instead of being parsed. */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;
/** Runs one connection may follow at once. */
export const MAX_SUBSCRIPTIONS = 32;

// ---- client → server ----

const runIds = z.array(z.number().int().positive()).min(1).max(MAX_SUBSCRIPTIONS);

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('list-runs'), version: z.literal(PROTOCOL_VERSION) }),
  z.strictObject({ type: z.literal('subscribe'), version: z.literal(PROTOCOL_VERSION), runs: runIds }),
  z.strictObject({ type: z.literal('unsubscribe'), version: z.literal(PROTOCOL_VERSION), runs: runIds }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export const CLIENT_MESSAGE_TYPES: readonly string[] = ClientMessageSchema.options.map((o) => o.shape.type.value);

// ---- server → client ----

export type { Direction };

/** What the page is told about each metric (metrics.ts), so it can label, scale and rank them. */
export interface MetricInfo {
  name: MetricName;
  label: string;
  unit: string;
  direction: Direction;
  /** The objective that optimises it alone, if any. */
  objective: string | null;
  /** Its field in evaluation events, if it is sent. */
  event: string | null;
}

/** One run as the run list shows it. */
export interface RunInfo {
  id: number;
  status: 'running' | 'finished' | 'interrupted' | 'failed';
  agent: string;
  trace: string;
  objective: string;
  /** Whether a lower or a higher objective value is better. */
  direction: Direction;
  /** The unit of the objective's value (`ns`, `mW`, …; `× target` for joint, `normalised hypervolume` for pareto). */
  unit: string;
  target: number | null;
  seed: number;
  budget: number;
  evaluations: number;
  bestValue: number | null;
  bestIndex: number | null;
  createdAt: string;
  updatedAt: string;
  wallSeconds: number | null;
}

/** The run's parameter space: the axes of the parallel coordinates and the heat maps. */
export interface SpaceInfo {
  name: string;
  /** In the space's order; `subsystem` is the slice it belongs to (`scheduling`, `page`, `refresh`, `power-down`, `transport`). */
  parameters: Array<{ name: string; subsystem: string; values: Array<string | number> }>;
  /** The controller every design starts from, in DRAMSys mcconfig key order. */
  base: Record<string, string | number>;
}

/**
 * One evaluated design, without the full SimStats: the metrics that have an event field in the
 * registry (metrics.ts: `powerMw`, `latencyNs`, `avgLatencyNs`, `energyPj`, `bandwidthGBps`).
 */
export type EvaluationEvent = {
  index: number;
  design: number[];
  config: Record<string, string | number>;
  /** The objective's value; null for NaN. */
  value: number | null;
  reward: number | null;
  best: number | null;
  simulated: boolean;
  /** false: the design breaks a constraint (absent: it meets them all, or the run has none). */
  feasible?: boolean;
  /** A suite's: each trace's objective value and its ratio to the baseline design's, in suite order (absent for one trace). */
  traces?: Array<{ trace: string; value: number | null; normalised: number | null; feasible: boolean }>;
} & Record<EventField, number>;

/** What the agent reported after `evaluations` evaluations. */
export interface AgentStatsEvent {
  evaluations: number;
  /** Its scalar figures: losses, entropy, update counts. */
  scalars: Record<string, number>;
  /** Each parameter's action probabilities, in the space's parameter order; null for agents without a policy. */
  distributions: number[][] | null;
}

/** A comparison's results (its summary.json), for a store in a `marl-dse compare` folder. */
export interface ComparisonInfo {
  /** The comparison's folder name. */
  name: string;
  runs: number;
  wallSeconds: number;
  simulations: number;
  /** Whether its report.html is served at /comparison/report.html. */
  report: boolean;
  /** Per trace × objective: the true optimum and target (when known), the verdict line, each agent's summary. */
  cells: Array<{
    trace: string;
    objective: string;
    /** The unit of the objective's values: optimum, target, medians. */
    unit: string;
    optimum: number | null;
    target: number | null;
    verdict: string;
    agents: Array<{ agent: string; runs: number; median: number | null; successRate: number | null; medianEvaluationsToTarget: number | null }>;
  }>;
}

interface Versioned {
  version: typeof PROTOCOL_VERSION;
}

export type ServerMessage = Versioned &
  (
    | { type: 'hello'; server: 'marl-dse'; pollMs: number; maxMessageBytes: number; metrics: MetricInfo[] }
    | { type: 'runs'; runs: RunInfo[] }
    | { type: 'snapshot'; run: RunInfo; space: SpaceInfo | null; evaluations: EvaluationEvent[]; agentStats: AgentStatsEvent[] }
    | { type: 'evaluations'; runId: number; evaluations: EvaluationEvent[] }
    | { type: 'agent-stats'; runId: number; agentStats: AgentStatsEvent[] }
    | { type: 'run-status'; run: RunInfo }
    | { type: 'comparison'; comparison: ComparisonInfo | null }
    | { type: 'resync'; runs: number[]; reason: string }
    | { type: 'unsubscribed'; runs: number[] }
    | { type: 'error'; reason: string; request?: string }
  );

export type ServerMessageType = ServerMessage['type'];

/** A message as it goes on the wire. */
export function encode(message: ServerMessage): string {
  return JSON.stringify(message);
}

export function errorMessage(reason: string, request?: string): ServerMessage {
  return request === undefined ? { type: 'error', version: PROTOCOL_VERSION, reason } : { type: 'error', version: PROTOCOL_VERSION, reason, request };
}

/**
 * Reads one client message: the message, or the reason it is refused (one line, for an `error`
 * reply). Never throws.
 */
export function parseClientMessage(data: string | Uint8Array, isBinary: boolean): { ok: true; message: ClientMessage } | { ok: false; reason: string; request?: string } {
  if (isBinary) return { ok: false, reason: 'binary messages are not supported: send JSON text' };
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength;
  if (bytes > MAX_CLIENT_MESSAGE_BYTES) return { ok: false, reason: `message too large: ${bytes} bytes (limit ${MAX_CLIENT_MESSAGE_BYTES})` };
  let doc: unknown;
  try {
    doc = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch (e) {
    return { ok: false, reason: `invalid JSON: ${(e as Error).message.split('\n')[0]}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, reason: 'expected a JSON object with a "type"' };
  const type = (doc as Record<string, unknown>).type;
  if (typeof type !== 'string') return { ok: false, reason: 'missing "type" (a string)' };
  if (!CLIENT_MESSAGE_TYPES.includes(type)) return { ok: false, reason: `unknown message type "${type.slice(0, 64)}" (expected ${CLIENT_MESSAGE_TYPES.join(', ')})`, request: type.slice(0, 64) };
  const version = (doc as Record<string, unknown>).version;
  if (version !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported protocol version ${JSON.stringify(version) ?? 'undefined'} (this server speaks ${PROTOCOL_VERSION})`, request: type };
  const parsed = ClientMessageSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String).join('.') || '(message)';
    return { ok: false, reason: `${type}: ${path}: ${issue.message}`, request: type };
  }
  return { ok: true, message: parsed.data };
}
