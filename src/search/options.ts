/**
 * The options of a search, from flags and/or a config file (`--config FILE.json|yaml`), checked in
 * one place. Flags override the file.
 */
import Table from 'cli-table3';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../common/errors.js';
import { integer, isReservedKey, RESERVED_KEY_MESSAGE, reservedKeyPath } from '../../common/parse.js';
import { AGENTS, type AgentName, agentHyperparameters } from '../../agents/index.js';
import { BACKENDS } from '../../agents/backends.js';
import { OBJECTIVES, type ObjectiveSpec, REWARDS, validateObjective } from '../objectives.js';
import { AGGREGATE_NAMES, DEFAULT_AGGREGATE } from '../aggregate.js';
import { parseConstraint } from '../metric-constraints.js';
import { composeSuite, type Suite } from '../../traces/suites.js';

export const GROUPINGS = ['parameter', 'slice'] as const;

/**
 * Every option of a search, defined once: what a config file may hold (all optional), what a run
 * stores and what a resumed run is checked against.
 */
const SEARCH_OPTIONS = {
  agent: z.enum(AGENTS),
  /** The trace; for a suite, the suite's name (tables and stored runs show it). */
  trace: z.string().min(1),
  /** A suite's traces given one by one (`--trace A --trace B`), after the traces of `suite`. */
  traces: z.array(z.string().min(1)).optional(),
  /** A built-in suite (`suite:NAME`) or a suite file. */
  suite: z.string().min(1).optional(),
  /** A suite's aggregate (set for every suite run: it marks one). */
  aggregate: z.enum(AGGREGATE_NAMES).optional(),
  /** `--constraint` texts, as given (parsed when the run starts). */
  constraints: z.array(z.string().min(1)).optional(),
  memspec: z.string().min(1),
  addressmapping: z.string().optional(),
  clkMhz: z.number().positive().optional(),
  space: z.string().min(1),
  objective: z.enum(OBJECTIVES),
  /** One target (most objectives) or two (`joint`: power mW, latency ns). */
  target: z.union([z.number().positive(), z.tuple([z.number().positive(), z.number().positive()])]).optional(),
  reward: z.enum(REWARDS),
  budget: z.number().int().positive(),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  workers: z.number().int().min(1).max(256),
  episodeLength: z.number().int().positive(),
  backend: z.enum(BACKENDS),
  grouping: z.enum(GROUPINGS),
  hyperparameters: z.record(z.string(), z.unknown()),
  db: z.string().min(1),
  /** Checkpoint the agent every this many evaluations. */
  checkpointEvery: z.number().int().positive(),
  /** Evaluate on `marl-dse worker` processes through the Redis queue at this URL. */
  queue: z.string().optional(),
};

/** A stored run's options (keys a later marl-dse dropped are ignored). */
export const SearchOptionsSchema = z.object(SEARCH_OPTIONS);
export type SearchOptions = z.infer<typeof SearchOptionsSchema>;

export const DEFAULT_DB = 'marl-dse-runs.sqlite';

/** A config file: any of the options, nothing else. */
export const SearchConfigSchema = z.strictObject(SEARCH_OPTIONS).partial();
export type SearchConfig = z.infer<typeof SearchConfigSchema>;

/** Reads a JSON or YAML file (by extension) into a plain object; errors name the file. */
export function readSearchConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: invalid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'} (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError(`${path}: expected an object of options`);
  const reserved = reservedKeyPath(doc);
  if (reserved !== null) throw new InputError(`${path}: ${reserved}: ${RESERVED_KEY_MESSAGE}`);
  return doc as Record<string, unknown>;
}

/** Reads a search config file (JSON or YAML by extension). */
export function readSearchConfig(path: string): SearchConfig {
  const doc = readSearchConfigFile(path);
  const r = SearchConfigSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(`${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return r.data;
}

/** Command-line values arrive as strings. */
export interface SearchFlags {
  agent?: string;
  /** `--trace`, repeatable (a single string as before). */
  trace?: string | string[];
  suite?: string;
  aggregate?: string;
  /** `--constraint`, repeatable. */
  constraint?: string[];
  memspec?: string;
  addressmapping?: string;
  clkMhz?: string;
  space?: string;
  objective?: string;
  target?: string;
  reward?: string;
  budget?: string;
  seed?: string;
  workers?: string;
  episodeLength?: string;
  backend?: string;
  grouping?: string;
  hp?: string[];
  db?: string;
  checkpointEvery?: string;
  config?: string;
  queue?: string;
}


function positive(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`${flag} ${raw}: expected a positive number`);
  return n;
}

function oneOf<T extends string>(raw: string | undefined, flag: string, options: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if ((options as readonly string[]).includes(raw)) return raw as T;
  throw new InputError(`${flag} ${raw}: unknown (expected one of ${options.join(', ')})`);
}

/** `--hp key=value`: numbers, booleans and JSON lists are parsed; anything else is a string. */
export function parseHyperparameters(items: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--hp ${item}: expected NAME=VALUE (\`--hp help\` lists the agent's hyperparameters)`);
    const name = item.slice(0, eq).trim();
    if (isReservedKey(name)) throw new InputError(`--hp ${name}: ${RESERVED_KEY_MESSAGE}`);
    const raw = item.slice(eq + 1).trim();
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      // a bare string
    }
    out[name] = v;
  }
  return out;
}

/** `--hp help` asks for the agent's hyperparameters instead of a search. */
export function wantsHyperparameterHelp(flags: Pick<SearchFlags, 'hp'>): boolean {
  return (flags.hp ?? []).some((item) => item.trim() === 'help');
}

/**
 * The table `--hp help` prints: each hyperparameter of `agent`, its default as `--hp` takes it, and
 * what it does. The agent comes from `--agent`, else the config file, else marl.
 */
export function hyperparameterHelp(flags: Pick<SearchFlags, 'agent' | 'config'>): string {
  const file: SearchConfig = flags.config ? readSearchConfig(flags.config) : {};
  const agent: AgentName = oneOf(flags.agent, '--agent', AGENTS) ?? file.agent ?? 'marl';
  const rows = agentHyperparameters(agent);
  if (rows.length === 0) return `${agent} has no hyperparameters\n`;
  const t = new Table({ head: ['--hp', 'default', 'meaning'], style: { head: [], border: [], compact: true } });
  for (const h of rows) t.push([h.name, JSON.stringify(h.default), h.meaning]);
  return `${agent}'s hyperparameters (set with --hp NAME=VALUE):\n${t.toString()}\n`;
}

/** A repeatable flag's values, or undefined when it was not given. */
export function given(values: readonly string[] | undefined): string[] | undefined {
  return values && values.length > 0 ? [...values] : undefined;
}

/**
 * What a search runs on: one trace (`trace`), or a suite (`suite` and/or several traces, named in
 * `trace`, with an aggregate). Flags win over the file: `--trace` replaces the file's `trace` and
 * `traces`, `--suite` its `suite`.
 */
function resolveWorkload(flags: SearchFlags, file: SearchConfig): Pick<SearchOptions, 'trace' | 'traces' | 'suite' | 'aggregate'> {
  if (file.trace !== undefined && file.traces !== undefined) throw new InputError(`${flags.config}: trace and traces: give one (traces for a suite of several)`);
  const traces = given(typeof flags.trace === 'string' ? [flags.trace] : flags.trace) ?? file.traces ?? (file.trace !== undefined ? [file.trace] : []);
  const suite = flags.suite ?? file.suite;
  const aggregate = oneOf(flags.aggregate, '--aggregate', AGGREGATE_NAMES) ?? file.aggregate;
  if (suite === undefined && traces.length === 1) {
    if (aggregate !== undefined) throw new InputError(`${flags.aggregate !== undefined ? '--aggregate' : `${flags.config}: aggregate`}: only for a suite (--suite, or two or more --trace)`);
    return { trace: traces[0] };
  }
  if (suite === undefined && traces.length === 0) throw new InputError('--trace: required (a trace file or builtin:NAME), or --suite NAME|FILE');
  // Read now, so a bad suite file is reported before anything is stored.
  const { name } = composeSuite(suite, traces);
  return { trace: name, traces, ...(suite !== undefined ? { suite } : {}), aggregate: aggregate ?? DEFAULT_AGGREGATE };
}

/** The traces a run evaluates each design on: its suite, or its one trace as a suite of one. */
export function suiteOf(o: Pick<SearchOptions, 'trace' | 'traces' | 'suite' | 'aggregate'>): Suite {
  if (o.aggregate === undefined) return { name: o.trace, entries: [{ trace: o.trace, weight: 1, origin: '--trace' }] };
  return composeSuite(o.suite, o.traces ?? []);
}

/** Merges the config file and the flags into complete, checked options. */
export function resolveSearchOptions(flags: SearchFlags): SearchOptions {
  const file: SearchConfig = flags.config ? readSearchConfig(flags.config) : {};
  const agent = oneOf(flags.agent, '--agent', AGENTS) ?? file.agent ?? 'marl';
  const workload = resolveWorkload(flags, file);
  const constraints = given(flags.constraint) ?? file.constraints;
  for (const c of constraints ?? []) parseConstraint(c, given(flags.constraint) ? '--constraint' : `${flags.config}: constraints`);
  const objective = oneOf(flags.objective, '--objective', OBJECTIVES) ?? file.objective ?? 'power';
  let target = file.target;
  if (flags.target !== undefined) {
    const parts = flags.target.split(',').map((s) => positive(s.trim(), '--target'));
    if (parts.length > 2) throw new InputError(`--target ${flags.target}: at most two values (power mW, latency ns)`);
    target = parts.length === 2 ? [parts[0], parts[1]] : parts[0];
  }
  const reward = oneOf(flags.reward, '--reward', REWARDS) ?? file.reward ?? 'log';
  const opts: SearchOptions = {
    agent,
    ...workload,
    ...(constraints !== undefined ? { constraints } : {}),
    memspec: flags.memspec ?? file.memspec ?? 'ddr3-1600',
    addressmapping: flags.addressmapping ?? file.addressmapping,
    clkMhz: flags.clkMhz !== undefined ? positive(flags.clkMhz, '--clk-mhz') : file.clkMhz,
    space: flags.space ?? file.space ?? 'reference',
    objective,
    target,
    reward,
    budget: integer(flags.budget, '--budget', 1) ?? file.budget ?? 2000,
    seed: integer(flags.seed, '--seed', 0, 2 ** 32 - 1) ?? file.seed ?? 1,
    workers: integer(flags.workers, '--workers', 1, 256) ?? file.workers ?? 1,
    episodeLength: integer(flags.episodeLength, '--episode-length', 1) ?? file.episodeLength ?? 1,
    backend: oneOf(flags.backend, '--backend', BACKENDS) ?? file.backend ?? 'auto',
    grouping: oneOf(flags.grouping, '--grouping', GROUPINGS) ?? file.grouping ?? 'parameter',
    hyperparameters: { ...(file.hyperparameters ?? {}), ...parseHyperparameters(flags.hp ?? []) },
    db: flags.db ?? file.db ?? DEFAULT_DB,
    checkpointEvery: integer(flags.checkpointEvery, '--checkpoint-every', 1) ?? file.checkpointEvery ?? 64,
    queue: flags.queue ?? file.queue,
  };
  if (opts.queue !== undefined && flags.workers !== undefined) {
    throw new InputError('--workers and --queue: choose one (with --queue, the workers are `marl-dse worker` processes)');
  }
  validateObjective(objectiveSpec(opts));
  return opts;
}

/** What the run optimises: its objective, target, reward, and for a suite its aggregate; constraints parsed. */
export function objectiveSpec(o: Pick<SearchOptions, 'objective' | 'target' | 'reward' | 'aggregate' | 'constraints'>): ObjectiveSpec {
  const t = o.target;
  const scoring = {
    ...(o.aggregate !== undefined ? { aggregate: o.aggregate } : {}),
    ...(o.constraints !== undefined ? { constraints: o.constraints.map((c) => parseConstraint(c)) } : {}),
  };
  if (o.objective === 'joint') {
    if (t !== undefined && !Array.isArray(t)) throw new InputError('objective joint needs two targets: --target POWER_MW,LATENCY_NS');
    return { name: 'joint', powerTargetMw: t?.[0], latencyTargetNs: t?.[1], reward: o.reward, ...scoring };
  }
  if (Array.isArray(t)) throw new InputError(`objective ${o.objective} takes one target, got two`);
  return { name: o.objective, target: t, reward: o.reward, ...scoring };
}
