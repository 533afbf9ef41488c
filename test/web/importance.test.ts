/**
 * Parameter importance (web/importance.js) against cases with a known answer. For an additive
 * metric y = Σ f_j(x_j) over independent parameters, shuffling parameter j raises the squared error
 * by 2·Var(f_j): the shares are the parameters' shares of the variance.
 */
import { describe, expect, it } from 'vitest';
import { permutationImportance } from '../../web/importance.js';

/** Every design of a full factorial: `levels[p]` values per parameter. */
function factorial(levels: number[]): Uint16Array[] {
  const n = levels.reduce((a, b) => a * b, 1);
  return levels.map((_, p) => {
    const stride = levels.slice(p + 1).reduce((a, b) => a * b, 1);
    return Uint16Array.from({ length: n }, (_, i) => Math.floor(i / stride) % levels[p]);
  });
}

describe('permutation importance from a random forest', () => {
  it('splits an additive metric as its variance splits: 80 % / 20 % / 0 / 0', () => {
    const levels = [4, 4, 4, 4];
    const columns = factorial(levels);
    // Var(4·x0) = 16·Var(x), Var(2·x1) = 4·Var(x): shares 0.8 and 0.2.
    const y = Float64Array.from(columns[0], (a, i) => 4 * a + 2 * columns[1][i]);
    const r = permutationImportance({ columns, levels, y, n: y.length }, { log: false });
    expect(r.designs).toBe(256);
    expect(r.share[0]).toBeCloseTo(0.8, 1);
    expect(r.share[1]).toBeCloseTo(0.2, 1);
    expect(r.share[2]).toBeLessThan(0.02);
    expect(r.share[3]).toBeLessThan(0.02);
    expect(r.share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(r.r2).toBeGreaterThan(0.9);
  });

  it('finds a nominal parameter whatever the order of its values, and one that matters only with another', () => {
    // Value 2 of parameter 0 is the slow one (not the largest index); parameter 2 matters only when parameter 1 is 0.
    const levels = [5, 2, 3, 3];
    const columns = factorial(levels);
    const y = Float64Array.from(columns[0], (a, i) => (a === 2 ? 10 : 0) + (columns[1][i] === 0 ? 3 * columns[2][i] : 0));
    const r = permutationImportance({ columns, levels, y, n: y.length }, { log: false });
    const ranked = r.share.map((s, p) => ({ s, p })).sort((a, b) => b.s - a.s).map((e) => e.p);
    expect(ranked.slice(0, 3).sort()).toEqual([0, 1, 2]);
    expect(ranked[0]).toBe(0);
    expect(r.share[3]).toBeLessThan(0.02);
  });

  it('counts each distinct design once, models log(y) for positive metrics, and is the same for the same seed', () => {
    const levels = [3, 3];
    const base = factorial(levels);
    // Every design evaluated four times (a search repeats designs): 9 distinct designs.
    const columns = base.map((c) => Uint16Array.from({ length: c.length * 4 }, (_, i) => c[i % c.length]));
    // y = 2^x0 · 1.01^x1: in logs, additive with shares ln2² : ln1.01² ≈ 1 : 0.0002.
    const y = Float64Array.from(columns[0], (a, i) => 1000 * 2 ** a * 1.01 ** columns[1][i]);
    const r = permutationImportance({ columns, levels, y, n: y.length }, { minLeaf: 1 });
    expect(r.designs).toBe(9);
    expect(r.log).toBe(true);
    expect(r.share[0]).toBeGreaterThan(0.95);
    expect(permutationImportance({ columns, levels, y, n: y.length }, { minLeaf: 1 })).toEqual(r);
  });

  it('leaves out what it cannot use: missing values are a category, NaN metrics are dropped, too few designs give zeros', () => {
    const levels = [2, 2];
    const columns = [Uint16Array.from([0, 1, 0xffff, 0, 1, 0xffff, 0, 1]), Uint16Array.from([0, 0, 0, 1, 1, 1, 0, 1])];
    const y = Float64Array.from([1, 5, 9, 1, 5, 9, NaN, NaN]);
    const r = permutationImportance({ columns, levels, y, n: 8 }, { log: false, minLeaf: 1 });
    expect(r.designs).toBe(6);
    expect(r.share[0]).toBeGreaterThan(r.share[1]);
    const few = permutationImportance({ columns, levels, y: Float64Array.from([1, 2, 3, NaN, NaN, NaN, NaN, NaN]), n: 8 });
    expect(few.share).toEqual([0, 0]);
    expect(few.r2).toBeNaN();
  });
});
