/**
 * `bo`'s acquisition search: neighbours scored incrementally agree with the GP's full posterior,
 * and every local search, including one that starts from a design already evaluated, ends at a
 * local maximum of expected improvement.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { describe, expect, it } from 'vitest';
import type { SearchProblem } from '../../agents/agent.js';
import { BoAgent, Distance, GaussianProcess } from '../../agents/bo.js';
import { makeRng } from '../../common/random.js';

/** Categorical and ordered parameters, one with many values (as MapOrder). */
const nvec = [4, 3, 8, 5, 30, 2];
const ordered = [false, false, true, true, false, false];
const problem: SearchProblem = { nvec, ordered, parameterNames: nvec.map((_, i) => `p${i}`), slices: [], observationSize: 1 };
const reward = (d: readonly number[]): number => Math.sin(d[0] + 0.5 * d[4]) + 0.3 * d[1] - 0.05 * (d[2] - 5) ** 2 + 0.2 * d[3] - 0.4 * d[5];

describe('bo', () => {
  const dist = new Distance(nvec, ordered);
  const rng = makeRng(8);
  const random = (): number[] => nvec.map((k) => uniformInt(rng, 0, k - 1));
  const points = Array.from({ length: 24 }, random);
  const y = Float64Array.from(points, reward);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  y.forEach((v, i) => (y[i] = v - mean));
  const theta = [Math.log(0.8), Math.log(1.5), Math.log(0.3), Math.log(2), Math.log(0.6), Math.log(1.1), Math.log(1.4), Math.log(1e-3)];
  const gp = new GaussianProcess(points, dist, theta, y);
  const yBest = Math.max(...y);

  it("scores a design's neighbours incrementally as its full posterior does", () => {
    for (const design of [...points.slice(0, 3), random(), random()]) {
      const at = gp.posterior(design);
      expect(gp.posteriorEi(at, yBest)).toBeCloseTo(gp.expectedImprovement([design], yBest)[0], 10);
      const neighbours: Array<{ d: number[]; changed: number[] }> = [];
      nvec.forEach((k, i) => {
        for (let v = 0; v < k; v++) if (v !== design[i]) neighbours.push({ d: design.map((x, j) => (j === i ? v : x)), changed: [i] });
      });
      // Masks may change later parameters too.
      neighbours.push({ d: design.map((x, j) => (j === 1 || j === 4 ? (x + 1) % nvec[j] : x)), changed: [1, 4] });
      neighbours.push({ d: design.map((x, j) => (j === 2 || j === 5 ? (x + 1) % nvec[j] : x)), changed: [2, 5] });
      const full = gp.expectedImprovement(neighbours.map((n) => n.d), yBest);
      neighbours.forEach((n, c) => expect(gp.neighbourEi(at, n.d, n.changed, yBest), `${n.d}`).toBeCloseTo(full[c], 10));
    }
  });

  /** The agent's GP after its last proposal, and the expected improvement it gives a design. */
  async function eiOf(agent: BoAgent): Promise<(d: readonly number[]) => number> {
    const st = (await agent.state()) as { observations: Array<{ design: number[]; reward: number }>; theta: number[] };
    const rewards = st.observations.map((o) => o.reward);
    const m = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const sd = Math.sqrt(rewards.reduce((a, b) => a + (b - m) ** 2, 0) / rewards.length);
    const ys = Float64Array.from(rewards, (r) => (r - m) / sd);
    const model = new GaussianProcess(st.observations.map((o) => o.design), dist, st.theta, ys);
    return (d) => model.expectedImprovement([d], Math.max(...ys))[0];
  }

  it.each([
    { label: 'from the best designs seen alone', candidates: 0, localStarts: 2 },
    { label: 'from random candidates and the best designs seen', candidates: 64, localStarts: 5 },
  ])('proposes a local maximum of expected improvement, searching $label', async ({ candidates, localStarts }) => {
    const agent = new BoAgent(problem, { seed: 3, hyperparameters: { candidates, localStarts, initialDesigns: 10 } });
    const seen = new Set<string>();
    for (let t = 0; t < 16; t++) {
      const [d] = agent.ask(1);
      expect(seen.has(d.join())).toBe(false);
      seen.add(d.join());
      if (t >= 10) {
        const ei = await eiOf(agent);
        const around = nvec.flatMap((k, i) => Array.from({ length: k }, (_, v) => d.map((x, j) => (j === i ? v : x)))).filter((e) => !seen.has(e.join()));
        const best = Math.max(...around.map(ei));
        expect(ei(d), `proposal ${t}`).toBeGreaterThan(0);
        expect(ei(d), `proposal ${t}`).toBeGreaterThanOrEqual(best - 1e-9);
      }
      await agent.tell([{ design: d, reward: reward(d), observation: new Float64Array(1), done: true }]);
    }
  });
});
