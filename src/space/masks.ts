/**
 * The valid designs of a space, by the rules of constraints.ts: the values each parameter may take
 * given the ones before it (the masks agents choose from), whether a design is valid, the nearest
 * valid design, and how many valid designs there are.
 */
import { InputError } from '../../common/errors.js';
import { nearestAllowed } from '../../common/mask.js';
import { type Rule, type RuleContext, rulesFor } from './constraints.js';
import { isSystemKey, type SystemValue } from './system.js';
import { type Design, designAt, type ParameterSpace, rawSize } from './space.js';

interface Compiled {
  /** Per parameter, its rules (empty: every value allowed). */
  rules: Array<readonly Rule[]>;
  index: Map<string, number>;
  counter?: Counter;
}

const compiled = new WeakMap<ParameterSpace, Compiled>();

function compile(space: ParameterSpace): Compiled {
  let c = compiled.get(space);
  if (!c) {
    c = { rules: space.parameters.map((p) => rulesFor(p.name, p.values)), index: new Map(space.parameters.map((p, i) => [p.name, i])) };
    compiled.set(space, c);
  }
  return c;
}

function baseValue(space: ParameterSpace, name: string): SystemValue | undefined {
  return isSystemKey(name) ? space.baseSystem[name] : (space.base as unknown as Record<string, SystemValue | undefined>)[name];
}

/** The rule context for parameter `j` of `design` (only its first j values are read). */
function context(space: ParameterSpace, c: Compiled, design: Design, j: number): RuleContext {
  return {
    capacityBytes: space.capacityBytes,
    get(name) {
      const i = c.index.get(name);
      if (i === undefined) return baseValue(space, name);
      return i < j ? space.parameters[i].values[design[i]] : undefined;
    },
    candidates(name) {
      const i = c.index.get(name);
      return i === undefined ? [baseValue(space, name)] : space.parameters[i].values;
    },
  };
}

/** Whether the space has any rule (else every combination is a design). */
export function hasRules(space: ParameterSpace): boolean {
  return compile(space).rules.some((r) => r.length > 0);
}

/** Which values parameter `j` may take after `design`'s first j values; null: all of them. */
export function allowedValues(space: ParameterSpace, design: Design, j: number): boolean[] | null {
  const c = compile(space);
  const rules = c.rules[j];
  if (rules.length === 0) return null;
  const ctx = context(space, c, design, j);
  return space.parameters[j].values.map((v) => rules.every((r) => r.allows(v, ctx)));
}

/** Why a design cannot exist ("Parameter=value: reason"), or null when it can. */
export function invalidReason(space: ParameterSpace, design: Design): string | null {
  const c = compile(space);
  for (let j = 0; j < design.length; j++) {
    if (c.rules[j].length === 0) continue;
    const ctx = context(space, c, design, j);
    const v = space.parameters[j].values[design[j]];
    const broken = c.rules[j].find((r) => !r.allows(v, ctx));
    if (broken) return `${space.parameters[j].name}=${v}: ${broken.why}`;
  }
  return null;
}

/**
 * The valid design nearest `design`, parameter by parameter in order: a value that is not allowed
 * becomes the allowed value closest to it by index (the lower one on a tie). Valid designs are
 * returned unchanged.
 */
export function repairDesign(space: ParameterSpace, design: Design): number[] {
  const out = [...design];
  for (let j = 0; j < out.length; j++) {
    const mask = allowedValues(space, out, j);
    if (!mask || mask[out[j]]) continue;
    const best = nearestAllowed(mask, out[j]);
    if (best < 0) throw new InputError(`space ${space.name}: no value of ${space.parameters[j].name} is allowed after ${space.parameters.slice(0, j).map((p, i) => `${p.name}=${p.values[out[i]]}`).join(', ')}`);
    out[j] = best;
  }
  return out;
}

/** Counts valid completions of a design prefix, memoised on the values later rules can still read. */
class Counter {
  private readonly live: number[][];
  private readonly branching: Set<number>;
  private readonly memo = new Map<string, number>();
  readonly design: number[];

  constructor(private readonly space: ParameterSpace, c: Compiled) {
    const n = space.parameters.length;
    const readBy = c.rules.map((rules) => rules.flatMap((r) => r.dependsOn).map((d) => c.index.get(d)).filter((i): i is number => i !== undefined));
    // live[j]: the parameters before j that a rule at or after j reads.
    this.live = Array.from({ length: n + 1 }, () => []);
    for (let j = n - 1; j >= 0; j--) this.live[j] = [...new Set([...this.live[j + 1], ...readBy[j]])].filter((i) => i < j).sort((a, b) => a - b);
    this.branching = new Set(this.live.flat());
    this.design = new Array<number>(n).fill(0);
  }

  mask(j: number): boolean[] {
    return allowedValues(this.space, this.design, j) ?? this.space.parameters[j].values.map(() => true);
  }

  /** Valid designs that share the current design's first j values. */
  from(j: number): number {
    const n = this.space.parameters.length;
    if (j === n) return 1;
    const key = `${j}:${this.live[j].map((i) => this.design[i]).join(',')}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const mask = this.mask(j);
    let total = 0;
    if (this.branching.has(j)) {
      const saved = this.design[j];
      mask.forEach((ok, k) => {
        if (!ok) return;
        this.design[j] = k;
        total += this.from(j + 1);
      });
      this.design[j] = saved;
    } else {
      const count = mask.filter(Boolean).length;
      total = count === 0 ? 0 : count * this.from(j + 1);
    }
    this.memo.set(key, total);
    return total;
  }
}

function counter(space: ParameterSpace): Counter {
  const c = compile(space);
  return (c.counter ??= new Counter(space, c));
}

/**
 * The number of valid designs, counted exactly up to 2^53 (branching only on parameters a later
 * rule reads); beyond, a floating-point approximation (such spaces are searched, never swept).
 */
export function spaceSize(space: ParameterSpace): number {
  return hasRules(space) ? counter(space).from(0) : rawSize(space);
}

/** Refuses spaces too large to number their designs exactly (sweeps, ground truths). */
export function enumerableSize(space: ParameterSpace, what: string): number {
  const n = spaceSize(space);
  if (!Number.isSafeInteger(n)) throw new InputError(`space ${space.name}: ${n.toExponential(2)} designs are too many to ${what}`);
  return n;
}

/** Valid design number `index` (0 ≤ index < spaceSize), first parameter varying slowest: the sweep order. */
export function validDesignAt(space: ParameterSpace, index: number): number[] {
  if (!hasRules(space)) return designAt(space, index);
  const count = counter(space);
  const d = count.design;
  let rest = index;
  for (let j = 0; j < d.length; j++) {
    const mask = count.mask(j);
    let chosen = -1;
    for (let k = 0; k < mask.length && chosen < 0; k++) {
      if (!mask[k]) continue;
      d[j] = k;
      const below = count.from(j + 1);
      if (rest < below) chosen = k;
      else rest -= below;
    }
    if (chosen < 0) throw new InputError(`design number ${index} is beyond the ${spaceSize(space)} designs of space ${space.name}`);
  }
  return [...d];
}
