export { StlFileSource, readStl, writeStl, stlLine } from './stl.js';
export {
  generateTrace,
  streamTrace,
  randomTrace,
  stridedTrace,
  hotspotTrace,
  cloudTrace,
  resolveOptions,
  zipfSampler,
  OptionError,
  GENERATOR_KINDS,
  GAP_DISTRIBUTIONS,
  LINE_BYTES,
  HOTSPOT_REGION_BYTES,
  CLOUD_RUN_UNIT,
  CLOUD_MAX_UNITS,
  type GeneratorKind,
  type GapDistribution,
  type GeneratorOptions,
  type StridedOptions,
  type HotspotOptions,
  type CloudOptions,
  type WorkloadOptions,
  type ResolvedOptions,
  type Arrival,
} from './generators.js';
export { BUILTIN_TRACES, openTrace, type BuiltinTrace } from './builtin.js';
export { TRACE_FORMATS, detectTraceFormat, openTraceFile, parseTraceFileSpec, formatOfLine, isTraceFormat, type TraceFormat } from './formats.js';
export { RamulatorFileSource, RAMULATOR_FORMAT, ramulatorLine } from './ramulator.js';
export { DramSim3FileSource, DRAMSIM3_FORMAT, dramsim3Line } from './dramsim3.js';
export { LineTraceSource, type LineFormat } from './line-source.js';
export { inspectTrace, type TraceInspection, type InterArrival, type InspectOptions } from './inspect.js';
