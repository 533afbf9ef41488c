export { StlFileSource, StlWriter, readStl, writeStl, stlLine } from './stl.js';
export {
  generateTrace,
  generateSource,
  checkFitsMemory,
  streamTrace,
  randomTrace,
  stridedTrace,
  hotspotTrace,
  cloudTrace,
  resolveOptions,
  parseMix,
  zipfSampler,
  OptionError,
  GENERATORS,
  GENERATOR_KINDS,
  GAP_DISTRIBUTIONS,
  LINE_BYTES,
  WORKLOAD_OPTIONS,
  HOTSPOT_REGION_BYTES,
  CLOUD_RUN_UNIT,
  CLOUD_MAX_UNITS,
  type GeneratedSource,
  type GeneratorKind,
  type GapDistribution,
  type GeneratorOptions,
  type StridedOptions,
  type HotspotOptions,
  type CloudOptions,
  type WorkloadOptions,
  type WorkloadGenerator,
  type MixEntry,
  type ResolvedOptions,
  type Arrival,
} from './generators.js';
export { Llc, LLC_HIT, LLC_MISS, DEFAULT_LLC, type LlcConfig } from './llc.js';
export { captureProgram, CAPTURE_DEFAULTS, type CaptureOptions, type CaptureStats } from './capture.js';
export { BUILTIN_TRACES, openTrace, type BuiltinTrace } from './builtin.js';
export { BUILTIN_SUITES, loadSuite, composeSuite, type Suite, type SuiteEntry } from './suites.js';
export { TRACE_FORMATS, detectTraceFormat, openTraceFile, parseTraceFileSpec, formatOfLine, isTraceFormat, type TraceFormat } from './formats.js';
export { RamulatorFileSource, RAMULATOR_FORMAT, ramulatorLine } from './ramulator.js';
export { DramSim3FileSource, DRAMSIM3_FORMAT, dramsim3Line } from './dramsim3.js';
export { LineTraceSource, type LineFormat } from './line-source.js';
export { inspectTrace, type TraceInspection, type InterArrival, type InspectOptions } from './inspect.js';
