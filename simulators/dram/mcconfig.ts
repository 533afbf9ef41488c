/**
 * Controller configurations in DRAMSys's mcconfig format (`{"mcconfig": {...}}`), with the same
 * keys and values. Unknown keys and values are errors that name the key.
 */
import { InputError } from '../../common/errors.js';
import { type JsonObject, describe, unwrap } from './json.js';

export const MC_CHOICES = {
  PagePolicy: ['Open', 'OpenAdaptive', 'Closed', 'ClosedAdaptive'],
  Scheduler: ['Fifo', 'FrFcfs', 'FrFcfsGrp', 'GrpFrFcfs', 'GrpFrFcfsWm'],
  SchedulerBuffer: ['Bankwise', 'ReadWrite', 'Shared'],
  CmdMux: ['Oldest', 'Strict'],
  RespQueue: ['Fifo', 'Reorder'],
  RefreshPolicy: ['NoRefresh', 'AllBank', 'PerBank', 'SameBank', 'Per2Bank'],
  PowerDownPolicy: ['NoPowerDown', 'Staggered'],
  Arbiter: ['Simple', 'Fifo', 'Reorder'],
} as const;

/**
 * Numeric parameters and their minimum values: integers, except the six pipeline delays, which are
 * nanoseconds (any non-negative number, as in DRAMSys, where the controller rounds each to whole
 * clock cycles).
 */
export const MC_NUMBERS = {
  RequestBufferSize: 1,
  RequestBufferSizeRead: 1,
  RequestBufferSizeWrite: 1,
  RefreshMaxPostponed: 0,
  RefreshMaxPulledin: 0,
  MaxActiveTransactions: 1,
  PowerDownTimeout: 0,
  HighWatermark: 1,
  LowWatermark: 1,
  ArbitrationDelayFw: 0,
  ArbitrationDelayBw: 0,
  ThinkDelayFw: 0,
  ThinkDelayBw: 0,
  PhyDelayFw: 0,
  PhyDelayBw: 0,
} as const;

/** DRAMSys keys accepted for compatibility that do not affect this simulator (see README). */
const IGNORED_KEYS = ['BlockingReadDelay', 'BlockingWriteDelay', 'RefreshManagement'];

/** Old DRAMSys names still found in users' files. */
const ALIASES: Record<string, Record<string, string>> = {
  RefreshPolicy: { Rankwise: 'AllBank', Bankwise: 'PerBank', Groupwise: 'SameBank' },
};

type Choices = typeof MC_CHOICES;
export type McChoiceKey = keyof Choices;
export type McNumberKey = keyof typeof MC_NUMBERS;
export type McConfigKey = McChoiceKey | McNumberKey;

export type McConfig = { readonly [K in McChoiceKey]: Choices[K][number] } & {
  readonly RequestBufferSize: number;
  /** Read and write buffer depths for SchedulerBuffer ReadWrite; default RequestBufferSize. */
  readonly RequestBufferSizeRead?: number;
  readonly RequestBufferSizeWrite?: number;
  readonly RefreshMaxPostponed: number;
  readonly RefreshMaxPulledin: number;
  readonly MaxActiveTransactions: number;
  /** Idle cycles before Staggered power-down enters (0: at once, as DRAMSys does). */
  readonly PowerDownTimeout: number;
  /** GrpFrFcfsWm: writes waiting in the buffer above which it drains writes, and at or below which it stops. */
  readonly HighWatermark: number;
  readonly LowWatermark: number;
  readonly ArbitrationDelayFw: number;
  readonly ArbitrationDelayBw: number;
  readonly ThinkDelayFw: number;
  readonly ThinkDelayBw: number;
  readonly PhyDelayFw: number;
  readonly PhyDelayBw: number;
};

/**
 * The default controller: the template of the published DSE work we rebuild (Open, Fifo,
 * Bankwise, 1, Oldest, Fifo, NoRefresh, 1, 1, NoPowerDown, Simple, 1), with zero extra delays.
 */
export const DEFAULT_MCCONFIG: McConfig = {
  PagePolicy: 'Open',
  Scheduler: 'Fifo',
  SchedulerBuffer: 'Bankwise',
  RequestBufferSize: 1,
  CmdMux: 'Oldest',
  RespQueue: 'Fifo',
  RefreshPolicy: 'NoRefresh',
  RefreshMaxPostponed: 1,
  RefreshMaxPulledin: 1,
  PowerDownPolicy: 'NoPowerDown',
  Arbiter: 'Simple',
  MaxActiveTransactions: 1,
  PowerDownTimeout: 0,
  HighWatermark: 8,
  LowWatermark: 4,
  ArbitrationDelayFw: 0,
  ArbitrationDelayBw: 0,
  ThinkDelayFw: 0,
  ThinkDelayBw: 0,
  PhyDelayFw: 0,
  PhyDelayBw: 0,
};

export const MC_KEYS: readonly McConfigKey[] = [
  ...(Object.keys(MC_CHOICES) as McChoiceKey[]),
  ...(Object.keys(MC_NUMBERS) as McNumberKey[]),
];

/** The DRAMSys pipeline delays, in nanoseconds. */
export const MC_DELAY_KEYS = ['ArbitrationDelayFw', 'ArbitrationDelayBw', 'ThinkDelayFw', 'ThinkDelayBw', 'PhyDelayFw', 'PhyDelayBw'] as const;
export type McDelayKey = (typeof MC_DELAY_KEYS)[number];
/** A delay beyond a second is no controller's. */
const MAX_DELAY_NS = 1e9;

function isChoiceKey(k: string): k is McChoiceKey {
  return k in MC_CHOICES;
}
function isNumberKey(k: string): k is McNumberKey {
  return k in MC_NUMBERS;
}

/** Finds the canonical key for `key` (case-insensitive), or throws naming it. */
export function canonicalKey(key: string, where: string): McConfigKey | null {
  const exact = MC_KEYS.find((k) => k === key) ?? MC_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
  if (exact) return exact;
  if (IGNORED_KEYS.some((k) => k.toLowerCase() === key.toLowerCase())) return null;
  throw new InputError(`${where}${key}: unknown mcconfig key (known: ${MC_KEYS.join(', ')})`);
}

/**
 * Checks one value for one key and returns it in canonical form. `raw` may be a string from the
 * command line (`--set RequestBufferSize=8`) or a JSON value.
 */
export function parseMcValue(key: McConfigKey, raw: unknown, where: string): string | number {
  if (isChoiceKey(key)) {
    const options = MC_CHOICES[key] as readonly string[];
    if (typeof raw === 'string') {
      const alias = ALIASES[key]?.[raw];
      const found = alias ?? options.find((o) => o === raw) ?? options.find((o) => o.toLowerCase() === raw.toLowerCase());
      if (found) return found;
    }
    throw new InputError(`${where}${key}: unknown value ${describe(raw)} (expected one of ${options.join(', ')})`);
  }
  if ((MC_DELAY_KEYS as readonly string[]).includes(key)) {
    const ns = typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    if (typeof ns !== 'number' || !Number.isFinite(ns) || ns < 0 || ns > MAX_DELAY_NS) {
      throw new InputError(`${where}${key}: expected a delay in nanoseconds from 0 to ${MAX_DELAY_NS.toExponential()}, got ${describe(raw)}`);
    }
    return ns;
  }
  const min = MC_NUMBERS[key as McNumberKey];
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new InputError(`${where}${key}: expected an integer ≥ ${min}, got ${describe(raw)}`);
  }
  return n;
}

/** Applies key/value overrides to a config, checking each. */
export function withOverrides(base: McConfig, overrides: Readonly<Record<string, unknown>>, where: string): McConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    const key = canonicalKey(k, where);
    if (key === null) {
      // Accepted for DRAMSys compatibility and without effect here, but still a number or a flag.
      const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^(true|false|-?\d+(\.\d+)?)$/i.test(v.trim()));
      if (!ok) throw new InputError(`${where}${k}: expected a number or true/false, got ${JSON.stringify(v)}`);
      continue;
    }
    out[key] = parseMcValue(key, v, where);
  }
  const c = out as McConfig;
  if (c.Scheduler === 'GrpFrFcfsWm' && c.LowWatermark >= c.HighWatermark) {
    throw new InputError(`${where}LowWatermark: ${c.LowWatermark} must be below HighWatermark (${c.HighWatermark}) for the GrpFrFcfsWm scheduler`);
  }
  return c;
}

/**
 * Parses an mcconfig document. Keys it leaves out keep their defaults (`base`, by default the
 * reference configuration).
 */
export function parseMcConfig(doc: unknown, where: string, base: McConfig = DEFAULT_MCCONFIG): McConfig {
  const body: JsonObject = unwrap(doc, 'mcconfig', where);
  return withOverrides(base, body, `${where}: mcconfig.`);
}

/** The config as a DRAMSys mcconfig document, keys in a fixed order. */
export function mcConfigToJson(c: McConfig): { mcconfig: Record<string, string | number> } {
  const out: Record<string, string | number> = {};
  for (const k of MC_KEYS) {
    const v = (c as Record<string, string | number | undefined>)[k];
    if (v !== undefined) out[k] = v;
  }
  return { mcconfig: out };
}

export { isChoiceKey, isNumberKey };

/**
 * The config with parameters that cannot affect the run normalised away, so that designs which
 * behave identically share one simulation: refresh flexibility under NoRefresh, the active-
 * transaction limit under the Simple arbiter (which ignores it), the watermarks under any scheduler
 * but GrpFrFcfsWm, the arbitration delays under the
 * Fifo and Reorder arbiters (which ignore them), the power-down timeout without
 * power-down, and the read/write buffer depths outside the ReadWrite buffer.
 */
export function effectiveMcConfig(c: McConfig): McConfig {
  const out: Record<string, unknown> = { ...c };
  if (c.RefreshPolicy === 'NoRefresh') {
    out.RefreshMaxPostponed = 0;
    out.RefreshMaxPulledin = 0;
  }
  if (c.Arbiter === 'Simple') out.MaxActiveTransactions = 1;
  else {
    // DRAMSys applies the arbitration delays in its Simple arbiter only.
    out.ArbitrationDelayFw = 0;
    out.ArbitrationDelayBw = 0;
  }
  if (c.PowerDownPolicy === 'NoPowerDown') out.PowerDownTimeout = 0;
  if (c.Scheduler !== 'GrpFrFcfsWm') {
    out.HighWatermark = 0;
    out.LowWatermark = 0;
  }
  if (c.SchedulerBuffer === 'ReadWrite') {
    out.RequestBufferSizeRead = c.RequestBufferSizeRead ?? c.RequestBufferSize;
    out.RequestBufferSizeWrite = c.RequestBufferSizeWrite ?? c.RequestBufferSize;
    out.RequestBufferSize = 0;
  } else {
    delete out.RequestBufferSizeRead;
    delete out.RequestBufferSizeWrite;
  }
  return out as McConfig;
}

/** A string that identifies a config's behaviour: equal for configs that must simulate identically. */
export function mcConfigKey(c: McConfig): string {
  const e = effectiveMcConfig(c) as Record<string, unknown>;
  return MC_KEYS.map((k) => (e[k] === undefined ? '' : String(e[k]))).join(',');
}
