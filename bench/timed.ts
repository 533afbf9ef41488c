/** The benchmarks' measure of who spends the CPU: the agent (ask and tell) or the evaluation. */
import type { Agent } from '../agents/agent.js';
import type { DramEnv, StepResult } from '../src/env/dram-env.js';

/**
 * CPU time of this process (one thread: the agent and the in-process simulator), which a busy
 * machine distorts far less than wall time.
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface TimedBatch {
  readonly designs: number[][];
  readonly results: StepResult[];
  /** The agent's CPU ms (asking and being told) per design of the batch. */
  readonly agentMsPerDesign: number;
  /** CPU ms of the batch's evaluation (simulations, or memo answers alone). */
  readonly evaluationMs: number;
}

/** One batch of at most `n` designs: asked of the agent, evaluated, told back, each part timed. */
export async function timedBatch(a: Agent, env: DramEnv, n: number): Promise<TimedBatch> {
  const c0 = cpuMs();
  const designs = a.ask(Math.min(a.batchSize, n));
  const c1 = cpuMs();
  const results = await env.stepMany(designs);
  const c2 = cpuMs();
  await a.tell(results.map(([o, r, d], i) => ({ design: designs[i], reward: r, observation: o, done: d })));
  return { designs, results, agentMsPerDesign: (c1 - c0 + cpuMs() - c2) / designs.length, evaluationMs: c2 - c1 };
}
