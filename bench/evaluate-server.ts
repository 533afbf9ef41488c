/**
 * marl-dse's evaluator for another process (bench/optuna_tpe.py): one JSON object per line on
 * stdin, `{"design": [value index per parameter]}`, answered on stdout by `{"value": V}`, the
 * objective's value exactly as a search sees it (the same environment, simulator and memo). The
 * first line written describes the space: `{"parameters": [{"name", "values", "ordered"}]}`.
 *
 *   node dist/bench/evaluate-server.js --trace builtin:cloud-1 --objective latency [--space reference]
 */
import { createInterface } from 'node:readline';
import { DramEnv } from '../src/env/dram-env.js';
import { inProcessEvaluator, loadWorkload } from '../src/evaluator/index.js';
import { parseObjectiveName } from '../src/objectives.js';
import { problemOf } from '../src/search/runner.js';
import { loadSpace } from '../src/space/builtin.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const space = loadSpace(arg('space', 'reference'));
const env = new DramEnv({
  space,
  evaluator: inProcessEvaluator(loadWorkload({ trace: arg('trace', 'builtin:cloud-1') })),
  objective: { name: parseObjectiveName(arg('objective', 'latency')) },
});
const [obs] = await env.reset(0);
const ordered = problemOf(space, obs.length).ordered!;
const out = (x: unknown): boolean => process.stdout.write(JSON.stringify(x) + '\n');
out({ parameters: space.parameters.map((p, i) => ({ name: p.name, values: p.values, ordered: ordered[i] })) });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const { design } = JSON.parse(line) as { design: number[] };
  const [[, , , , info]] = await env.stepMany([design]);
  out({ value: info.value });
}
