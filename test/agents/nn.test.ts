/**
 * The network helpers' head layout: heads grouped by size class, so an output layer is as wide as
 * its own heads (a 720-value head once widened every head of every network to 720), with each
 * head's distribution the log-softmax of its own logits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgent, loadAgents, type SearchProblem } from '../../agents/index.js';
import { Adam, CategoricalMlps, HeadLayout, headWidths, initBackend, oneRow, StackedMlp, tf, tidyRead } from '../../agents/nn.js';
import { makeRng, uniform01 } from '../../common/random.js';
import { loadSpace } from '../../src/space/builtin.js';

beforeAll(async () => {
  await loadAgents();
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
    const logp = tidyRead(() => layout.distributions(tf.tensor3d(logits, [sizes.length, B, layout.units])).logp);
    const sums = tidyRead(() => layout.perHeadSum(layout.distributions(tf.tensor3d(logits, [sizes.length, B, layout.units])).p));
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

  it("has log-softmax's gradient, refused values and padding included", () => {
    const layout = new HeadLayout(sizes, widths);
    const rng = makeRng(5);
    const B = 3;
    const shape: [number, number, number] = [sizes.length, B, layout.units];
    const logits = tf.variable(tf.tensor3d(Float32Array.from({ length: shape[0] * B * layout.units }, () => 6 * uniform01(rng) - 3), shape));
    const refused = new Float32Array(logits.size);
    // Refuse the first value of every head of the second sample.
    sizes.forEach((_, n) => layout.column.forEach((c) => (refused[(n * B + 1) * layout.units + c] = -1e9)));
    const weights = tf.tensor3d(Float32Array.from({ length: logits.size }, () => uniform01(rng)), shape);
    const gradOf = (logp: (z: tf.Tensor3D) => tf.Tensor3D): Float32Array =>
      tidyRead(() => tf.variableGrads(() => tf.sum(tf.mul(logp(logits), weights)) as tf.Scalar, [logits]).grads[logits.name]);
    const ours = gradOf((z) => layout.distributions(z, tf.tensor3d(refused, shape)).logp);
    // Reference: tf.logSoftmax of each head's own (padded, refused) logits.
    const reference = gradOf((z) => {
      const zz = tf.add(z, tf.tensor3d(refused, shape));
      const parts: tf.Tensor[] = [];
      let col = 0;
      widths.forEach((w) => {
        const count = layout.column.filter((c, h) => widths.find((x) => x >= sizes[0][h]) === w).length;
        if (count === 0) return;
        const block = tf.slice(zz, [0, 0, col], [shape[0], B, count * w]).reshape([shape[0], B, count, w]);
        const mask = new Float32Array(shape[0] * count * w);
        sizes.forEach((heads, n) => heads.forEach((k, h) => {
          const at = layout.column[h] - col;
          if (at < 0 || at >= count * w) return;
          for (let v = k; v < w; v++) mask[n * count * w + at + v] = -1e9;
        }));
        parts.push(tf.logSoftmax(tf.add(block, tf.tensor3d(mask, [shape[0], 1, count * w]).reshape([shape[0], 1, count, w]))).reshape([shape[0], B, count * w]));
        col += count * w;
      });
      return tf.concat(parts, 2) as tf.Tensor3D;
    });
    ours.forEach((g, i) => expect(g).toBeCloseTo(reference[i], 4));
    expect(ours.some((g) => Math.abs(g) > 1e-3)).toBe(true);
    logits.dispose();
    weights.dispose();
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

describe('StackedMlp on one row', () => {
  it('computes, and differentiates, one shared row as it does a batch of that row', () => {
    for (const networks of [1, 3, 6]) {
      const mlp = new StackedMlp(networks, [5, 8, 8, 4], makeRng(networks));
      const row = Float32Array.from([0.3, -0.2, 0.9, 0, 0.5]);
      const batch = Float32Array.from({ length: 3 * row.length }, (_, i) => row[i % row.length]);
      expect(oneRow(batch, row.length)).toBe(true);
      expect(oneRow(Float32Array.from([...batch.slice(0, 5), 1, ...batch.slice(6)]), row.length)).toBe(false);
      const vars = mlp.variables();
      // The loss of the batch is three times the loss of its row; so is each gradient.
      const run = (x: Float32Array, rows: number): { out: Float32Array; grads: Float32Array[] } => {
        const out = tidyRead(() => mlp.apply(tf.tensor3d(x, [1, rows, 5])));
        const grads = tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.sum(tf.square(mlp.apply(tf.tensor3d(x, [1, rows, 5])))) as tf.Scalar, vars);
          return vars.map((v) => grads[v.name].dataSync() as Float32Array);
        });
        return { out, grads };
      };
      const one = run(row, 1);
      const three = run(batch, 3);
      for (let i = 0; i < three.out.length; i++) expect(three.out[i]).toBeCloseTo(one.out[Math.floor(i / 12) * 4 + (i % 4)], 5);
      one.grads.forEach((g, v) => g.forEach((x, i) => expect(three.grads[v][i]).toBeCloseTo(3 * x, 4)));
      mlp.dispose();
    }
  });
});

describe('Adam', () => {
  it('steps as Kingma and Ba write it, over variables of different shapes', () => {
    const a = tf.variable(tf.tensor2d([[0.5, -1], [2, 0]]));
    const b = tf.variable(tf.tensor1d([3, -0.25, 1]));
    const opt = new Adam([a, b], 0.1, 0.9, 0.999, 1e-5);
    const w = [...a.dataSync(), ...b.dataSync()];
    const m = w.map(() => 0);
    const v = w.map(() => 0);
    for (let t = 1; t <= 3; t++) {
      const g = w.map((x, i) => x * (i + 1) - 0.5);
      tf.tidy(() => opt.apply([tf.tensor2d(g.slice(0, 4), [2, 2]), tf.tensor1d(g.slice(4))]));
      g.forEach((gi, i) => {
        m[i] = 0.9 * m[i] + 0.1 * gi;
        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
        w[i] -= (0.1 * m[i]) / (1 - 0.9 ** t) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-5);
      });
    }
    [...a.dataSync(), ...b.dataSync()].forEach((x, i) => expect(x).toBeCloseTo(w[i], 5));
    // Its moments survive a checkpoint.
    const again = new Adam([a, b], 0.1, 0.9, 0.999, 1e-5);
    again.load(opt.save());
    expect(again.save()).toEqual(opt.save());
    expect(() => again.load(opt.save().slice(1))).toThrow(/optimiser has 3 tensors/);
    opt.dispose();
    again.dispose();
    a.dispose();
    b.dispose();
  });
});
