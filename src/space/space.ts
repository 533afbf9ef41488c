/**
 * Parameter spaces: which parameters a search may set, and to which values. A parameter is an
 * mcconfig key or a system parameter (memory, organisation, address mapping: system.ts), the
 * subsystem it belongs to, and an ordered list of values; a space groups its parameters into
 * per-subsystem slices. A design is one value index per parameter. Designs that cannot exist are
 * excluded by rules (constraints.ts, masks.ts).
 */
import { RESERVED_KEY_MESSAGE, reservedKeyPath } from '../../common/parse.js';
import { z } from 'zod';
import { InputError } from '../../common/errors.js';
import { canonicalKey, DEFAULT_MCCONFIG, type McConfig, type McConfigKey, parseMcValue } from '../../simulators/dram/mcconfig.js';
import { readJsonFile } from '../../simulators/dram/json.js';
import { memoryIn, rulesFor } from './constraints.js';
import { type EvalConfig, isSystemKey, SYSTEM_PARAMETERS, type SystemChoice } from './system.js';

export const SUBSYSTEMS = ['organisation', 'address-mapping', 'scheduling', 'page', 'refresh', 'power-down', 'transport'] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];

/** Which subsystem each mcconfig key belongs to, when a space file does not say (system parameters: their registry's). */
export const DEFAULT_SUBSYSTEM: Readonly<Record<McConfigKey, Subsystem>> = {
  PagePolicy: 'page',
  Scheduler: 'scheduling',
  SchedulerBuffer: 'scheduling',
  RequestBufferSize: 'scheduling',
  RequestBufferSizeRead: 'scheduling',
  RequestBufferSizeWrite: 'scheduling',
  CmdMux: 'scheduling',
  HighWatermark: 'scheduling',
  LowWatermark: 'scheduling',
  RespQueue: 'transport',
  Arbiter: 'transport',
  MaxActiveTransactions: 'transport',
  ArbitrationDelayFw: 'transport',
  ArbitrationDelayBw: 'transport',
  ThinkDelayFw: 'transport',
  ThinkDelayBw: 'transport',
  PhyDelayFw: 'transport',
  PhyDelayBw: 'transport',
  RefreshPolicy: 'refresh',
  RefreshMaxPostponed: 'refresh',
  RefreshMaxPulledin: 'refresh',
  PowerDownPolicy: 'power-down',
  PowerDownTimeout: 'power-down',
};

export type ParamValue = string | number;

export interface Parameter {
  /** An mcconfig key or a system parameter. */
  readonly name: string;
  readonly subsystem: Subsystem;
  readonly values: readonly ParamValue[];
}

export interface Slice {
  readonly subsystem: Subsystem;
  /** Indexes into the space's parameter list. */
  readonly parameters: readonly number[];
}

export interface ParameterSpace {
  readonly name: string;
  readonly parameters: readonly Parameter[];
  readonly slices: readonly Slice[];
  /** The controller every design starts from; a design overrides its parameters. */
  readonly base: McConfig;
  /** The system parameters every design starts from (empty: the workload's memory and mapping). */
  readonly baseSystem: SystemChoice;
  /** The capacity every organisation keeps, bytes (that of the base organisation); null when the space does not search Channels or Ranks. */
  readonly capacityBytes: number | null;
}

/** A design: for each parameter of the space, the index of its value. */
export type Design = readonly number[];

/** The JSON format of a space file (also the schema `marl-dse space --schema` prints). */
export const SpaceFileSchema = z.strictObject({
  name: z.string().min(1).optional(),
  parameters: z
    .array(
      z.strictObject({
        name: z.string(),
        subsystem: z.enum(SUBSYSTEMS).optional(),
        values: z.array(z.union([z.string(), z.number()])).min(1),
      }),
    )
    .min(1),
  base: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type SpaceFile = z.infer<typeof SpaceFileSchema>;

function formatIssue(where: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
  return `${where}: ${path}: ${issue.message}`;
}

/** Builds a space from its JSON description; every key and value is checked against the simulator's. */
export function parseSpace(doc: unknown, where: string): ParameterSpace {
  const reserved = reservedKeyPath(doc);
  if (reserved !== null) throw new InputError(`${where}: ${reserved}: ${RESERVED_KEY_MESSAGE}`);
  const parsed = SpaceFileSchema.safeParse(doc);
  if (!parsed.success) throw new InputError(formatIssue(where, parsed.error.issues[0]));
  const file = parsed.data;
  const seen = new Set<string>();
  const parameters: Parameter[] = file.parameters.map((p, i) => {
    const at = `${where}: parameters[${i}].`;
    const system = isSystemKey(p.name);
    const name = system ? p.name : canonicalKey(p.name, at);
    if (name === null) throw new InputError(`${at}${p.name}: this key has no effect in the simulator and cannot be searched`);
    if (seen.has(name)) throw new InputError(`${at}${name}: listed twice`);
    seen.add(name);
    const values = p.values.map((v) => (system ? SYSTEM_PARAMETERS[name].parse(v, `${at}values: `) : parseMcValue(name as McConfigKey, v, `${at}values: `)));
    const dup = values.find((v, k) => values.indexOf(v) !== k);
    if (dup !== undefined) throw new InputError(`${at}values: ${JSON.stringify(dup)} listed twice`);
    return { name, subsystem: p.subsystem ?? subsystemOf(name), values };
  });
  let base: McConfig = DEFAULT_MCCONFIG;
  const baseSystem: Record<string, ParamValue> = {};
  if (file.base) {
    const out: Record<string, unknown> = { ...DEFAULT_MCCONFIG };
    for (const [k, v] of Object.entries(file.base)) {
      if (isSystemKey(k)) {
        baseSystem[k] = SYSTEM_PARAMETERS[k].parse(v, `${where}: base.${k}: `);
        continue;
      }
      const key = canonicalKey(k, `${where}: base.`);
      if (key !== null) out[key] = parseMcValue(key, v, `${where}: base.`);
    }
    base = out as McConfig;
  }
  return makeSpace(file.name ?? where, parameters, base, baseSystem, where);
}

/** The subsystem a parameter belongs to when a space does not say. */
export function subsystemOf(name: string): Subsystem {
  return isSystemKey(name) ? SYSTEM_PARAMETERS[name].subsystem : DEFAULT_SUBSYSTEM[name as McConfigKey];
}

/**
 * A space; `where` names its file in errors. Checks that every parameter comes after those its
 * rules depend on, and fixes the capacity an organisation search keeps.
 */
export function makeSpace(name: string, parameters: Parameter[], base: McConfig = DEFAULT_MCCONFIG, baseSystem: SystemChoice = {}, where = `space ${name}`): ParameterSpace {
  const index = new Map(parameters.map((p, i) => [p.name, i]));
  parameters.forEach((p, i) => {
    for (const rule of rulesFor(p.name, p.values)) {
      for (const dep of rule.dependsOn) {
        const at = index.get(dep);
        if (at !== undefined && at > i) throw new InputError(`${where}: ${p.name} must come after ${dep} in the parameter list (which values it may take depends on ${dep})`);
      }
    }
  });
  const slices: Slice[] = [];
  for (const subsystem of SUBSYSTEMS) {
    const idx = parameters.map((p, i) => (p.subsystem === subsystem ? i : -1)).filter((i) => i >= 0);
    if (idx.length > 0) slices.push({ subsystem, parameters: idx });
  }
  let capacityBytes: number | null = null;
  if (index.has('Channels') || index.has('Ranks')) {
    const memory = baseSystem.Memory;
    if (typeof memory !== 'string') throw new InputError(`${where}: base.Memory: a space that searches Channels or Ranks names its base memory (the base organisation fixes the capacity every design keeps)`);
    const m = memoryIn(memory, baseSystem.Channels as number | undefined, baseSystem.Ranks as number | undefined);
    if (!m) throw new InputError(`${where}: base: ${memory} cannot be organised in ${baseSystem.Channels} channels x ${baseSystem.Ranks} ranks`);
    capacityBytes = m.capacityBytes;
  }
  return { name, parameters, slices, base, baseSystem, capacityBytes };
}

export function loadSpaceFile(path: string): ParameterSpace {
  return parseSpace(readJsonFile(path), path);
}

export function spaceToJson(space: ParameterSpace): SpaceFile {
  const baseSystem = Object.keys(space.baseSystem).length > 0 ? { base: { ...space.baseSystem } } : {};
  return {
    name: space.name,
    parameters: space.parameters.map((p) => ({ name: p.name, subsystem: p.subsystem, values: [...p.values] })),
    ...baseSystem,
  };
}

/** Number of value combinations, valid or not (approximate beyond 2^53). */
export function rawSize(space: ParameterSpace): number {
  return space.parameters.reduce((a, p) => a * p.values.length, 1);
}

/** The controller config (and system choice, where the space has one) of a design. */
export function designToConfig(space: ParameterSpace, design: Design): EvalConfig {
  if (design.length !== space.parameters.length) {
    throw new InputError(`design has ${design.length} values but space ${space.name} has ${space.parameters.length} parameters`);
  }
  const out: Record<string, unknown> = { ...space.base };
  const system: Record<string, ParamValue> = { ...space.baseSystem };
  space.parameters.forEach((p, i) => {
    const k = design[i];
    if (!Number.isInteger(k) || k < 0 || k >= p.values.length) {
      throw new InputError(`design value ${k} for ${p.name} is out of range 0..${p.values.length - 1}`);
    }
    if (isSystemKey(p.name)) system[p.name] = p.values[k];
    else out[p.name] = p.values[k];
  });
  if (Object.keys(system).length > 0) out.system = system;
  return out as EvalConfig;
}

/** The design whose values are those of `config` (the closest value index for values not in the space: none; throws). */
export function configToDesign(space: ParameterSpace, config: EvalConfig): number[] {
  return space.parameters.map((p) => {
    const v = isSystemKey(p.name) ? config.system?.[p.name] : (config as unknown as Record<string, ParamValue>)[p.name];
    const k = v === undefined ? -1 : p.values.indexOf(v);
    if (k < 0) throw new InputError(`${p.name}=${v} is not a value of space ${space.name}`);
    return k;
  });
}

/** Design number `index` (of `rawSize`) in mixed radix, first parameter varying slowest (the sweep order). */
export function designAt(space: ParameterSpace, index: number): number[] {
  const d = new Array<number>(space.parameters.length);
  let rest = index;
  for (let i = space.parameters.length - 1; i >= 0; i--) {
    const n = space.parameters[i].values.length;
    d[i] = rest % n;
    rest = Math.floor(rest / n);
  }
  return d;
}

export function designIndex(space: ParameterSpace, design: Design): number {
  let index = 0;
  space.parameters.forEach((p, i) => (index = index * p.values.length + design[i]));
  return index;
}

/** A design's values by parameter name, for reports. */
export function describeDesign(space: ParameterSpace, design: Design): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  space.parameters.forEach((p, i) => (out[p.name] = p.values[design[i]]));
  return out;
}
