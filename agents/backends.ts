/** The TensorFlow.js backends `--backend` may name (agents/nn.ts selects one), apart from nn.ts so that checking the flag does not load TensorFlow.js. */
export const BACKENDS = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
