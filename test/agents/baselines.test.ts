/**
 * The model-based baselines' inner workings, checked against independent references: TPE's Parzen
 * estimators against Optuna's own (Debian's python3-optuna), the GP's likelihood gradient against
 * finite differences, and ACO's pheromone rules against the formulas of the original code.
 */
import { spawnSync } from 'node:child_process';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { describe, expect, it } from 'vitest';
import { AcoAgent } from '../../agents/aco.js';
import { Distance, GaussianProcess, logLikelihood, pairDistances } from '../../agents/bo.js';
import { ParzenEstimator, TPE_DEFAULTS } from '../../agents/tpe.js';
import { makeRng } from '../../common/random.js';

const nvec = [4, 3, 8, 5];
const ordered = [false, false, true, true];

/** Optuna 3.1's _ParzenEstimator.log_pdf for each case (parameters p0, p1, … by index). */
const OPTUNA_LOG_PDF = `
import json, sys
import numpy as np
from optuna.distributions import CategoricalDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights
out = []
for c in json.load(sys.stdin):
    space = {f"p{i}": IntDistribution(0, c["nvec"][i] - 1) if c["ordinal"][i] else CategoricalDistribution(list(range(c["nvec"][i]))) for i in c["params"]}
    obs = {f"p{i}": np.asarray([o[i] for o in c["observations"]], dtype=float) for i in c["params"]}
    pe = _ParzenEstimator(obs, space, _ParzenEstimatorParameters(True, c["priorWeight"], True, c["considerEndpoints"], default_weights, c["multivariate"]))
    out.append(pe.log_pdf({f"p{i}": np.asarray([d[i] for d in c["designs"]], dtype=int) for i in c["params"]}).tolist())
json.dump(out, sys.stdout)
`;

describe('tpe', () => {
  it("fits Parzen estimators whose densities equal Optuna's", () => {
    const rng = makeRng(5);
    const random = (): number[] => nvec.map((k) => uniformInt(rng, 0, k - 1));
    const cases: Array<{ nvec: number[]; ordinal: boolean[]; params: number[]; observations: number[][]; designs: number[][]; priorWeight: number; considerEndpoints: boolean; multivariate: boolean }> = [];
    for (const multivariate of [false, true]) {
      for (const ordinal of [false, true]) {
        // No observation, one, a few, and 25 or more (where the weights start to ramp). Univariate
        // ordinal kernels take their σ from sorted neighbours, and Optuna's sort (numpy's
        // quicksort) orders equal values arbitrarily beyond 16 kernels: those cases stay below.
        for (const n of multivariate || !ordinal ? [0, 1, 5, 25, 26, 40] : [0, 1, 5, 15]) {
          const observations = Array.from({ length: n }, random);
          const common = { nvec, ordinal: ordered.map((o) => o && ordinal), observations, priorWeight: 1, considerEndpoints: n === 5, multivariate };
          if (multivariate) cases.push({ ...common, params: [0, 1, 2, 3], designs: Array.from({ length: 40 }, random) });
          else for (const p of [0, 2, 3]) cases.push({ ...common, params: [p], designs: Array.from({ length: nvec[p] }, (_, v) => nvec.map((_, i) => (i === p ? v : 0))) });
        }
      }
    }
    cases.push({ nvec, ordinal: ordered, params: [2], observations: Array.from({ length: 12 }, () => [0, 0, 6, 0]), designs: Array.from({ length: 8 }, (_, v) => [0, 0, v, 0]), priorWeight: 0.5, considerEndpoints: false, multivariate: false });

    const py = spawnSync('/usr/bin/python3', ['-c', OPTUNA_LOG_PDF], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const expected = JSON.parse(py.stdout) as number[][];
    cases.forEach((c, i) => {
      const hp = { ...TPE_DEFAULTS, multivariate: c.multivariate, considerEndpoints: c.considerEndpoints, priorWeight: c.priorWeight };
      const pe = new ParzenEstimator(c.observations, c.params, c.nvec, c.ordinal, hp);
      const ours = c.designs.map((d) => pe.logPdf(c.params.map((p) => d[p])));
      ours.forEach((v, j) => expect(v, `case ${i} design ${j}`).toBeCloseTo(expected[i][j], 9));
    });
  });
});

describe('bo', () => {
  const dist = new Distance([4, 3, 8], [false, false, true]);
  const rng = makeRng(3);
  const points = Array.from({ length: 14 }, () => [uniformInt(rng, 0, 3), uniformInt(rng, 0, 2), uniformInt(rng, 0, 7)]);
  const y = Float64Array.from(points, (p) => Math.sin(p[0]) + 0.3 * p[1] - 0.1 * (p[2] - 4) ** 2);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  y.forEach((v, i) => (y[i] = v - mean));

  it("gives the log marginal likelihood's gradient, as finite differences see it", () => {
    const s = pairDistances(points, dist);
    const theta = [Math.log(0.7), Math.log(1.6), Math.log(0.4), Math.log(1.3), Math.log(0.05)];
    const at = logLikelihood(points, y, dist, s, theta)!;
    const h = 1e-6;
    theta.forEach((_, p) => {
      const up = logLikelihood(points, y, dist, s, theta.map((t, q) => (q === p ? t + h : t)))!.value;
      const down = logLikelihood(points, y, dist, s, theta.map((t, q) => (q === p ? t - h : t)))!.value;
      expect(at.grad[p], `θ${p}`).toBeCloseTo((up - down) / (2 * h), 5);
    });
  });

  it('expects no improvement at the best design seen and some where it is uncertain', () => {
    const gp = new GaussianProcess(points, dist, [0, 0, Math.log(0.3), 0, Math.log(1e-6)], y);
    const best = points[y.indexOf(Math.max(...y))];
    const unseen = [0, 1, 2, 3].flatMap((a) => [0, 1, 2].flatMap((b) => [0, 3, 7].map((c) => [a, b, c]))).filter((d) => !points.some((p) => p.join() === d.join()));
    const [atBest, ...elsewhere] = gp.expectedImprovement([best, ...unseen], Math.max(...y));
    expect(atBest).toBeLessThan(1e-3);
    expect(Math.max(...elsewhere)).toBeGreaterThan(0.01);
  });
});

describe('aco', () => {
  it("applies DeepSwarm's local and global pheromone updates", async () => {
    const problem = { nvec: [3, 2], parameterNames: ['a', 'b'], slices: [], observationSize: 1 };
    const aco = new AcoAgent(problem, { seed: 1, hyperparameters: { antCount: 4 } });
    const designs = aco.ask(4);
    const rewards = [0.1, 0.7, -0.2, 0.7];
    await aco.tell(designs.map((design, i) => ({ design, reward: rewards[i], observation: new Float64Array(1), done: true })));
    const { pheromone, best } = (await aco.state()) as { pheromone: number[][]; best: { design: number[]; reward: number } };
    // Every pheromone started at τ0 = 0.1, which local updates keep; the first of the two best
    // (a later equal one does not replace it within a generation) deposits exp(0.7) / 10.
    expect(best.design).toEqual(designs[1]);
    pheromone.forEach((tau, p) =>
      tau.forEach((t, v) => expect(t).toBeCloseTo(v === designs[1][p] ? 0.9 * 0.1 + 0.1 * (Math.exp(0.7) / 10) : 0.1, 12)),
    );
  });
});
