/**
 * The network helpers' head layout: heads grouped by size class, so an output layer is as wide as
 * its own heads (a 720-value head once widened every head of every network to 720), with each
 * head's distribution the log-softmax of its own logits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type SearchProblem } from '../../agents/index.js';
import { CategoricalMlps, HeadLayout, headWidths, initBackend, tf, tidyRead } from '../../agents/nn.js';
import { makeRng, uniform01 } from '../../common/random.js';
import { loadSpace } from '../../src/space/builtin.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('headWidths', () => {
  it('puts small heads in one class and keeps a wide head in its own', () => {
    expect(headWidths([2, 3, 5, 8, 720, 6, 5])).toEqual([8, 720]);
    // A class pads to at most twice its smallest size above 16 values.
    expect(headWidths([20, 40, 41, 90])).toEqual([40, 41, 90]);
    expect(headWidths([7])).toEqual([7]);
  });
});

describe('HeadLayout', () => {
  // Two networks with heads in the same classes ([small, wide, small]) but different sizes.
  const sizes = [[3, 30, 2], [4, 25, 4]];
  const widths = headWidths(sizes.flat());

  it("gives each head the log-softmax of its own logits, padding impossible, and sums per head", () => {
    const layout = new HeadLayout(sizes, widths);
    expect(widths).toEqual([4, 30]);
    expect(layout.units).toBe(4 + 4 + 30);
    const rng = makeRng(3);
    const B = 2;
    const logits = Float32Array.from({ length: sizes.length * B * layout.units }, () => 4 * uniform01(rng) - 2);
    const logp = tidyRead(() => layout.logProbs(tf.tensor3d(logits, [sizes.length, B, layout.units])));
    const sums = tidyRead(() => layout.perHeadSum(tf.exp(layout.logProbs(tf.tensor3d(logits, [sizes.length, B, layout.units])))));
    sizes.forEach((heads, n) =>
      heads.forEach((k, h) => {
        for (let b = 0; b < B; b++) {
          const at = (n * B + b) * layout.units + layout.column[h];
          const own = Array.from(logits.subarray(at, at + k));
          const lse = Math.log(own.reduce((s, z) => s + Math.exp(z), 0));
          own.forEach((z, v) => expect(logp[at + v]).toBeCloseTo(z - lse, 5));
          // The padding of a head narrower than its class has probability 0.
          const width = widths.find((w) => w >= k)!;
          for (let v = k; v < width; v++) expect(Math.exp(logp[at + v])).toBe(0);
          expect(sums[(n * B + b) * heads.length + h]).toBeCloseTo(1, 5);
        }
      }),
    );
    layout.dispose();
  });

  it('refuses networks whose heads fall in different classes', () => {
    expect(() => new HeadLayout([[3, 30], [30, 3]], [4, 30])).toThrow(/size classes/);
  });
});

describe('CategoricalMlps on the architect space', () => {
  const nvec = loadSpace('architect').parameters.map((p) => p.values.length);

  it('has output layers as wide as the heads they serve, not the widest head (one learner or one per parameter)', () => {
    const widest = Math.max(...nvec);
    const total = nvec.reduce((a, b) => a + b, 0);
    for (const sizes of [[nvec], nvec.map((k) => [k])]) {
      const nets = new CategoricalMlps(sizes, 5, [8], makeRng(1));
      const units = nets.buckets.reduce((n, b) => n + b.networks.length * b.layout.units, 0);
      // Padded to the widest, 32 × 720 outputs; laid out by class, within 16 values of each head's own.
      expect(units).toBeLessThan(widest * nvec.length);
      expect(units).toBeLessThanOrEqual(total + 16 * nvec.length);
      expect(nets.buckets.length).toBeLessThanOrEqual(2);
      // Every head of every network is a distribution at its offset.
      const p = nets.probabilities(Float64Array.from([0.1, -0.3, 0.2, 0, 1]));
      sizes.forEach((heads, n) =>
        heads.forEach((k, h) => expect(p.subarray(nets.offsets[n][h], nets.offsets[n][h] + k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)),
      );
      nets.dispose();
    }
  });
});

describe('a checkpoint of another shape', () => {
  const problem = (nvec: number[]): SearchProblem => ({ nvec, parameterNames: nvec.map((_, i) => `p${i}`), slices: [], observationSize: 3 });

  it('is refused with a clear error, by every learner', async () => {
    // [3, 40] puts the 40-value head in a class of its own; [3, 12] shares one class.
    for (const agent of ['ppo', 'marl', 'sac'] as const) {
      const saved = createAgent(agent, problem([3, 40]), { seed: 1 });
      const state = await saved.state();
      saved.dispose();
      const other = createAgent(agent, problem([3, 12]), { seed: 1 });
      expect(() => other.restore(state), agent).toThrow(/checkpoint does not fit this agent/);
      other.dispose();
    }
  });
});
