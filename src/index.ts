/**
 * marl-dse as a library: `import { simulate, DramEnv } from 'marl-dse'`.
 */
export * from '../simulators/index.js';
export * from '../traces/index.js';
export { traceHash } from '../traces/hash.js';
export * from './space/space.js';
export { BUILTIN_SPACES, loadSpace } from './space/builtin.js';
export * from './objectives.js';
export { AGGREGATES, AGGREGATE_NAMES, type AggregateName } from './aggregate.js';
export { parseConstraint, type Constraint } from './metric-constraints.js';
export { METRICS, type MetricName, type Direction } from './metrics.js';
export * from './evaluator/index.js';
export { Discrete, MultiDiscrete, Box } from './env/spaces.js';
export { makeRng, type Rng } from '../common/random.js';
export { DramEnv, baseDesign, type EnvOptions, type StepInfo, type StepResult } from './env/dram-env.js';
export { MultiAgentDramEnv, agentsOf, type AgentGrouping, type AgentSpec } from './env/multi-agent-env.js';
export { observe, observationSpace, METRIC_FEATURES } from './env/observation.js';
export { sweep, sweepBest, sweepHeader, SWEEP_METRICS, type SweepResult } from './sweep.js';
export { RunStore, DEFAULT_STORE_PATH, type EvaluationRecord, type RunRow, type NewRun, type RunSummary } from './store/store.js';
export { runSearch, resumeRun, type SearchSummary, type SearchHooks } from './search/runner.js';
export { resolveSearchOptions, type SearchOptions } from './search/options.js';
export { AGENTS, createAgent, loadAgents, type Agent, type AgentName, type Feedback, type SearchProblem } from '../agents/index.js';
export { initBackend } from '../agents/nn.js';
