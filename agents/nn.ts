/**
 * The TensorFlow.js pieces every learning agent shares: backend selection, seeded weight
 * initialisation, stacked MLPs (several independent networks of the same shape evaluated with one
 * batched matMul), Adam with state we own (so checkpoints restore it exactly), per-network gradient
 * clipping, and categorical heads laid out by size class (so a 720-value head does not widen the
 * others), restricted to the values the space's rules allow where it has rules.
 *
 * Facts this relies on (measured): wasm is several times faster than cpu for these small nets;
 * `tf.gather`'s gradient fails on wasm, so log-probabilities are `sum(logSoftmax · oneHot)`; the
 * cpu backend keeps references to arrays handed to it, so inputs are copied first.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../common/errors.js';
import { allowedIndexes, drawAllowed } from '../common/mask.js';
import { uniform01, type Rng } from '../common/random.js';
import { BACKENDS, type BackendChoice } from './backends.js';

export { tf };
export { BACKENDS, type BackendChoice } from './backends.js';

let active: string | null = null;
/** Runs started together (a batch comparison) share one selection. */
let selecting: Promise<string> | null = null;

/**
 * Selects the TensorFlow.js backend once per process: `tensorflow` (@tensorflow/tfjs-node, when a
 * user has installed it), `wasm` (the default: bundled, SIMD), or `cpu`. `auto` tries them in
 * that order.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<string> {
  if (!(BACKENDS as readonly string[]).includes(choice)) throw new InputError(`--backend ${choice}: expected one of ${BACKENDS.join(', ')}`);
  while (selecting) await selecting.catch(() => {});
  if (active && (choice === 'auto' || choice === active)) return active;
  selecting = select(choice);
  try {
    return await selecting;
  } finally {
    selecting = null;
  }
}

async function select(choice: BackendChoice): Promise<string> {
  tf.enableProdMode();
  const tryTfjsNode = async (): Promise<boolean> => {
    try {
      const name = '@tensorflow/tfjs-node'; // not a dependency: loaded only if the user installed it
      await import(name);
      return await tf.setBackend('tensorflow');
    } catch {
      return false;
    }
  };
  const tryWasm = async (): Promise<boolean> => {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      return await tf.setBackend('wasm');
    } catch {
      return false;
    }
  };
  let ok = false;
  if (choice === 'tensorflow') {
    ok = await tryTfjsNode();
    if (!ok) throw new InputError('--backend tensorflow: @tensorflow/tfjs-node@4.22.0 is not installed or does not load here');
  } else if (choice === 'wasm') {
    ok = await tryWasm();
    if (!ok) throw new InputError('--backend wasm: the wasm backend does not load here');
  } else if (choice === 'cpu') {
    ok = await tf.setBackend('cpu');
  } else {
    ok = (await tryTfjsNode()) || (await tryWasm()) || (await tf.setBackend('cpu'));
  }
  await tf.ready();
  active = tf.getBackend();
  return active;
}

/** Glorot-uniform weights from our own seeded generator, so runs are reproducible on any backend. */
export function glorot(rng: Rng, fanIn: number, fanOut: number, count: number, gain = 1): Float32Array {
  const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(count);
  for (let i = 0; i < count; i++) w[i] = (2 * uniform01(rng) - 1) * limit;
  return w;
}

/**
 * a · b for one row a [1, k]: elementwise products and sums, forward and back. wasm's 2-D matMul
 * packs its right operand anew for every tensor it has not seen, which for one row costs more than
 * the product: 2-3× slower for a first layer of weights that change every step (measured).
 */
const rowTimes = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  const k = a.shape[1];
  return {
    value: tf.sum(tf.mul(a.reshape([k, 1]), b), 0, true),
    gradFunc: (dy: tf.Tensor, [a, b]: tf.Tensor[]) => [tf.sum(tf.mul(b, dy), 1).reshape([1, k]), tf.mul(a.reshape([k, 1]), dy)],
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** a · b of 2-D tensors: one row by `rowTimes`, more by `manyRowsTimes`. */
const matMul2d = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => (a.shape[0] === 1 ? rowTimes(a, b) : manyRowsTimes(a, b));

/**
 * a · b of 2-D tensors, with a gradient that transposes explicitly: wasm's matMul is fast only
 * without its transpose flags (measured 4× slower with them, as tfjs's own gradient uses them).
 */
const manyRowsTimes = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, [a, b]: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(b)), tf.matMul(tf.transpose(a), dy as tf.Tensor2D)],
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * Up to this many stacked networks multiply one by one on wasm's 2-D fast path; more, in one
 * batched matMul, whose kernel is several times slower per product but pays one kernel call.
 */
const ONE_BY_ONE = 4;

/**
 * a · b per network for one row each: [networks, 1, k] · [networks, k, c] → [networks, 1, c], with
 * a gradient of broadcast products (an outer product and a row-sum) instead of batched matMuls
 * with transpose flags: 3× faster on wasm for 64 × 64 layers (measured).
 */
const rowMatMul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, [a, b]: tf.Tensor[]) => {
      const [n, , k] = a.shape;
      return [tf.sum(tf.mul(b, dy), 2).reshape(a.shape), tf.mul(a.reshape([n, k, 1]), dy)];
    },
  };
}) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/** a · b per network: [networks, r, k] · [networks, k, c] → [networks, r, c]. */
function stackedMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const n = b.shape[0];
  if (n === 1) return matMul2d(a.squeeze([0]), b.squeeze([0])).expandDims(0);
  if (a.shape[1] === 1) return rowMatMul(a, b);
  if (n > ONE_BY_ONE) return tf.matMul(a, b);
  const bs = tf.unstack(b) as tf.Tensor2D[];
  return tf.stack((tf.unstack(a) as tf.Tensor2D[]).map((ak, k) => matMul2d(ak, bs[k]))) as tf.Tensor3D;
}

/**
 * tanh as 2σ(2x) − 1: wasm's tanh is scalar (28 ns a value), its sigmoid vectorised (2 ns), so
 * this is 3.7 times faster forward on the counterfactual baselines' 1.8 million values and as fast
 * on a few thousand, with its gradient (measured); it differs from tf.tanh by at most 2e-7.
 */
const tanh = (x: tf.Tensor3D): tf.Tensor3D => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);

export interface DenseLayer {
  /** [networks, in, out] */
  w: tf.Variable;
  /** [networks, 1, out] */
  b: tf.Variable;
}

/**
 * `networks` independent MLPs with the same layer sizes, stored stacked along the first axis:
 * input [networks or 1, batch, in] → output [networks, batch, out]; tanh between layers. Independent
 * networks have disjoint weights, so one batched matMul computes them all and the gradient of a
 * summed loss is each network's own gradient.
 */
export class StackedMlp {
  readonly layers: DenseLayer[] = [];

  constructor(readonly networks: number, readonly sizes: readonly number[], rng: Rng, outputGain = 1) {
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [fanIn, fanOut] = [sizes[l], sizes[l + 1]];
      const gain = l + 2 === sizes.length ? outputGain : 1;
      const values = glorot(rng, fanIn, fanOut, networks * fanIn * fanOut, gain);
      // Inside tidy, the initial tensors are freed; the variables keep their data.
      this.layers.push(
        tf.tidy(() => ({
          w: tf.variable(tf.tensor3d(values, [networks, fanIn, fanOut])),
          b: tf.variable(tf.zeros([networks, 1, fanOut])),
        })),
      );
    }
  }

  /**
   * Outputs [networks, batch, out] of inputs [networks, batch, in], or of one input [1, batch, in]
   * that every network reads: then the first layer is one 2-D matMul over all networks' weights
   * side by side: on wasm 3× faster than a batched matMul of the input tiled (1.3× with its gradient).
   */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    const first = this.layers[0];
    const [inputs, batch, size] = x.shape;
    let h: tf.Tensor3D;
    if (inputs === 1 && this.networks > 1) {
      const out = this.sizes[1];
      const w = first.w.transpose([1, 0, 2]).reshape([size, this.networks * out]) as tf.Tensor2D;
      h = matMul2d(x.reshape([batch, size]), w).reshape([batch, this.networks, out]).transpose([1, 0, 2]);
    } else h = stackedMatMul(x, first.w as tf.Tensor3D);
    return this.afterFirstLayer(tf.add(h, first.b));
  }

  /** Outputs from the first layer's pre-activations [networks, batch, sizes[1]]. */
  afterFirstLayer(h: tf.Tensor3D): tf.Tensor3D {
    for (const layer of this.layers.slice(1)) h = tf.add(stackedMatMul(tanh(h), layer.w as tf.Tensor3D), layer.b);
    return h;
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.w, l.b]);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/**
 * Adam (Kingma & Ba) over a fixed list of variables, with its moments in variables we can save
 * (so checkpoints restore it exactly). The moments of all variables are one flat tensor each, so
 * a step is a dozen kernels over all of them rather than a dozen per variable: for many small
 * networks the kernels' fixed cost, not their arithmetic, is what a step costs (measured on wasm).
 */
export class Adam {
  private readonly sizes: number[];
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  step = 0;

  constructor(private readonly vars: tf.Variable[], public lr: number, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly eps = 1e-5) {
    this.sizes = vars.map((x) => x.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    [this.m, this.v] = tf.tidy(() => [tf.variable(tf.zeros([total]), false), tf.variable(tf.zeros([total]), false)]);
  }

  /** One step on the gradients of the variables, in their order. */
  apply(grads: tf.Tensor[]): void {
    this.step++;
    // lr·m̂/(√v̂ + ε) with the bias corrections moved onto scalars: lr·√c2/c1 · m/(√v + ε·√c2).
    const c1 = 1 - this.beta1 ** this.step;
    const root = Math.sqrt(1 - this.beta2 ** this.step);
    tf.tidy(() => {
      const g = grads.length === 1 ? grads[0].reshape([-1]) : tf.concat(grads.map((x) => x.reshape([-1])));
      const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(g, 1 - this.beta1));
      const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      this.m.assign(m);
      this.v.assign(v);
      const step = tf.div(tf.mul(m, (this.lr * root) / c1), tf.add(tf.sqrt(v), this.eps * root));
      // Its pieces are handed back through JS: wasm's split and slice kernels cost more than the step (measured).
      const values = step.dataSync() as Float32Array;
      let at = 0;
      this.vars.forEach((x, i) => {
        x.assign(tf.sub(x, tf.tensor(values.subarray(at, (at += this.sizes[i])), x.shape)));
      });
    });
  }

  /** The moments per variable (first moments, then second), as `saveVariables` writes them. */
  save(): string[] {
    const per = (t: tf.Variable): string[] => {
      const data = t.dataSync() as Float32Array;
      let at = 0;
      return this.sizes.map((n) => toBase64(data.subarray(at, (at += n))));
    };
    return [...per(this.m), ...per(this.v)];
  }

  load(saved: readonly string[]): void {
    const n = this.sizes.length;
    if (saved.length !== 2 * n) throw new Error(`checkpoint does not fit this agent: its optimiser has ${saved.length} tensors, the agent's ${2 * n}`);
    const flat = (part: readonly string[]): Float32Array => {
      const out = new Float32Array(this.m.size);
      let at = 0;
      part.forEach((text, i) => {
        const values = float32FromBase64(text);
        if (values.length !== this.sizes[i]) throw new Error(`checkpoint does not fit this agent: its optimiser tensor ${i} has ${values.length} values, the agent's ${this.sizes[i]}`);
        out.set(values, at);
        at += this.sizes[i];
      });
      return out;
    };
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(flat(saved.slice(0, n))));
      this.v.assign(tf.tensor1d(flat(saved.slice(n))));
    });
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}

/**
 * Clips each network's gradient to `maxNorm` by its own global norm (PPO's max_grad_norm), with
 * gradients stacked along the first axis as the networks are.
 */
export function clipPerNetwork(grads: tf.Tensor[], networks: number, maxNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    let sq = tf.zeros([networks]);
    for (const g of grads) sq = tf.add(sq, tf.sum(tf.square(g.reshape([networks, -1])), 1));
    const scale = tf.minimum(tf.div(maxNorm, tf.add(tf.sqrt(sq), 1e-6)), 1);
    return grads.map((g) => tf.mul(g, scale.reshape([networks, ...Array(g.rank - 1).fill(1)])));
  });
}

/** The logit added to a value that may not be chosen (padding, or a value the rules refuse): its probability underflows to 0. */
export const REFUSED = -1e9;

/**
 * Writes `mask` (null: all allowed) as additive logits at `out[at .. at + mask.length)`: 0 for an
 * allowed value, REFUSED for the others. Returns whether it refused anything.
 */
export function writeRefusals(out: Float32Array, at: number, mask: readonly boolean[] | null): boolean {
  if (!mask) return false;
  mask.forEach((ok, k) => (out[at + k] = ok ? 0 : REFUSED));
  return true;
}

/**
 * Heads of up to this many values share one size class, padded to its widest: another class costs
 * more in extra kernels than the padding does.
 */
const SMALL_HEAD = 16;

/**
 * The widths of the size classes for heads of `sizes` values, ascending: a class holds the sizes
 * up to its width and above the previous class's, and pads at most to twice its smallest size (or
 * to SMALL_HEAD). A head pays for its class's width, not for the widest head's.
 */
export function headWidths(sizes: readonly number[]): number[] {
  const widths: number[] = [];
  let smallest = 0;
  for (const k of [...new Set(sizes)].sort((a, b) => a - b)) {
    if (widths.length > 0 && k <= Math.max(2 * smallest, SMALL_HEAD)) widths[widths.length - 1] = k;
    else {
      widths.push(k);
      smallest = k;
    }
  }
  return widths;
}

/**
 * Categorical heads laid out ragged: the outputs [networks, batch, units] of networks whose heads
 * fall in the same size classes (`headWidths`) in the same order. Each class's heads sit side by
 * side, each padded to the class's width (`mask`: 0 for a real value, REFUSED for padding), so
 * one reshape and one log-softmax per class serve them all and the cost follows the real sizes.
 */
export class HeadLayout {
  readonly units: number;
  readonly heads: number;
  /** Where each head's values start in a network's outputs. */
  readonly column: readonly number[];
  /** Per size class: its width, its number of heads, its first column. */
  private readonly classes: ReadonlyArray<{ width: number; count: number; start: number }>;
  /** [networks, 1, units], or null when no head is padded. */
  private readonly mask: tf.Tensor3D | null;
  /** [units, heads]: 1 where a column belongs to a head. */
  private readonly perHead: tf.Tensor2D;
  /** Its transpose, [heads, units]. */
  private readonly headColumns: tf.Tensor2D;

  constructor(readonly sizes: ReadonlyArray<readonly number[]>, widths: readonly number[]) {
    const classOf = (k: number): number => widths.findIndex((w) => w >= k);
    const classes = sizes[0].map(classOf);
    if (sizes.some((s) => s.length !== classes.length || s.some((k, h) => classOf(k) !== classes[h]))) throw new Error('HeadLayout: networks with heads of different size classes');
    this.heads = classes.length;
    const column: number[] = new Array(this.heads);
    const list: Array<{ width: number; count: number; start: number }> = [];
    let units = 0;
    widths.forEach((width, c) => {
      const members = classes.flatMap((cl, h) => (cl === c ? [h] : []));
      if (members.length === 0) return;
      list.push({ width, count: members.length, start: units });
      for (const h of members) {
        column[h] = units;
        units += width;
      }
    });
    this.units = units;
    this.column = column;
    this.classes = list;
    const mask = new Float32Array(sizes.length * units);
    let padded = false;
    sizes.forEach((s, n) =>
      s.forEach((k, h) => {
        const width = widths[classes[h]];
        if (k < width) padded = true;
        mask.fill(REFUSED, n * units + column[h] + k, n * units + column[h] + width);
      }),
    );
    this.mask = padded ? tf.keep(tf.tensor3d(mask, [sizes.length, 1, units])) : null;
    const perHead = new Float32Array(units * this.heads);
    column.forEach((at, h) => {
      for (let k = 0; k < widths[classes[h]]; k++) perHead[(at + k) * this.heads + h] = 1;
    });
    this.perHead = tf.keep(tf.tensor2d(perHead, [units, this.heads]));
    this.headColumns = tf.keep(this.perHead.transpose());
  }

  /**
   * The distributions of the heads: log-probabilities and probabilities [networks, batch, units];
   * with `refused` ([networks, batch, units] of 0 and REFUSED, from `writeRefusals`), those of the
   * distributions restricted to the values each sample may take. Logits of one input shared by
   * the batch ([networks, 1, units]) broadcast. One exp per value, forward and back together
   * (log-softmax then exp takes three): on wasm exp costs as much as a dozen products.
   */
  distributions(logits: tf.Tensor3D, refused?: tf.Tensor3D): { logp: tf.Tensor3D; p: tf.Tensor3D } {
    let z = this.mask ? tf.add(logits, this.mask) : logits;
    if (refused) z = tf.add(z, refused);
    const [n, b] = z.shape;
    const logp: tf.Tensor[] = [];
    const p: tf.Tensor[] = [];
    for (const { width, count, start } of this.classes) {
      const block = (this.classes.length === 1 ? z : tf.slice(z, [0, 0, start], [n, b, count * width])).reshape([n, b, count, width]);
      // The largest logit keeps exp finite; it enters as a constant, since log-softmax does not depend on it.
      const shift = tf.tensor4d((tf.max(block, 3, true).dataSync() as Float32Array).slice(), [n, b, count, 1]);
      const shifted = tf.sub(block, shift);
      const e = tf.exp(shifted);
      const total = tf.sum(e, 3, true);
      logp.push(tf.sub(shifted, tf.log(total)).reshape([n, b, count * width]));
      p.push(tf.div(e, total).reshape([n, b, count * width]));
    }
    const join = (parts: tf.Tensor[]): tf.Tensor3D => (parts.length === 1 ? parts[0] : tf.concat(parts, 2)) as tf.Tensor3D;
    return { logp: join(logp), p: join(p) };
  }

  /**
   * Each head's sum of `x` [networks, batch, units] over its values: [networks, batch, heads]. The
   * gradient is only x's (the indicator is constant), through a transpose made once: wasm's matMul
   * repacks each right operand it has not seen, and a fresh transpose is one every step.
   */
  perHeadSum(x: tf.Tensor3D): tf.Tensor3D {
    const [n, b] = x.shape;
    return this.sumPerHead(x.reshape([n * b, this.units]) as tf.Tensor2D).reshape([n, b, this.heads]);
  }

  private readonly sumPerHead = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x] = args as [tf.Tensor2D];
    return { value: tf.matMul(x, this.perHead), gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, this.headColumns) };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;

  /**
   * log π(actions) summed over heads: [networks, batch]; `oneHot` [networks, batch, units] holds a
   * 1 at each head's action (`writeOneHot`).
   */
  logProbOf(logp: tf.Tensor3D, oneHot: tf.Tensor3D): tf.Tensor2D {
    return tf.sum(tf.mul(logp, oneHot), 2);
  }

  /** Entropy summed over heads: [networks, batch]. */
  entropy({ logp, p }: { logp: tf.Tensor3D; p: tf.Tensor3D }): tf.Tensor2D {
    return tf.neg(tf.sum(tf.mul(p, logp), 2));
  }

  /** Writes a 1 at each head's action into `out` at `at` (a network's outputs for one sample). */
  writeOneHot(out: Float32Array, at: number, action: (head: number) => number): void {
    this.column.forEach((c, h) => (out[at + c + action(h)] = 1));
  }

  dispose(): void {
    this.mask?.dispose();
    this.perHead.dispose();
    this.headColumns.dispose();
  }
}

/**
 * Independent MLPs ending in categorical heads (network n has heads of `sizes[n]` values), grouped
 * into buckets of networks with the same head layout, each bucket one StackedMlp: a network's
 * output layer is as wide as its own heads' size classes, not the widest head of all.
 */
export class CategoricalMlps {
  readonly buckets: ReadonlyArray<{ networks: readonly number[]; layout: HeadLayout; mlp: StackedMlp }>;
  /** Network n's head h starts at `offsets[n][h]` of `probabilities`' result. */
  readonly offsets: readonly (readonly number[])[];

  constructor(readonly sizes: ReadonlyArray<readonly number[]>, readonly inputSize: number, hidden: readonly number[], rng: Rng, outputGain = 1) {
    const widths = headWidths(sizes.flat());
    const byClasses = new Map<string, number[]>();
    sizes.forEach((s, n) => {
      const key = s.map((k) => widths.findIndex((w) => w >= k)).join(',');
      byClasses.set(key, [...(byClasses.get(key) ?? []), n]);
    });
    const offsets: number[][] = [];
    let base = 0;
    this.buckets = [...byClasses.values()].map((networks) => {
      const layout = new HeadLayout(networks.map((n) => sizes[n]), widths);
      networks.forEach((n, i) => (offsets[n] = layout.column.map((c) => base + i * layout.units + c)));
      base += networks.length * layout.units;
      return { networks, layout, mlp: new StackedMlp(networks.length, [inputSize, ...hidden, layout.units], rng, outputGain) };
    });
    this.offsets = offsets;
  }

  /** Every network's action probabilities for one input, at `offsets`. */
  probabilities(input: Float64Array): Float32Array {
    return tidyRead(() => {
      const x = tf.tensor3d(Float32Array.from(input), [1, 1, this.inputSize]);
      const parts = this.buckets.map(({ layout, mlp }) => layout.distributions(mlp.apply(x)).p.reshape([-1]));
      return parts.length === 1 ? parts[0] : tf.concat(parts);
    });
  }

  variables(): tf.Variable[] {
    return this.buckets.flatMap((b) => b.mlp.variables());
  }

  dispose(): void {
    for (const b of this.buckets) {
      b.mlp.dispose();
      b.layout.dispose();
    }
  }
}

/**
 * Whether every row of `data` ([rows, width]) equals the first. One-step episodes from one start
 * (the search's bandit) observe the same state at every step: a batch of them runs the networks
 * on its first row alone, and the per-sample terms broadcast over it.
 */
export function oneRow(data: Float32Array, width: number): boolean {
  for (let k = width; k < data.length; k++) if (data[k] !== data[k % width]) return false;
  return true;
}

/** The rows of `data` ([rows, width]) as a network input [1, rows, width], or [1, 1, width] when they are `oneRow`. */
export function inputRows(data: Float32Array, width: number): tf.Tensor3D {
  return oneRow(data, width) ? tf.tensor3d(data.subarray(0, width), [1, 1, width]) : tf.tensor3d(data, [1, data.length / width, width]);
}

/**
 * The values of the tensor `f` computes, its intermediates freed. (Returning the typed array from
 * `tf.tidy` instead costs a scan of every element for tensors to keep: milliseconds for thousands.)
 */
export function tidyRead(f: () => tf.Tensor): Float32Array {
  const t = tf.tidy(f);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/**
 * The index the uniform `u` ∈ [0, 1) draws from probabilities `p[offset .. offset+size)`, restricted
 * to the values `mask` allows and renormalised (null: all values).
 */
export function drawCategorical(p: Float32Array, offset: number, size: number, u: number, mask: readonly boolean[] | null): number {
  if (mask) return drawAllowed(mask, (k) => p[offset + k], u);
  for (let k = 0; k < size; k++) {
    u -= p[offset + k];
    if (u < 0) return k;
  }
  // Rounding left a sliver: take the last value with any probability.
  for (let k = size - 1; k > 0; k--) if (p[offset + k] > 0) return k;
  return 0;
}

/** The probability `p[offset ..]` gives the values `mask` allows. */
function allowedTotal(p: Float32Array, offset: number, mask: readonly boolean[]): number {
  let total = 0;
  mask.forEach((ok, k) => ok && (total += p[offset + k]));
  return total;
}

/**
 * log π(k) under probabilities `p[offset .. offset+size)` restricted to the values `mask` allows
 * (null: all): log p_k − log Σ_allowed p; −∞ for a refused value. Where every allowed value's
 * probability has underflowed to 0, the restricted distribution is uniform (as `drawCategorical`
 * draws it).
 */
export function maskedLogProb(p: Float32Array, offset: number, mask: readonly boolean[] | null, k: number): number {
  if (!mask) return Math.log(p[offset + k]);
  if (!mask[k]) return -Infinity;
  const total = allowedTotal(p, offset, mask);
  return total > 0 ? Math.log(p[offset + k]) - Math.log(total) : -Math.log(allowedIndexes(mask).length);
}

/**
 * The whole restricted distribution `maskedLogProb` takes one value of: each value's probability
 * under `p[offset .. offset+size)` restricted to `mask` (null: all), in one pass.
 */
export function maskedProbabilities(p: Float32Array, offset: number, size: number, mask: readonly boolean[] | null): Float64Array {
  const out = new Float64Array(size);
  if (!mask) {
    for (let k = 0; k < size; k++) out[k] = p[offset + k];
    return out;
  }
  const total = allowedTotal(p, offset, mask);
  const uniform = total > 0 ? 0 : 1 / allowedIndexes(mask).length;
  mask.forEach((ok, k) => (out[k] = ok ? (total > 0 ? p[offset + k] / total : uniform) : 0));
  return out;
}

/** A typed array's exact bytes as base64, for checkpoints. */
export function toBase64(a: Float32Array | Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** The float32 values `toBase64` wrote. */
export function float32FromBase64(text: string): Float32Array {
  const buf = Buffer.from(text, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** The int32 values `toBase64` wrote. */
export function int32FromBase64(text: string): Int32Array {
  const buf = Buffer.from(text, 'base64');
  return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** Variables to and from base64 (exact float32 bytes), for checkpoints. */
export async function saveVariables(vars: readonly tf.Variable[]): Promise<string[]> {
  const out: string[] = [];
  for (const v of vars) out.push(toBase64((await v.data()) as Float32Array));
  return out;
}

export function loadVariables(vars: readonly tf.Variable[], saved: readonly string[]): void {
  if (saved.length !== vars.length) throw new Error(`checkpoint does not fit this agent: it has ${saved.length} tensors, the agent ${vars.length}`);
  vars.forEach((v, i) => {
    const data = float32FromBase64(saved[i]);
    if (data.length !== v.size) throw new Error(`checkpoint does not fit this agent: its tensor ${i} has ${data.length} values, the agent's ${v.size}`);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
  });
}
