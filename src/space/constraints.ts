/**
 * Which designs can exist. A rule says which values of one parameter are allowed given the values
 * of parameters it depends on (a refresh policy the memory's standard lacks, a watermark above the
 * write buffer, a channel count the capacity does not allow, an XOR of a bank bit the memory does
 * not have). A space lists every parameter after those its rules depend on, so the allowed values
 * of parameter j follow from parameters 0..j-1: agents choose parameters in order, each from its
 * mask, and no invalid design is ever simulated.
 */
import type { MemSpec } from '../../simulators/dram/memspec.js';
import { fieldBits, hashedBits, HASHED_FIELDS, type HashedField, reorganise } from '../../simulators/dram/organisation.js';
import { loadMemSpec } from '../../simulators/dram/presets.js';
import type { SystemValue } from './system.js';

/** What a rule sees: the value of a parameter (the design's where the space searches it, else the base's; undefined when neither says). */
export interface RuleContext {
  get(name: string): SystemValue | undefined;
  /** The values a parameter may still take: the space's list where it searches it, else its base value (undefined: the workload's). */
  candidates(name: string): ReadonlyArray<SystemValue | undefined>;
  /** The capacity every organisation keeps (the base organisation's), bytes; null when the space does not search the organisation. */
  readonly capacityBytes: number | null;
}

export interface Rule {
  readonly param: string;
  readonly dependsOn: readonly string[];
  allows(value: SystemValue, ctx: RuleContext): boolean;
  /** Why a value is refused, for error messages. */
  readonly why: string;
  /** The only values it can refuse (absent: any): a space without them does not need the rule. */
  readonly refuses?: readonly SystemValue[];
}

/** The rules that apply to a parameter with these values. */
export function rulesFor(param: string, values: readonly SystemValue[]): readonly Rule[] {
  return (RULES_BY_PARAM.get(param) ?? []).filter((r) => !r.refuses || r.refuses.some((v) => values.includes(v)));
}

const presets = new Map<string, MemSpec | null>();
/** A memory preset in channels × ranks; null where the standard does not allow that organisation. */
export function memoryIn(preset: string, channels?: number, ranks?: number): MemSpec | null {
  const key = `${preset} ${channels} ${ranks}`;
  if (!presets.has(key)) {
    const device = loadMemSpec(preset);
    const c = channels ?? device.channels;
    const r = ranks ?? device.ranks;
    // Channels come in the preset's units: DDR5's two sub-channels, an HBM stack's channels.
    const ok = device.standard.organisation.ranks.includes(r) && c % device.channels === 0;
    presets.set(key, ok ? reorganise(device, c, r) : null);
  }
  return presets.get(key)!;
}

/** Whether memory `preset` in `channels` × `ranks` exists and keeps the capacity. */
function organisationOk(ctx: RuleContext, preset: SystemValue | undefined, channels: SystemValue | undefined, ranks: SystemValue | undefined): boolean {
  if (typeof preset !== 'string') return true; // the workload's memory: not known to the space
  const m = memoryIn(preset, channels as number | undefined, ranks as number | undefined);
  return m !== null && (ctx.capacityBytes === null || m.capacityBytes === ctx.capacityBytes);
}

/** The memory the decided organisation names, or null when the space leaves it to the workload. */
function memoryOf(ctx: RuleContext): MemSpec | null {
  const preset = ctx.get('Memory');
  return typeof preset === 'string' ? memoryIn(preset, ctx.get('Channels') as number | undefined, ctx.get('Ranks') as number | undefined) : null;
}

function xorRule(field: HashedField, bit: number): Rule {
  return {
    param: `Xor${field}${bit}`,
    dependsOn: ['Memory', 'Channels', 'Ranks'],
    why: `the memory has no such ${field === 'Ch' ? 'channel' : field === 'Bg' ? 'bank-group' : 'bank'} bit or row bit`,
    allows(v, ctx) {
      if (v === 'off') return true;
      const m = memoryOf(ctx);
      if (!m) return true;
      const bits = fieldBits(m);
      return bit < hashedBits(bits, field) && Number(String(v).slice(1)) < bits.row;
    },
  };
}

/** The writes the buffer can hold: the write buffer, the shared one, or every bank's. */
function writeCapacity(ctx: RuleContext): number {
  const size = ctx.get('RequestBufferSize') as number;
  const buffer = ctx.get('SchedulerBuffer');
  if (buffer === 'ReadWrite') return (ctx.get('RequestBufferSizeWrite') as number | undefined) ?? size;
  if (buffer === 'Shared') return size;
  const m = memoryOf(ctx);
  return m ? size * m.banks * m.ranks : Infinity;
}

export const RULES: readonly Rule[] = [
  {
    param: 'Memory',
    dependsOn: [],
    why: 'no channel and rank count of this memory keeps the capacity',
    allows: (v, ctx) => ctx.candidates('Channels').some((c) => ctx.candidates('Ranks').some((r) => organisationOk(ctx, v, c, r))),
  },
  {
    param: 'Channels',
    dependsOn: ['Memory'],
    why: 'no rank count keeps the capacity with these channels (or the memory comes in larger channel units)',
    allows: (v, ctx) => ctx.candidates('Ranks').some((r) => organisationOk(ctx, ctx.get('Memory'), v, r)),
  },
  {
    param: 'Ranks',
    dependsOn: ['Memory', 'Channels'],
    why: "the standard does not have this rank count, or it changes the capacity",
    allows: (v, ctx) => organisationOk(ctx, ctx.get('Memory'), ctx.get('Channels'), v),
  },
  {
    param: 'MapColumnLow',
    dependsOn: ['Memory', 'Channels', 'Ranks'],
    why: 'the memory has fewer column bits above a burst',
    allows(v, ctx) {
      const m = memoryOf(ctx);
      return !m || (v as number) <= fieldBits(m).column;
    },
  },
  ...HASHED_FIELDS.flatMap((f) => [0, 1, 2, 3].map((i) => xorRule(f, i))),
  {
    param: 'RefreshPolicy',
    dependsOn: ['Memory', 'Channels', 'Ranks'],
    why: "the memory's standard has no such refresh",
    allows(v, ctx) {
      const m = memoryOf(ctx);
      return !m || v === 'NoRefresh' || Object.hasOwn(m.standard.refresh(m.timing), v as string);
    },
  },
  {
    param: 'Scheduler',
    dependsOn: ['Memory', 'Channels', 'Ranks', 'SchedulerBuffer', 'RequestBufferSize', 'RequestBufferSizeWrite'],
    why: 'GrpFrFcfsWm: no pair of watermarks fits the writes the buffer holds',
    refuses: ['GrpFrFcfsWm'],
    allows: (v, ctx) =>
      v !== 'GrpFrFcfsWm' ||
      ctx.candidates('HighWatermark').some((h) => (h as number) < writeCapacity(ctx) && ctx.candidates('LowWatermark').some((l) => (l as number) < (h as number))),
  },
  {
    param: 'HighWatermark',
    dependsOn: ['Memory', 'Channels', 'Ranks', 'Scheduler', 'SchedulerBuffer', 'RequestBufferSize', 'RequestBufferSizeWrite'],
    why: 'GrpFrFcfsWm: a high watermark above the writes the buffer holds',
    allows: (v, ctx) => ctx.get('Scheduler') !== 'GrpFrFcfsWm' || (v as number) < writeCapacity(ctx),
  },
  {
    param: 'LowWatermark',
    dependsOn: ['Scheduler', 'HighWatermark'],
    why: 'GrpFrFcfsWm: a low watermark at or above the high one',
    allows: (v, ctx) => ctx.get('Scheduler') !== 'GrpFrFcfsWm' || (v as number) < (ctx.get('HighWatermark') as number),
  },
];

const RULES_BY_PARAM: ReadonlyMap<string, readonly Rule[]> = (() => {
  const m = new Map<string, Rule[]>();
  for (const r of RULES) m.set(r.param, [...(m.get(r.param) ?? []), r]);
  return m;
})();
