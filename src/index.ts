/**
 * marl-dse as a library: `import { simulate } from 'marl-dse'`.
 */
export * from '../simulators/index.js';
export * from '../traces/index.js';
