export { StlFileSource, readStl, writeStl, stlLine } from './stl.js';
export { streamTrace, randomTrace, type GeneratorOptions } from './generators.js';
export { BUILTIN_TRACES, openTrace } from './builtin.js';
